/**
 * `GET /health` as npm start composes it (adapters/health.ts has the checks): the store and its
 * file, the queues, the Sheets mirror, and each bot as this process takes its updates. Kept out of
 * app.ts, which composes everything else.
 */
import type { RunnerHandle } from "@grammyjs/runner";
import { Option } from "effect";
import type { Server } from "node:http";
import type { Logger } from "../actors/log.port.ts";
import type { CrmStore } from "../actors/store.port.ts";
import type { AppConfig } from "./config.ts";
import { createHealthCheck, startHealthServer, type BotHealth, type HealthReport } from "./health.ts";
import type { MirrorState } from "./sheets/sheetsMirror.ts";
import { oneLine, StartupError } from "./startupErrors.ts";

/** How the bots are being served, once they are: each bot's way in, this process's pollers, and why one ended. */
export interface Serving {
  readonly servedBy: ReadonlyMap<"shop" | "owner", "webhook" | "long polling">;
  readonly polled: ReadonlyMap<"shop" | "owner", RunnerHandle>;
  readonly stoppedBecause: ReadonlyMap<string, string>;
}

export interface AppHealthDeps {
  readonly store: CrmStore;
  readonly mirror: { readonly state: MirrorState } | undefined;
  /** The bots in the order they are served, with their usernames. */
  readonly bots: readonly { readonly name: "shop" | "owner"; readonly username: string }[];
  readonly polling: boolean;
  /** The serving state, once serving has begun (undefined before). */
  readonly serving: () => Serving | undefined;
  readonly redact: (line: string) => string;
  /** Several processes: whether this one leads the deployment now. */
  readonly leading?: () => boolean;
}

/** The check behind `/health` for npm start's config: HEALTH_STUCK_SECONDS, and the store's file by its setting. */
export function appHealthCheck(config: AppConfig, deps: AppHealthDeps): () => Promise<HealthReport> {
  const mode = deps.polling ? "long polling" : "webhook";
  const bots = (): BotHealth[] =>
    deps.bots.map(({ name, username }) => {
      const serving = deps.serving();
      const reason = serving?.stoppedBecause.get(name);
      const way = serving?.servedBy.get(name) ?? (deps.polling ? "long polling" : "webhook");
      const runner = serving?.polled.get(name);
      // Polled by another process of the deployment (its leader): nothing of this process to stop.
      const elsewhere = way === "long polling" && serving !== undefined && runner === undefined && reason === undefined;
      return {
        bot: name,
        username,
        mode: elsewhere ? "long polling by the leader" : way,
        running: elsewhere || way === "webhook" || !serving || (runner?.isRunning() ?? false),
        ...(reason ? { stoppedBecause: reason } : {}),
      };
    });
  return createHealthCheck({
    store: deps.store,
    stuckMs: config.HEALTH_STUCK_SECONDS * 1_000,
    clock: { now: () => Date.now() },
    startedAt: Date.now(),
    ...(config.STORE === "postgres" ? {} : { storeFile: config.STORE === "json" ? { setting: "JSON_STORE_DIR", path: config.JSON_STORE_DIR } : { setting: "DATABASE_PATH", path: config.DATABASE_PATH } }),
    ...(deps.leading ? { leader: deps.leading } : {}),
    ...(deps.mirror ? { mirror: deps.mirror } : {}),
    bots,
    mode,
    redact: deps.redact,
  });
}

/**
 * `GET /health` on HEALTH_PORT: in long polling, where no webhook server runs, and in webhook mode
 * when it differs from PORT (the webhook server answers /health on PORT anyway). A port in use is
 * one line naming HEALTH_PORT.
 */
export async function serveHealth(config: AppConfig, log: Logger, webhook: boolean, health: () => Promise<HealthReport>, closers: (() => Promise<void>)[]): Promise<Server | undefined> {
  const port = Option.getOrUndefined(config.HEALTH_PORT);
  if (port === undefined || (webhook && port === config.PORT)) return undefined;
  let server: Server;
  try {
    server = await startHealthServer(port, health, log);
  } catch (error) {
    const inUse = error instanceof Error && "code" in error && error.code === "EADDRINUSE";
    throw new StartupError([inUse ? `HEALTH_PORT: port ${port} is in use by another program; stop it or set another HEALTH_PORT.` : `HEALTH_PORT: GET /health cannot listen on port ${port}: ${oneLine(error)}`]);
  }
  closers.unshift(() => new Promise((resolve) => server.close(() => resolve())));
  return server;
}
