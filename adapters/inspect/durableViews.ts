/**
 * The runtimes' durable timers and effect outbox as two actors of the inspector, `timers` and
 * `effects`. Each change is an event to that actor (sent by the customer or order whose step
 * decided it, so the sequence view draws an arrow from it) and the view's snapshot after it: its
 * context lists what is armed, or queued, for the customers and orders watched, each by its actor
 * (`customer:501`, `order:SO-2F`).
 */
import type { AnyEventObject } from "xstate";
import type { EffectNotice } from "../../actors/effectWorker.ts";
import type { NewEffect, StoredEffect, TimerRow } from "../../actors/store.port.ts";
import type { InspectionTarget } from "./inspectorBridge.ts";

/** The inspector's session id of the timer view. */
export const timersActorId = "timers";
/** The inspector's session id of the effect view. */
export const effectsActorId = "effects";

const iso = (at: number): string => new Date(at).toISOString();

/** `xstate.after.cartReminder.customer.cart.filled.shopping.waiting` → `cartReminder` and the state it was armed in. */
export function timerNameOf(sendId: string): { readonly timer: string; readonly state: string } {
  const match = /^xstate\.after\.([^.]+)\.(.+)$/.exec(sendId);
  return match ? { timer: match[1] ?? sendId, state: match[2] ?? "" } : { timer: sendId, state: "" };
}

/** The event a timer row delivers, by type (its JSON holds the type and fields). */
function timerEventType(row: TimerRow): string {
  try {
    const parsed: unknown = JSON.parse(row.event);
    return typeof parsed === "object" && parsed !== null && "type" in parsed ? String(parsed.type) : row.sendId;
  } catch {
    return row.sendId;
  }
}

/**
 * How many entries a view's snapshot lists: every change sends the whole snapshot, so a view of
 * thousands of customers lists the first ones (the soonest due, for timers) and counts them all.
 */
export const listedEntries = 50;

/** One view: registered the first time something happens in it; each change is an event and the snapshot after it. */
function createView<Entry>(inspector: InspectionTarget, sessionId: string, listName: string, order?: (a: Entry, b: Entry) => number) {
  const entries = new Map<string, Entry>();
  let registered = false;
  const listed = (): [string, Entry][] => {
    const all = [...entries];
    if (order) all.sort(([, a], [, b]) => order(a, b));
    return all.slice(0, listedEntries);
  };
  const snapshot = () => ({ status: "active" as const, value: "running", context: { [listName]: Object.fromEntries(listed()), total: entries.size } });
  return {
    entries,
    /** Shows `event` reaching the view (from `source`, a customer's or order's actor, when given) and the view after it. */
    show(event: AnyEventObject, source?: string): void {
      if (!registered) {
        registered = true;
        inspector.actor(sessionId, { status: "active", value: "running", context: { [listName]: {}, total: 0 } });
      }
      inspector.event(sessionId, event, source ? { source } : undefined);
      inspector.snapshot(sessionId, snapshot(), { event });
    },
    /** Whether the view has been registered with the inspector. */
    shown: (): boolean => registered,
  };
}

/** A firing as the event reaching its actor shows it: the timer's key, its due time, and how late it fired. */
interface Timing {
  readonly key: string;
  readonly dueAt: string;
  readonly lateMs: number;
}

interface ArmedTimer {
  readonly actor: string;
  readonly timer: string;
  readonly state: string;
  readonly dueAt: string;
  readonly key: string;
}

/**
 * The timer view. It remembers each armed timer it has seen (set in this session, or found armed
 * when the customer was first shown), so that a cancellation, which names only the timer, is shown
 * with the key and due time it had.
 */
