import pg from "pg";
import { describeError, silentLogger, type Logger } from "../../actors/log.port.ts";

/**
 * The tables `/forget` rewrites or deletes from (pgTx.ts `pgErase`, the lead's save, the tags
 * trigger, the sessions): their old row versions hold the erased data until VACUUM, and in free
 * space inside their pages until a rewrite. The operator's `VACUUM (FULL)` names exactly these.
 */
export const erasureTables = [
  "crm_leads", "crm_events", "crm_messages", "crm_orders", "crm_actor_events", "crm_actor_states", "crm_effects", "crm_lead_tags", "crm_sessions",
] as const;

/**
 * The indexes whose keys are personal text. VACUUM leaves an erased key in them (a GIN entry with no
 * rows left stays; a deleted B-tree item stays in the page's free space), so they are rebuilt with
 * `REINDEX CONCURRENTLY`, which locks out neither reads nor writes and drops the old file.
 */
export const erasureTextIndexes = ["crm_leads_search", "crm_lead_tags_pkey"] as const;

const turnPollMs = 250;

/**
 * The session-level advisory lock a run holds, so that the processes of a deployment take turns
 * rather than rebuild one index at once: two-int key space, beside the exclusive store's [15, 10]
 * and the leader's [15, 20].
 */
export const erasureVacuumLockKey = [15, 30] as const;

/** `VACUUM (FULL)` of the erasure tables: the operator's maintenance command (an ACCESS EXCLUSIVE lock per table while it rewrites it). */
export const erasureVacuumFullSql = `VACUUM (FULL) ${erasureTables.join(", ")}`;

export interface ErasureVacuumOptions {
  /** How long after the last erasure the maintenance runs, so that a burst of `/forget`s costs one run (default 60 s). */
  readonly delayMs?: number;
  /** Where a run's outcome goes: one `erasure_vacuum` line per run, or one `erasure_vacuum_failed` (default: nowhere). */
  readonly log?: Logger;
}

/** The background maintenance after erasures; `close` cancels a run in progress and waits for it. */
export interface ErasureVacuum {
  /** An erasure was written (in a unit, maybe not yet committed): a run is due after the delay. */
  erased(): void;
  /** Resolves when no run is waiting or running (tests; a run failing resolves it too). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Debounced `VACUUM` of the erasure tables and `REINDEX CONCURRENTLY` of their text indexes, on a
 * pool connection, outside any unit. Neither takes a lock that stops the bots reading or writing
 * (SHARE UPDATE EXCLUSIVE). What it achieves, measured on PostgreSQL 18
 * (pgErasureVacuum.test.ts): no row version, live or dead, and no index holds the erased data any
 * more; the bytes may still lie in a heap page's unallocated space until a later write to that page
 * overwrites them, or the operator's `VACUUM (FULL)` rewrites the table. A failure is one log line.
 */
export function erasureVacuum(pool: pg.Pool, options: ErasureVacuumOptions = {}): ErasureVacuum {
  const delayMs = options.delayMs ?? 60_000;
  const log = options.log ?? silentLogger;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let backendPid: number | undefined;
  let again = false;
  let closed = false;
  const idleWaiters: Array<() => void> = [];

  const settle = (): void => {
    if (timer || running) return;
    for (const wake of idleWaiters.splice(0)) wake();
  };
  const schedule = (): void => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(start, delayMs);
    // A process that exits without closing the store is not kept alive for this.
    timer.unref();
  };
  const start = (): void => {
    timer = undefined;
    if (closed) return settle();
    running = runOnce().finally(() => {
      running = undefined;
      backendPid = undefined;
      if (again && !closed) {
        again = false;
        schedule();
      }
      settle();
    });
  };
  const runOnce = async (): Promise<void> => {
    const startedAt = Date.now();
    try {
      const client = await pool.connect();
      try {
        backendPid = Number((await client.query("SELECT pg_backend_pid() AS pid")).rows[0]?.["pid"]);
        await inTurn(client, () => closed, () => vacuumAndReindex(client, () => closed));
      } catch (error) {
        // A connection whose advisory lock may still be held goes, rather than back to the pool.
        client.release(true);
        throw error;
      }
      client.release();
      if (!closed) log.info("erasure_vacuum", { tables: erasureTables.length, indexes: erasureTextIndexes.length, ms: Date.now() - startedAt });
    } catch (error) {
      if (closed) return;
      log.warn("erasure_vacuum_failed", describeError(error));
    }
  };

  return {
    erased() {
      if (closed) return;
      if (running) again = true;
      else schedule();
    },
    idle() {
      if (!timer && !running) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      // Cancelled again until it ends: a cancel that lands between two statements cancels nothing.
      while (running) {
        const run = running;
        if (backendPid !== undefined) await cancelBackend(pool, backendPid).catch(() => undefined);
        await Promise.race([run, new Promise((resolve) => setTimeout(resolve, 100))]);
      }
      settle();
    },
  };
}

/** Cancels the run's statement from a connection of its own: the pool may have none free (one connection, the run's). */
async function cancelBackend(pool: pg.Pool, pid: number): Promise<void> {
  const client = new pg.Client({ ...pool.options, connectionTimeoutMillis: 5_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT pg_cancel_backend($1)", [pid]);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * `work` under the deployment-wide lock, released before the connection goes back to the pool. The
 * lock is tried, not waited for: a session waiting in `pg_advisory_lock` holds a snapshot, which the
 * holder's `REINDEX CONCURRENTLY` waits for in turn (a deadlock, seen in pgErasureVacuum.test.ts).
 */
async function inTurn(client: pg.PoolClient, stopped: () => boolean, work: () => Promise<void>): Promise<void> {
  for (;;) {
    if (stopped()) return;
    const { rows } = await client.query("SELECT pg_try_advisory_lock($1, $2) AS held", [...erasureVacuumLockKey]);
    if (rows[0]?.["held"] === true) break;
    await new Promise((resolve) => setTimeout(resolve, turnPollMs));
  }
  try {
    await work();
  } finally {
    await client.query("SELECT pg_advisory_unlock($1, $2)", [...erasureVacuumLockKey]);
  }
}

/**
 * One run: the leftovers of a rebuild cut short first (an invalid `_ccnew`/`_ccold` index, which
 * would otherwise cost every write), then VACUUM, then each text index rebuilt.
 */
async function vacuumAndReindex(client: pg.PoolClient, stopped: () => boolean): Promise<void> {
  const { rows } = await client.query(
    `SELECT i.relname AS name FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
     WHERE NOT x.indisvalid AND t.relname = ANY($1::text[]) AND i.relname ~ '_cc(new|old)[0-9]*$' AND pg_table_is_visible(i.oid)`,
    [[...erasureTables]],
  );
  const statements = [
    ...rows.map((row) => `DROP INDEX CONCURRENTLY IF EXISTS "${String(row["name"]).replaceAll('"', '""')}"`),
    `VACUUM ${erasureTables.join(", ")}`,
    ...erasureTextIndexes.map((index) => `REINDEX INDEX CONCURRENTLY ${index}`),
  ];
  for (const sql of statements) {
    if (stopped()) return;
    await client.query(sql);
  }
}
