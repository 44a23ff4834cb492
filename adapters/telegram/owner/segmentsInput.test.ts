import { describe, expect, it } from "vitest";
import { cycledFlag, cycledTag, readDates, readRange, readSources, withTyped } from "./segmentsInput.ts";

const zone = "Europe/Moscow";

describe("what the owner types into the segment builder", () => {
  it("reads ranges closed, open at either end, and exact; refuses anything else", () => {
    expect(readRange("2-5", true)).toEqual({ min: 2, max: 5 });
    expect(readRange(" 1000 - ", false)).toEqual({ min: 1000 });
    expect(readRange("-3", true)).toEqual({ max: 3 });
    expect(readRange("4", true)).toEqual({ min: 4, max: 4 });
    expect(readRange("1000,5–2000", false)).toEqual({ min: 1000.5, max: 2000 });
    for (const bad of ["", "-", "5-2", "abc", "1-2-3", "2.5", "1e3", "−1", "99999999999999"]) expect({ bad, range: readRange(bad, true) }).toEqual({ bad, range: null });
  });

  it("reads dates as whole days in the shop's zone, and refuses an impossible day or an end before the start", () => {
    const start = Date.parse("2026-01-01T00:00:00+03:00");
    const end = Date.parse("2026-03-31T00:00:00+03:00") + 86_400_000 - 1;
    expect(readDates("2026-01-01..2026-03-31", zone)).toEqual({ min: start, max: end });
    expect(readDates("2026-01-01..", zone)).toEqual({ min: start });
    expect(readDates("..2026-03-31", zone)).toEqual({ max: end });
    expect(readDates("2026-01-01", zone)).toEqual({ min: start, max: start + 86_400_000 - 1 });
    for (const bad of ["", "..", "2026-02-30", "2026-03-01..2026-01-01", "01.01.2026", "2026-01-01..2026-02-01..2026-03-01"]) expect({ bad, range: readDates(bad, zone) }).toEqual({ bad, range: null });
  });

  it("reads sources as deep-link payloads, and keeps a typed value only when the whole filter is one the stores run", () => {
    expect(readSources("instagram_ads, vk  tg-2")).toEqual(["instagram_ads", "vk", "tg-2"]);
    expect(readSources("no spaces allowed!")).toBeNull();
    expect(readSources(" , ")).toBeNull();
    expect(withTyped({ stages: ["cart"] }, "orders", "2-", zone)).toEqual({ stages: ["cart"], ordersCount: { min: 2 } });
    expect(withTyped({}, "ltv", "5-1", zone)).toBeNull();
  });

  it("cycles a tag through any, all, none and off, and a yes/no through yes, no and off", () => {
    const any = cycledTag({}, "опт");
    expect(any).toEqual({ tags: { any: ["опт"] } });
    const all = cycledTag(any, "опт");
    expect(all).toEqual({ tags: { all: ["опт"] } });
    const none = cycledTag(all, "опт");
    expect(none).toEqual({ tags: { none: ["опт"] } });
    expect(cycledTag(none, "опт")).toEqual({});
    expect(cycledFlag({}, "activity")).toEqual({ activity: "active" });
    expect(cycledFlag({ activity: "active" }, "activity")).toEqual({ activity: "dormant" });
    expect(cycledFlag({ activity: "dormant" }, "activity")).toEqual({});
    expect(cycledFlag(cycledFlag({}, "blocked"), "blocked")).toEqual({ blocked: false });
  });
});
