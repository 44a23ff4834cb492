import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import pg from "pg";
import { StaleActorError, type CachedCustomerCheck, type UnitPlan } from "../../actors/staleActor.ts";
import type { CrmStore, MirrorItem, StoreTx } from "../../actors/store.port.ts";
import { pgCatalogWrites } from "./pgCatalogWrites.ts";
import { migratePostgres } from "./pgMigrate.ts";
import { pgQueries } from "./pgQueries.ts";
import { pgUseCohortTimeZone } from "./pgCohortSchema.ts";
import { syncPgLifecycleZone } from "./pgLifecycleSchema.ts";
import { erasureVacuum, type ErasureVacuumOptions } from "./pgErasureVacuum.ts";
import { claimableBy, pgQueues } from "./pgQueues.ts";
import { pgSessions } from "./pgSessions.ts";
import { mirrorRows, pgCoreWrites, pgErase } from "./pgTx.ts";
import { pgActorReads, prepareUnit } from "./pgActorReads.ts";
import { pgTypes } from "./pgTypes.ts";
import { PgUnitState } from "./pgUnitState.ts";
import { BridgeQueryError, openSyncBridge } from "./syncBridge.ts";
import { changesChannel, claimOwnerProblem, openPgDeployment, type PgDeployment } from "./pgDeployment.ts";
import type { Deployment } from "../../actors/deployment.port.ts";

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database`; never logged. */
  readonly url: string;
  /** Where a mirror item's `queuedAt` and a session's `updated_at` come from (default: the system clock); tests pass a manual one. */
  readonly clock?: { now(): number };
  /** How long a claim on a timer, an effect or a mirror item keeps other processes off it (default 5 minutes). */
  readonly leaseMs?: number;
  /** This process's name in claims (default: host, pid and a random tag, shared by every store the process opens). */
  readonly owner?: string;
  /** Connections of the pool the read side and sessions use (default 4). */
  readonly poolSize?: number;
  /** TIME_ZONE: the weekly lifecycle's weeks turn at its offset at open (default Europe/Moscow); the cohorts' weeks are rebuilt in it when given (as the SQLite store does). */
  readonly timeZone?: string;
  /**
   * Refuse to open while another process has this database open exclusively, and hold it so until
   * close: one process per database, as SQLite and JSON are. Off by default: PostgreSQL is the
   * store for several processes on one database.
   */
  readonly exclusive?: boolean;
  /** How often a process that does not lead tries the leader's lock again (default 2 s). */
  readonly leaderRetryMs?: number;
  /** The background VACUUM after `/forget`s (pgErasureVacuum.ts): its delay and where its one line per run goes. */
  readonly erasureVacuum?: ErasureVacuumOptions;
}

/**
 * The key of the session-level advisory lock an exclusive store holds: in the two-int key space,
 * apart from the customers' locks, which are their user ids in the bigint space.
 */
export const exclusiveLockKey = [15, 10] as const;

/** This process's name in claims; one per process, so that a store reopened in the same process finds its own claims. */
function ownerOf(options: PostgresStoreOptions): string {
  const owner = options.owner ?? processName;
  const problem = claimOwnerProblem(owner);
  if (problem !== null) throw new Error(problem);
  return owner;
}

/** The pool, the schema migrated and the zones synced, the exclusive lock when asked for, and the deployment's connection. */
async function openPool(options: PostgresStoreOptions, origin: string): Promise<{ pool: pg.Pool; holder: pg.PoolClient | null; deployment: PgDeployment }> {
  const pool = new pg.Pool({ connectionString: options.url, types: pgTypes, max: options.poolSize ?? 4 });
  pool.on("error", () => {
    // An idle connection that dies is replaced on the next query, which reports any lasting failure.
  });
  let holder: pg.PoolClient | null = null;
  try {
    if (options.exclusive) holder = await holdExclusively(pool);
    const client = await pool.connect();
    try {
      await migratePostgres(client);
    } finally {
      client.release();
    }
    await syncPgLifecycleZone(pool, options.timeZone ?? "Europe/Moscow", (options.clock ?? Date).now());
    if (options.timeZone !== undefined) await pgUseCohortTimeZone(pool, options.timeZone);
    const deployment = await openPgDeployment({ url: options.url, owner: ownerOf(options), origin, ...(options.leaderRetryMs !== undefined ? { retryMs: options.leaderRetryMs } : {}) });
    return { pool, holder, deployment };
  } catch (error) {
    holder?.release(true);
    await pool.end();
    throw error;
  }
}

/**
 * The third store: PostgreSQL, for several processes on one database (issue 15). The hot path of
 * the port stays synchronous through a worker thread (syncBridge.ts); a unit of work is one
 * transaction whose writes are buffered and sent in a few hops (pgUnit.ts), with per-customer
 * advisory locks and a version check, so that units of several processes on one customer apply in
 * order and a process never steps a snapshot another process moved on. The read side is pgQueries.ts.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<CrmStore & CachedCustomerCheck & { readonly deployment: Deployment }> {
  // This store's name in its notifications, so that it skips its own.
  const origin = randomBytes(6).toString("hex");
  const { pool, holder, deployment } = await openPool(options, origin);
  let contending = false;
  const bridge = openSyncBridge(options.url);
  const state = new PgUnitState(bridge);
  const vacuum = erasureVacuum(pool, options.erasureVacuum);
  const clock = options.clock ?? { now: () => Date.now() };
  const owner = ownerOf(options);
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  let open = true;
  let catalogVersion = 1;
  let catalogChanged = false;
  // Another process's catalog change: the next read rebuilds.
  deployment.onChange("catalog", () => void (catalogVersion += 1));
  const ensureOpen = (): void => {
    if (!open) throw new Error("the PostgreSQL store is closed");
  };

  const queueMirror = (kind: "lead" | "order", ref: string): void => state.unit().writeRow(mirrorRows, `${kind}:${ref}`, [kind, ref, state.unitTime]);
  const sessions = pgSessions(pool, ensureOpen, clock);
  // Broadcasts are the leader's once processes contend for it; a store nobody contends with fires them all.
  const durable = pgQueues(state, pool, { owner, leaseMs, wallClock: () => Date.now(), firesBroadcasts: () => !contending || deployment.leading() });
  const tx: StoreTx & { prepareUnit(plan: UnitPlan): void } = {
    ...pgCoreWrites(state, queueMirror),
    ...durable.writes,
    ...pgCatalogWrites(state, () => {
      // The other processes rebuild their catalogs when this unit commits (a rolled-back unit tells nobody).
      if (!catalogChanged) state.unit().write("SELECT pg_notify($1, $2)", [changesChannel, `catalog ${origin}`]);
      catalogChanged = true;
    }),
    erasePersonalData(userId, sessionKeys = []) {
      pgErase(state, userId);
      sessions.drop(sessionKeys);
      for (const key of sessionKeys) state.unit().write("DELETE FROM crm_sessions WHERE key = $1", [key]);
      vacuum.erased();
    },
    prepareUnit(plan) {
      prepareUnit(state, plan);
    },
  };

  const reads = pgQueries(pool, { query: (sql, params = []) => (ensureOpen(), state.read(sql, params)) });

  return {
    ...reads,
    ...durable.queues,
    kind: "postgres",
    catalogVersion: () => catalogVersion,
    // Once npm start contends, broadcasts' timers are left to the leader.
    deployment: { ...deployment, contend: (onLeading) => ((contending = true), deployment.contend(onLeading)) },

    ...pgActorReads(state, pool, ensureOpen),

    transact<R>(work: (tx: StoreTx) => R): Promise<R> {
      if (!open) return Promise.reject(new Error("the PostgreSQL store is closed"));
      catalogChanged = false;
      const done = runUnit(state, clock.now(), () => work(tx), () => {
        catalogChanged = false;
      });
      if (catalogChanged) catalogVersion += 1;
      return done;
    },

    async close() {
      if (!open) return;
      await sessions.flush().catch(() => undefined);
      open = false;
      await vacuum.close();
      await closeConnections({ deployment, bridge, holder, pool });
    },

    readSession: sessions.readSession,
    writeSession: sessions.writeSession,
    deleteSession: sessions.deleteSession,

    ...mirrorOutbox(pool, ensureOpen, clock, owner, leaseMs),
  };
}

/** The store's connections, closed: the deployment's (its leadership goes with it), the bridge's, the exclusive lock's, the pool. */
async function closeConnections(connections: { deployment: PgDeployment; bridge: { close(): Promise<void> }; holder: pg.PoolClient | null; pool: pg.Pool }): Promise<void> {
  const { holder } = connections;
  await connections.deployment.close();
  await connections.bridge.close();
  if (holder) {
    // Unlocked before the connection goes, so that a reopen right after finds it free.
    await holder.query("SELECT pg_advisory_unlock($1, $2)", [...exclusiveLockKey]).catch(() => undefined);
    holder.release(true);
  }
  await connections.pool.end();
}

/** One unit of work on the bridge's connection: committed whole, or rolled back (`rolledBack` told) and rejected. */
function runUnit<R>(state: PgUnitState, at: number, work: () => R, rolledBack: () => void): Promise<R> {
  const unit = state.begin(at);
  try {
    const result = work();
    unit.commit();
    state.end(true);
    return Promise.resolve(result);
  } catch (error) {
    try {
      unit.rollback();
    } catch {
      // The connection is gone: the server rolls the transaction back itself.
    }
    state.end(false);
    rolledBack();
    return Promise.reject(retryableFailure(error));
  }
}

/** PostgreSQL's codes for a transaction it rolled back because it met another one: a deadlock, a serialization failure. */
const metAnotherUnit = new Set(["40P01", "40001"]);

/**
 * A unit PostgreSQL rolled back because it met another process's unit on a shared row (the
 * projections' counters; a deadlock is found after `deadlock_timeout`) kept nothing: the runtime
 * runs it again from the store, as it does a unit on a customer another process moved on.
 */
export function retryableFailure(error: unknown): unknown {
  if (!(error instanceof BridgeQueryError) || error.code === undefined || !metAnotherUnit.has(error.code)) return error;
  return new StaleActorError([], [], `met another process's unit on a shared row (PostgreSQL ${error.code}: ${error.message}); nothing of it was kept`);
}

