import { describe, expect, it } from "vitest";
import { lifecycleKind, lifecycleSeries, lifetimeValueBucket, lifetimeValueEdges, lifetimeValueStats, weekOf, weekStart, zoneOffsetMs } from "./lifecycle.ts";

const hour = 3_600_000;

describe("lifecycle arithmetic", () => {
  it("numbers weeks from Monday 00:00 at the zone's offset", () => {
    const moscow = zoneOffsetMs("Europe/Moscow", Date.parse("2026-11-30T09:00:00Z"));
    expect(moscow).toBe(3 * hour);
    expect(zoneOffsetMs("Europe/Berlin", Date.parse("2026-07-01T00:00:00Z"))).toBe(2 * hour);
    expect(zoneOffsetMs("America/New_York", Date.parse("2026-01-10T12:00:00Z"))).toBe(-5 * hour);
    const monday = Date.parse("2026-11-29T21:00:00Z"); // Monday 30 November, 00:00 in Moscow
    expect(weekOf(monday, moscow)).toBe(weekOf(monday - 1, moscow) + 1);
    expect(weekOf(monday + 7 * 24 * hour - 1, moscow)).toBe(weekOf(monday, moscow));
    expect(weekStart(weekOf(monday + 3 * 24 * hour, moscow), moscow)).toBe(monday);
  });

  it("calls a week new, returning or reactivated from the week before it, and nothing for the same or an earlier one", () => {
    expect(lifecycleKind(10, null)).toBe("new");
    expect(lifecycleKind(10, 9)).toBe("returning");
    expect(lifecycleKind(10, 7)).toBe("reactivated");
    expect(lifecycleKind(10, 10)).toBeNull();
    expect(lifecycleKind(10, 12)).toBeNull();
  });

  it("derives dormant from the week before, never below zero, and gives no weeks for a count of zero or less", () => {
    const counts = new Map([[99, { new: 4, returning: 0, reactivated: 1 }], [100, { new: 0, returning: 2, reactivated: 0 }]]);
    const now = weekStart(100, 0) + hour;
    expect(lifecycleSeries(counts, { now, weeks: 2 }, 0).map((w) => w.dormant)).toEqual([0, 3]);
    expect(lifecycleSeries(new Map([[100, { new: 0, returning: 9, reactivated: 0 }]]), { now, weeks: 1 }, 0)[0]?.dormant).toBe(0);
    expect(lifecycleSeries(counts, { now, weeks: 0 }, 0)).toEqual([]);
    expect(lifecycleSeries(counts, { now, weeks: -3 }, 0)).toEqual([]);
  });

  it("puts a lifetime value in the bucket of the 1-2-5 scale at or below it, a negative or zero one in the first", () => {
    expect(lifetimeValueEdges.slice(0, 7)).toEqual([0, 1, 2, 5, 10, 20, 50]);
    expect(lifetimeValueBucket(-10)).toBe(0);
    expect(lifetimeValueBucket(0.99)).toBe(0);
    expect(lifetimeValueBucket(1)).toBe(1);
    expect(lifetimeValueBucket(1999.99)).toBe(lifetimeValueEdges.indexOf(1000));
    expect(lifetimeValueBucket(2000)).toBe(lifetimeValueEdges.indexOf(2000));
    expect(lifetimeValueBucket(1e12)).toBe(lifetimeValueEdges.length - 1);
    const stats = lifetimeValueStats([{ key: lifetimeValueEdges.length - 1, customers: 1, cents: 1e14 }], [{ key: "x", customers: 0, cents: 0 }]);
    expect(stats.buckets).toEqual([{ from: lifetimeValueEdges.at(-1), to: null, customers: 1, total: 1e12 }]);
    expect(stats.sources).toEqual([]);
  });
});
