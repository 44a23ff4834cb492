import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createCustomerRuntime, type CustomerRuntime } from "../../actors/customerRuntime.ts";
import type { LogFields, Logger } from "../../actors/log.port.ts";
import type { CrmStore } from "../../actors/store.port.ts";
import { manualClock, personalTraces, seedPersonalData } from "../storeContract.ts";
import { erasureTables, erasureVacuum, erasureVacuumFullSql, erasureVacuumLockKey } from "./pgErasureVacuum.ts";
import { openPostgresStore, type PostgresStoreOptions } from "./pgStore.ts";
import { freshDatabase, migratedDatabase } from "./testing/freshDatabase.ts";

type Line = { readonly level: string; readonly event: string } & LogFields;

function recordingLogger(): Logger & { readonly lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (event: string, fields: LogFields = {}) => void lines.push({ level, event, ...fields });
  return { lines, info: at("info"), warn: at("warn"), error: at("error") };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  cleanups.push(() => client.end());
  return client;
}

/** Customer 7 with personal data everywhere (the contract's seed), among 20 others whose rows stay. */
async function shopWithCustomer7(options: Partial<PostgresStoreOptions> = {}): Promise<{ url: string; store: CrmStore; runtime: CustomerRuntime; client: pg.Client }> {
  const url = await freshDatabase("erasure_vacuum");
  const store = await openPostgresStore({ url, ...options });
  const runtime = createCustomerRuntime({ store, clock: manualClock(Date.parse("2026-01-27T10:00:00Z")), maxActive: 100 });
  cleanups.push(async () => {
    await runtime.close();
    await store.close();
  });
  for (let user = 100; user < 120; user += 1) {
    await runtime.dispatch(user, { type: "start", username: `shopper${user}`, name: `Shopper ${user}`, key: `${user}:start` });
    await runtime.logMessage(user, { direction: "in", type: "text", text: `hello from shopper ${user}`, key: `${user}:m` });
  }
  await seedPersonalData(runtime, store);
  return { url, store, runtime, client: await connect(url) };
}

/** The server's files of every table, index and TOAST table of the database, after a CHECKPOINT wrote the dirty pages out. */
async function relationFiles(client: pg.Client, kinds: string): Promise<Array<{ name: string; path: string }>> {
  await client.query("CHECKPOINT");
  const dataDir = String((await client.query("SELECT current_setting('data_directory') AS dir")).rows[0]?.["dir"]);
  const { rows } = await client.query(
    `SELECT c.relname AS name, pg_relation_filepath(c.oid) AS path FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN ('public', 'pg_toast') AND c.relkind = ANY($1::"char"[]) AND pg_relation_filepath(c.oid) IS NOT NULL`,
    [kinds.split("")],
  );
  return rows.map((row) => ({ name: String(row["name"]), path: join(dataDir, String(row["path"])) }));
}

/** "relation: trace" for each file (with its 1 GB segments) holding a trace, case-folded. */
async function tracesInFiles(client: pg.Client, kinds: string): Promise<string[]> {
  const found: string[] = [];
  for (const { name, path } of await relationFiles(client, kinds)) {
    for (let segment = 0; existsSync(segment === 0 ? path : `${path}.${segment}`); segment += 1) {
      const text = readFileSync(segment === 0 ? path : `${path}.${segment}`).toString("latin1").toLowerCase();
      for (const trace of personalTraces) if (text.includes(trace)) found.push(`${name}: ${trace}`);
    }
  }
  return [...new Set(found)].sort();
}

/** "table: trace" for each row version of an erasure table or its TOAST table, live or dead, holding a trace (pageinspect). */
async function tracesInRowVersions(client: pg.Client): Promise<string[]> {
  await client.query("CREATE EXTENSION IF NOT EXISTS pageinspect");
  const { rows: relations } = await client.query(
    `SELECT c.oid::regclass::text AS rel FROM pg_class c WHERE c.oid = ANY(SELECT t::regclass FROM unnest($1::text[]) t)
     UNION ALL SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = ANY(SELECT t::regclass FROM unnest($1::text[]) t) AND reltoastrelid <> 0`,
    [[...erasureTables]],
  );
  const found: string[] = [];
  for (const { rel } of relations) {
    const { rows } = await client.query(
      `SELECT i.t_data FROM generate_series(0, (pg_relation_size($1::regclass) / current_setting('block_size')::int) - 1) p,
              LATERAL heap_page_items(get_raw_page($1::text, p::int)) i WHERE i.lp_len > 0 AND i.t_data IS NOT NULL`,
      [rel],
    );
    for (const row of rows) {
      const text = (row["t_data"] as Buffer).toString("latin1").toLowerCase();
      for (const trace of personalTraces) if (text.includes(trace)) found.push(`${String(rel)}: ${trace}`);
    }
  }
  return [...new Set(found)].sort();
}

