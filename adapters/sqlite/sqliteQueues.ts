import type { DatabaseSync } from "node:sqlite";
import type { DurableQueues, EffectAttempt, NewEffect, StoreTx, TimerRow } from "../../actors/store.port.ts";
import { effectColumns, effectFromRow, timerColumns, timerFromRow } from "../storeRows.ts";

/** The writes of timers and effects that belong to a unit of work: run inside its transaction, rolled back with it. */
export type QueueWrites = Pick<StoreTx, "setTimer" | "cancelTimer" | "timerOf" | "replaceTimers" | "queueEffect" | "completeEffect">;




/** Armed timers due by `?1`, earliest first and then by key, at most `?2`: a walk of crm_timers_by_due from its start. */
export const dueTimersSql = "SELECT actor, send_id, due_at, event, key FROM crm_timers INDEXED BY crm_timers_by_due WHERE due_at <= ? ORDER BY due_at, key LIMIT ?";

/** Pending effects due by `?1`, by next time and then as queued, at most `?2`: a walk of the partial index of pending effects. */
export const dueEffectsSql =
  "SELECT key, actor, type, params, created_at, attempts, next_at, status, last_error FROM crm_effects INDEXED BY crm_effects_due WHERE status = 'pending' AND next_at <= ? ORDER BY next_at, id LIMIT ?";

/** A count or limit as SQLite's LIMIT takes it: a whole number, never negative (a negative LIMIT means none). */
const limitOf = (limit: number): number => (Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : 0);

/**
 * `crm_timers` and `crm_effects` (migration 7), every statement prepared once. The scheduler and the
 * worker read them through `queues`; a unit of work writes them through `writes`, on the same
 * connection and so inside its transaction.
 *
 * `dueTimers` and `dueEffects` walk an index from its start and stop after `limit` rows, so what
 * they cost depends on how many are due, not on how many wait. `timersCount` and `effectsCount`
 * count their table: for the inspector and the logs, not for a hot path.
 */
export function sqliteQueues(db: DatabaseSync, ensureOpen: () => void): { writes: QueueWrites; queues: DurableQueues; eraseEffectsOf(actor: string): void } {
  const sql = {
    setTimer: db.prepare(
      `INSERT INTO crm_timers (${timerColumns}) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (actor, send_id) DO UPDATE SET due_at = excluded.due_at, event = excluded.event, key = excluded.key`,
    ),
    cancelTimer: db.prepare("DELETE FROM crm_timers WHERE actor = ? AND send_id = ?"),
    timerOf: db.prepare(`SELECT ${timerColumns} FROM crm_timers WHERE actor = ? AND send_id = ?`),
    cancelAll: db.prepare("DELETE FROM crm_timers WHERE actor = ?"),
    dueTimers: db.prepare(dueTimersSql),
    nextTimerDue: db.prepare("SELECT min(due_at) AS due FROM crm_timers"),
    timersOf: db.prepare(`SELECT ${timerColumns} FROM crm_timers WHERE actor = ? ORDER BY send_id`),
    timersCount: db.prepare("SELECT count(*) AS n FROM crm_timers"),
    queueEffect: db.prepare(
      "INSERT INTO crm_effects (key, actor, type, params, created_at, next_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
    ),
    completeEffect: db.prepare("DELETE FROM crm_effects WHERE key = ?"),
    dueEffects: db.prepare(dueEffectsSql),
    nextEffectDue: db.prepare("SELECT min(next_at) AS due FROM crm_effects WHERE status = 'pending'"),
    effectsOf: db.prepare(`SELECT ${effectColumns} FROM crm_effects WHERE actor = ? ORDER BY id`),
    effectsCount: db.prepare("SELECT status, count(*) AS n FROM crm_effects GROUP BY status"),
    recordAttempt: db.prepare("UPDATE crm_effects SET attempts = ?, next_at = ?, status = ?, last_error = ? WHERE key = ?"),
    eraseEffects: db.prepare("DELETE FROM crm_effects WHERE actor = ?"),
  };

  const setTimer = (timer: TimerRow): void => void sql.setTimer.run(timer.actor, timer.sendId, timer.dueAt, timer.event, timer.key);

  const writes: QueueWrites = {
    setTimer,
    cancelTimer(actor, sendId) {
      sql.cancelTimer.run(actor, sendId);
    },
    timerOf(actor, sendId) {
      const row = sql.timerOf.get(actor, sendId);
      return row ? timerFromRow(row) : undefined;
    },
    replaceTimers(actor, timers) {
      sql.cancelAll.run(actor);
      for (const timer of timers) {
        if (timer.actor !== actor) throw new Error(`replaceTimers(${actor}) was given a timer of ${timer.actor}`);
        setTimer(timer);
      }
    },
    queueEffect(effect: NewEffect) {
      sql.queueEffect.run(effect.key, effect.actor, effect.type, effect.params, effect.createdAt, effect.createdAt);
    },
    completeEffect(key) {
      sql.completeEffect.run(key);
    },
  };

  const queues: DurableQueues = {
    dueTimers(until, limit) {
      ensureOpen();
      return sql.dueTimers.all(until, limitOf(limit)).map(timerFromRow);
    },
    nextTimerDue() {
      ensureOpen();
      const due = sql.nextTimerDue.get()?.["due"];
      return due === null || due === undefined ? null : Number(due);
    },
    timersOf(actor) {
      ensureOpen();
      return sql.timersOf.all(actor).map(timerFromRow);
    },
    timersCount() {
      ensureOpen();
      return Number(sql.timersCount.get()?.["n"] ?? 0);
    },
    dueEffects(now, limit) {
      ensureOpen();
      return sql.dueEffects.all(now, limitOf(limit)).map(effectFromRow);
    },
    nextEffectDue() {
      ensureOpen();
      const due = sql.nextEffectDue.get()?.["due"];
      return due === null || due === undefined ? null : Number(due);
    },
    effectsOf(actor) {
      ensureOpen();
      return sql.effectsOf.all(actor).map(effectFromRow);
    },
    effectsCount() {
      ensureOpen();
      const counts = { pending: 0, failed: 0 };
      for (const row of sql.effectsCount.all()) {
        if (row["status"] === "pending") counts.pending = Number(row["n"]);
        else if (row["status"] === "failed") counts.failed = Number(row["n"]);
      }
      return counts;
    },
    async recordEffectAttempt(key: string, attempt: EffectAttempt) {
      ensureOpen();
      // One statement outside any unit is its own transaction: durable once it returns.
      sql.recordAttempt.run(attempt.attempts, attempt.nextAt, attempt.status, attempt.lastError, key);
    },
  };

  return {
    writes,
    queues,
    eraseEffectsOf(actor) {
      sql.eraseEffects.run(actor);
    },
  };
}
