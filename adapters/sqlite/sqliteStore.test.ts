import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { createCustomerRuntime } from "../../actors/customerRuntime.ts";
import { manualClock, storeContract } from "../storeContract.ts";
import { migrations } from "./sqliteSchema.ts";
import { openSqliteStore } from "./sqliteStore.ts";

storeContract("sqlite", async (dir) => openSqliteStore({ path: join(dir, "crm.sqlite") }));

describe("sqlite store schema", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("creates the events and messages tables, their indexes and the search index, in WAL mode", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-schema-"));
    dirs.push(dir);
    const path = join(dir, "crm.sqlite");
    const store = openSqliteStore({ path });
    await store.close();
    const db = new DatabaseSync(path);
    const names = db.prepare("SELECT name FROM sqlite_master").all().map((row) => row["name"]);
    expect(names).toEqual(expect.arrayContaining(["crm_events", "crm_messages", "crm_leads", "crm_leads_fts", "crm_events_by_user", "crm_events_by_type", "crm_messages_by_user"]));
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
