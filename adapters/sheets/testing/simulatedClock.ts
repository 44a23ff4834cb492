import { Clock, Duration, Effect } from "effect";

/**
 * An Effect clock on simulated time: a sleep moves the time on at once. The mirror's backoff,
 * quota waits and polling then take no real time, so "10 minutes of faults" or "an initial sync
 * under 60 requests a minute" run in seconds while every request still crosses real HTTP.
 */
export function simulatedClock(start: number, onAdvance?: (now: number) => void) {
  let now = start;
  const advance = (ms: number): void => {
    now += Math.max(0, ms);
    onAdvance?.(now);
  };
  const clock: Clock.Clock = {
    currentTimeMillisUnsafe: () => now,
    currentTimeMillis: Effect.sync(() => now),
    currentTimeNanosUnsafe: () => BigInt(now) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => BigInt(now) * 1_000_000n),
    monotonicTimeNanosUnsafe: () => BigInt(now) * 1_000_000n,
    monotonicTimeNanos: Effect.sync(() => BigInt(now) * 1_000_000n),
    sleep: (duration) => Effect.sync(() => advance(Duration.toMillis(duration))),
  };
  return { clock, now: () => now, advance };
}
