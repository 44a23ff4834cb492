import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import type pg from "pg";
import { quoteIdent as q, type TablePlan } from "./tablePlan.ts";

/** Rows per batch: one SQLite read and one PostgreSQL transaction each. */
export const defaultBatchRows = 2_000;

/** Where a copy stands per table, in the target itself, so that a second run continues where the first stopped. */
export const progressTableSql = `CREATE TABLE IF NOT EXISTS crm_migrate_progress (
  table_name TEXT PRIMARY KEY,
  last_key   TEXT NOT NULL,
  copied     BIGINT NOT NULL,
  done       BOOLEAN NOT NULL DEFAULT false
)`;

/** A table's progress: the key of its last row copied (a JSON array), how many rows, whether it is finished. */
export interface TableProgress {
  readonly lastKey: readonly SQLInputValue[] | null;
  readonly copied: number;
  readonly done: boolean;
}

/** Told after each batch: rows copied so far over all tables, and rows the source holds. */
export type CopyProgress = (copied: number, total: number) => void;

/** The progress of every table a previous run began. */
export async function readProgress(client: pg.ClientBase): Promise<Map<string, TableProgress>> {
  const rows = await client.query<{ table_name: string; last_key: string; copied: number; done: boolean }>("SELECT table_name, last_key, copied, done FROM crm_migrate_progress");
  return new Map(rows.rows.map((row) => [row.table_name, { lastKey: JSON.parse(row.last_key) as SQLInputValue[], copied: Number(row.copied), done: row.done }]));
}

function keyColumns(plan: TablePlan): readonly string[] {
  return plan.sourceKey === "rowid" ? ["rowid"] : plan.sourceKey;
}

/** One batch from the source in key order, after `lastKey`; each row's key values come first, as `k0`, `k1`… */
function readBatch(db: DatabaseSync, plan: TablePlan, lastKey: readonly SQLInputValue[] | null, limit: number): Record<string, SQLInputValue>[] {
  const keys = keyColumns(plan);
  const keyList = keys.map((key) => (key === "rowid" ? "rowid" : q(key)));
  const select = [...keyList.map((key, index) => `${key} AS k${index}`), ...plan.columns.map((column) => (column.fromRowid ? `rowid AS ${q(column.name)}` : q(column.name)))].join(", ");
  const after = lastKey === null ? "" : `WHERE (${keyList.join(", ")}) > (${keys.map(() => "?").join(", ")})`;
  const sql = `SELECT ${select} FROM ${q(plan.table)} ${after} ORDER BY ${keyList.join(", ")} LIMIT ${limit}`;
  return db.prepare(sql).all(...(lastKey ?? [])) as Record<string, SQLInputValue>[];
}

function insertSql(plan: TablePlan): string {
  const names = plan.columns.map((column) => q(column.name));
  const arrays = plan.columns.map((column, index) => `$${index + 1}::${column.pgType}[]`).join(", ");
  const others = plan.columns.filter((column) => !plan.targetKey.includes(column.name));
  const onConflict = plan.targetKey.length === 0 ? "" : others.length === 0
    ? ` ON CONFLICT (${plan.targetKey.map(q).join(", ")}) DO NOTHING`
    : ` ON CONFLICT (${plan.targetKey.map(q).join(", ")}) DO UPDATE SET ${others.map((column) => `${q(column.name)} = excluded.${q(column.name)}`).join(", ")}`;
  return `INSERT INTO ${q(plan.table)} (${names.join(", ")}) SELECT * FROM unnest(${arrays})${onConflict}`;
}

/** Writes one batch and the table's new progress in one transaction, with the analytics triggers off. */
async function writeBatch(client: pg.ClientBase, plan: TablePlan, rows: readonly Record<string, SQLInputValue>[], progress: TableProgress): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SET LOCAL session_replication_role = replica");
    if (rows.length > 0) {
      const arrays = plan.columns.map((column) => rows.map((row) => row[column.name] ?? null));
      await client.query(insertSql(plan), arrays);
    }
    await client.query(
      `INSERT INTO crm_migrate_progress (table_name, last_key, copied, done) VALUES ($1, $2, $3, $4)
        ON CONFLICT (table_name) DO UPDATE SET last_key = excluded.last_key, copied = excluded.copied, done = excluded.done`,
      [plan.table, JSON.stringify(progress.lastKey), progress.copied, progress.done],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/** Rows each planned table of the source holds now, for the bar and the check afterwards. */
export function sourceCounts(db: DatabaseSync, plans: readonly TablePlan[]): Map<string, number> {
  return new Map(plans.map((plan) => [plan.table, Number(db.prepare(`SELECT count(*) AS n FROM ${q(plan.table)}`).get()?.["n"] ?? 0)]));
}

/**
 * Copies every planned table in key order, batch by batch, each batch with the table's progress in one target
 * transaction: a run stopped anywhere (a crash, Ctrl-C, SIGKILL) leaves whole batches and the key after which the
 * next run goes on. Every source read is one statement, so one read transaction per batch, without the store's lock.
 */
export async function copyTables(db: DatabaseSync, client: pg.ClientBase, plans: readonly TablePlan[], onProgress: CopyProgress, batchRows = defaultBatchRows): Promise<void> {
  const progress = await readProgress(client);
  const counts = sourceCounts(db, plans);
  const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
  let copied = [...progress.values()].reduce((sum, table) => sum + table.copied, 0);
  onProgress(Math.min(copied, total), total);
  for (const plan of plans) {
    let state = progress.get(plan.table) ?? { lastKey: null, copied: 0, done: false };
    while (!state.done) {
      const rows = readBatch(db, plan, state.lastKey, batchRows);
      const last = rows.at(-1);
      const lastKey = last === undefined ? state.lastKey : keyColumns(plan).map((_, index) => last[`k${index}`] ?? null);
      state = { lastKey, copied: state.copied + rows.length, done: rows.length < batchRows };
      await writeBatch(client, plan, rows, state);
      copied += rows.length;
      onProgress(Math.min(copied, total), total);
    }
  }
}