/** The host (as much of it as fits the connection's name), the pid and a random tag. */
const processName = `${hostname().replace(/[^A-Za-z0-9.-]/g, "").slice(0, 30) || "host"}:${process.pid}:${randomBytes(3).toString("hex")}`;

/** Takes the exclusive lock on a connection of its own, held until close; refuses if another process holds it. */
async function holdExclusively(pool: pg.Pool): Promise<pg.PoolClient> {
  const client = await pool.connect();
  const { rows } = await client.query("SELECT pg_try_advisory_lock($1, $2) AS held", [...exclusiveLockKey]);
  if (rows[0]?.["held"] !== true) {
    client.release();
    throw new Error("another Shop CRM process is using this store (PostgreSQL, opened exclusively)");
  }
  return client;
}

/** The Sheets mirror's outbox on the pool; items are claimed for a lease, so two processes never mirror the same one at once. */
function mirrorOutbox(pool: pg.Pool, ensureOpen: () => void, clock: { now(): number }, owner: string, leaseMs: number): Pick<CrmStore, "pendingMirror" | "completeMirror" | "enqueueAllForMirror" | "pendingMirrorCount"> {
  return {
    async pendingMirror(kind, limit) {
      ensureOpen();
      const { rows } = await pool.query(
        `UPDATE crm_mirror_outbox o SET claimed_by = $3, claimed_until = $4::bigint + $5::bigint
         FROM (SELECT kind, ref FROM crm_mirror_outbox WHERE kind = $1 AND ${claimableBy("$3", "$4::bigint")}
               ORDER BY queued_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED) due
         WHERE o.kind = due.kind AND o.ref = due.ref RETURNING o.ref, o.version, o.queued_at, o.seq`,
        [kind, Math.max(0, Math.floor(limit)), owner, Date.now(), leaseMs],
      );
      return rows
        .sort((a, b) => Number(a["queued_at"]) - Number(b["queued_at"]) || Number(a["seq"]) - Number(b["seq"]))
        .map((row): MirrorItem => ({ kind, ref: String(row["ref"]), version: Number(row["version"]), queuedAt: Number(row["queued_at"]) }));
    },
    async completeMirror(items) {
      ensureOpen();
      if (items.length === 0) return;
      await pool.query(
        "DELETE FROM crm_mirror_outbox o USING unnest($1::text[], $2::text[], $3::bigint[]) AS d(kind, ref, version) WHERE o.kind = d.kind AND o.ref = d.ref AND o.version = d.version",
        [items.map((item) => item.kind), items.map((item) => item.ref), items.map((item) => item.version)],
      );
    },
    async enqueueAllForMirror() {
      ensureOpen();
      const at = clock.now();
      const bump = "ON CONFLICT (kind, ref) DO UPDATE SET version = crm_mirror_outbox.version + 1";
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const leads = await client.query(`INSERT INTO crm_mirror_outbox (kind, ref, version, queued_at) SELECT 'lead', user_id::text, 1, $1 FROM crm_leads ORDER BY first_seen_at, user_id ${bump}`, [at]);
        const orders = await client.query(`INSERT INTO crm_mirror_outbox (kind, ref, version, queued_at) SELECT 'order', order_id, 1, $1 FROM crm_orders ORDER BY at, order_id ${bump}`, [at]);
        await client.query("COMMIT");
        return (leads.rowCount ?? 0) + (orders.rowCount ?? 0);
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async pendingMirrorCount() {
      ensureOpen();
      const counts = { leads: 0, orders: 0 };
      for (const row of (await pool.query("SELECT kind, count(*) AS n FROM crm_mirror_outbox GROUP BY kind")).rows) {
        if (row["kind"] === "lead") counts.leads = Number(row["n"]);
        else if (row["kind"] === "order") counts.orders = Number(row["n"]);
      }
      return counts;
    },
  };
}
