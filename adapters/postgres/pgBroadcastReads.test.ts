import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BroadcastStore, RecipientRow } from "../../actors/broadcastStore.port.ts";
import type { CrmStore } from "../../actors/store.port.ts";
import { openSqliteStore } from "../sqlite/sqliteStore.ts";
import { pgBroadcasts } from "./pgBroadcastReads.ts";
import { migratePostgres } from "./pgMigrate.ts";
import { pgTypes } from "./pgTypes.ts";
import { openSyncBridge, type SyncBridge } from "./syncBridge.ts";
import { freshDatabase } from "./testing/freshDatabase.ts";

/** Runs the same calls on both stores' broadcasts and returns what each answered, to compare. */
async function script(store: BroadcastStore): Promise<unknown[]> {
  const seen: unknown[] = [];
  await store.registerBroadcast("b-2", 2_000);
  await store.registerBroadcast("b-1", 1_000);
  await store.registerBroadcast("b-3", 2_000);
  await store.registerBroadcast("b-1", 9_000);
  seen.push(store.broadcastIds(10), store.broadcastIds(2), store.broadcastIds(0), store.broadcastIds(-5));
  await store.addRecipients("b-1", [5, 3, 9, 3, 1]);
  await store.addRecipients("b-1", []);
  await store.addRecipients("b-2", [7]);
  seen.push(store.lastRecipient("b-1"), store.lastRecipient("b-404"));
  const sent: RecipientRow = { userId: 3, state: "sent", attempts: 1, reason: null, at: 1_500 };
  await store.recordRecipients("b-1", [sent, { userId: 5, state: "failed", attempts: 3, reason: "timeout", at: 1_600 }]);
  await store.recordRecipients("b-1", [
    { userId: 9, state: "sending", attempts: 1, reason: null, at: null },
    { userId: 9, state: "failed", attempts: 2, reason: null, at: 1_700 },
    { userId: 11, state: "skipped", attempts: 0, reason: "unsubscribed", at: 1_800 },
  ]);
  await store.recordRecipients("b-1", []);
  seen.push(
    store.recipients("b-1", ["pending"], 0, 10),
    store.recipients("b-1", ["sent", "failed", "skipped"], 3, 10),
    store.recipients("b-1", ["failed"], 0, 1),
    store.recipients("b-1", [], 0, 10),
    store.recipientCounts("b-1"),
    store.recipientCounts("b-404"),
  );
  await store.forgetBroadcast("b-1");
  seen.push(store.broadcastIds(10), store.recipientCounts("b-1"), store.lastRecipient("b-1"), store.recipientCounts("b-2"));
  return seen;
}

describe("PostgreSQL's broadcasts, call for call against SQLite's", () => {
  let dir: string;
  let sqlite: CrmStore;
  let pool: pg.Pool;
  let bridge: SyncBridge;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "crm-pg-broadcasts-"));
    sqlite = openSqliteStore({ path: join(dir, "crm.sqlite") });
    const url = await freshDatabase("broadcasts");
    pool = new pg.Pool({ connectionString: url, types: pgTypes });
    const client = await pool.connect();
    await migratePostgres(client);
    client.release();
    bridge = openSyncBridge(url);
  });

  afterAll(async () => {
    await sqlite.close();
    await bridge.close();
    await pool.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it("registers, snapshots recipients, records their states (a recipient given twice keeps the last), counts and forgets as SQLite does", async () => {
    const expected = await script(sqlite.broadcasts);
    const got = await script(pgBroadcasts(pool, (sql, params) => bridge.query(sql, params)));
    expect(got).toEqual(expected);
    expect(expected[0]).toEqual(["b-3", "b-2", "b-1"]);
  });
});
