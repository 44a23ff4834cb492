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

/**
 * Fires durable timers when they fall due. The store holds every armed timer (a million cost disk,
 * not memory); the scheduler keeps one `setTimeout`, for the earliest due time it knows, at most
 * `maxSleepMs` away, and is told by the runtime when a commit arms an earlier one (`armed`). Due
 * rows are read in due order, `batchSize` at a time, and fired through the runtime, which checks
 * each is still the same arming and deletes it with the event it fired. `start` fires everything
 * that fell due while the process was down, oldest first.
 */
export function createTimerScheduler(options: TimerSchedulerOptions) {
  const { queues, clock } = options;
  const batchSize = options.batchSize ?? 500;
  const maxSleepMs = options.maxSleepMs ?? 60_000;
  const keep = options.latenessSamples ?? 100_000;
  const log = options.log ?? silentLogger;
  const stats = { fired: 0, stale: 0, failed: 0 };
  const lateness: number[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let wakeAt: number | null = null;
  let chain: Promise<void> = Promise.resolve();
  let started = false;

  async function fireBatch(rows: readonly TimerRow[], now: number): Promise<number> {
    const results = await Promise.allSettled(rows.map((row) => options.fire(row, now)));
    let progressed = 0;
    const doneAt = clock.now();
    results.forEach((result, index) => {
      const row = rows[index];
      if (!row) return;
      if (result.status === "rejected") {
        stats.failed++;
        log.error("timer_fire_failed", { key: row.key, ...describeError(result.reason) });
        return;
      }
      progressed++;
      if (!result.value.fired) {
        stats.stale++;
        return;
      }
      stats.fired++;
      lateness.push(doneAt - row.dueAt);
      if (lateness.length > keep) lateness.splice(0, lateness.length - keep);
    });
    return progressed;
  }

  /** Fires every row due at `now`, batch after batch, until none is left or a batch makes no progress. */
  async function fireAll(now: number): Promise<void> {
    for (let round = 0; round < 10_000; round++) {
      const rows = queues.dueTimers(now, batchSize);
      if (rows.length === 0) return;
      if ((await fireBatch(rows, now)) === 0) {
        // Every row of the batch failed (the store is failing): try again in a second, not in a loop.
        arm(clock.now() + 1_000);
        return;
      }
    }
  }

  /** Serialises rounds: firings of one row never overlap. */
  function fireDue(now: number): Promise<void> {
    const round = chain.then(() => fireAll(now));
    chain = round.catch(() => {});
    return round;
  }

  function arm(at: number): void {
    if (!started) return;
    if (timer !== null && wakeAt !== null && wakeAt <= at) return;
    if (timer !== null) clearTimeout(timer);
    const now = clock.now();
    wakeAt = Math.min(at, now + maxSleepMs);
    timer = setTimeout(tick, Math.max(0, wakeAt - now));
    timer.unref?.();
  }

  function tick(): void {
    timer = null;
    wakeAt = null;
    fireDue(clock.now())
      .catch((error: unknown) => log.error("timer_round_failed", describeError(error)))
      .finally(() => {
        if (!started || timer !== null) return;
        const next = queues.nextTimerDue();
        arm(next ?? clock.now() + maxSleepMs);
      });
  }

  return {
    /** Starts firing: overdue timers at once (oldest first), then each as it falls due. */
    start(): void {
      if (started) return;
      started = true;
      arm(clock.now());
    },
    /** The runtime's hook: a commit armed a timer due at `dueAt`; wakes earlier if that is sooner than planned. */
    armed(dueAt: number): void {
      arm(dueAt);
    },
    /** Fires everything due at `now` and resolves when done: for tests with a manual clock, and for `start`. */
    fireDue,
    /** Counters since creation: fired, stale, failed, and recent lateness samples. */
    stats(): TimerStats {
      return { ...stats, lateness: [...lateness] };
    },
    /** Stops the timer and waits for a round in flight. */
    async stop(): Promise<void> {
      started = false;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      wakeAt = null;
      await chain;
    },
  };
}

export type TimerScheduler = ReturnType<typeof createTimerScheduler>;
