import { accessSync, constants, copyFileSync, existsSync, linkSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { dirname, resolve } from "node:path";
import { acquireProcessLock, StoreInUseError } from "../processLock.ts";
import { migrations } from "../sqlite/sqliteSchema.ts";
import { BackupRefused } from "./backupErrors.ts";
import { fileStamp, fsyncDir, fsyncFile } from "./durableFiles.ts";
import { CopyFailed, copyChecked, inspectShopDatabase, type CopyProgress, type ShopDatabase } from "./sqliteCopy.ts";

/** Which backup to put in place of which database. */
export interface SqliteRestoreOptions {
  /** The backup file to put in place. */
  readonly backup: string;
  /** DATABASE_PATH. */
  readonly path: string;
  readonly progress: CopyProgress;
  /** The moment in the name the previous database is kept under (default: now). */
  readonly now?: () => Date;
}

/** What a finished restore did. */
export interface RestoreResult extends ShopDatabase {
  readonly path: string;
  /** Where the previous database is kept, or null when there was none. */
  readonly keptAs: string | null;
}

function takeStore(path: string): () => void {
  try {
    return acquireProcessLock(`${path}.lock`);
  } catch (error) {
    if (!(error instanceof StoreInUseError)) throw error;
    throw new BackupRefused(`DATABASE_PATH: ${path} is in use by a running Shop CRM (it holds ${path}.lock); stop npm start, restore, then start it again`);
  }
}

function checkBackup(backup: string, path: string): ShopDatabase {
  if (!existsSync(backup)) throw new BackupRefused(`the backup file ${backup} does not exist`);
  if (resolve(backup) === resolve(path)) throw new BackupRefused(`the backup file is DATABASE_PATH itself (${path}); name the backup`);
  const found = inspectShopDatabase(backup, "the backup file");
  if (found.schemaVersion > migrations.length) {
    throw new BackupRefused(
      `the backup file ${backup} has schema version ${found.schemaVersion}, newer than this code's ${migrations.length}: restore it with the Shop CRM that wrote it, or a newer one`,
    );
  }
  return found;
}

/** Folds a stopped database's WAL into it, so the file alone is the whole database; a file SQLite cannot open is left as it is. */
function foldWal(path: string): void {
  if (!existsSync(`${path}-wal`)) return;
  try {
    const db = new DatabaseSync(path);
    try {
      db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } finally {
      db.close();
    }
  } catch {
    // Its -wal and -shm move aside with it below, so nothing is lost.
  }
}

/** Keeps the previous database as `<path>.before-restore-<time>`, its -wal and -shm (if any are left) beside it under the same name. */
function keepAside(path: string, at: Date): string {
  const aside = `${path}.before-restore-${fileStamp(at)}`;
  foldWal(path);
  // A hard link first: DATABASE_PATH stays the whole previous database until the rename replaces it.
  try {
    linkSync(path, aside);
  } catch {
    copyFileSync(path, aside);
    fsyncFile(aside);
  }
  for (const suffix of ["-wal", "-shm", "-journal"]) if (existsSync(`${path}${suffix}`)) renameSync(`${path}${suffix}`, `${aside}${suffix}`);
  return aside;
}

/**
 * `npm run restore` on SQLite: puts a backup in place of DATABASE_PATH while no process holds the
 * store (it takes the store's process lock for the whole restore, so `npm start` cannot begin
 * meanwhile). The backup must be a Shop CRM database of this schema or an older one (npm start
 * migrates it). It is copied beside DATABASE_PATH with `VACUUM INTO`, checked, fsync'd and renamed
 * over it: at every moment DATABASE_PATH is the whole old database or the whole restored one.
 */
export async function restoreSqlite(options: SqliteRestoreOptions): Promise<RestoreResult> {
  const { backup, path } = options;
  const found = checkBackup(backup, path);
  const dir = dirname(resolve(path));
  mkdirSync(dir, { recursive: true });
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new BackupRefused(`DATABASE_PATH: the folder ${dir} is not writable by this user`);
  }
  const release = takeStore(path);
  const temp = `${resolve(path)}.restore-${process.pid}`;
  try {
    rmSync(temp, { force: true });
    try {
      await copyChecked(backup, temp, found.usedBytes, options.progress);
    } catch (error) {
      if (error instanceof CopyFailed) throw new BackupRefused(`copying the backup to ${temp} failed: ${error.message}`);
      throw error;
    }
    fsyncFile(temp);
    const keptAs = existsSync(path) ? keepAside(path, (options.now ?? (() => new Date()))()) : null;
    renameSync(temp, path);
    fsyncDir(dir);
    return { ...found, path, keptAs };
  } finally {
    rmSync(temp, { force: true });
    release();
  }
}
