import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { freshDatabase } from "./testing/freshDatabase.ts";
import { BridgeQueryError, openSyncBridge, type SyncBridge } from "./syncBridge.ts";

describe("the synchronous bridge to PostgreSQL", () => {
  const bridges: SyncBridge[] = [];
  afterEach(async () => {
    for (const bridge of bridges.splice(0)) await bridge.close();
  });

  it("returns a query's rows synchronously, BIGINT as numbers, in the order the queries were made", async () => {
    const bridge = openSyncBridge(await freshDatabase("bridge"));
    bridges.push(bridge);
    bridge.query("CREATE TABLE t (id BIGINT PRIMARY KEY, doc JSONB)");
    bridge.query("INSERT INTO t VALUES ($1, $2), ($3, $4)", [1_700_000_000_000, JSON.stringify({ a: 1 }), 2, null]);
    const rows = bridge.query<{ id: number; doc: unknown }>("SELECT id, doc FROM t ORDER BY id");
    expect(rows).toEqual([{ id: 2, doc: null }, { id: 1_700_000_000_000, doc: { a: 1 } }]);
    const [counted, summed] = bridge.batch([{ sql: "SELECT count(*) AS n FROM t", params: [] }, { sql: "SELECT sum(id) AS s FROM t", params: [] }]);
    expect(counted).toEqual({ ok: true, rows: [{ n: 2 }], rowCount: 1, command: "SELECT" });
    expect(summed).toEqual({ ok: true, rows: [{ s: 1_700_000_000_002 }], rowCount: 1, command: "SELECT" });
  });

  it("throws the server's error with its SQLSTATE, and keeps working after it", async () => {
    const bridge = openSyncBridge(await freshDatabase("bridge_error"));
    bridges.push(bridge);
    bridge.query("CREATE TABLE t (id BIGINT PRIMARY KEY)");
    bridge.query("INSERT INTO t VALUES (1)");
    let caught: unknown;
    try {
      bridge.query("INSERT INTO t VALUES (1)");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BridgeQueryError);
    expect((caught as BridgeQueryError).code).toBe("23505");
    expect(bridge.query("SELECT count(*) AS n FROM t")).toEqual([{ n: 1 }]);
  });

  it("answers each statement of a batch on its own: one that fails leaves the others' results", async () => {
    const bridge = openSyncBridge(await freshDatabase("bridge_batch"));
    bridges.push(bridge);
    bridge.query("CREATE TABLE t (id BIGINT PRIMARY KEY)");
    const results = bridge.batch([
      { sql: "INSERT INTO t VALUES (1), (2)", params: [] },
      { sql: "INSERT INTO t VALUES (2)", params: [] },
      { sql: "SELECT count(*) AS n FROM t", params: [] },
    ]);
    expect(results.map((result) => (result.ok ? result.rowCount : result.code))).toEqual([2, "23505", 1]);
    expect(results[2]).toMatchObject({ ok: true, rows: [{ n: 2 }] });
  });

  it("refuses a query after close, in one line", async () => {
    const bridge = openSyncBridge(await freshDatabase("bridge_closed"));
    expect(bridge.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    await bridge.close();
    expect(() => bridge.query("SELECT 1")).toThrow("the PostgreSQL store is closed");
  });

  it("fails a hop that the server does not answer in time, rather than blocking for ever", async () => {
    const bridge = openSyncBridge(await freshDatabase("bridge_timeout"), { timeoutMs: 200 });
    bridges.push(bridge);
    expect(() => bridge.query("SELECT pg_sleep(0.5)")).toThrow("did not answer within 200 ms");
    // The late answer to the hop that timed out is not taken for the next one's.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(bridge.query("SELECT 2 AS two")).toEqual([{ two: 2 }]);
  });

  it("opens a new connection after the server dropped its own, so the queries after it work", async () => {
    const url = await freshDatabase("bridge_lost");
    const bridge = openSyncBridge(url);
    bridges.push(bridge);
    const [{ pid } = { pid: 0 }] = bridge.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query("SELECT pg_terminate_backend($1)", [pid]);
    await admin.end();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const [again] = bridge.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    expect(again?.pid).toEqual(expect.any(Number));
    expect(again?.pid).not.toBe(pid);
  });
});