describe("the background VACUUM after /forget on PostgreSQL", () => {
  it("leaves no row version, live or dead, and no index holding the erased customer's data, and says so in one line", async () => {
    const log = recordingLogger();
    const { runtime, client } = await shopWithCustomer7({ erasureVacuum: { delayMs: 0, log } });
    expect(await tracesInRowVersions(client)).not.toEqual([]);
    expect(await tracesInFiles(client, "i")).toEqual(expect.arrayContaining(["crm_leads_search: secretov", "crm_lead_tags_pkey: quartzfan"]));

    await runtime.forget(7, "7:forget");

    await vi.waitFor(async () => expect(await tracesInRowVersions(client)).toEqual([]), { timeout: 30_000, interval: 200 });
    await vi.waitFor(async () => expect(await tracesInFiles(client, "i")).toEqual([]), { timeout: 30_000, interval: 200 });
    await vi.waitFor(() => expect(log.lines.map((line) => line.event)).toEqual(["erasure_vacuum"]), { timeout: 30_000 });
    const { rows } = await client.query("SELECT count(*)::int AS n FROM crm_leads WHERE username LIKE 'shopper%'");
    expect(rows[0]?.["n"]).toBe(20);
  });

  it("the operator's VACUUM (FULL) of the erasure tables removes what the online VACUUM leaves in pages' free space", async () => {
    const log = recordingLogger();
    const { runtime, client } = await shopWithCustomer7({ erasureVacuum: { delayMs: 0, log } });
    await runtime.forget(7, "7:forget");
    await vi.waitFor(() => expect(log.lines.map((line) => line.event)).toEqual(["erasure_vacuum"]), { timeout: 30_000 });
    expect(await tracesInRowVersions(client)).toEqual([]);
    // VACUUM frees a dead row's space in its page without zeroing it (measured on PostgreSQL 18): the lead's page keeps the bytes.
    expect(await tracesInFiles(client, "rit")).toEqual(expect.arrayContaining(["crm_leads: secretov"]));

    await client.query(erasureVacuumFullSql);

    expect(await tracesInFiles(client, "rit")).toEqual([]);
    expect(await tracesInRowVersions(client)).toEqual([]);
  });

  it("runs once for a burst of erasures, and once more for an erasure during a run", async () => {
    const url = await migratedDatabase("erasure_vacuum");
    const migrating = await connect(url);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    cleanups.push(() => pool.end());
    const log = recordingLogger();
    const vacuum = erasureVacuum(pool, { delayMs: 50, log });
    cleanups.push(() => vacuum.close());

    for (let i = 0; i < 5; i += 1) vacuum.erased();
    await vacuum.idle();
    expect(log.lines.map((line) => line.event)).toEqual(["erasure_vacuum"]);

    const blocker = await connect(url);
    await blocker.query("BEGIN");
    await blocker.query("LOCK TABLE crm_leads IN SHARE UPDATE EXCLUSIVE MODE");
    vacuum.erased();
    await vi.waitFor(async () => expect(await vacuumsWaitingOnALock(migrating)).toBe(1), { timeout: 20_000, interval: 50 });
    vacuum.erased();
    vacuum.erased();
    await blocker.query("COMMIT");
    await vacuum.idle();
    expect(log.lines.map((line) => line.event)).toEqual(["erasure_vacuum", "erasure_vacuum", "erasure_vacuum"]);
  });

  it("takes turns with another process's run, through an advisory lock, and both succeed", async () => {
    const url = await migratedDatabase("erasure_vacuum");
    const watcher = await connect(url);
    const logs = [recordingLogger(), recordingLogger()];
    const vacuums = logs.map((log) => {
      const pool = new pg.Pool({ connectionString: url, max: 2 });
      const vacuum = erasureVacuum(pool, { delayMs: 0, log });
      cleanups.push(() => pool.end());
      cleanups.push(() => vacuum.close());
      return vacuum;
    });
    const blocker = await connect(url);
    await blocker.query("BEGIN");
    await blocker.query("LOCK TABLE crm_leads IN SHARE UPDATE EXCLUSIVE MODE");

    for (const vacuum of vacuums) vacuum.erased();
    await vi.waitFor(async () => expect(await vacuumsWaitingOnALock(watcher)).toBe(1), { timeout: 20_000, interval: 50 });
    await vi.waitFor(async () => expect(await waitingForTheTurn(watcher)).toEqual({ holders: 1, triers: 1, vacuums: 1 }), { timeout: 20_000, interval: 50 });
    await blocker.query("COMMIT");
    for (const vacuum of vacuums) await vacuum.idle();

    for (const log of logs) expect(log.lines.map((line) => `${line.event} ${String(line["message"] ?? "")}`)).toEqual(["erasure_vacuum "]);
  });

  it("drops the invalid index a rebuild cut short left behind", async () => {
    const url = await migratedDatabase("erasure_vacuum");
    const client = await connect(url);
    await client.query("INSERT INTO crm_messages (user_id, direction, type, text, ts) SELECT 1, 'in', 'text', 'hi', g FROM generate_series(1, 2) g");
    await expect(client.query("CREATE UNIQUE INDEX CONCURRENTLY crm_messages_by_user_ccnew ON crm_messages (user_id)")).rejects.toThrow(/could not create unique index/);
    expect(await invalidIndexes(client)).toEqual(["crm_messages_by_user_ccnew"]);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    cleanups.push(() => pool.end());
    const log = recordingLogger();
    const vacuum = erasureVacuum(pool, { delayMs: 0, log });

    vacuum.erased();
    await vacuum.idle();

    expect(await invalidIndexes(client)).toEqual([]);
    expect(log.lines.map((line) => line.event)).toEqual(["erasure_vacuum"]);
  });

  it("logs a failed run as one line and rejects nothing", async () => {
    const unmigrated = await freshDatabase("erasure_vacuum");
    const pool = new pg.Pool({ connectionString: unmigrated, max: 1 });
    cleanups.push(() => pool.end());
    const log = recordingLogger();
    const vacuum = erasureVacuum(pool, { delayMs: 0, log });

    vacuum.erased();
    await vacuum.idle();
    await vacuum.close();

    expect(log.lines).toEqual([{ level: "warn", event: "erasure_vacuum_failed", error: "error", message: 'relation "crm_leads" does not exist' }]);
    expect(JSON.stringify(log.lines)).not.toContain(new URL(unmigrated).password);
  });

  it("closing cancels a run waiting on a lock even when the run has the pool's only connection", async () => {
    const url = await migratedDatabase("erasure_vacuum");
    const watcher = await connect(url);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    cleanups.push(() => pool.end());
    const log = recordingLogger();
    const vacuum = erasureVacuum(pool, { delayMs: 0, log });
    const blocker = await connect(url);
    await blocker.query("BEGIN");
    await blocker.query("LOCK TABLE crm_orders IN SHARE UPDATE EXCLUSIVE MODE");
    vacuum.erased();
    await vi.waitFor(async () => expect(await vacuumsWaitingOnALock(watcher)).toBe(1), { timeout: 20_000, interval: 50 });

    await vacuum.close();

    expect(await vacuumsWaitingOnALock(watcher)).toBe(0);
    await blocker.query("COMMIT");
    expect(log.lines).toEqual([]);
  });

  it("closing the store cancels a run waiting on a lock, cleanly, and logs no failure", async () => {
    const log = recordingLogger();
    const { runtime, store, url, client } = await shopWithCustomer7({ erasureVacuum: { delayMs: 0, log } });
    const blocker = await connect(url);
    await blocker.query("BEGIN");
    await blocker.query("LOCK TABLE crm_messages IN SHARE UPDATE EXCLUSIVE MODE");
    await runtime.forget(7, "7:forget");
    await vi.waitFor(async () => expect(await vacuumsWaitingOnALock(client)).toBe(1), { timeout: 20_000, interval: 50 });

    await runtime.close();
    await store.close();

    expect(await vacuumsWaitingOnALock(client)).toBe(0);
    await blocker.query("COMMIT");
    expect(log.lines).toEqual([]);
  });
});


/** Sessions holding the turn, sessions that tried it and are not running anything else, and VACUUMs running. */
async function waitingForTheTurn(client: pg.Client): Promise<{ holders: number; triers: number; vacuums: number }> {
  const { rows } = await client.query(
    `SELECT (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1 AND objid = $2 AND objsubid = 2
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) AS holders,
            (SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle' AND query LIKE 'SELECT pg_try_advisory_lock%') AS triers,
            (SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'VACUUM crm_leads%' AND state = 'active') AS vacuums`,
    [...erasureVacuumLockKey],
  );
  return { holders: Number(rows[0]?.["holders"]), triers: Number(rows[0]?.["triers"]), vacuums: Number(rows[0]?.["vacuums"]) };
}

async function invalidIndexes(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query("SELECT i.relname AS name FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE NOT x.indisvalid ORDER BY 1");
  return rows.map((row) => String(row["name"]));
}

async function vacuumsWaitingOnALock(client: pg.Client): Promise<number> {
  const { rows } = await client.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'VACUUM crm_leads%' AND wait_event_type = 'Lock' AND datname = current_database()");
  return Number(rows[0]?.["n"]);
}
