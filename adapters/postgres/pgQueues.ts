import type { DurableQueues, EffectAttempt, NewEffect, StoreTx, TimerRow } from "../../actors/store.port.ts";
import type { PgQueryable } from "./pgRows.ts";
import type { RowKind } from "./pgUnit.ts";
import type { PgUnitState } from "./pgUnitState.ts";
import { deploymentAppPrefix } from "./pgDeployment.ts";
import { effectColumns, effectFromRow, timerColumns, timerFromRow } from "../storeRows.ts";

/** The writes of timers and effects that belong to a unit of work: buffered in it, rolled back with it. */
export type PgQueueWrites = Pick<StoreTx, "setTimer" | "cancelTimer" | "timerOf" | "replaceTimers" | "queueEffect" | "completeEffect">;

/**
 * Whether a row is this process's to claim (`owner` and `now` are the statement's parameters):
 * unclaimed, claimed by this process, its lease run out, or its claimer gone. A process is alive
 * while its deployment connection is (`application_name` = `shop-crm <owner>`, see pgDeployment.ts):
 * a process SIGKILLed, or cut off, drops it at once, so its claims are taken within a wake-up instead
 * of a whole lease; the lease stays the backstop for a claimer that hangs with its connection open.
 */
export const claimableBy = (owner: string, now: string): string =>
  `(claimed_by IS NULL OR claimed_by = ${owner} OR claimed_until < ${now} OR claimed_by NOT IN (SELECT substr(application_name, ${deploymentAppPrefix.length + 1}) FROM pg_stat_activity WHERE application_name LIKE '${deploymentAppPrefix}%'))`;

/** How often a process looks again at rows another live process holds, in case it dies holding them (ms). */
export const claimRecheckMs = 5_000;




/**
 * When this process may claim a row next: when it is due, unless another live process holds it,
 * then at its lease's end or at the next look ({@link claimRecheckMs}), whichever comes first. A row
 * another process holds is never a reason to wake at once (its owner fires it), nor to sleep through
 * that owner's death. `$1` owner, `$2` now.
 */
const claimableAt = `CASE WHEN ${claimableBy("$1", "$2")} THEN due_at ELSE least(greatest(due_at, claimed_until), $2 + ${claimRecheckMs}) END`;

const limitOf = (limit: number): number => (Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : 0);

/**
 * A hop's timer changes in three statements: what they leave of each `(actor, sendId)` is the last
 * change made to it (a replace clears the actor's others first), so the actors replaced are cleared,
 * the timers cancelled deleted, and the timers armed upserted; a (re)armed timer is nobody's claim.
 * Rows: `["clear", actor]`, `["cancel", actor, sendId]`, `["set", actor, sendId, dueAt, event, key]`.
 */
const timerChanges: RowKind = {
  name: "timers",
  build(rows) {
    const cleared = new Set<string>();
    const last = new Map<string, readonly unknown[]>();
    for (const row of rows) {
      const actor = String(row[1]);
      if (row[0] === "clear") {
        cleared.add(actor);
        for (const key of last.keys()) if (key.startsWith(`${actor}\u0000`)) last.delete(key);
      } else last.set(`${actor}\u0000${String(row[2])}`, row);
    }
    const cancels = [...last.values()].filter((row) => row[0] === "cancel");
    const sets = [...last.values()].filter((row) => row[0] === "set");
    const column = (list: readonly (readonly unknown[])[], index: number): unknown[] => list.map((row) => row[index]);
    return [
      ...(cleared.size > 0 ? [{ sql: "DELETE FROM crm_timers WHERE actor = ANY($1::text[])", params: [[...cleared]] }] : []),
      ...(cancels.length > 0
        ? [{ sql: "DELETE FROM crm_timers t USING unnest($1::text[], $2::text[]) AS d(a, s) WHERE t.actor = d.a AND t.send_id = d.s", params: [column(cancels, 1), column(cancels, 2)] }]
        : []),
      ...(sets.length > 0
        ? [{
            sql: `INSERT INTO crm_timers (${timerColumns}) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[])
                  ON CONFLICT (actor, send_id) DO UPDATE SET due_at = excluded.due_at, event = excluded.event, key = excluded.key, claimed_by = NULL, claimed_until = NULL`,
            params: [1, 2, 3, 4, 5].map((index) => column(sets, index)),
          }]
        : []),
    ];
  },
};

/**
 * Due timers, claimed: rows due by `$1` that no other process holds ({@link claimableBy}), locked with SKIP LOCKED so two processes never take the same row,
 * and marked with this process and a new lease. A timer fires once in the log in any case (its
 * event key); the claim keeps two processes from stepping it at once.
 */
const claimTimersSql = `UPDATE crm_timers t SET claimed_by = $3, claimed_until = $4 + $5
  FROM (SELECT actor, send_id FROM crm_timers WHERE due_at <= $1 AND ${claimableBy("$3", "$4")}
          AND ($6 OR actor NOT LIKE 'broadcast:%')
        ORDER BY due_at, key LIMIT $2 FOR UPDATE SKIP LOCKED) due
  WHERE t.actor = due.actor AND t.send_id = due.send_id
  RETURNING t.actor, t.send_id, t.due_at, t.event, t.key`;

