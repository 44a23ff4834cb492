import type { BroadcastDelivery, BroadcastCustomers, Pacer } from "./broadcastDelivery.port.ts";
import { realPacer } from "./broadcastDelivery.port.ts";
import { broadcastIdOf, createBroadcastLog, isDue, stateOf, type BroadcastSnapshot, type BroadcastStepOutcome } from "./broadcastActor.ts";
import { broadcastIdOfKey, isBroadcastId, startProblem } from "./broadcastInput.ts";
import { progressOf, reportOf } from "./broadcastReport.ts";
import { BroadcastRun } from "./broadcastSender.ts";
import { emptyCounts, type RecipientCounts, type RecipientRow } from "./broadcastStore.port.ts";
import type { BroadcastCommandResult, BroadcastMessage, BroadcastProgress, Broadcasts } from "./broadcasts.port.ts";
import { InvalidEventError } from "./customerRuntime.ts";
import { describeError, silentLogger, type Logger } from "./log.port.ts";
import type { SegmentFilter, SegmentStore } from "./segments.port.ts";
import type { CrmStore, TimerRow } from "./store.port.ts";

/** `BROADCAST_PER_SECOND`'s bounds: Telegram allows about 30 messages a second to different chats. */
export const broadcastRateBounds = { min: 1, max: 30, default: 25 } as const;

export interface BroadcastsOptions {
  readonly store: CrmStore & SegmentStore;
  /** The shop bot's own API client for broadcasts (adapters/telegram/shop/shopBroadcastDelivery.ts). */
  readonly delivery: BroadcastDelivery;
  /** Tells customers' actors of deliveries and blocks. */
  readonly customers: BroadcastCustomers;
  /** `CONSENT_VERSION`, which segments read "consented" against. */
  readonly consentVersion: string;
  /** `BROADCAST_PER_SECOND` (default 25); refused outside 1 to 30. */
  readonly perSecond?: number;
  readonly pacer?: Pacer;
  /** Sends of one recipient before it counts as failed (default 3). */
  readonly maxAttempts?: number;
  /** Sends in flight at once (default 4). */
  readonly concurrency?: number;
  /** The most often progress is told per broadcast, besides every change of status (default 3 s). */
  readonly progressEveryMs?: number;
  readonly log?: Logger;
  /** Told of every timer a broadcast arms (a scheduled start): the timer scheduler's `armed`. */
  readonly onTimerArmed?: (dueAt: number) => void;
}

/** The broadcasts as the composition runs them: the port, the timer scheduler's route, and start/stop. */
export interface BroadcastEngine extends Broadcasts {
  /** Fires a due `broadcast:<id>` timer (a scheduled start). */
  fireTimer(row: TimerRow, at: number): Promise<{ readonly fired: boolean }>;
  /** At start-up: forgets broadcasts whose creation never committed, counts the sends in flight at a crash, resumes the one that was sending, and starts those due. */
  startUp(): Promise<void>;
  /** Stops sending (the sends in flight end and are written); the broadcast resumes at the next start. */
  stop(): Promise<void>;
}

interface Current {
  readonly id: string;
  readonly run: BroadcastRun;
  readonly counts: ReturnType<typeof emptyCounts>;
  done: Promise<void>;
}

const copyCounts = (counts: RecipientCounts): ReturnType<typeof emptyCounts> => ({ total: counts.total, byState: { ...counts.byState }, reasons: { ...counts.reasons } });

/**
 * Broadcasts as actors (docs/broadcasts.md). One sends at a time; a scheduled one whose time comes
 * while another sends waits for it. Commands (start, pause, resume, cancel) run one after another.
 * Sending never touches the customers' commit queue: the sender writes its recipients' rows in
 * short transactions of their own, paced by its own timers, and talks to Telegram through its own
 * API client, so a customer's answer never waits behind it.
 *
 * @example
 * const broadcasts = createBroadcasts({ store, delivery: shopBroadcastDelivery(new Api(token)), customers, consentVersion: "1" });
 * await broadcasts.startUp();
 * await broadcasts.start({ key: "o:7:bc:1", by: 7, segment: { stages: ["customer"] }, message });
 */
