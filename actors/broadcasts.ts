import type { BroadcastDelivery, BroadcastCustomers, Pacer } from "./broadcastDelivery.port.ts";
import { realPacer } from "./broadcastDelivery.port.ts";
import { broadcastIdOf, createBroadcastLog, isDue, stateOf, type BroadcastSnapshot } from "./broadcastActor.ts";
import { broadcastIdOfKey, isBroadcastId, startProblem } from "./broadcastInput.ts";
import { progressOf, reportOf } from "./broadcastReport.ts";
import { BroadcastRun, type SenderDeps } from "./broadcastSender.ts";
import { emptyCounts, type RecipientCounts, type RecipientRow } from "./broadcastStore.port.ts";
import type { BroadcastCommandResult, BroadcastMessage, BroadcastProgress, BroadcastReport, Broadcasts } from "./broadcasts.port.ts";
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

/** The engine's state and steps; `createBroadcasts` exposes its public face, each command one after another. */
class BroadcastEngineCore {
  private readonly options: BroadcastsOptions;
  private readonly store: BroadcastsOptions["store"];
  private readonly perSecond: number;
  private readonly pacer: Pacer;
  private readonly log: Logger;
  private readonly context: { readonly consentVersion: string };
  private readonly actors: ReturnType<typeof createBroadcastLog>;
  private readonly senderDeps: SenderDeps;
  readonly listeners = new Set<(progress: BroadcastProgress) => void>();
  private readonly lastTold = new Map<string, number>();
  private readonly waiting: string[] = [];
  /** The broadcast snapshotting its recipients or sending, if any: only one at a time. */
  private slot: string | null = null;
  private current: Current | null = null;
  private closed = false;
  private commands: Promise<unknown> = Promise.resolve();

  constructor(options: BroadcastsOptions, perSecond: number) {
    this.options = options;
    this.store = options.store;
    this.perSecond = perSecond;
    this.pacer = options.pacer ?? realPacer;
    this.log = options.log ?? silentLogger;
    this.context = { consentVersion: options.consentVersion };
    this.actors = createBroadcastLog({ store: options.store, ...(options.onTimerArmed ? { onTimerArmed: options.onTimerArmed } : {}) });
    const { delivery, customers } = options;
    this.senderDeps = { store: options.store, delivery, customers, pacer: this.pacer, perSecond, maxAttempts: options.maxAttempts ?? 3, concurrency: options.concurrency ?? 4, log: this.log };
  }

