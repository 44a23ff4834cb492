import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import type { CrmStore } from "../../actors/store.port.ts";
import { aLead } from "../storeContractQueues.ts";
import { lifecycleSql } from "./sqliteLifecycle.ts";
import { migrations } from "./sqliteSchema.ts";
import { openSqliteStore } from "./sqliteStore.ts";

const hour = 3_600_000;
const day = 24 * hour;
/** Monday 2026-11-02 00:00 in Moscow. */
const w0 = Date.parse("2026-11-01T21:00:00Z");
const clockAt = (at: number): { now(): number } => ({ now: () => at });

describe("sqlite migration 14: the weekly lifecycle and the lifetime value", () => {
  const dirs: string[] = [];
  const open: CrmStore[] = [];
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A database at migration 13 holding leads as (user id, first seen, last seen, orders, lifetime value, source). */
  function olderDatabase(leads: readonly (readonly [number, number | null, number | null, number, number, string | null])[]): string {
    const dir = mkdtempSync(join(tmpdir(), "crm-lifecycle-schema-"));
    dirs.push(dir);
    const path = join(dir, "crm.sqlite");
    const old = new DatabaseSync(path);
    old.exec(`${migrations.slice(0, 13).join(";\n")}; PRAGMA user_version = 13;`);
    const insert = old.prepare(
      `INSERT INTO crm_leads (user_id, username, source, first_seen_at, last_seen_at, stage, orders_count, lifetime_value, tags, notes,
       stage_entered_at, machine_version, snapshot, last_seq, search_text) VALUES (?, NULL, ?, ?, ?, 'new', ?, ?, '[]', '[]', '{}', 5, '{}', 0, '')`,
    );
    for (const [userId, first, last, orders, value, source] of leads) insert.run(userId, source, first, last, orders, value);
    old.close();
    return path;
  }

  function opened(path: string, timeZone: string, now: number): CrmStore {
    const store = openSqliteStore({ path, timeZone, clock: clockAt(now) });
    open.push(store);
    return store;
  }

  it("fills the weeks from the leads already stored (their first and last week only) and the lifetime values of those who ordered", async () => {
    const path = olderDatabase([
      [1, w0 + hour, w0 + day, 0, 0, null],
      [2, w0 + hour, w0 + 8 * day, 1, 450, "vk"],
      [3, w0 + 2 * day, w0 + 22 * day, 2, 1500, "vk"],
      [4, null, null, 0, 0, null],
      [5, w0 + 15 * day, w0 + 15 * day, 1, 90.5, null],
    ]);
    const store = opened(path, "Europe/Moscow", w0 + 22 * day);
    expect(await store.lifecycle({ now: w0 + 22 * day, weeks: 4 })).toEqual([
      { start: w0, new: 3, returning: 0, reactivated: 0, dormant: 0 },
      { start: w0 + 7 * day, new: 0, returning: 1, reactivated: 0, dormant: 2 },
      { start: w0 + 14 * day, new: 1, returning: 0, reactivated: 0, dormant: 1 },
      { start: w0 + 21 * day, new: 0, returning: 0, reactivated: 1, dormant: 1 },
    ]);
    const ltv = await store.lifetimeValues();
    expect(ltv.customers).toBe(3);
    expect(ltv.total).toBe(2040.5);
    expect(ltv.sources).toEqual([
      { source: "vk", customers: 2, total: 1950, average: 975 },
      { source: null, customers: 1, total: 90.5, average: 90.5 },
    ]);
    expect(ltv.buckets.map((bucket) => [bucket.from, bucket.customers])).toEqual([[50, 1], [200, 1], [1000, 1]]);
  });

  it("redoes the fill at TIME_ZONE's offset when no one was seen since, and keeps the counts when someone was", async () => {
    // Sunday 22:00 UTC is Monday 01:00 in Moscow: the lead's week depends on the zone.
    const sundayNight = w0 + 7 * day + hour;
    const path = olderDatabase([[1, sundayNight, sundayNight, 0, 0, null]]);
    const utc = opened(path, "UTC", sundayNight);
    const utcMonday = w0 + 3 * hour;
    expect(await utc.lifecycle({ now: sundayNight, weeks: 1 })).toEqual([{ start: utcMonday, new: 1, returning: 0, reactivated: 0, dormant: 0 }]);
    // Seen on Tuesday (UTC), then on Monday 00:30 in Tokyo (Sunday 15:30 UTC, the same UTC week): the
    // store opened in Tokyo keeps the weeks counted so far and files the new act at Tokyo's offset, in a week of its own.
    const tokyoMonday = sundayNight + 7 * day - 6.5 * hour;
    await utc.transact((tx) => tx.saveActor({ lead: aLead(1, { firstSeenAt: sundayNight, lastSeenAt: sundayNight + 2 * day }), snapshot: "{}", machineVersion: 1, lastSeq: 0, previousStage: null }));
    await utc.close();
    open.splice(0);
    const tokyo = opened(path, "Asia/Tokyo", tokyoMonday);
    await tokyo.transact((tx) => tx.saveActor({ lead: aLead(1, { firstSeenAt: sundayNight, lastSeenAt: tokyoMonday }), snapshot: "{}", machineVersion: 1, lastSeq: 0, previousStage: null }));
    const weeks = await tokyo.lifecycle({ now: tokyoMonday, weeks: 3 });
    expect(weeks.map((week) => [week.new, week.returning])).toEqual([[1, 0], [0, 1], [0, 1]]);
    expect(weeks.at(-1)?.start).toBe(tokyoMonday - hour / 2);
  });

  it("reads the figures from the projections alone, never from the leads", () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-lifecycle-plan-"));
    dirs.push(dir);
    const db = new DatabaseSync(join(dir, "crm.sqlite"));
    db.exec(migrations.join(";\n"));
    const plans = Object.values(lifecycleSql).map((sql) => db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all().map((row) => String(row["detail"])).join("; "));
    db.close();
    expect(plans[0]).toMatch(/SEARCH crm_lifecycle USING PRIMARY KEY \(week>\? AND week<\?\)/);
    for (const plan of plans) expect(plan).not.toContain("crm_leads");
  });
});
