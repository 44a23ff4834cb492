import type { Bot, Context } from "grammy";
import type { Update } from "grammy/types";
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { describeError, type Logger } from "../actors/log.port.ts";
import { answerHealth, type HealthReport } from "./health.ts";
import { failedToStore, type BotName } from "./telegram/botPlumbing.ts";

export interface WebhookRoute {
  readonly name: BotName;
  /** The path Telegram posts this bot's updates to, e.g. `/shop`. */
  readonly path: string;
  readonly bot: Bot<Context>;
}

export interface WebhookServerOptions {
  readonly port: number;
  readonly routes: readonly WebhookRoute[];
  /** Telegram sends it back in `X-Telegram-Bot-Api-Secret-Token`; a post without it is refused. */
  readonly secretToken: string;
  /** The check behind `GET /health` (adapters/health.ts): 200 when healthy, 503 with the reasons when not. */
  readonly health: () => Promise<HealthReport>;
  readonly log: Logger;
  /**
   * How long a post waits for its update before Telegram gets its 200 anyway (default 10 s), so a
   * slow answer (the consultant) does not make Telegram deliver the update again; it carries on.
   */
  readonly answerWithinMs?: number;
}

/** Far above any update Telegram sends; a larger body is read to its end but not kept. */
const maxBodyBytes = 1_048_576;

const digest = (value: string): Buffer => createHash("sha256").update(value).digest();

/**
 * Webhook mode: one HTTP server for both bots (`POST /shop`, `POST /owner`, checked against the
 * secret token) and `GET /health` for the host's probes. Each update goes through the bot's own
 * `handleUpdate`, so through its boundary and its one-update-per-chat order.
 *
 * The status tells Telegram whether to deliver the update again: 200 for every update handled or
 * deliberately dropped (a malformed one, a body that is not JSON, a failure the person was told
 * about), 500 only when something could not be stored, so that the redelivery can store it.
 */
export function startWebhookServer(options: WebhookServerOptions): Promise<Server> {
  const routes = new Map(options.routes.map((route) => [route.path, route]));
  const secret = digest(options.secretToken);
  const server = createServer((req, res) => {
    serve(options, routes, secret, req, res).catch((error: unknown) => {
      options.log.error("webhook_failed", { path: pathOf(req), ...describeError(error) });
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, () => resolve(server));
  });
}

const pathOf = (req: IncomingMessage): string => (req.url ?? "/").split("?")[0] ?? "/";

async function serve(options: WebhookServerOptions, routes: ReadonlyMap<string, WebhookRoute>, secret: Buffer, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = pathOf(req);
  if (req.method === "GET" && path === "/health") {
    await answerHealth(res, options.health);
    return;
  }
  const route = req.method === "POST" ? routes.get(path) : undefined;
  if (!route) {
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    return;
  }
  const given = req.headers["x-telegram-bot-api-secret-token"];
  if (typeof given !== "string" || !timingSafeEqual(digest(given), secret)) {
    req.resume();
    res.writeHead(401, { "content-type": "text/plain" }).end("secret token is wrong");
    return;
  }
  const body = await readBody(req);
  const update = body === null ? undefined : parseJson(body);
  if (update === undefined || typeof update !== "object" || update === null || Array.isArray(update)) {
    const reason = body === null ? "too_large" : update === undefined ? "not_json" : "not_an_object";
    options.log.warn("update_dropped", { bot: route.name, updateId: null, reason });
    res.writeHead(200).end();
    return;
  }
  res.writeHead((await handle(options, route, update)) ? 200 : 500).end();
}

/** Whether Telegram may consider the update delivered. */
async function handle(options: WebhookServerOptions, route: WebhookRoute, update: object): Promise<boolean> {
  const handling = route.bot.handleUpdate(update as Update).then(
    () => !failedToStore(update),
    (error: unknown) => {
      // The bot's boundary lets nothing through; should something pass it, Telegram tries again.
      options.log.error("webhook_failed", { bot: route.name, ...describeError(error) });
      return false;
    },
  );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), options.answerWithinMs ?? 10_000);
  });
  const outcome = await Promise.race([handling, late]);
  clearTimeout(timer);
  if (outcome === "late") {
    options.log.info("webhook_answered_early", { bot: route.name, updateId: "update_id" in update && typeof update.update_id === "number" ? update.update_id : null });
    return true;
  }
  return outcome;
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    req.once("end", () => resolve(size <= maxBodyBytes ? Buffer.concat(chunks) : null));
    req.once("error", reject);
  });
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}
