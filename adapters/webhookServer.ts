import { webhookCallback, type Bot, type Context } from "grammy";
import { createServer, type Server } from "node:http";
import { describeError, type Logger } from "../actors/log.port.ts";

export interface WebhookRoute {
  /** The path Telegram posts this bot's updates to, e.g. `/shop`. */
  readonly path: string;
  readonly bot: Bot<Context>;
}

export interface WebhookServerOptions {
  readonly port: number;
  readonly routes: readonly WebhookRoute[];
  /** Telegram sends it back in `X-Telegram-Bot-Api-Secret-Token`; a post without it is refused. */
  readonly secretToken: string;
  /** The body of `GET /health`. */
  readonly health: () => Record<string, unknown>;
  readonly log: Logger;
}

/**
 * Webhook mode: one HTTP server for both bots (`POST /shop`, `POST /owner`, checked against the
 * secret token) and `GET /health` for the host's probes. Updates are still processed one chat at a
 * time by each bot's `sequentialize`.
 */
export function startWebhookServer(options: WebhookServerOptions): Promise<Server> {
  const handlers = new Map(options.routes.map((route) => [route.path, webhookCallback(route.bot, "http", { secretToken: options.secretToken, onTimeout: "return" })]));
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (req.method === "GET" && path === "/health") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, ...options.health() }));
      return;
    }
    const handle = req.method === "POST" ? handlers.get(path) : undefined;
    if (!handle) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    handle(req, res).catch((error: unknown) => {
      options.log.error("webhook_failed", { path, ...describeError(error) });
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, () => resolve(server));
  });
}
