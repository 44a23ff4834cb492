import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { createCustomerRuntime } from "../../actors/customerRuntime.ts";
import { orderJustPlaced } from "../../actors/store.port.ts";
import { manualClock, personalTraces, seedPersonalData, storeContract } from "../storeContract.ts";
import { segmentsContract } from "../storeContractSegments.ts";
import { campaignStatsContract } from "../storeContractCampaigns.ts";
import { journeyContract } from "../storeContractJourney.ts";
import { stageTimeContract } from "../storeContractStageTime.ts";
import { chartReadsContract } from "../storeContractCharts.ts";
import { cohortContract } from "../storeContractCohorts.ts";
import { lifecycleContract } from "../storeContractLifecycle.ts";
import { migrations } from "./sqliteSchema.ts";
import { openSqliteStore } from "./sqliteStore.ts";

storeContract("sqlite", async (dir, options) => openSqliteStore({ path: join(dir, "crm.sqlite"), ...options }));
segmentsContract("sqlite", async (dir, options) => openSqliteStore({ path: join(dir, "crm.sqlite"), ...options }));
campaignStatsContract("sqlite", async (dir, options) => openSqliteStore({ path: join(dir, "crm.sqlite"), ...options }));
journeyContract("sqlite", async (dir, options) => openSqliteStore({ path: join(dir, "crm.sqlite"), ...options }));
stageTimeContract("sqlite", async (dir, options) => openSqliteStore({ path: join(dir, "crm.sqlite"), ...options }));
chartReadsContract("sqlite", async (dir, options) => openSqliteStore({ path: join(dir, "crm.sqlite"), ...options }));
cohortContract("sqlite", async (dir, options) => openSqliteStore({ path: join(dir, "crm.sqlite"), ...options }));
lifecycleContract("sqlite", async (dir, options) => openSqliteStore({ path: join(dir, "crm.sqlite"), ...options }));

/** Every column of every table (shadow tables of the search index too) that holds a personal trace, as "table.column: trace". */
function tracesInTables(path: string): string[] {
  const db = new DatabaseSync(path);
  const found: string[] = [];
  for (const table of db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all().map((row) => String(row["name"]))) {
    for (const column of db.prepare("SELECT name FROM pragma_table_info(?)").all(table).map((row) => String(row["name"]))) {
      const holds = db.prepare(
        `SELECT count(*) AS n FROM "${table}" WHERE instr(lower(CAST("${column}" AS TEXT)), ?1) > 0 OR instr(CAST("${column}" AS BLOB), CAST(?1 AS BLOB)) > 0`,
      );
      for (const trace of personalTraces) if (Number(holds.get(trace)?.["n"]) > 0) found.push(`${table}.${column}: ${trace}`);
    }
  }
  db.close();
  return found;
}

