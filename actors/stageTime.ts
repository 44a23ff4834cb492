import { stageRank, stages, type Stage } from "../machines/customer.types.ts";
import type { Durations, StageTimeStats } from "./stageTime.port.ts";

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

/**
 * The upper edges (ms, inclusive) of the duration buckets; bucket i holds `(edge[i-1], edge[i]]`.
 * SQLite stores bucket numbers, so these never change once released; 7 and 30 days are edges so
 * the conversions within them are exact.
 */
export const stageTimeEdges: readonly number[] = [
  0, minute, 5 * minute, 15 * minute, 30 * minute, hour, 2 * hour, 4 * hour, 8 * hour, 12 * hour, day, 2 * day, 3 * day, 5 * day, 7 * day, 10 * day, 14 * day,
  21 * day, 30 * day, 45 * day, 60 * day, 90 * day, 180 * day, 365 * day, Number.MAX_SAFE_INTEGER,
];

/** The stages a lead can leave; `repeat` is the top. */
export const leavableStages = stages.filter((stage): stage is Exclude<Stage, "repeat"> => stage !== "repeat");

/** What the histogram counts: time in a stage, time to the first order, and leads that entered `new`. */
export type StageTimeMetric = Exclude<Stage, "repeat"> | "first_order" | "lead";

/** The bucket of a duration (a negative one, from clocks, counts as instant). */
export function bucketOf(ms: number): number {
  const index = stageTimeEdges.findIndex((edge) => ms <= edge);
  return index === -1 ? stageTimeEdges.length - 1 : index;
}

/** One lead's contributions to the histogram, from its stage entry dates. */
export function contributionsOf(dates: Readonly<Partial<Record<Stage, number>>>): readonly (readonly [StageTimeMetric, number])[] {
  const out: (readonly [StageTimeMetric, number])[] = [];
  for (const stage of leavableStages) {
    const at = dates[stage];
    if (typeof at !== "number") continue;
    const later = stages.filter((other) => stageRank[other] > stageRank[stage]).map((other) => dates[other]).filter((value): value is number => typeof value === "number");
    if (later.length > 0) out.push([stage, bucketOf(Math.min(...later) - at)]);
  }
  const entered = dates.new;
  const ordered = dates.customer;
  if (typeof entered === "number" && typeof ordered === "number") out.push(["first_order", bucketOf(ordered - entered)]);
  if (typeof entered === "number") out.push(["lead", 0]);
  return out;
}

/** Counts per bucket of one metric. */
export type Histogram = ReadonlyMap<number, number>;

/** The q-quantile of a histogram, interpolated linearly within its bucket (the open last bucket reads as its lower edge). */
function quantile(histogram: Histogram, count: number, q: number): number {
  const target = q * count;
  let before = 0;
  for (let bucket = 0; bucket < stageTimeEdges.length; bucket++) {
    const n = histogram.get(bucket) ?? 0;
    if (n > 0 && before + n >= target) {
      const lower = bucket === 0 ? 0 : (stageTimeEdges[bucket - 1] ?? 0);
      const upper = bucket === stageTimeEdges.length - 1 ? lower : (stageTimeEdges[bucket] ?? lower);
      return Math.round(lower + ((upper - lower) * (target - before)) / n);
    }
    before += n;
  }
  return 0;
}

function durationsOf(histogram: Histogram | undefined): Durations {
  const count = [...(histogram?.values() ?? [])].reduce((sum, n) => sum + n, 0);
  if (!histogram || count <= 0) return { count: 0, medianMs: null, p90Ms: null };
  return { count, medianMs: quantile(histogram, count, 0.5), p90Ms: quantile(histogram, count, 0.9) };
}

/** The figures from the histogram's rows, whichever store kept them. */
export function stageTimeStats(rows: Iterable<{ readonly metric: string; readonly bucket: number; readonly n: number }>): StageTimeStats {
  const byMetric = new Map<string, Map<number, number>>();
  for (const { metric, bucket, n } of rows) {
    if (n <= 0) continue;
    const histogram = byMetric.get(metric) ?? new Map<number, number>();
    histogram.set(bucket, (histogram.get(bucket) ?? 0) + n);
    byMetric.set(metric, histogram);
  }
  const upTo = (limit: number): number => [...(byMetric.get("first_order") ?? new Map<number, number>())].filter(([bucket]) => (stageTimeEdges[bucket] ?? Infinity) <= limit).reduce((sum, [, n]) => sum + n, 0);
  const perStage = Object.fromEntries(leavableStages.map((stage) => [stage, durationsOf(byMetric.get(stage))])) as Record<Exclude<Stage, "repeat">, Durations>;
  return {
    stages: perStage,
    firstOrder: durationsOf(byMetric.get("first_order")),
    leads: byMetric.get("lead")?.get(0) ?? 0,
    within7Days: upTo(7 * day),
    within30Days: upTo(30 * day),
  };
}
