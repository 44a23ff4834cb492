import type pg from "pg";
import { pgAnalyticsSchema } from "./pgAnalyticsSchema.ts";
import { pgDeferredCounters } from "./pgDeferredCounters.ts";
import { pgReadSchema } from "./pgReadSchema.ts";
import { pgCoreSchema } from "./pgSchema.ts";

/**
 * PostgreSQL's schema migrations, applied in order; migration n is `pgMigrations[n - 1]`.
 * Never edit a shipped migration: append a new one.
 */
export const pgMigrations: readonly string[] = [
  /* 1: the core schema: logs, leads with search, orders, sessions, outboxes, timers, effects, catalog, segments, broadcasts. */ pgCoreSchema,
  /* 2: the analytics projections kept by triggers: stage moves and times, segment rows, tags, cohorts, lifecycle, LTV, funnel counts. */ pgAnalyticsSchema,
  /* 3: what the read side's orderings need: orders' insertion order, leads by recency, event keys compared byte by byte. */ pgReadSchema,
  /* 4: the counters every unit touches kept at COMMIT, so that processes do not queue on them. */ pgDeferredCounters,
];

/**
 * The key of the transaction-level advisory lock every migration step holds: two processes starting at once on
 * one database take turns, and the second finds the work done. Any fixed 64-bit number unlikely to collide.
 */
export const migrationLockKey = 15_000_000_001n;

const versionTable = `CREATE TABLE IF NOT EXISTS crm_schema_version (
  version    INTEGER PRIMARY KEY,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`;

/** Runs one step in a transaction under the migration lock: applies the next migration if there is one. */
async function step(client: pg.ClientBase, migrations: readonly string[]): Promise<{ version: number; applied: boolean }> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [migrationLockKey.toString()]);
    await client.query(versionTable);
    const result = await client.query<{ version: number | null }>("SELECT max(version) AS version FROM crm_schema_version");
    const version = result.rows[0]?.version ?? 0;
    if (version > migrations.length) {
      throw new Error(`the database schema (version ${version}) is newer than this program knows (${migrations.length})`);
    }
    const sql = migrations[version];
    if (sql === undefined) {
      await client.query("COMMIT");
      return { version, applied: false };
    }
    try {
      await client.query(sql);
    } catch (error) {
      throw new Error(`PostgreSQL migration ${version + 1} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    await client.query("INSERT INTO crm_schema_version (version) VALUES ($1)", [version + 1]);
    await client.query("COMMIT");
    return { version: version + 1, applied: true };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/**
 * Brings a PostgreSQL database up to the newest schema, each migration in its own transaction, and returns the
 * version it is at. Refuses a database newer than this program, as SQLite's `migrate` does. Safe to run from several
 * processes at once: each step holds an advisory lock, so no migration runs twice. `client` must not be inside a
 * transaction; `migrations` is for tests.
 */
export async function migratePostgres(client: pg.ClientBase, migrations: readonly string[] = pgMigrations): Promise<number> {
  for (;;) {
    const { version, applied } = await step(client, migrations);
    if (!applied) return version;
  }
}
