/**
 * A fault for `npm start` children, loaded with `node --import <this file>`: with
 * SHOP_CRM_TEST_KILL_AT_WAL_TRUNCATE=1 the process SIGKILLs itself when the SQLite store first runs
 * its prepared `PRAGMA wal_checkpoint(TRUNCATE)`, which it does right after committing an erasure:
 * the erasure is durable, and the WAL and the file still hold the pages from before it.
 */
import { StatementSync, type SQLInputValue } from "node:sqlite";

/** The `nodeArgs` of `startMain` that load this fault. */
export const killAtWalTruncateArgs = ["--import", new URL(import.meta.url).pathname] as const;

if (process.env["SHOP_CRM_TEST_KILL_AT_WAL_TRUNCATE"] === "1") {
  const get = StatementSync.prototype.get;
  StatementSync.prototype.get = function (this: StatementSync, ...args: SQLInputValue[]) {
    if (this.sourceSQL === "PRAGMA wal_checkpoint(TRUNCATE)") process.kill(process.pid, "SIGKILL");
    return Reflect.apply(get, this, args) as ReturnType<typeof get>;
  } as typeof get;
}