export function createTimerView(inspector: InspectionTarget) {
  const view = createView<ArmedTimer>(inspector, timersActorId, "armed", (a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : 0));
  const rows = new Map<string, TimerRow>();
  const slot = (actor: string, sendId: string): string => `${actor} ${sendId}`;
  const entryOf = (row: TimerRow): ArmedTimer => ({ actor: row.actor, ...timerNameOf(row.sendId), dueAt: iso(row.dueAt), key: row.key });
  const fired = (target: string, row: TimerRow, at: number): Timing => {
    rows.delete(slot(row.actor, row.sendId));
    view.entries.delete(row.key);
    const timing = { key: row.key, dueAt: iso(row.dueAt), lateMs: at - row.dueAt };
    view.show({ type: "timer.fired", actor: row.actor, ...timerNameOf(row.sendId), ...timing, to: target });
    return timing;
  };

  return {
    shown: view.shown,
    /** Timers already armed when a customer or order is first shown: listed from the next change on, not shown as set. */
    known(armed: readonly TimerRow[]): void {
      for (const row of armed) {
        rows.set(slot(row.actor, row.sendId), row);
        view.entries.set(row.key, entryOf(row));
      }
    },
    set(source: string, row: TimerRow, delay: number | undefined): void {
      rows.set(slot(row.actor, row.sendId), row);
      view.entries.set(row.key, entryOf(row));
      const { timer, state } = timerNameOf(row.sendId);
      view.show({ type: "timer.set", actor: row.actor, timer, state, ...(delay === undefined ? {} : { delayMs: delay }), dueAt: iso(row.dueAt), key: row.key, delivers: timerEventType(row) }, source);
    },
    cancelled(source: string, actor: string, sendId: string): void {
      const row = rows.get(slot(actor, sendId));
      rows.delete(slot(actor, sendId));
      if (row) view.entries.delete(row.key);
      view.show({ type: "timer.cancelled", actor, ...timerNameOf(sendId), ...(row ? { dueAt: iso(row.dueAt), key: row.key } : {}) }, source);
    },
    /** A timer's firing, which reaches the customer or order (`target`) as an event keyed by the timer: shown with its due time and lateness. */
    fired,
    /** The same for a firing known only by its actor and sendId (an order's step names no row): null when the view never saw it armed. */
    firedArmed(target: string, actor: string, sendId: string, at: number): Timing | null {
      const row = rows.get(slot(actor, sendId));
      return row ? fired(target, row, at) : null;
    },
  };
}

interface QueuedEffect {
  readonly actor: string;
  readonly effect: string;
  readonly status: "queued" | "delivering" | "retrying" | "failed";
  readonly attempts: number;
  readonly reason?: string;
}

const paramsOf = (json: string): unknown => {
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
};

/** What each worker notice is called in the view: an effect `delivered`, `failed` after its retries, … */
const noticeTypes: Readonly<Record<EffectNotice["status"], string>> = {
  delivering: "effect.delivering",
  done: "effect.delivered",
  retry: "effect.retry",
  dropped: "effect.dropped",
  failed: "effect.failed",
};

/** The effect view: each effect queued by a step, then each attempt the effect worker reports, to its end. */
export function createEffectView(inspector: InspectionTarget) {
  const view = createView<QueuedEffect>(inspector, effectsActorId, "outbox");
  return {
    shown: view.shown,
    /** Effects already in the outbox when a customer or order is first shown. */
    known(effects: readonly StoredEffect[]): void {
      for (const effect of effects) {
        view.entries.set(effect.key, { actor: effect.actor, effect: effect.type, status: effect.status === "failed" ? "failed" : "queued", attempts: effect.attempts });
      }
    },
    queued(source: string, effect: NewEffect): void {
      view.entries.set(effect.key, { actor: effect.actor, effect: effect.type, status: "queued", attempts: 0 });
      view.show({ type: "effect.queued", actor: effect.actor, effect: effect.type, key: effect.key, params: paramsOf(effect.params) }, source);
    },
    notice(notice: EffectNotice): void {
      const { key, actor, type, attempt, status, reason } = notice;
      if (status === "done" || status === "dropped") view.entries.delete(key);
      else {
        const shown = status === "delivering" ? "delivering" : status === "retry" ? "retrying" : "failed";
        view.entries.set(key, { actor, effect: type, status: shown, attempts: attempt, ...(reason === undefined ? {} : { reason }) });
      }
      view.show({ type: noticeTypes[status], actor, effect: type, key, attempt, ...(reason === undefined ? {} : { reason }) });
    },
  };
}

export type TimerView = ReturnType<typeof createTimerView>;
export type EffectView = ReturnType<typeof createEffectView>;
