import type { DatabaseSync } from "node:sqlite";
import { stageTimeMigration } from "./sqliteStageTime.ts";
import { cohortMigration } from "./sqliteCohorts.ts";
import { lifecycleMigration } from "./sqliteLifecycle.ts";
import { rebuildMigration } from "./sqliteRebuildMeta.ts";
import { migrations1to7 } from "./sqliteMigrations1to7.ts";
import { migrations8to11 } from "./sqliteMigrations8to11.ts";

/**
 * Schema migrations, applied in order and counted in `PRAGMA user_version`.
 * Never edit a shipped migration: append a new one.
 */
export const migrations: readonly string[] = [
  ...migrations1to7,
  ...migrations8to11,
  /* 12: a histogram of time in each stage and to the first order, kept by triggers on the lead's stage dates (issue 14). */ stageTimeMigration,
  /* 13: weekly cohorts of first-seen week by order week (issue 14). */ cohortMigration,
  /* 14: weekly lifecycle: new, returning, reactivated and dormant customers (issue 14). */ lifecycleMigration,
  /* 15: the running machine versions, and the funnel counts kept by triggers, for `npm run rebuild` (issue 14). */ rebuildMigration,
];

/**
 * Brings the database up to the newest schema, each migration in its own transaction. After any
 * migration the WAL is checkpointed and truncated: a migration may take data out (6 does), and
 * with `secure_delete` that leaves no old copy of it in either file.
 */
export function migrate(db: DatabaseSync): number {
  const row = db.prepare("PRAGMA user_version").get();
  const before = Number(row?.["user_version"] ?? 0);
  let version = before;
  if (version > migrations.length) {
    throw new Error(`the database schema (version ${version}) is newer than this program knows (${migrations.length})`);
  }
  for (const sql of migrations.slice(version)) {
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(sql);
      version += 1;
      db.exec(`PRAGMA user_version = ${version}`);
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  }
  if (version > before) db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return version;
}
