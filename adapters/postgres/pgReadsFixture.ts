import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import pg from "pg";
import type { CrmStore } from "../../actors/store.port.ts";
import { openSqliteStore } from "../sqlite/sqliteStore.ts";
import { syncPgLifecycleZone } from "./pgLifecycleSchema.ts";
import { migratePostgres } from "./pgMigrate.ts";
import { pgQueries } from "./pgQueries.ts";
import { pgTypes } from "./pgTypes.ts";
import { openSyncBridge } from "./syncBridge.ts";

/**
 * A test store whose writes are the SQLite store's and whose reads are the PostgreSQL read side's,
 * so that the read contracts run unchanged against PostgreSQL before its write path exists: after
 * every committed unit, the rows SQLite wrote are copied into a PostgreSQL database of the store's
 * own, and PostgreSQL's triggers (migration 2) keep its projections from them, as its write path
 * will. Only rows that changed are written, so the triggers see the same inserts and updates.
 */

/** The tables the runtime writes that the read side reads, each with its key; leads first, so that an order finds its customer. */
const copiedTables = [
  { table: "crm_leads", key: "user_id" },
  { table: "crm_actor_states", key: "actor" },
  { table: "crm_orders", key: "order_id" },
  { table: "crm_events", key: "seq" },
  { table: "crm_messages", key: "id" },
  { table: "crm_actor_events", key: "seq" },
  { table: "crm_categories", key: "category_id" },
  { table: "crm_products", key: "product_id" },
  { table: "crm_catalog_log", key: "seq" },
] as const;

/** What was last copied of each table, by key: kept across a reopen of the same directory, as the database is. */
interface Copy {
  readonly url: string;
  readonly rows: Map<string, Map<string, string>>;
}
const copies = new Map<string, Copy>();

type Values = Record<string, unknown>;

/** PostgreSQL's writable columns of each copied table (a generated column is left out). */
async function writableColumns(pool: pg.Pool): Promise<Map<string, Set<string>>> {
  const result = await pool.query<{ table_name: string; column_name: string }>(
    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND is_generated = 'NEVER'",
  );
  const columns = new Map<string, Set<string>>();
  for (const row of result.rows) columns.set(row.table_name, (columns.get(row.table_name) ?? new Set()).add(row.column_name));
  return columns;
}

function changes(db: DatabaseSync, copy: Copy, pgColumns: Map<string, Set<string>>): { upserts: { table: string; key: string; row: Values }[]; deletes: { table: string; key: string; id: string }[] } {
  const upserts: { table: string; key: string; row: Values }[] = [];
  const deletes: { table: string; key: string; id: string }[] = [];
  for (const { table, key } of copiedTables) {
    const known = pgColumns.get(table) ?? new Set();
    // An order's rowid is its insertion order, which PostgreSQL keeps as `seq` when the schema has it.
    const extra = table === "crm_orders" && known.has("seq") ? "rowid AS seq, " : "";
    const seen = copy.rows.get(table) ?? new Map<string, string>();
    const now = new Map<string, string>();
    for (const raw of db.prepare(`SELECT ${extra}* FROM ${table}`).all()) {
      const row: Values = Object.fromEntries(Object.entries(raw).filter(([column]) => known.has(column)));
      const id = String(row[key]);
      const text = JSON.stringify(row);
      now.set(id, text);
      if (seen.get(id) !== text) upserts.push({ table, key, row });
    }
    for (const id of seen.keys()) if (!now.has(id)) deletes.push({ table, key, id });
    copy.rows.set(table, now);
  }
  return { upserts, deletes };
}

async function copyChanges(db: DatabaseSync, pool: pg.Pool, copy: Copy, pgColumns: Map<string, Set<string>>): Promise<void> {
  const { upserts, deletes } = changes(db, copy, pgColumns);
  if (upserts.length === 0 && deletes.length === 0) return;
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    for (const { table, key, row } of upserts) {
      const columns = Object.keys(row);
      const set = columns.filter((column) => column !== key).map((column) => `${column} = excluded.${column}`);
      await client.query(
        `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(", ")})
         ON CONFLICT (${key}) DO ${set.length === 0 ? "NOTHING" : `UPDATE SET ${set.join(", ")}`}`,
        Object.values(row),
      );
    }
    for (const { table, key, id } of deletes) await client.query(`DELETE FROM ${table} WHERE ${key}::text = $1`, [id]);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  } finally {
    client.release();
  }
}

export interface ReadsOverSqliteOptions {
  readonly clock?: { now(): number };
  readonly timeZone?: string;
  /** The read side's search walk (pgQueries.ts). */
  readonly searchWalk?: number;
  /** Makes the database of a new directory (the run's `freshDatabase`). */
  readonly freshDatabase: () => Promise<string>;
}

/** Opens (or reopens) the store of `dir`: SQLite's writes, PostgreSQL's reads. */
export async function openReadsOverSqlite(dir: string, options: ReadsOverSqliteOptions): Promise<CrmStore> {
  const sqlite = openSqliteStore({ path: join(dir, "crm.sqlite"), ...(options.clock ? { clock: options.clock } : {}), ...(options.timeZone ? { timeZone: options.timeZone } : {}) });
  let copy = copies.get(dir);
  if (!copy) {
    copy = { url: await options.freshDatabase(), rows: new Map() };
    copies.set(dir, copy);
  }
  const pool = new pg.Pool({ connectionString: copy.url, types: pgTypes, max: 4 });
  const client = await pool.connect();
  try {
    await migratePostgres(client);
  } finally {
    client.release();
  }
  // As SQLite's store does at open: the lifecycle's weeks at TIME_ZONE's offset, before any row is copied.
  await syncPgLifecycleZone(pool, options.timeZone ?? "Europe/Moscow", (options.clock ?? Date).now());
  const pgColumns = await writableColumns(pool);
  const bridge = openSyncBridge(copy.url);
  const reader = new DatabaseSync(join(dir, "crm.sqlite"), { readOnly: true });
  const current = copy;
  const sync = (): Promise<void> => copyChanges(reader, pool, current, pgColumns);
  await sync();
  const reads = pgQueries(pool, { query: (sql, params) => bridge.query(sql, params), ...(options.searchWalk === undefined ? {} : { searchWalk: options.searchWalk }) });
  return {
    ...sqlite,
    ...reads,
    kind: sqlite.kind,
    async transact(work) {
      const result = await sqlite.transact(work);
      await sync();
      return result;
    },
    async close() {
      await sqlite.close();
      reader.close();
      await bridge.close();
      await pool.end();
    },
  };
}
