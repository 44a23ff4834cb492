import type { Stage } from "../machines/customer.types.ts";

/** How long leads took over one step: how many did it, and the median and 90th percentile, in ms (null when none did). */
export interface Durations {
  readonly count: number;
  readonly medianMs: number | null;
  readonly p90Ms: number | null;
}

/** Time in each stage and to the first order, from the stage entry dates every lead's read model keeps. */
export interface StageTimeStats {
  /** Per stage below `repeat`: the leads that left it (entered any higher stage) and how long they stayed. */
  readonly stages: Readonly<Record<Exclude<Stage, "repeat">, Durations>>;
  /** From entering `new` to the first order (`customer`). */
  readonly firstOrder: Durations;
  /** Leads that entered `new`: the base of the conversions. */
  readonly leads: number;
  /** Leads whose first order came within 7 and within 30 days of entering `new`. */
  readonly within7Days: number;
  readonly within30Days: number;
}

/**
 * The funnel's time in stage (issue 14). SQLite keeps a histogram of the durations (fixed buckets,
 * actors/stageTime.ts) up to date by triggers on the lead's stage dates as each actor commits, so a
 * read is a couple of hundred rows whatever the number of leads; the JSON store, meant for a small
 * shop, folds its leads in memory. Medians and p90s are interpolated within a bucket.
 */
export interface StageTimeReads {
  stageTimes(): Promise<StageTimeStats>;
}
