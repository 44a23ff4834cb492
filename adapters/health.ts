/**
 * `GET /health` that tells the truth: a host's probe (Docker's HEALTHCHECK, a load balancer,
 * systemd's watchdog script) learns whether this process can still do its work, not only that it
 * is alive. It answers 200 with the details when every check holds, 503 with the reasons when one
 * does not:
 * - the database: the store's file is still the one opened at start (not deleted or replaced
 *   underneath), a read works, and an empty unit of work commits (a write lock held elsewhere
 *   fails it);
 * - timers, effects and the Sheets mirror are not stuck: the oldest due item has waited less than
 *   the threshold (`HEALTH_STUCK_SECONDS`), counted from the later of its due time and this
 *   process's start, so a restart after downtime is not called stuck for the time it was down;
 * - which bots this process polls (long polling) or serves (webhook), and that its pollers still run.
 *
 * The body holds no personal data (no user ids, no texts, no keys), since a probe port is often
 * reachable by more than the owner.
 */
import { statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { hostname } from "node:os";
import type { CrmStore } from "../actors/store.port.ts";
import { describeError, type Logger } from "../actors/log.port.ts";
import { actorKindOf } from "../actors/timerScheduler.ts";
import type { MirrorState } from "./sheets/sheetsMirror.ts";

/** What the checks read of the store: the oldest due timer and effect, the mirror's oldest item, an empty unit of work. */
export type HealthStore = Pick<CrmStore, "kind" | "dueTimers" | "dueEffects" | "effectsCount" | "pendingMirror" | "pendingMirrorCount" | "transact">;

/** One bot as this process runs it. */
export interface BotHealth {
  readonly bot: "shop" | "owner";
  readonly username: string;
  readonly mode: "long polling" | "webhook";
  /** False once a poller has stopped on its own (Telegram answered 401 or 409, or it gave up retrying). */
  readonly running: boolean;
  /** Why it stopped, in a line. */
  readonly stoppedBecause?: string;
}

export interface HealthOptions {
  readonly store: HealthStore;
  /** An item due this long without being taken makes the process unhealthy. */
  readonly stuckMs: number;
  readonly clock: { now(): number };
  /** When this process started: an item is never counted as waiting on it from before. */
  readonly startedAt: number;
  /** The store's file (SQLite) or folder (JSON) as opened: it must still be the same one at every probe. */
  readonly storeFile?: { readonly setting: string; readonly path: string };
  /** The Sheets mirror, when it is on. */
  readonly mirror?: { readonly state: MirrorState };
  readonly bots: () => readonly BotHealth[];
  /** How updates come in: `long polling` or `webhook`. */
  readonly mode: string;
  /** Masks secrets (a DATABASE_URL's password, tokens) out of a reason before it is shown. */
  readonly redact?: (line: string) => string;
  /** How long the empty unit of work may take before the database counts as unreachable (default 5 s). */
  readonly commitWithinMs?: number;
}

export interface HealthReport {
  readonly healthy: boolean;
  readonly body: Record<string, unknown>;
}

interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
}

function identityOf(path: string): FileIdentity | undefined {
  try {
    const stat = statSync(path);
    return { dev: stat.dev, ino: stat.ino };
  } catch {
    return undefined;
  }
}

const seconds = (ms: number): number => Math.max(0, Math.round(ms / 1000));

/** The first line of an error, masked. */
const reasonOf = (error: unknown, redact: (line: string) => string): string => {
  const { error: name, message } = describeError(error);
  return redact(`${name}: ${message.split("\n")[0] ?? ""}`);
};

/** Whether the store's file is still the one that was opened; a line saying what happened when not. */
function fileProblem(file: HealthOptions["storeFile"], atStart: FileIdentity | undefined): string | undefined {
  if (!file || !atStart) return undefined;
  const now = identityOf(file.path);
  if (!now) return `${file.setting} ${file.path} is gone (deleted or moved while this process runs); what it writes now is lost at the next start`;
  if (now.dev !== atStart.dev || now.ino !== atStart.ino) return `${file.setting} ${file.path} was replaced by another file while this process runs; restart it to use the new one`;
  return undefined;
}

