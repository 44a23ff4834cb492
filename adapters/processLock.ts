import { DatabaseSync } from "node:sqlite";
import { truncateSync } from "node:fs";

/** Another process holds the store: two runtimes writing one store would each trust a stale cache. */
export class StoreInUseError extends Error {
  override readonly name = "StoreInUseError";
  /** The lock file that is held. */
  readonly path: string;

  constructor(path: string) {
    super(`${path} is locked: another Shop CRM process is using this store; stop it first (one process per store)`);
    this.path = path;
  }
}

const sqliteBusy = 5;
const sqliteNotADatabase = 26;

const sqliteCode = (error: unknown): number | undefined =>
  error instanceof Error && "errcode" in error && typeof error.errcode === "number" ? error.errcode : undefined;

/** Opens `path` as a SQLite database and holds an exclusive lock on it until the connection closes. */
function lockConnection(path: string): DatabaseSync {
  const db = new DatabaseSync(path, { timeout: 0 });
  try {
    // MEMORY: no `-journal` file beside the lock, so a SIGKILL leaves nothing but the (empty) lock file.
    db.exec("PRAGMA journal_mode = MEMORY; PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;");
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Takes an exclusive lock on `path` that the kernel holds for this process, or throws
 * StoreInUseError while any process (this one included) holds it. Returns the release function.
 *
 * The lock is SQLite's own file lock on `path` (an empty SQLite database), held by an open
 * connection in an exclusive transaction. POSIX locks belong to the open file and die with the
 * process, so a crash or a SIGKILL frees the store at once, with no stale lock to take over; no
 * process id is involved, so a container's PID 1 after a restart, or two containers in their own PID
 * namespaces on one volume, are told apart correctly. Locks are per inode, so a symlink or a hard link
 * to the same file is the same lock; SQLite also tracks inodes within one process, so a second
 * store opened in this process is refused too. The file itself stays after release: only the
 * lock on it means anything.
 */
export function acquireProcessLock(path: string): () => void {
  let db: DatabaseSync;
  try {
    db = lockConnection(path);
  } catch (error) {
    if (sqliteCode(error) === sqliteBusy) throw new StoreInUseError(path);
    if (sqliteCode(error) !== sqliteNotADatabase) throw error;
    // A lock file of an older version (it held a process id as text): nobody can hold a SQLite lock on
    // it, so it is emptied in place (same inode, for any process that opens it meanwhile) and taken.
    truncateSync(path, 0);
    try {
      db = lockConnection(path);
    } catch (retry) {
      throw sqliteCode(retry) === sqliteBusy ? new StoreInUseError(path) : retry;
    }
  }
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    db.close();
  };
}
