import { existsSync, statSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import pg from "pg";
import { databaseUrlSecrets, maskDatabaseUrl } from "../postgres/databaseUrl.ts";
import { pgAnalyticsBackfill } from "../postgres/pgAnalyticsSchema.ts";
import { migratePostgres } from "../postgres/pgMigrate.ts";
import { pgTypes } from "../postgres/pgTypes.ts";
import { migrations } from "../sqlite/sqliteSchema.ts";
import { copyTables, progressTableSql, type CopyProgress } from "./copyTables.ts";
import { MigrateRefused } from "./migrateArgs.ts";
import { checkSameShop } from "./sameShop.ts";
import { planTables, quoteIdent as q, type TablePlan } from "./tablePlan.ts";
import { verifyCopy, type Verified } from "./verifyCopy.ts";

/** What to copy where. */
export interface MigrateOptions {
  readonly from: string;
  readonly to: string;
  readonly progress: CopyProgress;
  readonly batchRows?: number;
  /** Customers replayed from the copy afterwards (default 100, or all when fewer). */
  readonly sample?: number;
}

/** An error's first line with every form of the URL's password taken out. */
export function redacted(error: unknown, url: string): string {
  let text = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
  for (const secret of databaseUrlSecrets(url)) text = text.replaceAll(secret, "***");
  return text.slice(0, 300);
}

/** The source, read-only and without the store's process lock: `npm start` may be serving it. */
function openSource(path: string): DatabaseSync {
  if (!existsSync(path)) throw new MigrateRefused(`--from: ${path} does not exist; there is no shop to copy`);
  if (!statSync(path).isFile()) throw new MigrateRefused(`--from: ${path} is not a file`);
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path, { readOnly: true, timeout: 5_000 });
    const version = Number(db.prepare("PRAGMA user_version").get()?.["user_version"] ?? 0);
    if (version > migrations.length) throw new MigrateRefused(`--from: ${path} has schema version ${version}, newer than this program knows (${migrations.length}); update Shop CRM first`);
    if (version === 0) throw new MigrateRefused(`--from: ${path} is not a Shop CRM store (it has no schema version)`);
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof MigrateRefused) throw error;
    throw new MigrateRefused(`--from: ${path} cannot be read as SQLite: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function connectTarget(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, types: pgTypes, connectionTimeoutMillis: 10_000 });
  client.on("error", () => {
    // A connection that dies fails the query in flight, which reports it.
  });
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new MigrateRefused(`--to: cannot reach PostgreSQL at ${maskDatabaseUrl(url)}: ${redacted(error, url)}`);
  }
}

/** Identity columns (sequence numbers, ids) continue after the largest value copied, so new rows never collide. */
async function advanceIdentities(client: pg.ClientBase, plans: readonly TablePlan[]): Promise<void> {
  const identities = await client.query<{ table_name: string; column_name: string }>(
    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES' AND table_name = ANY ($1)",
    [plans.map((plan) => plan.table)],
  );
  for (const { table_name: table, column_name: column } of identities.rows) {
    await client.query(`SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT max(${q(column)}) FROM ${q(table)}), 0) + 1, false)`, [q(table), column]);
  }
}

/** The copy loads rows with the analytics triggers off, which PostgreSQL allows a superuser or a user granted the setting. */
async function checkTriggersCanBeOff(client: pg.ClientBase): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SET LOCAL session_replication_role = replica");
  } catch (error) {
    throw new MigrateRefused(
      `--to: this user cannot turn the analytics triggers off for the copy (${error instanceof Error ? error.message.split("\n")[0] : String(error)}); connect as the database's superuser, or run GRANT SET ON PARAMETER session_replication_role TO <user> as one`,
    );
  } finally {
    await client.query("ROLLBACK").catch(() => undefined);
  }
}

async function finish(client: pg.ClientBase, plans: readonly TablePlan[]): Promise<void> {
  await advanceIdentities(client, plans);
  await client.query("BEGIN");
  try {
    await client.query(pgAnalyticsBackfill);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/**
 * `npm run migrate`: migrates the target's schema, refuses a target that holds another shop, copies the rows
 * (resumable), rebuilds the analytics projections once, and verifies the copy (counts, a replayed sample).
 */
export async function migrateShop(options: MigrateOptions): Promise<Verified> {
  const db = openSource(options.from);
  try {
    let plans: TablePlan[] = [];
    const client = await connectTarget(options.to);
    try {
      await migratePostgres(client).catch((error: unknown) => {
        throw new MigrateRefused(`--to: ${maskDatabaseUrl(options.to)}: ${redacted(error, options.to)}`);
      });
      await checkTriggersCanBeOff(client);
      await client.query(progressTableSql);
      await checkSameShop(db, client);
      plans = await planTables(db, client);
      await copyTables(db, client, plans, options.progress, options.batchRows);
      await finish(client, plans);
    } finally {
      await client.end().catch(() => undefined);
    }
    return await verifyCopy(db, options.to, plans, options.sample ?? 100);
  } finally {
    db.close();
  }
}