async function commitProbe(store: HealthStore, withinMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`an empty unit of work did not commit within ${seconds(withinMs)} s`)), withinMs);
  });
  try {
    await Promise.race([store.transact(() => null), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The mirror's oldest item and since when it has been the oldest, kept between probes to tell a moving queue from a stuck one. */
interface MirrorHead {
  readonly key: string;
  readonly since: number;
}

/**
 * Builds the check `/health` runs on each request. The mirror's queue is judged by its head: a
 * first sync of a big shop keeps old items for a long while, but its head keeps moving; the head
 * counts as waiting since the later of its queueing, the previous probe and this process's start.
 */
export function createHealthCheck(options: HealthOptions): () => Promise<HealthReport> {
  const { store, clock, stuckMs, startedAt } = options;
  const redact = options.redact ?? ((line: string) => line);
  const fileAtStart = options.storeFile ? identityOf(options.storeFile.path) : undefined;
  let head: MirrorHead | undefined;
  let lastProbeAt: number | undefined;
  const waited = (now: number, since: number): number => now - Math.max(since, startedAt);

  async function database(problems: string[]): Promise<Record<string, unknown>> {
    const moved = fileProblem(options.storeFile, fileAtStart);
    if (moved) {
      problems.push(`database: ${moved}`);
      return { ok: false, problem: moved };
    }
    try {
      await commitProbe(store, options.commitWithinMs ?? 5_000);
      return { ok: true };
    } catch (error) {
      const reason = reasonOf(error, redact);
      problems.push(`database: ${reason}`);
      return { ok: false, problem: reason };
    }
  }

  function timers(now: number, problems: string[]): Record<string, unknown> {
    const oldest = store.dueTimers(now, 1)[0];
    if (!oldest) return { oldestDue: null };
    const waitedMs = waited(now, oldest.dueAt);
    const kind = actorKindOf(oldest.actor) || "unknown";
    if (waitedMs >= stuckMs) problems.push(`timers: a ${kind} timer has waited ${seconds(waitedMs)} s to fire (stuck after ${seconds(stuckMs)} s)`);
    return { oldestDue: { actorKind: kind, waitedSeconds: seconds(waitedMs) } };
  }

  function effects(now: number, problems: string[]): Record<string, unknown> {
    const counts = store.effectsCount();
    const oldest = store.dueEffects(now, 1)[0];
    if (!oldest) return { ...counts, oldestDue: null };
    const waitedMs = waited(now, oldest.nextAt);
    if (waitedMs >= stuckMs) problems.push(`effects: a ${oldest.type} effect has waited ${seconds(waitedMs)} s to be delivered (${oldest.attempts} attempts so far; stuck after ${seconds(stuckMs)} s)`);
    return { ...counts, oldestDue: { type: oldest.type, attempts: oldest.attempts, waitedSeconds: seconds(waitedMs) } };
  }

  async function mirror(now: number, problems: string[]): Promise<Record<string, unknown> | "off"> {
    if (!options.mirror) return "off";
    const state = options.mirror.state;
    if (state.state === "stopped") problems.push(`mirror: the Sheets mirror stopped: ${redact(state.reason)}`);
    const [lead, order] = await Promise.all([store.pendingMirror("lead", 1), store.pendingMirror("order", 1)]);
    const oldest = [lead[0], order[0]].filter((item) => item !== undefined).sort((a, b) => a.queuedAt - b.queuedAt)[0];
    if (!oldest) {
      head = undefined;
      return { state: state.state, pending: await store.pendingMirrorCount(), oldest: null };
    }
    const key = `${oldest.kind}:${oldest.ref}`;
    if (head?.key !== key) head = { key, since: Math.max(oldest.queuedAt, lastProbeAt ?? oldest.queuedAt) };
    const waitedMs = waited(now, head.since);
    if (state.state !== "stopped" && waitedMs >= stuckMs) problems.push(`mirror: the oldest ${oldest.kind} in the Sheets outbox has not moved for ${seconds(waitedMs)} s (stuck after ${seconds(stuckMs)} s)`);
    return { state: state.state, pending: await store.pendingMirrorCount(), oldest: { kind: oldest.kind, waitedSeconds: seconds(waitedMs) } };
  }

  /** Runs one read of the queues; a store that throws is a database problem, not a crash of the probe. */
  async function guarded<T>(what: string, problems: string[], read: () => T | Promise<T>): Promise<T | { readonly unreadable: string }> {
    try {
      return await read();
    } catch (error) {
      const reason = reasonOf(error, redact);
      problems.push(`${what}: cannot be read: ${reason}`);
      return { unreadable: reason };
    }
  }

  return async () => {
    const now = clock.now();
    const problems: string[] = [];
    const body = {
      store: store.kind,
      mode: options.mode,
      process: { pid: process.pid, host: hostname() },
      uptimeSeconds: seconds(now - startedAt),
      stuckAfterSeconds: seconds(stuckMs),
      database: await database(problems),
      timers: await guarded("timers", problems, () => timers(now, problems)),
      effects: await guarded("effects", problems, () => effects(now, problems)),
      mirror: await guarded("mirror", problems, () => mirror(now, problems)),
      bots: options.bots(),
    };
    for (const bot of body.bots) {
      if (!bot.running) problems.push(`bots: the ${bot.bot} bot (@${bot.username}) no longer polls Telegram${bot.stoppedBecause ? `: ${redact(bot.stoppedBecause)}` : ""}`);
    }
    lastProbeAt = now;
    return { healthy: problems.length === 0, body: { ok: problems.length === 0, problems, ...body } };
  };
}

/** Answers `GET /health` with the check's report: 200 when healthy, 503 with the reasons when not. */
export async function answerHealth(res: ServerResponse, check: () => Promise<HealthReport>): Promise<void> {
  const { healthy, body } = await check();
  res.writeHead(healthy ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
}

const pathOf = (req: IncomingMessage): string => (req.url ?? "/").split("?")[0] ?? "/";

/**
 * A server for `GET /health` alone (everything else is 404), for long polling, where no webhook
 * server runs but a container's HEALTHCHECK still needs an answer (`HEALTH_PORT`).
 */
export function startHealthServer(port: number, check: () => Promise<HealthReport>, log: Logger): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== "GET" || pathOf(req) !== "/health") {
      req.resume();
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    answerHealth(res, check).catch((error: unknown) => {
      log.error("health_failed", describeError(error));
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}
