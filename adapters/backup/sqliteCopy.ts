import { rmSync, statSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { Worker } from "node:worker_threads";
import { BackupRefused, firstLine, sqliteCodeOf } from "./backupErrors.ts";
import type { VacuumReply, VacuumRequest } from "./vacuumProtocol.ts";

const sqliteNotADatabase = 26;
const sqliteCantOpen = 14;

/** What a Shop CRM SQLite file holds, by its own account. */
export interface ShopDatabase {
  /** `PRAGMA user_version`: how many of the schema's migrations it has. */
  readonly schemaVersion: number;
  readonly customers: number;
  readonly events: number;
  /** The bytes of its pages in use: about the size of a compact copy. */
  readonly usedBytes: number;
}

function readShopDatabase(db: DatabaseSync, path: string, what: string): ShopDatabase {
  const number = (sql: string, column: string): number => Number(db.prepare(sql).get()?.[column] ?? 0);
  const schemaVersion = number("PRAGMA user_version", "user_version");
  const hasEvents = db.prepare("SELECT 1 AS yes FROM sqlite_schema WHERE type = 'table' AND name = 'crm_events'").get() !== undefined;
  if (schemaVersion < 1 || !hasEvents) throw new BackupRefused(`${what}: ${path} is a SQLite database, but not a Shop CRM store (it has no crm_events table)`);
  const pages = number("PRAGMA page_count", "page_count") - number("PRAGMA freelist_count", "freelist_count");
  return {
    schemaVersion,
    customers: number("SELECT count(*) AS n FROM crm_leads", "n"),
    events: number("SELECT count(*) AS n FROM crm_events", "n"),
    usedBytes: pages * number("PRAGMA page_size", "page_size"),
  };
}

/**
 * Opens `path` read-only and says what it holds, or refuses in one line (`what` names the
 * setting or the argument) when it is missing, not a SQLite database, or not a Shop CRM store.
 */
export function inspectShopDatabase(path: string, what: string): ShopDatabase {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { readOnly: true, timeout: 5_000 });
  } catch (error) {
    if (sqliteCodeOf(error) === sqliteCantOpen) throw new BackupRefused(`${what}: ${path} cannot be opened (missing, a folder, or not readable)`);
    throw error;
  }
  try {
    return readShopDatabase(db, path, what);
  } catch (error) {
    if (sqliteCodeOf(error) === sqliteNotADatabase) throw new BackupRefused(`${what}: ${path} is not a SQLite database`);
    throw error;
  } finally {
    db.close();
  }
}

/** Told how far a copy has got, in bytes written of about `total`; then once that the written copy is being checked. */
export type CopyProgress = (written: number, total: number, phase: "copying" | "checking") => void;

/** A copy that failed: what failed, in one line. */
export class CopyFailed extends Error {
  override readonly name = "CopyFailed";
}

/**
 * Writes a compact, consistent copy of the SQLite database `source` to the new file `into` with
 * `VACUUM INTO` (one read transaction: the copy is the database as of one moment, WAL folded in),
 * then checks the copy with `PRAGMA integrity_check`. The work runs in a worker thread while this
 * one reports the copy's growing size against `expectedBytes`. On any failure `into` is removed.
 */
export function copyChecked(source: string, into: string, expectedBytes: number, progress: CopyProgress): Promise<void> {
  const request: VacuumRequest = { source, into };
  const worker = new Worker(new URL("./vacuumWorker.ts", import.meta.url), { workerData: request });
  const size = (): number => {
    try {
      return statSync(into).size;
    } catch {
      return 0;
    }
  };
  progress(0, expectedBytes, "copying");
  const timer = setInterval(() => progress(Math.min(size(), expectedBytes), expectedBytes, "copying"), 250);
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      rmSync(into, { force: true });
      reject(error);
    };
    worker.on("message", (reply: VacuumReply) => {
      if (reply.type === "copied") {
        clearInterval(timer);
        progress(expectedBytes, expectedBytes, "copying");
        progress(expectedBytes, expectedBytes, "checking");
      }
      else if (reply.type === "failed") fail(new CopyFailed(reply.message));
      else if (reply.problems.length > 0) fail(new CopyFailed(`the copy failed its integrity check: ${reply.problems.slice(0, 3).join("; ")}`));
      else {
        settled = true;
        clearInterval(timer);
        resolve();
      }
    });
    worker.on("error", (error) => fail(new CopyFailed(firstLine(error))));
    worker.on("exit", () => fail(new CopyFailed("the copying thread stopped before it finished")));
  });
}
