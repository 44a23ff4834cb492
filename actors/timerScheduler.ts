import { describeError, silentLogger, type Logger } from "./log.port.ts";
import type { DurableQueues, TimerRow } from "./store.port.ts";

/** What firing one row came to: `fired` false for a stale row (cancelled or re-armed since it was read). */
export interface FireResult {
  readonly fired: boolean;
}

export interface TimerSchedulerOptions {
  readonly queues: Pick<DurableQueues, "dueTimers" | "nextTimerDue">;
  /** Delivers a due row to its actor (the runtime's `fireTimer`), at `at`. */
  readonly fire: (row: TimerRow, at: number) => Promise<FireResult>;
  readonly clock: { now(): number };
  /** Rows read and fired together; the runtime's group commit makes each batch about one transaction. */
  readonly batchSize?: number;
  /** The longest the scheduler sleeps without looking at the store (default a minute). */
  readonly maxSleepMs?: number;
  /** How many lateness samples to keep for the benchmarks (the newest win). */
  readonly latenessSamples?: number;
  readonly log?: Logger;
}

/** Counters for the benchmarks and the logs. */
export interface TimerStats {
  readonly fired: number;
  readonly stale: number;
  readonly failed: number;
  /** How late each recent firing was, in ms after its due time. */
  readonly lateness: readonly number[];
}

/** The scheduler's state and steps; `createTimerScheduler` exposes its public face. */
class TimerRounds {
  private readonly options: TimerSchedulerOptions;
  private readonly log: Logger;
  private readonly counts = { fired: 0, stale: 0, failed: 0 };
  private readonly lateness: number[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private wakeAt: number | null = null;
  /** Set by a round whose every firing failed: no wake-up before it. */
  private failedUntil: number | null = null;
  private chain: Promise<void> = Promise.resolve();
  private started = false;

  constructor(options: TimerSchedulerOptions) {
    this.options = options;
    this.log = options.log ?? silentLogger;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.arm(this.options.clock.now());
  }

  /** Serialises rounds: firings of one row never overlap. */
  fireDue(now: number): Promise<void> {
    const round = this.chain.then(() => this.fireAll(now));
    this.chain = round.catch(() => {});
    return round;
  }

  stats(): TimerStats {
    return { ...this.counts, lateness: [...this.lateness] };
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.wakeAt = null;
    await this.chain;
  }

  /** Sleeps until `at` (at most `maxSleepMs`), unless already waking earlier. */
  arm(at: number): void {
    if (!this.started) return;
    if (this.timer !== null && this.wakeAt !== null && this.wakeAt <= at) return;
    if (this.timer !== null) clearTimeout(this.timer);
    const now = this.options.clock.now();
    this.wakeAt = Math.min(at, now + (this.options.maxSleepMs ?? 60_000));
    this.timer = setTimeout(() => this.tick(), Math.max(0, this.wakeAt - now));
    this.timer.unref?.();
  }

  private tick(): void {
    this.timer = null;
    this.wakeAt = null;
    const { clock, queues } = this.options;
    this.fireDue(clock.now())
      .catch((error: unknown) => this.log.error("timer_round_failed", describeError(error)))
      .finally(() => {
        if (!this.started) return;
        // A commit during the round may have set a wake-up for a later timer: `arm` keeps the earlier
        // of the two, but never one before the back-off of a round whose firings all failed.
        const next = queues.nextTimerDue() ?? clock.now() + (this.options.maxSleepMs ?? 60_000);
        this.arm(Math.max(next, this.failedUntil ?? next));
        this.failedUntil = null;
      });
  }

  /** Fires every row due at `now`, batch after batch, until none is left or a batch makes no progress. */
  private async fireAll(now: number): Promise<void> {
    for (let round = 0; round < 10_000; round++) {
      const rows = this.options.queues.dueTimers(now, this.options.batchSize ?? 500);
      if (rows.length === 0) return;
      if ((await this.fireBatch(rows, now)) === 0) {
        // Every row of the batch failed (the store is failing): try again in a second, not in a loop.
        this.failedUntil = this.options.clock.now() + 1_000;
        this.arm(this.failedUntil);
        return;
      }
    }
  }

  private async fireBatch(rows: readonly TimerRow[], now: number): Promise<number> {
    const results = await Promise.allSettled(rows.map((row) => this.options.fire(row, now)));
    const doneAt = this.options.clock.now();
    let progressed = 0;
    results.forEach((result, index) => {
      const row = rows[index];
      if (!row) return;
      if (result.status === "rejected") {
        this.counts.failed++;
        this.log.error("timer_fire_failed", { key: row.key, ...describeError(result.reason) });
        return;
      }
      progressed++;
      if (!result.value.fired) {
        this.counts.stale++;
        return;
      }
      this.counts.fired++;
      this.lateness.push(doneAt - row.dueAt);
      const keep = this.options.latenessSamples ?? 100_000;
      if (this.lateness.length > keep) this.lateness.splice(0, this.lateness.length - keep);
    });
    return progressed;
  }
}

/** The kind of an actor address `<kind>:<id>` (`customer`, `order`), or "" for an address without one. */
export const actorKindOf = (actor: string): string => {
  const colon = actor.indexOf(":");
  return colon > 0 ? actor.slice(0, colon) : "";
};

/**
 * One scheduler for every kind of actor: each due row goes to the runtime of its actor's kind
 * (`customer:<id>` to the customer runtime, `order:<id>` to the order runtime). A row of a kind
 * nobody fires is a failed firing (logged, and tried again on the next round), never a silent drop.
 *
 * @example
 * createTimerScheduler({ queues: store, clock, fire: fireByKind({ customer: customers.fireTimer, order: orders.fireTimer }) });
 */
export function fireByKind(routes: Readonly<Record<string, (row: TimerRow, at: number) => Promise<FireResult>>>): (row: TimerRow, at: number) => Promise<FireResult> {
  return (row, at) => {
    const kind = actorKindOf(row.actor);
    const fire = Object.hasOwn(routes, kind) ? routes[kind] : undefined;
    return fire ? fire(row, at) : Promise.reject(new Error(`no runtime fires the timers of "${kind}" actors (${row.key})`));
  };
}

/**
 * Fires durable timers when they fall due. The store holds every armed timer (a million cost disk,
 * not memory); the scheduler keeps one `setTimeout`, for the earliest due time it knows, at most
 * `maxSleepMs` away, and is told by the runtime when a commit arms an earlier one (`armed`). Due
 * rows are read in due order, `batchSize` at a time, and fired through the runtime, which checks
 * each is still the same arming and deletes it with the event it fired. `start` fires everything
 * that fell due while the process was down, oldest first.
 */
export function createTimerScheduler(options: TimerSchedulerOptions) {
  const scheduler = new TimerRounds(options);
  return {
    /** Starts firing: overdue timers at once (oldest first), then each as it falls due. */
    start: (): void => scheduler.start(),
    /** The runtime's hook: a commit armed a timer due at `dueAt`; wakes earlier if that is sooner than planned. */
    armed: (dueAt: number): void => scheduler.arm(dueAt),
    /** Fires everything due at `now` and resolves when done: for tests with a manual clock, and for each wake-up. */
    fireDue: (now: number): Promise<void> => scheduler.fireDue(now),
    /** Counters since creation: fired, stale, failed, and recent lateness samples (ms after the due time). */
    stats: (): TimerStats => scheduler.stats(),
    /** Stops the timer and waits for a round in flight. */
    stop: (): Promise<void> => scheduler.stop(),
  };
}

export type TimerScheduler = ReturnType<typeof createTimerScheduler>;
