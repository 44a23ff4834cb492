/**
 * The JSON store's timers and effect outbox: held in memory, rebuilt at open from the `t`, `f` and
 * `r` parts of `events.jsonl`'s lines, and changed, once a line is on disk, by the same steps. Meant
 * for a small shop: `dueTimers` and `dueEffects` look at every row, which costs nothing at a few
 * thousand and would at a million (the SQLite store reads an index instead).
 */
import type { DurableQueues, NewEffect, StoredEffect, StoreTx, TimerRow } from "../../actors/store.port.ts";
import type { AttemptRecord, EffectChanges, LogLine, TimerChanges } from "./jsonLogFormat.ts";

/** The writes of timers and effects that belong to a unit of work. */
export type QueueWrites = Pick<StoreTx, "setTimer" | "cancelTimer" | "timerOf" | "replaceTimers" | "queueEffect" | "completeEffect">;

/** What one unit has staged: the net change to each timer it touched (null: disarmed), and effects removed then queued. */
export interface QueueUnit {
  readonly timers: Map<string, Map<string, TimerRow | null>>;
  /** Keys present before the unit that it removed; a replay removes them before it queues. */
  readonly done: Set<string>;
  readonly queued: Map<string, NewEffect>;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const limitOf = (limit: number): number => (Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : 0);

export function jsonQueues() {
  const timers = new Map<string, Map<string, TimerRow>>();
  const effects = new Map<string, StoredEffect>();
  /**
   * Units whose work is done and whose line is not yet on disk, oldest first. A unit sees their
   * changes as its own unit of work would in SQLite, where the one before it has committed.
   */
  const inFlight = new Set<QueueUnit>();
  /** The earliest due time, worked out once after each change. */
  let nextDue: number | null | undefined;

  const newestFirst = (): QueueUnit[] => [...inFlight].reverse();

  function priorTimer(actor: string, sendId: string): TimerRow | undefined {
    for (const unit of newestFirst()) {
      const staged = unit.timers.get(actor)?.get(sendId);
      if (staged !== undefined) return staged ?? undefined;
    }
    return timers.get(actor)?.get(sendId);
  }

  function priorEffect(key: string): boolean {
    for (const unit of newestFirst()) {
      if (unit.queued.has(key)) return true;
      if (unit.done.has(key)) return false;
    }
    return effects.has(key);
  }

  /** The timers of `actor` as a unit staging `unit` sees them. */
  function timerIdsOf(unit: QueueUnit, actor: string): Set<string> {
    const ids = new Set(timers.get(actor)?.keys());
    for (const other of [...inFlight, unit]) for (const sendId of other.timers.get(actor)?.keys() ?? []) ids.add(sendId);
    return ids;
  }

  /** The writes of a new unit, and the unit itself, whose changes become a line with `lineParts`. */
  function stage(): {
    readonly unit: QueueUnit;
    readonly writes: QueueWrites;
    eraseEffectsOf(actor: string): void;
    redactEffectsOf(actors: ReadonlySet<string>, rewrite: (params: string) => string): void;
  } {
    const unit: QueueUnit = { timers: new Map(), done: new Set(), queued: new Map() };
    const stageTimer = (actor: string, sendId: string, row: TimerRow | null): void => {
      const own = unit.timers.get(actor) ?? new Map<string, TimerRow | null>();
      unit.timers.set(actor, own.set(sendId, row));
    };
    const timerOf = (actor: string, sendId: string): TimerRow | undefined => {
      const staged = unit.timers.get(actor)?.get(sendId);
      return staged === undefined ? priorTimer(actor, sendId) : (staged ?? undefined);
    };
    const present = (key: string): boolean => unit.queued.has(key) || (!unit.done.has(key) && priorEffect(key));
    const remove = (key: string): void => {
      if (unit.queued.delete(key)) return;
      if (priorEffect(key)) unit.done.add(key);
    };
    const writes: QueueWrites = {
      setTimer: (timer) => stageTimer(timer.actor, timer.sendId, { ...timer }),
      cancelTimer(actor, sendId) {
        if (timerOf(actor, sendId)) stageTimer(actor, sendId, null);
      },
      timerOf,
      replaceTimers(actor, list) {
        for (const timer of list) if (timer.actor !== actor) throw new Error(`replaceTimers(${actor}) was given a timer of ${timer.actor}`);
        for (const sendId of timerIdsOf(unit, actor)) if (timerOf(actor, sendId)) stageTimer(actor, sendId, null);
        for (const timer of list) stageTimer(actor, timer.sendId, { ...timer });
      },
      queueEffect(effect) {
        if (!present(effect.key)) unit.queued.set(effect.key, { ...effect });
      },
      completeEffect(key) {
        if (present(key)) remove(key);
      },
    };
    function eraseEffectsOf(actor: string): void {
      const keys = new Set<string>();
      for (const effect of effects.values()) if (effect.actor === actor) keys.add(effect.key);
      for (const other of [...inFlight, unit]) for (const effect of other.queued.values()) if (effect.actor === actor) keys.add(effect.key);
      for (const key of keys) if (present(key)) remove(key);
    }
    /** Rewrites the params of the effects of `actors` that the unit queued so far (`/forget` of an order's contact details). */
    function redactEffectsOf(actors: ReadonlySet<string>, rewrite: (params: string) => string): void {
      for (const [key, effect] of unit.queued) if (actors.has(effect.actor)) unit.queued.set(key, { ...effect, params: rewrite(effect.params) });
    }
    return { unit, writes, eraseEffectsOf, redactEffectsOf };
  }

  /** The unit's changes as the `t` and `f` of its log line; empty when it changed nothing. */
  function lineParts(unit: QueueUnit): Pick<LogLine, "t" | "f"> {
    const t: TimerChanges = { s: [], c: [] };
    for (const [actor, own] of unit.timers) {
      for (const [sendId, row] of own) {
        if (row) t.s.push(row);
        else t.c.push([actor, sendId]);
      }
    }
    const f: EffectChanges = { q: [...unit.queued.values()], d: [...unit.done] };
    return { ...(t.s.length + t.c.length > 0 ? { t } : {}), ...(f.q.length + f.d.length > 0 ? { f } : {}) };
  }

  function applyAttempt([key, attempts, nextAt, status, lastError]: AttemptRecord): void {
    const effect = effects.get(key);
    if (effect) effects.set(key, { ...effect, attempts, nextAt, status, lastError });
  }

  /** Applies a line's changes: at open in log order, and after each line is on disk. */
  function apply(line: Pick<LogLine, "t" | "f" | "r">): void {
    if (line.t) nextDue = undefined;
    for (const [actor, sendId] of line.t?.c ?? []) {
      const own = timers.get(actor);
      own?.delete(sendId);
      if (own?.size === 0) timers.delete(actor);
    }
    for (const row of line.t?.s ?? []) {
      const own = timers.get(row.actor) ?? new Map<string, TimerRow>();
      timers.set(row.actor, own.set(row.sendId, row));
    }
    for (const key of line.f?.d ?? []) effects.delete(key);
    for (const effect of line.f?.q ?? []) {
      if (!effects.has(effect.key)) effects.set(effect.key, { ...effect, attempts: 0, nextAt: effect.createdAt, status: "pending", lastError: null });
    }
    line.r?.forEach(applyAttempt);
  }

  const allTimers = (): TimerRow[] => [...timers.values()].flatMap((own) => [...own.values()]);
  const pendingEffects = (): StoredEffect[] => [...effects.values()].filter((effect) => effect.status === "pending");

  const queues: Omit<DurableQueues, "recordEffectAttempt"> = {
    dueTimers: (until, limit) =>
      allTimers()
        .filter((timer) => timer.dueAt <= until)
        .sort((a, b) => a.dueAt - b.dueAt || byText(a.key, b.key))
        .slice(0, limitOf(limit)),
    nextTimerDue: () => (nextDue ??= allTimers().reduce<number | null>((min, timer) => (min === null || timer.dueAt < min ? timer.dueAt : min), null)),
    timersOf: (actor) => [...(timers.get(actor)?.values() ?? [])].sort((a, b) => byText(a.sendId, b.sendId)),
    timersCount: () => [...timers.values()].reduce((sum, own) => sum + own.size, 0),
    // A stable sort keeps effects of one nextAt in the order they were queued, as SQLite's id does.
    dueEffects: (now, limit) =>
      pendingEffects()
        .filter((effect) => effect.nextAt <= now)
        .sort((a, b) => a.nextAt - b.nextAt)
        .slice(0, limitOf(limit)),
    nextEffectDue: () => pendingEffects().reduce<number | null>((min, effect) => (min === null || effect.nextAt < min ? effect.nextAt : min), null),
    effectsOf: (actor) => [...effects.values()].filter((effect) => effect.actor === actor),
    effectsCount: () => {
      const pending = pendingEffects().length;
      return { pending, failed: effects.size - pending };
    },
  };

  return {
    queues,
    stage,
    lineParts,
    apply,
    /** Rewrites the params of the effects of `actors` in the outbox, once an erasure's rewritten log is on disk. */
    redactEffectsOf(actors: ReadonlySet<string>, rewrite: (params: string) => string): void {
      if (actors.size === 0) return;
      for (const [key, effect] of effects) if (actors.has(effect.actor)) effects.set(key, { ...effect, params: rewrite(effect.params) });
    },
    /** Whether the effect is in the outbox now: an attempt on one that is gone writes nothing. */
    hasEffect: (key: string): boolean => effects.has(key),
    /** A unit whose work is done waits here until its line is written (or fails). */
    begin: (unit: QueueUnit): void => void inFlight.add(unit),
    end: (unit: QueueUnit): void => void inFlight.delete(unit),
  };
}
