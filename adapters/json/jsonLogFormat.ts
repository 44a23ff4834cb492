/**
 * The JSON store's file formats: a log line of `events.jsonl` (one per unit of work), a journal
 * line of `actors.jsonl`, `leads.json` and `sessions.json`; and the Sheets outbox, which is rebuilt
 * from the log's lines.
 */
import type { ActorStateWrite, StoredActorEvent } from "../../actors/actorLog.port.ts";
import type { StoredCatalogEdit } from "../../actors/catalogStore.port.ts";
import type { ActorWrite, EffectStatus, MirrorItem, NewEffect, OrderChange, StoredEvent, StoredMessage, StoredOrder, TimerRow } from "../../actors/store.port.ts";
import { redactEventPayload, redactOrder, redactOrderEventPayload, redactOrderJson } from "../../actors/personalData.ts";

/** A lead record as `leads.json` and `actors.jsonl` keep it: the lead, its snapshot, and the last event it applied. */
export type ActorRecord = Omit<ActorWrite, "previousStage">;

/** `leads.json`: the journal folded in, up to a batch number. */
export interface Checkpoint {
  readonly format: 1;
  /** Journal batches up to this number are folded in. */
  throughBatch: number;
  actors: ActorRecord[];
}

/** What a unit queued for the Sheets mirror, all at one time: lead refs and order ids, once per `saveActor` / `saveOrder`. */
export interface MirrorQueued {
  readonly at: number;
  readonly lead: string[];
  readonly order: string[];
}

/** Mirror items marked done, each as [ref, the version the mirror read]. */
export interface MirrorDone {
  readonly lead: Array<[string, number]>;
  readonly order: Array<[string, number]>;
}

/** What a unit did to the armed timers: rows armed (or re-armed) as they now are, and `[actor, sendId]` disarmed. */
export interface TimerChanges {
  readonly s: TimerRow[];
  readonly c: Array<[actor: string, sendId: string]>;
}

/**
 * What a unit did to the effect outbox: keys it removed (delivered, dropped or erased) and effects it
 * queued. A replay applies `d` before `q`, so an effect completed and queued again in one unit is a fresh one.
 */
export interface EffectChanges {
  readonly q: NewEffect[];
  readonly d: string[];
}

/** An effect attempt the worker recorded, in a line of its own. */
export type AttemptRecord = [key: string, attempts: number, nextAt: number, status: EffectStatus, lastError: string | null];

/** One unit of work in `events.jsonl`: the truth every other file is rebuilt from. */
export interface LogLine {
  readonly b: number;
  readonly e: StoredEvent[];
  readonly m: StoredMessage[];
  /** Orders saved in the unit, in the same line as its `order_created`; absent from older lines. */
  readonly o?: StoredOrder[];
  /**
   * Mirror items the unit queued. They live and die with the line: replaying the log rebuilds the
   * outbox, so a crash keeps an item exactly when it keeps the change. Absent from older lines.
   */
  readonly q?: MirrorQueued;
  /** Mirror items completed, in a line of their own, so the replay deletes them at the same point. */
  readonly c?: MirrorDone;
  /** The unit's timers; like `q`, they live and die with the line. Absent when it changed none. */
  readonly t?: TimerChanges;
  /** The unit's effects queued and completed. Absent when it changed none. */
  readonly f?: EffectChanges;
  /** Effect attempts, in a line of their own (no events, no unit). */
  readonly r?: AttemptRecord[];
  /** Events of actors other than customers (order actors), in the order appended. Absent when none. */
  readonly x?: StoredActorEvent[];
  /** Those actors' states as the unit left them. Absent when none. */
  readonly y?: ActorStateLine[];
  /** Changes to orders' rows (`updateOrder`), in the order made, after the line's `o`. Absent when none. */
  readonly u?: Array<[orderId: string, change: OrderChange]>;
  /** Catalog edits, in the order made. Absent when none. */
  readonly k?: StoredCatalogEdit[];
  /**
   * The stock of each product whose stock the unit reserved or released, as the unit left it (null:
   * not tracked); applied after `k`. Absent when none.
   */
  readonly s?: Array<[productId: string, stock: number | null]>;
}

/** An actor's state in a log line: its address and what `saveActorState` wrote. */
export interface ActorStateLine extends ActorStateWrite {
  readonly actor: string;
}

/** `sessions.json`, replaced whole on each change. */
export interface SessionsFile {
  readonly format: 1;
  readonly sessions: Record<string, string>;
}

/** One unit's lead records in `actors.jsonl`, the journal folded into `leads.json` from time to time. */
export interface ActorsLine {
  readonly b: number;
  readonly a: ActorRecord[];
}

