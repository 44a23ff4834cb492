import type { Clock } from "../../actors/customerRuntime.ts";

/** A clock the demo moves by hand, so that a simulated day's dates look real and repeat exactly. */
export interface DemoClock extends Clock {
  /** Moves to `at`, never backwards: a visit that starts "earlier" than the last one ended starts now. */
  setAtLeast(at: number): void;
  advance(ms: number): void;
}

/** A {@link DemoClock} starting at `start` (epoch milliseconds). */
export function demoClock(start: number): DemoClock {
  let now = start;
  return {
    now: () => now,
    setAtLeast: (at) => {
      now = Math.max(now, at);
    },
    advance: (ms) => {
      now += ms;
    },
  };
}
