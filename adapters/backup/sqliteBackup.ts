import { existsSync, renameSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { BackupRefused } from "./backupErrors.ts";
import { checkTarget, fsyncDir, fsyncFile } from "./durableFiles.ts";
import { CopyFailed, copyChecked, inspectShopDatabase, type CopyProgress, type ShopDatabase } from "./sqliteCopy.ts";

/** What to copy where. */
export interface SqliteBackupOptions {
  /** DATABASE_PATH of the store, running or not. */
  readonly source: string;
  /** The backup file to write. */
  readonly target: string;
  /** Replace `target` if it exists. */
  readonly force: boolean;
  readonly progress: CopyProgress;
}

/** What a finished backup holds, for its summary line and for tests. */
export interface BackupResult extends ShopDatabase {
  readonly target: string;
  /** The backup file's size. */
  readonly bytes: number;
}

/** The unfinished copy beside the target, removed on failure (and by the command on Ctrl-C). */
export const partialPathOf = (target: string): string => `${target}.partial-${process.pid}`;

function checkSource(source: string, target: string): void {
  if (!existsSync(source)) throw new BackupRefused(`DATABASE_PATH: ${source} does not exist; there is nothing to back up`);
  if (resolve(source) === resolve(target)) throw new BackupRefused(`the backup file is DATABASE_PATH itself (${source}); name another file`);
  if (existsSync(target) && !statSync(target).isFile()) throw new BackupRefused(`the backup file: ${target} exists and is not a file; --force replaces only a file`);
}

/**
 * `npm run backup` on SQLite: a consistent copy of the store while `npm start` serves it, without
 * its process lock. `VACUUM INTO` reads the database as of one moment in one read transaction (in
 * WAL mode the live process writes on meanwhile), writes a compact file with the WAL folded in and
 * no free pages, which is checked with `PRAGMA integrity_check`, fsync'd, and renamed into place:
 * the target is either the whole checked copy or untouched. The online backup API was not used:
 * it restarts from the first page whenever another connection writes, so a busy shop's backup
 * might never finish.
 */
export async function backupSqlite(options: SqliteBackupOptions): Promise<BackupResult> {
  const { source, target } = options;
  checkSource(source, target);
  checkTarget(target, options.force, "the backup file");
  const live = inspectShopDatabase(source, "DATABASE_PATH");
  const partial = partialPathOf(target);
  try {
    await copyChecked(source, partial, live.usedBytes, options.progress);
  } catch (error) {
    if (error instanceof CopyFailed) throw new BackupRefused(`writing ${partial} failed: ${error.message}`);
    throw error;
  }
  fsyncFile(partial);
  const copy = inspectShopDatabase(partial, "the backup");
  renameSync(partial, target);
  fsyncDir(dirname(resolve(target)));
  return { ...copy, target, bytes: statSync(target).size };
}
