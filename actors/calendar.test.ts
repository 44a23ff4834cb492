import { describe, expect, it } from "vitest";
import { dayBounds, dayOf } from "./calendar.ts";

describe("calendar days in a time zone", () => {
  it("starts a Moscow day at 21:00 UTC the evening before", () => {
    expect(dayBounds("2026-01-27", "Europe/Moscow")).toEqual({
      start: Date.parse("2026-01-26T21:00:00Z"),
      end: Date.parse("2026-01-27T21:00:00Z"),
    });
  });

  it("gives a day of 23 hours when the clocks go forward", () => {
    const { start, end } = dayBounds("2026-03-29", "Europe/Berlin");
    expect(new Date(start).toISOString()).toBe("2026-03-28T23:00:00.000Z");
    expect((end - start) / 3_600_000).toBe(23);
  });

  it("names the day an instant falls on", () => {
    expect(dayOf(Date.parse("2026-01-27T21:30:00Z"), "Europe/Moscow")).toBe("2026-01-28");
    expect(dayOf(Date.parse("2026-01-27T21:30:00Z"), "UTC")).toBe("2026-01-27");
  });

  it("refuses a malformed day", () => {
    expect(() => dayBounds("27.01.2026", "UTC")).toThrow(/YYYY-MM-DD/);
  });
});
