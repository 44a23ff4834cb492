import type { ActorLogTx } from "../../actors/actorLog.port.ts";
import type { CatalogTx } from "../../actors/catalogStore.port.ts";
import { redactOrderJson } from "../../actors/personalData.ts";
import type { NewMessage, StoredEvent, StoreTx } from "../../actors/store.port.ts";
import { redactEvent } from "./jsonLogFormat.ts";
import type { QueueWrites } from "./jsonQueues.ts";
import { eraseStaged, type Unit } from "./jsonUnit.ts";

/** What one unit's writes build on: its staged parts, and what is committed or in flight before it. */
export interface UnitTxParts {
  readonly unit: Unit;
  /** The unit's timers and effects, staged by jsonQueues.ts. */
  readonly queues: {
    readonly writes: QueueWrites;
    eraseEffectsOf(actor: string): void;
    redactEffectsOf(actors: ReadonlySet<string>, rewrite: (params: string) => string): void;
  };
  readonly actorLogWrites: ActorLogTx;
  readonly catalogWrites: CatalogTx;
  /** Redacts what the unit staged of these order actors (jsonActorLog.ts). */
  redactStagedActors(actors: ReadonlySet<string>): void;
  /** The committed events by key, and the keys of the units in flight. */
  readonly eventsByKey: ReadonlyMap<string, StoredEvent>;
  readonly reservedKeys: ReadonlySet<string>;
  /** The unit's order writes and its customers' order actors (jsonUnit.ts `unitOrders`). */
  orderWrites(unit: Unit): Pick<StoreTx, "saveOrder" | "updateOrder">;
  stagedOrderActors(unit: Unit, userId: number): string[];
  /** The next seq and message id: the unit takes them as it stages, the store keeps them once its work returns. */
  readonly counters: { seq: number; messageId: number };
}

/** The writes of one unit of work on the JSON store: staged in memory, written when it commits. */
export function unitTx(parts: UnitTxParts): StoreTx {
  const { unit, queues, eventsByKey, reservedKeys, counters } = parts;
  return {
    appendEvent(event) {
      if (eventsByKey.has(event.key) || unit.eventsByKey.has(event.key) || reservedKeys.has(event.key)) return null;
      const stored: StoredEvent = { seq: counters.seq++, userId: event.userId, type: event.type, payload: JSON.parse(event.payload), at: event.at, key: event.key };
      unit.events.push(stored);
      unit.eventsByKey.set(stored.key, stored);
      return stored.seq;
    },
    eventByKey(key) {
      const stored = unit.eventsByKey.get(key) ?? eventsByKey.get(key);
      return stored && unit.erased.has(stored.userId) && !unit.eventsByKey.has(key) ? redactEvent(stored) : stored;
    },
    appendMessage(message: NewMessage) {
      unit.messages.push({ id: counters.messageId++, ...message });
    },
    saveActor(write) {
      const { previousStage: _previous, ...record } = write;
      unit.actors.set(record.lead.userId, record);
      unit.queued.lead.push(String(record.lead.userId));
    },
    ...parts.orderWrites(unit),
    erasePersonalData(userId, sessionKeys = []) {
      eraseStaged(unit, userId);
      queues.eraseEffectsOf(`customer:${userId}`);
      const ownOrders = new Set(parts.stagedOrderActors(unit, userId));
      parts.redactStagedActors(ownOrders);
      queues.redactEffectsOf(ownOrders, redactOrderJson);
      unit.erasedSessions.push(...sessionKeys);
    },
    ...queues.writes,
    ...parts.actorLogWrites,
    ...parts.catalogWrites,
  };
}