  /** Runs `work` after every command queued before it. */
  serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.commands.then(work);
    this.commands = run.catch(() => undefined);
    return run;
  }

  snapshot(id: string): BroadcastSnapshot | null {
    return isBroadcastId(id) ? this.actors.snapshot(id) : null;
  }

  private countsOf(id: string): RecipientCounts {
    return this.current?.id === id ? this.current.counts : this.store.broadcasts.recipientCounts(id);
  }

  progress(id: string, snapshot: BroadcastSnapshot): BroadcastProgress {
    const heldUntil = this.current?.id === id ? this.current.run.heldUntil : 0;
    return progressOf(snapshot, this.countsOf(id), { now: this.pacer.now(), perSecond: this.perSecond, heldUntil });
  }

  report(id: string, snapshot: BroadcastSnapshot): Promise<BroadcastReport> {
    return reportOf(this.store, snapshot, this.progress(id, snapshot), this.countsOf(id));
  }

  private applied(id: string, snapshot: BroadcastSnapshot): BroadcastCommandResult {
    return { kind: "applied", progress: this.progress(id, snapshot) };
  }

  /** Tells the listeners, at most every `progressEveryMs` unless `force` (a change of status). */
  private tell(id: string, force: boolean): void {
    const now = this.pacer.now();
    if (!force && now - (this.lastTold.get(id) ?? Number.NEGATIVE_INFINITY) < (this.options.progressEveryMs ?? 3_000)) return;
    const snapshot = this.actors.snapshot(id);
    if (!snapshot || this.listeners.size === 0) return;
    this.lastTold.set(id, now);
    const told = this.progress(id, snapshot);
    for (const listener of this.listeners) {
      try {
        listener(told);
      } catch (error) {
        this.log.warn("broadcast_listener_failed", { broadcastId: id, ...describeError(error) });
      }
    }
  }

  /** Starts sending a broadcast that holds the slot; when its run ends, the slot goes to the next one due. */
  private launch(id: string, snapshot: BroadcastSnapshot): void {
    const counts = copyCounts(this.store.broadcasts.recipientCounts(id));
    const run = new BroadcastRun(this.senderDeps, id, snapshot.context.message as unknown as BroadcastMessage, {
      rateLimited: async (until) => {
        await this.actors.apply(id, `bc:${id}:429:${until}`, { type: "rate_limited", at: this.pacer.now(), until });
        this.tell(id, true);
      },
      progressed: (row) => {
        counted(counts, row);
        this.tell(id, false);
      },
    });
    this.slot = id;
    const entry: Current = { id, run, counts, done: Promise.resolve() };
    this.current = entry;
    entry.done = run
      .run()
      .then(async (end) => {
        if (end === "all_sent") await this.actors.apply(id, `bc:${id}:all_sent`, { type: "all_sent", at: this.pacer.now() });
      })
      .catch((error: unknown) => this.log.error("broadcast_run_failed", { broadcastId: id, ...describeError(error) }))
      .finally(() => {
        if (this.current === entry) this.current = null;
        if (this.slot === id) this.slot = null;
        this.tell(id, true);
        if (!this.closed) void this.serial(() => this.startNextDue());
      });
  }

  /** Snapshots a due broadcast's recipients from its segment (going on from an interrupted snapshot), then starts it. */
  private async startDue(id: string): Promise<void> {
    const snapshot = this.actors.snapshot(id);
    if (!snapshot || !isDue(snapshot)) return;
    this.slot = id;
    try {
      const segment = snapshot.context.segment as unknown as SegmentFilter;
      let cursor = this.store.broadcasts.lastRecipient(id);
      for (;;) {
        const ids = await this.store.segmentUserIds(segment, this.context, cursor, 2_000);
        if (ids.length === 0) break;
        await this.store.broadcasts.addRecipients(id, ids);
        cursor = ids.at(-1) ?? cursor;
      }
      const total = this.store.broadcasts.recipientCounts(id).total;
      const outcome = await this.actors.apply(id, `bc:${id}:started`, { type: "started", at: this.pacer.now(), total });
      if (outcome.kind === "applied" && stateOf(outcome.snapshot) === "sending" && !this.closed) this.launch(id, outcome.snapshot);
      else this.tell(id, true);
    } finally {
      if (this.current?.id !== id && this.slot === id) this.slot = null;
    }
  }

  async startNextDue(): Promise<void> {
    while (this.slot === null && !this.closed && this.waiting.length > 0) {
      const id = this.waiting.shift();
      if (id !== undefined) await this.startDue(id);
    }
  }

  /** Stops the run of `id`, if it is the one sending, and waits for its sends in flight. */
  private async halt(id: string): Promise<void> {
    const entry = this.current;
    if (entry?.id !== id) return;
    entry.run.stop();
    await entry.done;
  }

  /** Why the owner's pause, resume or cancel cannot be taken where the broadcast is, or null. */
  private refusal(id: string, snapshot: BroadcastSnapshot, type: OwnerMove): BroadcastCommandResult | null {
    const state = stateOf(snapshot);
    if (state === "finished" || state === "cancelled") return { kind: "refused", reason: "already_ended", progress: this.progress(id, snapshot) };
    if (type === "paused" && state !== "sending") return state === "paused" ? this.applied(id, snapshot) : { kind: "refused", reason: "not_sending", progress: this.progress(id, snapshot) };
    if (type === "resumed" && state !== "paused") return state === "sending" ? this.applied(id, snapshot) : { kind: "refused", reason: "not_sending", progress: this.progress(id, snapshot) };
    if (type === "resumed" && this.slot !== null && this.slot !== id) return { kind: "refused", reason: "another_is_sending", progress: this.progress(id, snapshot) };
    return null;
  }

  async command(id: string, by: number, key: string, type: OwnerMove): Promise<BroadcastCommandResult> {
    if (!isBroadcastId(id) || !Number.isSafeInteger(by) || typeof key !== "string" || key.length === 0 || key.length > 200) return { kind: "refused", reason: "unknown" };
    const snapshot = this.actors.snapshot(id);
    if (!snapshot) return { kind: "refused", reason: "unknown" };
    const refused = this.refusal(id, snapshot, type);
    if (refused) return refused;
    const outcome = await this.actors.apply(id, `bc:${id}:${key}`, { type, at: this.pacer.now(), by });
    if (outcome.kind === "unknown" || outcome.kind === "stale") return { kind: "refused", reason: "unknown" };
    if (outcome.kind === "refused") return { kind: "refused", reason: "not_sending", progress: this.progress(id, outcome.snapshot) };
    if (type === "resumed") {
      if (outcome.kind === "applied" && !this.closed) this.launch(id, outcome.snapshot);
    } else {
      await this.halt(id);
      this.waiting.splice(0, this.waiting.length, ...this.waiting.filter((due) => due !== id));
      void this.serial(() => this.startNextDue());
    }
    this.tell(id, true);
    return this.applied(id, this.actors.snapshot(id) ?? outcome.snapshot);
  }

  async start(input: Parameters<Broadcasts["start"]>[0]): Promise<BroadcastCommandResult> {
    const problem = startProblem(input);
    if (problem) throw new InvalidEventError(problem);
    const id = broadcastIdOfKey(input.key);
    const existing = this.actors.snapshot(id);
    if (existing) return this.applied(id, existing);
    if ((await this.store.countSegment(input.segment, this.context)) === 0) return { kind: "refused", reason: "no_recipients" };
    const now = this.pacer.now();
    const sending = this.slot === null ? null : this.actors.snapshot(this.slot);
    if ((input.at === undefined || input.at <= now) && this.slot !== null && sending) return { kind: "refused", reason: "another_is_sending", progress: this.progress(this.slot, sending) };
    await this.store.broadcasts.registerBroadcast(id, now);
    const message = input.message as unknown as Record<string, unknown>;
    const segment = input.segment as unknown as Record<string, unknown>;
    const outcome = await this.actors.apply(id, `bc:${id}:created`, { type: "broadcast_created", at: now, by: input.by, startAt: input.at ?? now, message, segment });
    if (outcome.kind !== "applied" && outcome.kind !== "duplicate") return { kind: "refused", reason: "unknown" };
    if (isDue(outcome.snapshot)) await this.startDue(id);
    this.tell(id, true);
    return this.applied(id, this.actors.snapshot(id) ?? outcome.snapshot);
  }

  /** Broadcasts whose first event never committed are forgotten; the sends a crash left in flight are counted and set to go again. */
  private async recover(): Promise<string | null> {
    let resume: string | null = null;
    for (const id of [...this.store.broadcasts.broadcastIds(10_000)].reverse()) {
      const snapshot = this.actors.snapshot(id);
      if (!snapshot) {
        await this.store.broadcasts.forgetBroadcast(id);
        continue;
      }
      const state = stateOf(snapshot);
      if (state === "sending" || state === "paused") {
        const inFlight = this.store.broadcasts.recipients(id, ["sending"], 0, Number.MAX_SAFE_INTEGER);
        if (inFlight.length > 0) {
          const at = this.pacer.now();
          await this.actors.apply(id, `bc:${id}:recovered:${at}`, { type: "recovered", at, inFlight: inFlight.length });
          await this.store.broadcasts.recordRecipients(id, inFlight.map((row) => ({ ...row, state: "pending" as const })));
          this.log.warn("broadcast_recovered", { broadcastId: id, inFlight: inFlight.length });
        }
        if (state === "sending") resume = id;
      } else if (isDue(snapshot)) this.waiting.push(id);
    }
    return resume;
  }

  async startUp(): Promise<void> {
    const resume = await this.recover();
    const snapshot = resume === null ? null : this.actors.snapshot(resume);
    if (resume !== null && snapshot && !this.closed) this.launch(resume, snapshot);
    await this.startNextDue();
  }

  async fireTimer(row: TimerRow, at: number): Promise<{ readonly fired: boolean }> {
    const id = broadcastIdOf(row.actor);
    if (id === null) throw new InvalidEventError(`not a broadcast's timer: ${row.actor}`);
    const { at: _at, seq: _seq, ...fields } = JSON.parse(row.event) as { type: string; at?: unknown; seq?: unknown };
    const outcome = await this.actors.apply(id, row.key, { ...fields, at }, row);
    if (outcome.kind === "applied" && isDue(outcome.snapshot)) {
      this.waiting.push(id);
      void this.serial(() => this.startNextDue());
    }
    return { fired: outcome.kind === "applied" };
  }

  async stop(): Promise<void> {
    this.closed = true;
    const entry = this.current;
    entry?.run.stop();
    await entry?.done;
    await this.commands;
    await this.actors.settled();
  }
}