/** Pending effects due by `$1`, claimed as timers are: delivered at least once, and by one process at a time while its lease runs. */
const claimEffectsSql = `UPDATE crm_effects e SET claimed_by = $3, claimed_until = $4 + $5
  FROM (SELECT id FROM crm_effects WHERE status = 'pending' AND next_at <= $1 AND ${claimableBy("$3", "$4")}
        ORDER BY next_at, id LIMIT $2 FOR UPDATE SKIP LOCKED) due
  WHERE e.id = due.id
  RETURNING e.id, ${effectColumns.split(", ").map((column) => `e.${column}`).join(", ")}`;

export interface PgQueueOptions {
  /** This process's name in claims. */
  readonly owner: string;
  /** How long a claim keeps other processes off a timer or an effect (ms). */
  readonly leaseMs: number;
  /** The wall clock leases are measured by (never a test's manual clock: leases are between processes). */
  readonly wallClock: () => number;
  /**
   * Whether this process fires broadcasts' timers (default always): with several processes only
   * the deployment's leader runs the broadcasts, so the others leave their timers to it.
   */
  readonly firesBroadcasts?: () => boolean;
}

/**
 * `crm_timers` and `crm_effects` on PostgreSQL: a unit's writes go into its transaction; the
 * scheduler's and the worker's reads are synchronous through the bridge, and claim what they
 * return (see `claimTimersSql`), so several processes share the queues without doing a row twice.
 */
export function pgQueues(state: PgUnitState, pool: PgQueryable, options: PgQueueOptions): { writes: PgQueueWrites; queues: DurableQueues } {
  const { owner, leaseMs, wallClock } = options;
  const firesBroadcasts = options.firesBroadcasts ?? (() => true);
  let change = 0;
  const timerChange = (row: readonly unknown[]): void => state.unit().writeRow(timerChanges, String(++change), row);
  const setTimer = (timer: TimerRow): void => timerChange(["set", timer.actor, timer.sendId, timer.dueAt, timer.event, timer.key]);

  const writes: PgQueueWrites = {
    setTimer,
    cancelTimer(actor, sendId) {
      timerChange(["cancel", actor, sendId]);
    },
    timerOf(actor, sendId) {
      const [row] = state.read(`SELECT ${timerColumns} FROM crm_timers WHERE actor = $1 AND send_id = $2`, [actor, sendId]);
      return row ? timerFromRow(row) : undefined;
    },
    replaceTimers(actor, timers) {
      for (const timer of timers) if (timer.actor !== actor) throw new Error(`replaceTimers(${actor}) was given a timer of ${timer.actor}`);
      timerChange(["clear", actor]);
      for (const timer of timers) setTimer(timer);
    },
    queueEffect(effect: NewEffect) {
      state.unit().write("INSERT INTO crm_effects (key, actor, type, params, created_at, next_at) VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (key) DO NOTHING", [
        effect.key, effect.actor, effect.type, effect.params, effect.createdAt,
      ]);
    },
    completeEffect(key) {
      state.unit().write("DELETE FROM crm_effects WHERE key = $1", [key]);
    },
  };

  const queues: DurableQueues = {
    dueTimers(until, limit) {
      const rows = state.read(claimTimersSql, [until, limitOf(limit), owner, wallClock(), leaseMs, firesBroadcasts()]).map(timerFromRow);
      return rows.sort((a, b) => a.dueAt - b.dueAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    nextTimerDue() {
      const due = state.read(`SELECT min(${claimableAt}) AS due FROM crm_timers WHERE $3 OR actor NOT LIKE 'broadcast:%'`, [owner, wallClock(), firesBroadcasts()])[0]?.["due"];
      return due === null || due === undefined ? null : Number(due);
    },
    timersOf(actor) {
      return state.read(`SELECT ${timerColumns} FROM crm_timers WHERE actor = $1 ORDER BY send_id`, [actor]).map(timerFromRow);
    },
    timersCount() {
      return Number(state.read("SELECT count(*) AS n FROM crm_timers")[0]?.["n"] ?? 0);
    },
    dueEffects(now, limit) {
      const rows = state.read(claimEffectsSql, [now, limitOf(limit), owner, wallClock(), leaseMs]);
      return rows.sort((a, b) => Number(a["next_at"]) - Number(b["next_at"]) || Number(a["id"]) - Number(b["id"])).map(effectFromRow);
    },
    nextEffectDue() {
      const due = state.read(`SELECT min(${claimableAt.replaceAll("due_at", "next_at")}) AS due FROM crm_effects WHERE status = 'pending'`, [owner, wallClock()])[0]?.["due"];
      return due === null || due === undefined ? null : Number(due);
    },
    effectsOf(actor) {
      return state.read(`SELECT ${effectColumns} FROM crm_effects WHERE actor = $1 ORDER BY id`, [actor]).map(effectFromRow);
    },
    effectsCount() {
      const counts = { pending: 0, failed: 0 };
      for (const row of state.read("SELECT status, count(*) AS n FROM crm_effects GROUP BY status")) {
        if (row["status"] === "pending") counts.pending = Number(row["n"]);
        else if (row["status"] === "failed") counts.failed = Number(row["n"]);
      }
      return counts;
    },
    async recordEffectAttempt(key: string, attempt: EffectAttempt) {
      await pool.query("UPDATE crm_effects SET attempts = $1, next_at = $2, status = $3, last_error = $4 WHERE key = $5", [
        attempt.attempts, attempt.nextAt, attempt.status, attempt.lastError, key,
      ]);
    },
  };

  return { writes, queues };
}