export function createBroadcasts(options: BroadcastsOptions): BroadcastEngine {
  const perSecond = options.perSecond ?? broadcastRateBounds.default;
  if (!(Number.isFinite(perSecond) && perSecond >= broadcastRateBounds.min && perSecond <= broadcastRateBounds.max)) {
    throw new InvalidEventError(`BROADCAST_PER_SECOND must be from ${broadcastRateBounds.min} to ${broadcastRateBounds.max}, got ${perSecond}`);
  }
  const { store } = options;
  const pacer = options.pacer ?? realPacer;
  const log = options.log ?? silentLogger;
  const context = { consentVersion: options.consentVersion };
  const actors = createBroadcastLog({ store, ...(options.onTimerArmed ? { onTimerArmed: options.onTimerArmed } : {}) });
  const listeners = new Set<(progress: BroadcastProgress) => void>();
  const lastTold = new Map<string, number>();
  const waiting: string[] = [];
  let slot: string | null = null;
  let current: Current | null = null;
  let closed = false;
  let commands: Promise<unknown> = Promise.resolve();
  const senderDeps = { store, delivery: options.delivery, customers: options.customers, pacer, perSecond, maxAttempts: options.maxAttempts ?? 3, concurrency: options.concurrency ?? 4, log };

  function serial<T>(work: () => Promise<T>): Promise<T> {
    const run = commands.then(work);
    commands = run.catch(() => undefined);
    return run;
  }

  const countsOf = (id: string): RecipientCounts => (current?.id === id ? current.counts : store.broadcasts.recipientCounts(id));
  const progress = (id: string, snapshot: BroadcastSnapshot): BroadcastProgress =>
    progressOf(snapshot, countsOf(id), { now: pacer.now(), perSecond, heldUntil: current?.id === id ? current.run.heldUntil : 0 });
  const applied = (id: string, snapshot: BroadcastSnapshot): BroadcastCommandResult => ({ kind: "applied", progress: progress(id, snapshot) });

  function tell(id: string, force: boolean): void {
    const now = pacer.now();
    if (!force && now - (lastTold.get(id) ?? Number.NEGATIVE_INFINITY) < (options.progressEveryMs ?? 3_000)) return;
    const snapshot = actors.snapshot(id);
    if (!snapshot || listeners.size === 0) return;
    lastTold.set(id, now);
    const told = progress(id, snapshot);
    for (const listener of listeners) {
      try {
        listener(told);
      } catch (error) {
        log.warn("broadcast_listener_failed", { broadcastId: id, ...describeError(error) });
      }
    }
  }

  function counted(counts: ReturnType<typeof emptyCounts>, row: RecipientRow): void {
    if (counts.byState.pending > 0) counts.byState.pending -= 1;
    else if (counts.byState.sending > 0) counts.byState.sending -= 1;
    counts.byState[row.state] += 1;
    if (row.state === "failed") counts.reasons[row.reason ?? "unknown"] = (counts.reasons[row.reason ?? "unknown"] ?? 0) + 1;
  }

  /** Starts sending a broadcast that holds the slot; when its run ends, the slot goes to the next one due. */
  function launch(id: string, snapshot: BroadcastSnapshot): void {
    const counts = copyCounts(store.broadcasts.recipientCounts(id));
    const run = new BroadcastRun(senderDeps, id, snapshot.context.message as unknown as BroadcastMessage, {
      rateLimited: async (until) => {
        await actors.apply(id, `bc:${id}:429:${until}`, { type: "rate_limited", at: pacer.now(), until });
        tell(id, true);
      },
      progressed: (row) => {
        counted(counts, row);
        tell(id, false);
      },
    });
    slot = id;
    const entry: Current = { id, run, counts, done: Promise.resolve() };
    current = entry;
    entry.done = run
      .run()
      .then(async (end) => {
        if (end === "all_sent") await actors.apply(id, `bc:${id}:all_sent`, { type: "all_sent", at: pacer.now() });
      })
      .catch((error: unknown) => log.error("broadcast_run_failed", { broadcastId: id, ...describeError(error) }))
      .finally(() => {
        if (current === entry) current = null;
        if (slot === id) slot = null;
        tell(id, true);
        if (!closed) void serial(startNextDue);
      });
  }

  /** Snapshots a due broadcast's recipients from its segment (going on from an interrupted snapshot), then starts it. */
  async function startDue(id: string): Promise<BroadcastStepOutcome | null> {
    const snapshot = actors.snapshot(id);
    if (!snapshot || !isDue(snapshot)) return null;
    slot = id;
    try {
      const segment = snapshot.context.segment as unknown as SegmentFilter;
      let cursor = store.broadcasts.lastRecipient(id);
      for (;;) {
        const ids = await store.segmentUserIds(segment, context, cursor, 2_000);
        if (ids.length === 0) break;
        await store.broadcasts.addRecipients(id, ids);
        cursor = ids.at(-1) ?? cursor;
      }
      const total = store.broadcasts.recipientCounts(id).total;
      const outcome = await actors.apply(id, `bc:${id}:started`, { type: "started", at: pacer.now(), total });
      if (outcome.kind === "applied" && stateOf(outcome.snapshot) === "sending" && !closed) launch(id, outcome.snapshot);
      else tell(id, true);
      return outcome;
    } finally {
      if (current?.id !== id && slot === id) slot = null;
    }
  }

  async function startNextDue(): Promise<void> {
    while (slot === null && !closed && waiting.length > 0) {
      const id = waiting.shift();
      if (id !== undefined) await startDue(id);
    }
  }

  /** Stops the run of `id`, if it is the one sending, and waits for its sends in flight. */
  async function halt(id: string): Promise<void> {
    const entry = current;
    if (entry?.id !== id) return;
    entry.run.stop();
    await entry.done;
  }

  async function command(id: string, by: number, key: string, type: "paused" | "resumed" | "cancel_requested"): Promise<BroadcastCommandResult> {
    if (!isBroadcastId(id) || !Number.isSafeInteger(by) || typeof key !== "string" || key.length === 0 || key.length > 200) return { kind: "refused", reason: "unknown" };
    const snapshot = actors.snapshot(id);
    if (!snapshot) return { kind: "refused", reason: "unknown" };
    const state = stateOf(snapshot);
    if (state === "finished" || state === "cancelled") return { kind: "refused", reason: "already_ended", progress: progress(id, snapshot) };
    if (type === "paused" && state !== "sending") return state === "paused" ? applied(id, snapshot) : { kind: "refused", reason: "not_sending", progress: progress(id, snapshot) };
    if (type === "resumed" && state !== "paused") return state === "sending" ? applied(id, snapshot) : { kind: "refused", reason: "not_sending", progress: progress(id, snapshot) };
    if (type === "resumed" && slot !== null && slot !== id) return { kind: "refused", reason: "another_is_sending", progress: progress(id, snapshot) };
    const outcome = await actors.apply(id, `bc:${id}:${key}`, { type, at: pacer.now(), by });
    if (outcome.kind === "unknown" || outcome.kind === "stale") return { kind: "refused", reason: "unknown" };
    if (outcome.kind === "refused") return { kind: "refused", reason: "not_sending", progress: progress(id, outcome.snapshot) };
    if (type !== "resumed") {
      await halt(id);
      waiting.splice(0, waiting.length, ...waiting.filter((due) => due !== id));
    } else if (outcome.kind === "applied" && !closed) launch(id, outcome.snapshot);
    tell(id, true);
    if (type !== "resumed") void serial(startNextDue);
    const after = actors.snapshot(id) ?? outcome.snapshot;
    return applied(id, after);
  }

  async function start(input: Parameters<Broadcasts["start"]>[0]): Promise<BroadcastCommandResult> {
    const problem = startProblem(input);
    if (problem) throw new InvalidEventError(problem);
    const id = broadcastIdOfKey(input.key);
    const existing = actors.snapshot(id);
    if (existing) return applied(id, existing);
    if ((await store.countSegment(input.segment, context)) === 0) return { kind: "refused", reason: "no_recipients" };
    const now = pacer.now();
    const startsNow = input.at === undefined || input.at <= now;
    const sending = slot === null ? null : actors.snapshot(slot);
    if (startsNow && slot !== null && sending) return { kind: "refused", reason: "another_is_sending", progress: progress(slot, sending) };
    await store.broadcasts.registerBroadcast(id, now);
    const message = input.message as unknown as Record<string, unknown>;
    const segment = input.segment as unknown as Record<string, unknown>;
    const outcome = await actors.apply(id, `bc:${id}:created`, { type: "broadcast_created", at: now, by: input.by, startAt: input.at ?? now, message, segment });
    if (outcome.kind !== "applied" && outcome.kind !== "duplicate") return { kind: "refused", reason: "unknown" };
    if (isDue(outcome.snapshot)) await startDue(id);
    const after = actors.snapshot(id) ?? outcome.snapshot;
    tell(id, true);
    return applied(id, after);
  }

  /** At start-up: broadcasts whose first event never committed are forgotten; the in-flight sends of a crash are counted and sent again. */
  async function recover(): Promise<string | null> {
    let resume: string | null = null;
    for (const id of [...store.broadcasts.broadcastIds(10_000)].reverse()) {
      const snapshot = actors.snapshot(id);
      if (!snapshot) {
        await store.broadcasts.forgetBroadcast(id);
        continue;
      }
      const state = stateOf(snapshot);
      if (state === "sending" || state === "paused") {
        const inFlight = store.broadcasts.recipients(id, ["sending"], 0, Number.MAX_SAFE_INTEGER);
        if (inFlight.length > 0) {
          await actors.apply(id, `bc:${id}:recovered:${pacer.now()}`, { type: "recovered", at: pacer.now(), inFlight: inFlight.length });
          await store.broadcasts.recordRecipients(id, inFlight.map((row) => ({ ...row, state: "pending" as const })));
          log.warn("broadcast_recovered", { broadcastId: id, inFlight: inFlight.length });
        }
        if (state === "sending") resume = id;
      } else if (isDue(snapshot)) waiting.push(id);
    }
    return resume;
  }

  return {
    start: (input) => serial(() => start(input)),
    pause: (id, by, key) => serial(() => command(id, by, key, "paused")),
    resume: (id, by, key) => serial(() => command(id, by, key, "resumed")),
    cancel: (id, by, key) => serial(() => command(id, by, key, "cancel_requested")),
    progress: async (id) => {
      const snapshot = isBroadcastId(id) ? actors.snapshot(id) : null;
      return snapshot ? progress(id, snapshot) : null;
    },
    report: async (id) => {
      const snapshot = isBroadcastId(id) ? actors.snapshot(id) : null;
      return snapshot ? reportOf(store, snapshot, progress(id, snapshot), countsOf(id)) : null;
    },
    list: async (limit) => store.broadcasts.broadcastIds(limit).flatMap((id) => {
      const snapshot = actors.snapshot(id);
      return snapshot ? [progress(id, snapshot)] : [];
    }),
    onProgress: (listener) => (listeners.add(listener), () => void listeners.delete(listener)),
    fireTimer: async (row, at) => {
      const id = broadcastIdOf(row.actor);
      if (id === null) throw new InvalidEventError(`not a broadcast's timer: ${row.actor}`);
      const { at: _at, seq: _seq, ...fields } = JSON.parse(row.event) as { type: string; at?: unknown; seq?: unknown };
      const outcome = await actors.apply(id, row.key, { ...fields, at }, row);
      if (outcome.kind === "applied" && isDue(outcome.snapshot)) {
        waiting.push(id);
        void serial(startNextDue);
      }
      return { fired: outcome.kind === "applied" };
    },
    startUp: () =>
      serial(async () => {
        const resume = await recover();
        const snapshot = resume === null ? null : actors.snapshot(resume);
        if (resume !== null && snapshot && !closed) launch(resume, snapshot);
        await startNextDue();
      }),
    stop: async () => {
      closed = true;
      const entry = current;
      entry?.run.stop();
      await entry?.done;
      await commands;
      await actors.settled();
    },
  };
}
