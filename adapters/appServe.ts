/**
 * How `npm start` takes the bots' updates: a webhook server, or a long-polling runner per bot, and
 * `/health` on HEALTH_PORT. With several processes on PostgreSQL, every process takes the shop
 * bot's webhook, and long polling (of both bots, or of the owner bot beside the shop's webhook) is
 * the deployment leader's alone: `poll()` starts it when this process becomes the leader.
 */
import { run, type RunnerHandle } from "@grammyjs/runner";
import { Option, Redacted } from "effect";
import type { Bot, Context, Transformer } from "grammy";
import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import { describeError, type Logger } from "../actors/log.port.ts";
import type { AppConfig } from "./config.ts";
import type { HealthReport } from "./health.ts";
import { serveHealth } from "./appHealth.ts";
import { oneLine, StartupAborted, StartupError } from "./startupErrors.ts";
import { allowedUpdates } from "./telegram/botPlumbing.ts";
import { apiSignal, shownApiRoot, unreachableReason, type ApiSignal } from "./telegramConnect.ts";
import { startWebhookServer } from "./webhookServer.ts";

export interface BotEntry {
  readonly name: "shop" | "owner";
  readonly path: string;
  readonly bot: Bot<Context>;
}

/** How long start-up waits for one of its own Bot API calls (commands, webhook) after getMe answered. */
const callDeadlineMs = 30_000;
export const bounded = (signal: AbortSignal | undefined): ApiSignal => apiSignal(signal ? AbortSignal.any([signal, AbortSignal.timeout(callDeadlineMs)]) : AbortSignal.timeout(callDeadlineMs));

/** WEBHOOK_URL, unless a developer hook asks for long polling. */
export const webhookUrlOf = (config: AppConfig, hooks: { readonly webhook?: boolean }): URL | undefined => (hooks.webhook === false ? undefined : Option.getOrUndefined(config.WEBHOOK_URL));

/** What serving looks like to `/health` and to stop: the pollers started so far, and why one ended. */
export interface Served {
  /** The runners of the bots this process polls (empty until it polls: a webhook, or not the leader yet). */
  readonly runners: RunnerHandle[];
  /** How each bot's updates reach the deployment, and whether this process takes them. */
  readonly servedBy: ReadonlyMap<"shop" | "owner", "webhook" | "long polling">;
  /** The runner of each bot this process polls. */
  readonly polled: ReadonlyMap<"shop" | "owner", RunnerHandle>;
  readonly server: Server | undefined;
  readonly healthServer: Server | undefined;
  readonly stoppedBecause: Map<string, string>;
  /** Resolves with a reason once a poller has ended (Telegram's 401 or 409, or its retries given up). */
  readonly failed: Promise<string>;
  readonly mode: string;
  /** Starts long polling the bots that are polled (at once with one process; on leading with several). */
  poll(): Promise<void>;
}

interface ServeContext {
  readonly config: AppConfig;
  readonly log: Logger;
  readonly apiRoot: string | undefined;
  readonly hooks: { readonly webhook?: boolean; readonly signal?: AbortSignal };
}

/** One of start-up's own Bot API calls; a failure after getMe answered is a StartupError naming what failed. */
async function call(context: ServeContext, what: string, request: (signal: ApiSignal) => Promise<unknown>): Promise<void> {
  try {
    await request(bounded(context.hooks.signal));
  } catch (error) {
    throw context.hooks.signal?.aborted ? new StartupAborted() : new StartupError([`${what}: ${unreachableReason(error)} (Bot API at ${shownApiRoot(context.apiRoot)}).`]);
  }
}

/**
 * Starts taking updates: the webhook server and its registration for the bots that take webhooks,
 * and `poll()` for the others. `shared` (several processes on one database): the shop bot takes its
 * webhook in every process and the owner bot is polled by the leader, because the owner's side
 * (broadcasts, the owner's clocks) runs in one process.
 */
