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
  /** How its updates come in: by this process's webhook or poller, or polled by another process (the leader). */
  readonly mode: "long polling" | "webhook" | "long polling by the leader";
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
  /** Several processes on PostgreSQL: whether this process leads the deployment (shown, never a problem). */
  readonly leader?: () => boolean;
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

/** One probe's moment, its threshold and the problems it finds. */
interface Probe {
  readonly now: number;
  readonly stuckMs: number;
  /** How long an item due at `since` has waited on this process (from its start at the earliest). */
  readonly waited: (since: number) => number;
  readonly redact: (line: string) => string;
  readonly problems: string[];
}

async function databaseHealth(options: HealthOptions, fileAtStart: FileIdentity | undefined, probe: Probe): Promise<Record<string, unknown>> {
  const moved = fileProblem(options.storeFile, fileAtStart);
  if (moved) {
    probe.problems.push(`database: ${moved}`);
    return { ok: false, problem: moved };
  }
  try {
    await commitProbe(options.store, options.commitWithinMs ?? 5_000);
    return { ok: true };
  } catch (error) {
    const reason = reasonOf(error, probe.redact);
    probe.problems.push(`database: ${reason}`);
    return { ok: false, problem: reason };
  }
}

function timersHealth(store: HealthStore, probe: Probe): Record<string, unknown> {
  const oldest = store.dueTimers(probe.now, 1)[0];
  if (!oldest) return { oldestDue: null };
  const waitedMs = probe.waited(oldest.dueAt);
  const kind = actorKindOf(oldest.actor) || "unknown";
  if (waitedMs >= probe.stuckMs) probe.problems.push(`timers: a ${kind} timer has waited ${seconds(waitedMs)} s to fire (stuck after ${seconds(probe.stuckMs)} s)`);
  return { oldestDue: { actorKind: kind, waitedSeconds: seconds(waitedMs) } };
}

function effectsHealth(store: HealthStore, probe: Probe): Record<string, unknown> {
  const counts = store.effectsCount();
  const oldest = store.dueEffects(probe.now, 1)[0];
  if (!oldest) return { ...counts, oldestDue: null };
  const waitedMs = probe.waited(oldest.nextAt);
  if (waitedMs >= probe.stuckMs) {
    probe.problems.push(`effects: a ${oldest.type} effect has waited ${seconds(waitedMs)} s to be delivered (${oldest.attempts} attempts so far; stuck after ${seconds(probe.stuckMs)} s)`);
  }
  return { ...counts, oldestDue: { type: oldest.type, attempts: oldest.attempts, waitedSeconds: seconds(waitedMs) } };
}

/**
 * The Sheets mirror's part, judged by the head of its outbox: a first sync of a big shop keeps old
 * items for a long while, but its head keeps moving. The head counts as unmoved from the probe that
 * first saw it there, so a queue is never called stuck for the time between two sparse probes
 * (detection may come one probe interval late instead).
 */
function mirrorHealth(store: HealthStore, mirror: { readonly state: MirrorState } | undefined) {
  let head: { readonly key: string; readonly since: number } | undefined;
  return async (probe: Probe): Promise<Record<string, unknown> | "off"> => {
    if (!mirror) return "off";
    const state = mirror.state;
    if (state.state === "stopped") probe.problems.push(`mirror: the Sheets mirror stopped: ${probe.redact(state.reason)}`);
    const [lead, order] = await Promise.all([store.pendingMirror("lead", 1), store.pendingMirror("order", 1)]);
    const oldest = [lead[0], order[0]].filter((item) => item !== undefined).sort((a, b) => a.queuedAt - b.queuedAt)[0];
    const pending = await store.pendingMirrorCount();
    if (!oldest) {
      head = undefined;
      return { state: state.state, pending, oldest: null };
    }
    const key = `${oldest.kind}:${oldest.ref}`;
    if (head?.key !== key) head = { key, since: probe.now };
    const unmovedMs = probe.now - head.since;
    if (state.state !== "stopped" && unmovedMs >= probe.stuckMs) {
      probe.problems.push(`mirror: the oldest ${oldest.kind} in the Sheets outbox has not moved for ${seconds(unmovedMs)} s (stuck after ${seconds(probe.stuckMs)} s)`);
    }
    return { state: state.state, pending, oldest: { kind: oldest.kind, queuedSecondsAgo: seconds(probe.waited(oldest.queuedAt)), unmovedSeconds: seconds(unmovedMs) } };
  };
}

/** Runs one read of the queues; a store that throws is a problem of the answer, not a crash of the probe. */
async function guarded<T>(what: string, probe: Probe, read: () => T | Promise<T>): Promise<T | { readonly unreadable: string }> {
  try {
    return await read();
  } catch (error) {
    const reason = reasonOf(error, probe.redact);
    probe.problems.push(`${what}: cannot be read: ${reason}`);
    return { unreadable: reason };
  }
}

/** Builds the check `/health` runs on each request (see the module's comment for what it checks). */
export function createHealthCheck(options: HealthOptions): () => Promise<HealthReport> {
  const { store, clock, stuckMs, startedAt } = options;
  const redact = options.redact ?? ((line: string) => line);
  const fileAtStart = options.storeFile ? identityOf(options.storeFile.path) : undefined;
  const mirror = mirrorHealth(store, options.mirror);
  return async () => {
    const now = clock.now();
    const probe: Probe = { now, stuckMs, waited: (since) => now - Math.max(since, startedAt), redact, problems: [] };
    const body = {
      store: store.kind,
      mode: options.mode,
      process: { pid: process.pid, host: hostname(), ...(options.leader ? { leader: options.leader() } : {}) },
      uptimeSeconds: seconds(now - startedAt),
      stuckAfterSeconds: seconds(stuckMs),
      database: await databaseHealth(options, fileAtStart, probe),
      timers: await guarded("timers", probe, () => timersHealth(store, probe)),
      effects: await guarded("effects", probe, () => effectsHealth(store, probe)),
      mirror: await guarded("mirror", probe, () => mirror(probe)),
      bots: options.bots(),
    };
    for (const bot of body.bots) {
      if (!bot.running) probe.problems.push(`bots: the ${bot.bot} bot (@${bot.username}) no longer polls Telegram${bot.stoppedBecause ? `: ${redact(bot.stoppedBecause)}` : ""}`);
    }
    const healthy = probe.problems.length === 0;
    return { healthy, body: { ok: healthy, problems: probe.problems, ...body } };
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
