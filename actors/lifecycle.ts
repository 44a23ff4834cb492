/**
 * The arithmetic both stores share for the lifecycle and lifetime-value figures
 * (actors/lifecycle.port.ts): week numbers at a fixed offset, the kind of a week of activity, the
 * series with its dormant counts, and the money scale of the lifetime-value histogram.
 */
import { dayBounds, dayOf } from "./calendar.ts";
import type { LifecycleWeek, LifetimeValueBucket, LifetimeValueBySource, LifetimeValueStats } from "./lifecycle.port.ts";

const dayMs = 86_400_000;
export const weekMs = 7 * dayMs;
/** 1970-01-01 was a Thursday: three days later, weeks counted from the epoch turn on a Monday. */
const mondayShift = 3 * dayMs;

/** TIME_ZONE's offset from UTC at `at`, in ms (Moscow: +3 h): how far its midnight is from UTC's. */
export function zoneOffsetMs(timeZone: string, at: number): number {
  const day = dayOf(at, timeZone);
  return Date.parse(`${day}T00:00:00Z`) - dayBounds(day, timeZone).start;
}

/** The number of the Monday-start week `at` falls in, at a fixed offset; the SQL twin is `floor((at + offset + 3 days) / 7 days)`. */
export function weekOf(at: number, offsetMs: number): number {
  return Math.floor((at + offsetMs + mondayShift) / weekMs);
}

/** The instant the week begins: its Monday 00:00 at the offset. */
export function weekStart(week: number, offsetMs: number): number {
  return week * weekMs - mondayShift - offsetMs;
}

/** What `(at + shift) / 7 days` needs as its `shift` for weeks at this offset: the constant in the SQL triggers. */
export const weekShiftMs = (offsetMs: number): number => offsetMs + mondayShift;

export type LifecycleKind = "new" | "returning" | "reactivated";

/**
 * The kind of a week of activity, given the customer's week of activity before it (null: first seen):
 * the week right after is returning, a later one reactivated, the same or an earlier one nothing.
 */
export function lifecycleKind(week: number, previous: number | null): LifecycleKind | null {
  if (previous === null) return "new";
  if (week === previous + 1) return "returning";
  return week > previous + 1 ? "reactivated" : null;
}

/** The counts of one week as the projection keeps them. */
export type WeekCounts = Readonly<Record<LifecycleKind, number>>;

/** The `weeks` weeks up to the week of `now`, oldest first, each with its dormant count from the week before it. */
export function lifecycleSeries(counts: ReadonlyMap<number, WeekCounts>, query: { readonly now: number; readonly weeks: number }, offsetMs: number): LifecycleWeek[] {
  const last = weekOf(query.now, offsetMs);
  const zero: WeekCounts = { new: 0, returning: 0, reactivated: 0 };
  const active = (week: number): number => {
    const c = counts.get(week) ?? zero;
    return c.new + c.returning + c.reactivated;
  };
  const out: LifecycleWeek[] = [];
  for (let week = last - Math.max(0, Math.floor(query.weeks)) + 1; week <= last; week += 1) {
    const c = counts.get(week) ?? zero;
    out.push({ start: weekStart(week, offsetMs), new: c.new, returning: c.returning, reactivated: c.reactivated, dormant: Math.max(0, active(week - 1) - c.returning) });
  }
  return out;
}

/**
 * The lower ends of the lifetime-value buckets, in the catalog's currency: 0, then 1, 2, 5, 10,
 * 20, 50 … up to 5 billion, so any shop's values land in a dozen readable buckets.
 */
export const lifetimeValueEdges: readonly number[] = [0, ...Array.from({ length: 30 }, (_, i) => ([1, 2, 5][i % 3] ?? 1) * 10 ** Math.floor(i / 3))];

/** The bucket of a lifetime value: the last edge at or below it (a negative value is in the first). */
export function lifetimeValueBucket(value: number): number {
  let bucket = 0;
  for (let i = 1; i < lifetimeValueEdges.length && value >= (lifetimeValueEdges[i] ?? Infinity); i += 1) bucket = i;
  return bucket;
}

/** Money as whole cents, so totals add up exactly in either store. */
export const centsOf = (value: number): number => Math.round(value * 100);

/** One row of either histogram as a store reads it: customers and their value in cents. */
export interface LifetimeValueRow<K> {
  readonly key: K;
  readonly customers: number;
  readonly cents: number;
}

const byCustomers = (a: LifetimeValueBySource, b: LifetimeValueBySource): number =>
  b.customers - a.customers || b.average - a.average || (a.source ?? "").localeCompare(b.source ?? "");

/** The figures from the two small histograms: by bucket of the money scale, and by source. */
export function lifetimeValueStats(buckets: readonly LifetimeValueRow<number>[], sources: readonly LifetimeValueRow<string | null>[]): LifetimeValueStats {
  const customers = buckets.reduce((sum, row) => sum + row.customers, 0);
  const cents = buckets.reduce((sum, row) => sum + row.cents, 0);
  const shown: LifetimeValueBucket[] = buckets
    .filter((row) => row.customers > 0)
    .sort((a, b) => a.key - b.key)
    .map((row) => ({ from: lifetimeValueEdges[row.key] ?? 0, to: lifetimeValueEdges[row.key + 1] ?? null, customers: row.customers, total: row.cents / 100 }));
  const bySource: LifetimeValueBySource[] = sources
    .filter((row) => row.customers > 0)
    .map((row) => ({ source: row.key, customers: row.customers, total: row.cents / 100, average: Math.round(row.cents / row.customers) / 100 }));
  return { customers, total: cents / 100, average: customers > 0 ? Math.round(cents / customers) / 100 : 0, buckets: shown, sources: bySource.sort(byCustomers) };
}
