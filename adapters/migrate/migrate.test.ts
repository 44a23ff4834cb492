import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { openPostgresStore } from "../postgres/pgStore.ts";
import { freshDatabase } from "../postgres/testing/freshDatabase.ts";
import { openSqliteStore } from "../sqlite/sqliteStore.ts";
import { DatabaseSync } from "node:sqlite";
import { migrateShop } from "./migrateShop.ts";
import { copiedTables, planTables } from "./tablePlan.ts";
import { CopyDiffers, verifyCopy } from "./verifyCopy.ts";
import { makeShop } from "./testing/migrateShopFixture.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "crm-migrate-"));
  dirs.push(dir);
  return dir;
}

const nothing = (): void => undefined;

/** Every row count of the copied tables and the projections the backfill rebuilt, in the target. */
async function targetCounts(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const counts: Record<string, number> = {};
    for (const table of [...copiedTables, "crm_stage_moves", "crm_segment_leads", "crm_lead_tags", "crm_cohort_orders", "crm_stage_time"]) {
      counts[table] = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
    }
    return counts;
  } finally {
    await client.end();
  }
}

describe("npm run migrate: a shop copied from SQLite to PostgreSQL", () => {
  it("copies every table in batches, verifies counts and a replayed sample, and the PostgreSQL store answers as SQLite does", { timeout: 120_000 }, async () => {
    const file = await makeShop(tempDir());
    const url = await freshDatabase("migrate_copy");
    const seen: number[] = [];
    const verified = await migrateShop({ from: file, to: url, batchRows: 7, progress: (done) => seen.push(done) });

    const sqlite = openSqliteStore({ path: file });
    const source = sqlite.loadEvents(4).length;
    expect(verified.replayed).toBe(24);
    expect(verified.counts.get("crm_leads")).toBe(24);
    expect(verified.counts.get("crm_orders")).toBe(7);
    expect(verified.counts.get("crm_events")).toBeGreaterThan(24);
    expect(verified.counts.get("crm_timers")).toBeGreaterThan(0);
    expect(verified.counts.get("crm_effects")).toBeGreaterThan(0);
    expect(verified.counts.get("crm_actor_events")).toBeGreaterThan(0);
    expect(verified.counts.get("crm_sessions")).toBe(2);
    expect(verified.counts.get("crm_products")).toBe(3);
    expect(verified.counts.get("crm_segments")).toBe(1);
    expect(seen.at(-1)).toBe([...verified.counts.values()].reduce((sum, n) => sum + n, 0));
    expect(seen.length).toBeGreaterThan(20);

    const copy = await openPostgresStore({ url });
    try {
      expect(await copy.funnel()).toEqual(await sqlite.funnel());
      for (const userId of [1, 4, 12, 24]) expect(await copy.lead(userId)).toEqual(await sqlite.lead(userId));
      expect((await copy.search("покупатель")).items.map((lead) => lead.userId).sort()).toEqual((await sqlite.search("покупатель")).items.map((lead) => lead.userId).sort());
      expect(await copy.search("buyer_12")).toEqual(await sqlite.search("buyer_12"));
      expect(await copy.ordersByStatus(null)).toEqual(await sqlite.ordersByStatus(null));
      expect(await copy.readSession("shop:7")).toBe(await sqlite.readSession("shop:7"));
      expect(copy.loadEvents(4)).toHaveLength(source);
      expect(await copy.savedSegments()).toEqual(await sqlite.savedSegments());
      expect(copy.timersCount()).toBe(sqlite.timersCount());
      // The projections: rebuilt by the backfill (stage times, cohorts, tags), or copied as they are (the weekly lifecycle).
      const now = Date.parse("2026-03-20T12:00:00Z");
      expect(await copy.stageTimes()).toEqual(await sqlite.stageTimes());
      expect(await copy.cohorts({ weeks: 4, now, timeZone: "Europe/Moscow" })).toEqual(await sqlite.cohorts({ weeks: 4, now, timeZone: "Europe/Moscow" }));
      expect(await copy.lifecycle({ now, weeks: 4 })).toEqual(await sqlite.lifecycle({ now, weeks: 4 }));
      expect((await copy.lifecycle({ now, weeks: 4 })).reduce((sum, week) => sum + week.new, 0)).toBe(24);
      expect(await copy.countSegment({ sources: ["ads"] }, { consentVersion: "v1" })).toBe(8);
      // New rows continue after the copied sequence numbers.
      await copy.transact((tx) => {
        expect(tx.appendEvent({ userId: 999, type: "start", payload: "{}", at: Date.parse("2026-03-02T00:00:00Z"), key: "999:start" })).toBeGreaterThan(verified.counts.get("crm_events") ?? 0);
      });
    } finally {
      await copy.close();
      await sqlite.close();
    }
  });

  it("a second run over a finished copy changes nothing and verifies again", { timeout: 120_000 }, async () => {
    const file = await makeShop(tempDir(), 8);
    const url = await freshDatabase("migrate_twice");
    await migrateShop({ from: file, to: url, progress: nothing });
    const first = await targetCounts(url);
    const again = await migrateShop({ from: file, to: url, progress: nothing });
    expect(again.replayed).toBe(8);
    expect(await targetCounts(url)).toEqual(first);
  });

  it("the check afterwards finds a row missing from the copy and a snapshot its log does not replay to", { timeout: 120_000 }, async () => {
    const file = await makeShop(tempDir(), 8);
    const url = await freshDatabase("migrate_tampered");
    await migrateShop({ from: file, to: url, progress: nothing });
    const db = new DatabaseSync(file, { readOnly: true });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const plans = await planTables(db, client);
      const event = await client.query<{ seq: string }>("SELECT seq FROM crm_events WHERE user_id = 3 ORDER BY seq DESC LIMIT 1");
      await client.query("BEGIN");
      await client.query("DELETE FROM crm_events WHERE seq = $1", [event.rows[0]?.seq]);
      await client.query("COMMIT");
      await expect(verifyCopy(db, url, plans, 100)).rejects.toThrow(new CopyDiffers(`crm_events has ${sourceRows(db)} rows in the source and ${sourceRows(db) - 1} in the copy (was the shop in use? stop the bots, or copy a file from npm run backup, into an empty database)`));
      // The same count, but customer 3's last event is another one: the log no longer replays to the snapshot.
      await client.query("INSERT INTO crm_events (seq, user_id, type, payload, ts, key) VALUES ($1, 3, 'catalog_view', '{}', 1772355600000, 'tampered')", [event.rows[0]?.seq]);
      await expect(verifyCopy(db, url, plans, 100)).rejects.toThrow("customer 3's log in the copy does not replay to their stored snapshot");
    } finally {
      await client.end();
      db.close();
    }
  });
});

function sourceRows(db: DatabaseSync): number {
  return Number(db.prepare("SELECT count(*) AS n FROM crm_events").get()?.["n"]);
}