type OwnerMove = "paused" | "resumed" | "cancel_requested";

/** Counts one more recipient with an outcome, off those left. */
function counted(counts: ReturnType<typeof emptyCounts>, row: RecipientRow): void {
  if (counts.byState.pending > 0) counts.byState.pending -= 1;
  else if (counts.byState.sending > 0) counts.byState.sending -= 1;
  counts.byState[row.state] += 1;
  if (row.state === "failed") counts.reasons[row.reason ?? "unknown"] = (counts.reasons[row.reason ?? "unknown"] ?? 0) + 1;
}

/**
 * Broadcasts as actors (docs/broadcasts.md). One sends at a time; a scheduled one whose time comes
 * while another sends waits for it. Commands (start, pause, resume, cancel) run one after another.
 * Sending never touches the customers' commit queue: the sender writes its recipients' rows in
 * short transactions of their own, paced by its own timers, and talks to Telegram through its own
 * API client, so a customer's answer never waits behind it.
 *
 * @throws InvalidEventError for a rate outside 1 to 30 a second.
 * @example
 * const broadcasts = createBroadcasts({ store, delivery: shopBroadcastDelivery(new Api(token)), customers: broadcastCustomersOf(runtime), consentVersion: "1" });
 * await broadcasts.startUp();
 * await broadcasts.start({ key: "o:7:bc:1", by: 7, segment: { stages: ["customer"] }, message });
 */
