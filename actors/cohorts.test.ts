import { describe, expect, it } from "vitest";
import { lastWeekStarts, weekStartOf, weekStartsFrom } from "./cohorts.ts";

describe("cohort weeks", () => {
  it("starts a week on Monday 00:00 in the time zone, so a Sunday night in UTC is already next week in Moscow", () => {
    const sundayNight = Date.parse("2026-03-08T22:30:00Z");
    expect(weekStartOf(sundayNight, "UTC")).toBe(Date.parse("2026-03-02T00:00:00Z"));
    expect(weekStartOf(sundayNight, "Europe/Moscow")).toBe(Date.parse("2026-03-08T21:00:00Z"));
  });

  it("counts back by calendar weeks across a change of clocks, one week start per Monday", () => {
    // Berlin moves to summer time on Sunday 2026-03-29: the week before is 167 hours long.
    const justAfterMidnight = Date.parse("2026-03-29T22:30:00Z");
    expect(lastWeekStarts(justAfterMidnight, 3, "Europe/Berlin")).toEqual([Date.parse("2026-03-15T23:00:00Z"), Date.parse("2026-03-22T23:00:00Z"), Date.parse("2026-03-29T22:00:00Z")]);
    expect(weekStartsFrom(Date.parse("2026-03-20T12:00:00Z"), 2, "Europe/Berlin")).toEqual([Date.parse("2026-03-15T23:00:00Z"), Date.parse("2026-03-22T23:00:00Z")]);
    expect(lastWeekStarts(justAfterMidnight, 0, "Europe/Berlin")).toEqual([]);
  });
});
