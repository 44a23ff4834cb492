import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { createCustomerRuntime } from "../../actors/customerRuntime.ts";
import { manualClock } from "../storeContract.ts";
import { migrations } from "./sqliteSchema.ts";
import { openSqliteStore } from "./sqliteStore.ts";

describe("sqlite migration 9: unsubscribed_at", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("upgrades a database made by migration 8 in place: its leads read as subscribed, and an unsubscribe is kept in the new column", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-schema-"));
    dirs.push(dir);
    const path = join(dir, "crm.sqlite");
    const old = new DatabaseSync(path);
    old.exec(`${migrations.slice(0, 8).join(";\n")}; PRAGMA user_version = 8;`);
    old
      .prepare(
        `INSERT INTO crm_leads (user_id, username, source, first_seen_at, last_seen_at, stage, orders_count, lifetime_value, tags, notes,
         stage_entered_at, machine_version, snapshot, last_seq, search_text) VALUES (1, 'anna', NULL, 1000, 1000, 'new', 0, 0, '[]', '[]', '{"new":1000}', 5, '{}', 0, 'anna')`,
      )
      .run();
    old.close();

    const store = openSqliteStore({ path });
    expect(await store.lead(1)).toMatchObject({ username: "anna", unsubscribedAt: null });
    const runtime = createCustomerRuntime({ store, clock: manualClock(5_000) });
    await runtime.dispatch(2, { type: "start", key: "2:start" });
    await runtime.dispatch(2, { type: "unsubscribed", key: "shop:9:unsubscribed" });
    await runtime.close();
    await store.close();

    const db = new DatabaseSync(path);
    expect(db.prepare("PRAGMA user_version").get()?.["user_version"]).toBe(migrations.length);
    expect(db.prepare("SELECT user_id, unsubscribed_at FROM crm_leads ORDER BY user_id").all().map((row) => ({ ...row }))).toEqual([
      { user_id: 1, unsubscribed_at: null },
      { user_id: 2, unsubscribed_at: 5_000 },
    ]);
    db.close();
  });
});