export function createBroadcasts(options: BroadcastsOptions): BroadcastEngine {
  const perSecond = options.perSecond ?? broadcastRateBounds.default;
  if (!(Number.isFinite(perSecond) && perSecond >= broadcastRateBounds.min && perSecond <= broadcastRateBounds.max)) {
    throw new InvalidEventError(`BROADCAST_PER_SECOND must be from ${broadcastRateBounds.min} to ${broadcastRateBounds.max}, got ${perSecond}`);
  }
  const core = new BroadcastEngineCore(options, perSecond);
  return {
    start: (input) => core.serial(() => core.start(input)),
    pause: (id, by, key) => core.serial(() => core.command(id, by, key, "paused")),
    resume: (id, by, key) => core.serial(() => core.command(id, by, key, "resumed")),
    cancel: (id, by, key) => core.serial(() => core.command(id, by, key, "cancel_requested")),
    progress: async (id) => {
      const snapshot = core.snapshot(id);
      return snapshot ? core.progress(id, snapshot) : null;
    },
    report: async (id) => {
      const snapshot = core.snapshot(id);
      return snapshot ? core.report(id, snapshot) : null;
    },
    list: async (limit) =>
      options.store.broadcasts.broadcastIds(limit).flatMap((id) => {
        const snapshot = core.snapshot(id);
        return snapshot ? [core.progress(id, snapshot)] : [];
      }),
    onProgress: (listener) => (core.listeners.add(listener), () => void core.listeners.delete(listener)),
    fireTimer: (row, at) => core.fireTimer(row, at),
    startUp: () => core.serial(() => core.startUp()),
    stop: () => core.stop(),
  };
}