/** Lead records written before names, erasure, blocks, dormancy, reminders and languages existed read as having none (and Russian). */
export function upgradeRecord(record: ActorRecord): ActorRecord {
  const { lead } = record;
  return {
    ...record,
    lead: {
      ...lead,
      name: lead.name ?? null,
      erasedAt: lead.erasedAt ?? null,
      blockedAt: lead.blockedAt ?? null,
      dormantSince: lead.dormantSince ?? null,
      lastReminderAt: lead.lastReminderAt ?? null,
      remindersSent: lead.remindersSent ?? 0,
      unsubscribedAt: lead.unsubscribedAt ?? null,
      consentDeclined: lead.consentDeclined ?? null,
      language: lead.language ?? "ru",
    },
  };
}

export function redactEvent(event: StoredEvent): StoredEvent {
  return { ...event, payload: redactEventPayload(event.type, event.payload) };
}

/** An order actor's event after `/forget` of its customer: `order_placed` without the phone and the delivery details. */
export function redactActorEvent(event: StoredActorEvent): StoredActorEvent {
  return { ...event, payload: redactOrderEventPayload(event.type, event.payload) };
}

/**
 * A log line as `/forget` of these customers leaves it: their messages gone, their events and orders
 * redacted, and the effects they queued gone (their params may hold what they wrote). The erasing
 * unit deletes those effects anyway, so a replay ends with the same outbox. `orderActors` are the
 * actors of their orders: their events, states and effects lose the phone and the delivery details.
 */
export function redactLine(line: LogLine, erased: ReadonlySet<number>, orderActors: ReadonlySet<string> = new Set()): LogLine {
  const actors = new Set([...erased].map((userId) => `customer:${userId}`));
  const effects = (q: readonly NewEffect[]): NewEffect[] =>
    q.filter((effect) => !actors.has(effect.actor)).map((effect) => (orderActors.has(effect.actor) ? { ...effect, params: redactOrderJson(effect.params) } : effect));
  return {
    ...line,
    e: line.e.map((event) => (erased.has(event.userId) ? redactEvent(event) : event)),
    m: line.m.filter((message) => !erased.has(message.userId)),
    ...(line.o ? { o: line.o.map((order) => (erased.has(order.userId) ? redactOrder(order) : order)) } : {}),
    ...(line.f ? { f: { ...line.f, q: effects(line.f.q) } } : {}),
    ...(line.x ? { x: line.x.map((event) => (orderActors.has(event.actor) ? redactActorEvent(event) : event)) } : {}),
    ...(line.y ? { y: line.y.map((state) => (orderActors.has(state.actor) ? { ...state, snapshot: redactOrderJson(state.snapshot) } : state)) } : {}),
  };
}

/** Whether a unit queued anything for the mirror (a line that queues nothing leaves `q` out). */
export const queuesAny = (queued: MirrorQueued): boolean => queued.lead.length > 0 || queued.order.length > 0;


/** A queued mirror item as the outbox holds it; `seq` is its insertion number, which breaks ties of time. */
interface Queued {
  version: number;
  readonly queuedAt: number;
  readonly seq: number;
}

/**
 * The Sheets mirror's outbox, rebuilt from the log's `q` and `c` and changed, once a line is on disk,
 * by the same two steps: so what a replay rebuilds is what the store held.
 */
export function mirrorOutbox() {
  const items: Record<MirrorItem["kind"], Map<string, Queued>> = { lead: new Map(), order: new Map() };
  let seq = 0;
  const queue = (kind: MirrorItem["kind"], ref: string, at: number): void => {
    const item = items[kind].get(ref);
    if (item) item.version += 1;
    else items[kind].set(ref, { version: 1, queuedAt: at, seq: ++seq });
  };
  return {
    items,
    apply(line: Pick<LogLine, "q" | "c">): void {
      const { q, c } = line;
      if (q) {
        for (const ref of q.lead) queue("lead", ref, q.at);
        for (const ref of q.order) queue("order", ref, q.at);
      }
      if (c) {
        for (const kind of ["lead", "order"] as const) {
          for (const [ref, version] of c[kind]) if (items[kind].get(ref)?.version === version) items[kind].delete(ref);
        }
      }
    },
    /** The items still pending at the version given, each once: what a completion of them changes. */
    stillPending(done: readonly MirrorItem[]): MirrorDone {
      const result: MirrorDone = { lead: [], order: [] };
      const seen = new Set<string>();
      for (const item of done) {
        const id = `${item.kind}:${item.ref}`;
        if (seen.has(id) || items[item.kind].get(item.ref)?.version !== item.version) continue;
        seen.add(id);
        result[item.kind].push([item.ref, item.version]);
      }
      return result;
    },
    pending(kind: MirrorItem["kind"], limit: number): MirrorItem[] {
      return [...items[kind]]
        .sort(([, a], [, b]) => a.queuedAt - b.queuedAt || a.seq - b.seq)
        .slice(0, Math.max(0, Math.floor(limit)))
        .map(([ref, item]) => ({ kind, ref, version: item.version, queuedAt: item.queuedAt }));
    },
  };
}