describe("sqlite store schema", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("creates the events and messages tables, the timers and effects tables, their indexes and the search index, in WAL mode", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-schema-"));
    dirs.push(dir);
    const path = join(dir, "crm.sqlite");
    const store = openSqliteStore({ path });
    await store.close();
    const db = new DatabaseSync(path);
    const names = db.prepare("SELECT name FROM sqlite_master").all().map((row) => row["name"]);
    expect(names).toEqual(
      expect.arrayContaining(["crm_events", "crm_messages", "crm_leads", "crm_leads_fts", "crm_events_by_user", "crm_events_by_type", "crm_messages_by_user", "crm_orders", "crm_orders_by_user", "crm_sessions",
        "crm_timers", "crm_timers_by_due", "crm_effects", "crm_effects_due", "crm_effects_by_actor"]),
    );
    expect(db.prepare("PRAGMA journal_mode").get()?.["journal_mode"]).toBe("wal");
    expect(db.prepare("PRAGMA user_version").get()?.["user_version"]).toBe(migrations.length);
    db.close();
  });

  it("orders a large match set by recency the same way as a small one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-search-"));
    dirs.push(dir);
    const orders: number[][] = [];
    for (const searchProbeCap of [2, 2_000]) {
      const store = openSqliteStore({ path: join(dir, `cap-${searchProbeCap}.sqlite`), searchProbeCap });
      const runtime = createCustomerRuntime({ store, clock: manualClock(1_000) });
      for (const userId of [5, 3, 9, 1, 7]) {
        await runtime.dispatch(userId, { type: "tags_changed", added: ["vip"], key: `t${userId}` });
        await runtime.dispatch(userId, { type: "catalog_view", key: `v${userId}`, at: 1_000 + userId * 10 });
      }
      await runtime.dispatch(4, { type: "start", key: "other" });
      const first = await store.search("vip", { limit: 3 });
      const second = await store.search("vip", { offset: 3, limit: 3 });
      orders.push([...first.items, ...second.items].map((lead) => lead.userId));
      expect(first.hasMore).toBe(true);
      expect(second.hasMore).toBe(false);
      await runtime.close();
      await store.close();
    }
    expect(orders[0]).toEqual([9, 7, 5, 3, 1]);
    expect(orders[1]).toEqual(orders[0]);
  });

  it("upgrades a database made by migration 1 in place, keeping its leads, log and search", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-schema-"));
    dirs.push(dir);
    const path = join(dir, "crm.sqlite");
    const old = new DatabaseSync(path);
    old.exec(`${migrations[0]}; PRAGMA user_version = 1;`);
    old.prepare("INSERT INTO crm_events (user_id, type, payload, ts, key) VALUES (1, 'start', ?, 1000, 's1')").run(JSON.stringify({ username: "anna_v1" }));
    old.prepare(
      `INSERT INTO crm_leads (user_id, username, source, first_seen_at, last_seen_at, stage, orders_count, lifetime_value, tags, notes,
       stage_entered_at, machine_version, snapshot, last_seq, search_text) VALUES (1, 'anna_v1', NULL, 1000, 1000, 'new', 0, 0, '[]', '[]', ?, 1, '{}', 1, 'anna v1')`,
    ).run(JSON.stringify({ new: 1000 }));
    old.exec("UPDATE crm_funnel SET count = 1 WHERE stage = 'new'");
    old.close();

    const store = openSqliteStore({ path, clock: manualClock(5_000) });
    expect(await store.lead(1)).toMatchObject({ username: "anna_v1", name: null, erasedAt: null, stage: "new" });
    expect((await store.search("anna")).items.map((lead) => lead.userId)).toEqual([1]);
    const runtime = createCustomerRuntime({ store, clock: manualClock(2_000) });
    expect(await runtime.dispatch(1, { type: "start", name: "Anna", key: "s2" })).toMatchObject({ stage: "new", duplicate: false });
    expect(await store.lead(1)).toMatchObject({ username: "anna_v1", name: "Anna", firstSeenAt: 1000 });
    await store.transact((tx) => tx.saveOrder({ ...orderJustPlaced, orderId: "SO-1", userId: 1, items: [], total: 1, currency: "RUB", phone: null, delivery: null, at: 2_000 }));
    await store.writeSession("chat:1", "{}");
    await runtime.close();
    await store.close();

    const db = new DatabaseSync(path);
    expect(db.prepare("PRAGMA user_version").get()?.["user_version"]).toBe(migrations.length);
    expect(db.prepare("SELECT key, value, updated_at FROM crm_sessions").all()).toEqual([{ key: "chat:1", value: "{}", updated_at: 5_000 }]);
    expect(db.prepare("SELECT count(*) AS n FROM crm_orders").get()?.["n"]).toBe(1);
    db.close();
  });

  it("upgrades a database made by migration 2 in place, filling the stage moves from the leads' stage dates", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-schema-"));
    dirs.push(dir);
    const path = join(dir, "crm.sqlite");
    const day = (iso: string) => Date.parse(iso);
    const old = new DatabaseSync(path);
    old.exec(`${migrations[0]}; ${migrations[1]}; PRAGMA user_version = 2;`);
    const insertLead = old.prepare(
      `INSERT INTO crm_leads (user_id, username, source, first_seen_at, last_seen_at, stage, orders_count, lifetime_value, tags, notes,
       stage_entered_at, machine_version, snapshot, last_seq, search_text) VALUES (?, NULL, NULL, ?, ?, ?, 0, 0, '[]', '[]', ?, 1, '{}', 0, '')`,
    );
    const first = day("2026-01-27T01:00:00Z");
    insertLead.run(1, first, first, "cart", JSON.stringify({ new: first, engaged: first + 1, cart: day("2026-01-28T01:00:00Z") }));
    insertLead.run(2, first, first, "customer", JSON.stringify({ new: first, customer: first + 2 }));
    insertLead.run(3, null, null, "new", "{}");
    insertLead.run(4, first, first, "engaged", "{not json");
    old.close();

    const store = openSqliteStore({ path });
    expect((await store.dailyStats("2026-01-27", "UTC")).stageMoves).toEqual({ new: 2, engaged: 1, customer: 1 });
    expect((await store.dailyStats("2026-01-28", "UTC")).stageMoves).toEqual({ cart: 1 });
    // The lead rows carry no event log here, so the runtime rebuilds customer 3 from this one event.
    const runtime = createCustomerRuntime({ store, clock: manualClock(day("2026-01-28T02:00:00Z")) });
    await runtime.dispatch(3, { type: "add_to_cart", productId: "p1", qty: 1, key: "3:cart" });
    expect((await store.dailyStats("2026-01-28", "UTC")).stageMoves).toEqual({ new: 1, cart: 2 });
    await runtime.close();
    await store.close();

    const db = new DatabaseSync(path);
    expect(db.prepare("PRAGMA user_version").get()?.["user_version"]).toBe(migrations.length);
    const rows = db.prepare("SELECT user_id, stage FROM crm_stage_moves ORDER BY user_id, stage").all();
    expect(rows.map((row) => `${row["user_id"]}:${row["stage"]}`)).toEqual(["1:cart", "1:engaged", "1:new", "2:customer", "2:new", "3:cart", "3:new"]);
    db.close();
  });

  it("counts a day's stage moves from their index, not from the leads", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-schema-"));
    dirs.push(dir);
    const path = join(dir, "crm.sqlite");
    await openSqliteStore({ path }).close();
    const db = new DatabaseSync(path);
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT count(*) AS n FROM crm_stage_moves WHERE stage = ? AND at >= ? AND at < ?")
      .all("cart", 0, 1)
      .map((row) => String(row["detail"]))
      .join("; ");
    db.close();
    expect(plan).toMatch(/USING COVERING INDEX crm_stage_moves_by_stage \(stage=\? AND at>\? AND at<\?\)/);
    expect(plan).not.toMatch(/crm_leads/);
  });

  it("upgrades a database made by migration 3 in place, with an empty mirror outbox that the next change fills", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-schema-"));
    dirs.push(dir);
    const path = join(dir, "crm.sqlite");
    const old = new DatabaseSync(path);
    old.exec(`${migrations[0]}; ${migrations[1]}; ${migrations[2]}; PRAGMA user_version = 3;`);
    const insertLead = old.prepare(
      `INSERT INTO crm_leads (user_id, username, source, first_seen_at, last_seen_at, stage, orders_count, lifetime_value, tags, notes,
       stage_entered_at, machine_version, snapshot, last_seq, search_text) VALUES (?, NULL, NULL, 1000, 1000, 'new', 0, 0, '[]', '[]', '{"new":1000}', 1, '{}', 0, '')`,
    );
    for (const userId of [1, 2]) insertLead.run(userId);
    old.prepare("INSERT INTO crm_orders (order_id, user_id, items, total, currency, at) VALUES ('SO-OLD', 1, '[]', 10, 'RUB', 1000)").run();
    old.close();

    const store = openSqliteStore({ path, clock: manualClock(9_000) });
    expect(await store.pendingMirrorCount()).toEqual({ leads: 0, orders: 0 });
    const runtime = createCustomerRuntime({ store, clock: manualClock(2_000) });
    await runtime.dispatch(2, { type: "catalog_view", key: "2:catalog" });
    expect(await store.pendingMirror("lead", 10)).toEqual([{ kind: "lead", ref: "2", version: 1, queuedAt: 9_000 }]);
    expect(await store.enqueueAllForMirror()).toBe(3);
    expect(await store.pendingMirror("lead", 10)).toEqual([
      { kind: "lead", ref: "2", version: 2, queuedAt: 9_000 },
      { kind: "lead", ref: "1", version: 1, queuedAt: 9_000 },
    ]);
    expect(await store.pendingMirror("order", 10)).toEqual([{ kind: "order", ref: "SO-OLD", version: 1, queuedAt: 9_000 }]);
    await runtime.close();
    await store.close();

    const db = new DatabaseSync(path);
    expect(db.prepare("PRAGMA user_version").get()?.["user_version"]).toBe(migrations.length);
    expect(db.prepare("SELECT count(*) AS n FROM crm_mirror_outbox").get()?.["n"]).toBe(3);
    db.close();
  });

  it("tells an update already in the log by one probe of the key index, without a scan or a sort", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-schema-"));
    dirs.push(dir);
    const path = join(dir, "crm.sqlite");
    await openSqliteStore({ path }).close();
    const db = new DatabaseSync(path);
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT key FROM crm_events WHERE key >= ? ORDER BY key LIMIT 1")
      .all("shop:5:")
      .map((row) => String(row["detail"]))
      .join("; ");
    db.close();
    expect(plan).toMatch(/SEARCH crm_events USING COVERING INDEX sqlite_autoindex_crm_events_1 \(key>\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE|SCAN/);
  });

  it("reads the mirror's oldest items by walking one index, without sorting", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-schema-"));
    dirs.push(dir);
    const path = join(dir, "crm.sqlite");
    await openSqliteStore({ path }).close();
    const db = new DatabaseSync(path);
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT ref, version, queued_at FROM crm_mirror_outbox WHERE kind = ? ORDER BY queued_at, seq LIMIT ?")
      .all("lead", 10)
      .map((row) => String(row["detail"]))
      .join("; ");
    db.close();
    expect(plan).toMatch(/USING INDEX crm_mirror_outbox_by_age \(kind=\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  it("queues 100,000 leads for a new sheet in one statement, quickly", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-schema-"));
    dirs.push(dir);
    const path = join(dir, "crm.sqlite");
    await openSqliteStore({ path }).close();
    const db = new DatabaseSync(path);
    db.exec(`INSERT INTO crm_leads (user_id, first_seen_at, last_seen_at, stage, orders_count, lifetime_value, tags, notes, stage_entered_at, machine_version, snapshot, last_seq)
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
      SELECT i, 200000 - i, 200000 - i, 'new', 0, 0, '[]', '[]', '{}', 1, '{}', 0 FROM n`);
    db.close();

    const store = openSqliteStore({ path, clock: manualClock(5_000) });
    await store.transact((tx) => tx.saveOrder({ ...orderJustPlaced, orderId: "SO-1", userId: 7, items: [], total: 1, currency: "RUB", phone: null, delivery: null, at: 1 }));
    const started = performance.now();
    expect(await store.enqueueAllForMirror()).toBe(100_001);
    const elapsed = performance.now() - started;
    expect(await store.pendingMirrorCount()).toEqual({ leads: 100_000, orders: 1 });
    // The first seen come first: user 100000 was seen first.
    expect((await store.pendingMirror("lead", 3)).map((item) => item.ref)).toEqual(["100000", "99999", "99998"]);
    await store.close();
    // About 0.2 s on a laptop; the bound only catches a statement per lead or a quadratic plan.
    expect(elapsed).toBeLessThan(5_000);
  });

  it("leaves no erased personal data in any row of any table, the search index's included", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-erase-"));
    dirs.push(dir);
    const path = join(dir, "crm.sqlite");
    const store = openSqliteStore({ path });
    const runtime = createCustomerRuntime({ store, clock: manualClock(1_000) });
    await seedPersonalData(runtime, store);
    expect(tracesInTables(path)).toEqual(expect.arrayContaining(["crm_messages.text: zamoskvorechye", "crm_leads_fts_data.block: quartzfan"]));
    await store.transact((tx) => tx.erasePersonalData(7));
    await runtime.dispatch(7, { type: "data_erased", key: "7:forget" });
    await runtime.close();
    await store.close();
    expect(tracesInTables(path)).toEqual([]);
  });

  it("refuses a database from a newer version of the program", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-schema-"));
    dirs.push(dir);
    const path = join(dir, "crm.sqlite");
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA user_version = ${migrations.length + 1}`);
    db.close();
    expect(() => openSqliteStore({ path })).toThrow(/newer than this program/);
  });
});
