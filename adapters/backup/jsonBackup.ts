import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { openJsonStore } from "../json/jsonStore.ts";
import { acquireProcessLock, StoreInUseError } from "../processLock.ts";
import { BackupRefused, firstLine } from "./backupErrors.ts";
import { checkTarget, fileStamp, fsyncDir, fsyncFile } from "./durableFiles.ts";

/** What a JSON store's copy holds. */
export interface JsonCopy {
  readonly customers: number;
  readonly files: number;
}

const storeFiles = ["events.jsonl", "actors.jsonl", "leads.json"];

function lockStopped(dir: string, what: string): () => void {
  try {
    return acquireProcessLock(join(dir, "LOCK"));
  } catch (error) {
    if (!(error instanceof StoreInUseError)) throw error;
    throw new BackupRefused(
      `${what}: ${dir} is in use by a running Shop CRM (it holds ${join(dir, "LOCK")}); the JSON store lives in that process's memory and is copied only while it is stopped: stop npm start, then run this again (a SQLite store backs up while it serves)`,
    );
  }
}

/** Copies a store's folder but its lock and the temporary files of unfinished rewrites (never the truth). */
function copyStoreDir(from: string, to: string): void {
  const root = resolve(from);
  const skipped = (path: string): boolean => resolve(dirname(path)) === root && (basename(path) === "LOCK" || /^\..*\.tmp$/.test(basename(path)));
  cpSync(root, to, { recursive: true, filter: (path) => !skipped(path) });
}

/** Every file under `dir`, then every folder, written to the disk. */
function fsyncTree(dir: string): number {
  let files = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files += fsyncTree(path);
    else if (entry.isFile()) {
      fsyncFile(path);
      files++;
    }
  }
  fsyncDir(dir);
  return files;
}

/** Opens a copied store as `npm start` would (a damaged one is refused), counts its customers, and closes it. */
async function checkCopy(dir: string, what: string): Promise<number> {
  try {
    const store = await openJsonStore({ dir });
    try {
      return (await store.funnel()).total;
    } finally {
      await store.close();
    }
  } catch (error) {
    throw new BackupRefused(`${what}: the copy in ${dir} does not open as a Shop CRM JSON store: ${firstLine(error)}`);
  } finally {
    rmSync(join(dir, "LOCK"), { force: true });
  }
}

/** Publishes the finished copy `from` as `to`, replacing (with `force`) what was there. */
function publish(from: string, to: string): void {
  if (existsSync(to)) {
    const replaced = `${to}.replaced-${process.pid}`;
    renameSync(to, replaced);
    renameSync(from, to);
    rmSync(replaced, { recursive: true, force: true });
  } else renameSync(from, to);
  fsyncDir(dirname(resolve(to)));
}

/**
 * `npm run backup` on the JSON store: a copy of its folder, taken only while no process holds it.
 * The running store keeps its state in memory and rewrites whole files (a `/forget`, a checkpoint's
 * fold), so files copied under it could pair a journal with the wrong checkpoint; rather than a copy
 * that might not be whole, the backup takes the store's lock for the copy and refuses while `npm start` runs.
 */
export async function backupJson(options: { readonly dir: string; readonly target: string; readonly force: boolean }): Promise<JsonCopy> {
  const { dir, target } = options;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new BackupRefused(`JSON_STORE_DIR: ${dir} does not exist; there is nothing to back up`);
  checkTarget(target, options.force, "the backup folder");
  const release = lockStopped(dir, "JSON_STORE_DIR");
  const partial = `${target}.partial-${process.pid}`;
  try {
    copyStoreDir(dir, partial);
    const customers = await checkCopy(partial, "the backup");
    const files = fsyncTree(partial);
    publish(partial, target);
    return { customers, files };
  } finally {
    rmSync(partial, { recursive: true, force: true });
    release();
  }
}

/**
 * `npm run restore` on the JSON store: puts a backup folder in place of JSON_STORE_DIR while no
 * process holds it. The backup is copied beside it, opened once to check it, fsync'd, and swapped
 * in by two renames; the previous folder is kept as `<dir>.before-restore-<time>`.
 */
export async function restoreJson(options: { readonly backup: string; readonly dir: string; readonly now?: () => Date }): Promise<JsonCopy & { readonly keptAs: string | null }> {
  const { backup, dir } = options;
  if (!existsSync(backup) || !statSync(backup).isDirectory()) throw new BackupRefused(`the backup folder ${backup} does not exist or is not a folder`);
  if (!storeFiles.some((name) => existsSync(join(backup, name)))) throw new BackupRefused(`the backup folder ${backup} is not a Shop CRM JSON store (it has none of ${storeFiles.join(", ")})`);
  if (resolve(backup) === resolve(dir)) throw new BackupRefused(`the backup folder is JSON_STORE_DIR itself (${dir}); name the backup`);
  mkdirSync(dirname(resolve(dir)), { recursive: true });
  const release = existsSync(dir) ? lockStopped(dir, "JSON_STORE_DIR") : () => {};
  const temp = `${resolve(dir)}.restore-${process.pid}`;
  try {
    copyStoreDir(backup, temp);
    const customers = await checkCopy(temp, "the backup folder");
    const files = fsyncTree(temp);
    const keptAs = existsSync(dir) ? `${resolve(dir)}.before-restore-${fileStamp((options.now ?? (() => new Date()))())}` : null;
    if (keptAs !== null) renameSync(dir, keptAs);
    renameSync(temp, dir);
    fsyncDir(dirname(resolve(dir)));
    return { customers, files, keptAs };
  } finally {
    rmSync(temp, { recursive: true, force: true });
    release();
  }
}