export async function serve(context: ServeContext, bots: readonly BotEntry[], health: () => Promise<HealthReport>, closers: (() => Promise<void>)[], shared: boolean): Promise<Served> {
  const { config, log } = context;
  const webhookUrl = webhookUrlOf(config, context.hooks);
  const healthServer = await serveHealth(config, log, webhookUrl !== undefined, health, closers);
  const hooked = webhookUrl ? bots.filter(({ name }) => !shared || name === "shop") : [];
  const pollers = bots.filter((entry) => !hooked.includes(entry));
  const servedBy = new Map(bots.map(({ name }) => [name, hooked.some((entry) => entry.name === name) ? ("webhook" as const) : ("long polling" as const)]));
  const runners: RunnerHandle[] = [];
  const polled = new Map<"shop" | "owner", RunnerHandle>();
  const stoppedBecause = new Map<string, string>();
  let fail: (reason: string) => void = () => undefined;
  const failed = new Promise<string>((resolve) => (fail = resolve));
  let stopping = false;
  closers.unshift(async () => {
    stopping = true;
    await Promise.all(runners.map((runner) => (runner.isRunning() ? runner.stop() : undefined)));
  });
  const server = hooked.length > 0 && webhookUrl ? await startWebhooks(context, hooked, webhookUrl, health, closers) : undefined;
  const poll = async (): Promise<void> => {
    // A webhook left set would block long polling.
    for (const { name, bot } of pollers) await call(context, `The ${name} bot's webhook could not be cleared for long polling`, (signal) => bot.api.deleteWebhook(undefined, signal));
    for (const { name, bot } of pollers) {
      if (stopping) return;
      // The runner's own reports are stacks on stderr: it stays silent, and each failed fetch is one log line instead.
      bot.api.config.use(logFailedFetches(name, log));
      const runner = run(bot, { runner: { silent: true, fetch: { allowed_updates: allowedUpdates[name] } } });
      runners.push(runner);
      polled.set(name, runner);
      // Telegram's 401 or 409 (another process polls this bot), or retries given up: the poller has ended.
      runner.task()?.catch((error: unknown) => {
        stoppedBecause.set(name, oneLine(error));
        log.error("polling_stopped", { bot: name, ...describeError(error), effect: "npm start stops and exits 1, so that its supervisor starts it again" });
        fail(`the ${name} bot's long polling ended`);
      });
    }
  };
  const mode = [hooked.length > 0 ? `webhook on port ${config.PORT}` : "", pollers.length > 0 ? `long polling${shared ? " (by the leader)" : ""}` : ""].filter(Boolean).join(", ");
  return { runners, servedBy, polled, server, healthServer, stoppedBecause, failed, mode, poll };
}

/** The webhook server and each bot's webhook: Telegram posts to WEBHOOK_URL/shop and /owner with the secret; GET /health answers. */
async function startWebhooks(context: ServeContext, hooked: readonly BotEntry[], webhookUrl: URL, health: () => Promise<HealthReport>, closers: (() => Promise<void>)[]): Promise<Server> {
  const { config, log } = context;
  const secretToken = Option.isSome(config.WEBHOOK_SECRET) ? Redacted.value(config.WEBHOOK_SECRET.value) : randomBytes(24).toString("hex");
  let server: Server;
  try {
    server = await startWebhookServer({ port: config.PORT, routes: hooked, secretToken, log, health });
  } catch (error) {
    const inUse = error instanceof Error && "code" in error && error.code === "EADDRINUSE";
    throw new StartupError([inUse ? `PORT: port ${config.PORT} is in use by another program; stop it or set another PORT.` : `PORT: the webhook server cannot listen on port ${config.PORT}: ${oneLine(error)}`]);
  }
  closers.unshift(() => new Promise((resolve) => server.close(() => resolve())));
  const base = webhookUrl.toString().replace(/\/$/, "");
  for (const { name, path, bot } of hooked) {
    await call(context, `WEBHOOK_URL: Telegram did not set the webhook ${base}${path}`, (signal) => bot.api.setWebhook(`${base}${path}`, { secret_token: secretToken, allowed_updates: allowedUpdates[name] }, signal));
  }
  return server;
}

/** A transformer that logs each getUpdates that failed (a stop's own abort aside) as one line; the call's outcome is unchanged. */
function logFailedFetches(bot: "shop" | "owner", log: Logger): Transformer {
  return async (prev, method, payload, signal) => {
    try {
      const result = await prev(method, payload, signal);
      if (method === "getUpdates" && !result.ok) log.warn("polling_failed", { bot, code: result.error_code, reason: result.description.slice(0, 300) });
      return result;
    } catch (error) {
      if (method === "getUpdates" && !signal?.aborted) log.warn("polling_failed", { bot, ...describeError(error) });
      throw error;
    }
  };
}
