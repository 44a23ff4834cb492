import { redactOrder } from "../../actors/personalData.ts";
import type { OrderChange, StoredEvent, StoredMessage, StoredOrder } from "../../actors/store.port.ts";
import type { ActorLogUnit } from "./jsonActorLog.ts";
import type { CatalogUnit } from "./jsonCatalogRows.ts";
import { redactEvent, type ActorRecord, type LogLine, type MirrorQueued } from "./jsonLogFormat.ts";
import type { QueueUnit } from "./jsonQueues.ts";

/** What one unit of work has staged; it reaches the files and the queries only when the unit commits. */
export interface Unit {
  readonly events: StoredEvent[];
  readonly eventsByKey: Map<string, StoredEvent>;
  messages: StoredMessage[];
  readonly orders: StoredOrder[];
  /** `updateOrder` calls, in order; the line applies them after its orders. */
  readonly orderChanges: Array<[string, OrderChange]>;
  readonly actors: Map<number, ActorRecord>;
  /** Customers whose personal data the unit erases from everything stored before it. */
  readonly erased: Set<number>;
  /** Chat sessions the unit's erasure deletes; sessions.json holds none of them once the unit resolves. */
  readonly erasedSessions: string[];
  readonly queued: MirrorQueued;
  /** Timers and effects the unit staged (jsonQueues.ts). */
  readonly queues: QueueUnit;
  /** Order actors' events and states (jsonActorLog.ts). */
  readonly actorLog: ActorLogUnit;
  /** Catalog edits and stock (jsonCatalogRows.ts). */
  readonly catalog: CatalogUnit;
  /**
   * The last unit whose work was done but not yet written when this one's was: this one saw its
   * events, timers and effects (and those of the units it saw) as done. If it fails, so does this
   * one, as it would after it in SQLite; and so on down the line.
   */
  before: Unit | null;
  /** Set when its writes failed; the units after it then fail too. */
  failed: boolean;
}

/** A unit with nothing staged yet, its queue, actor-log and catalog parts staged by their own modules. */
export const newUnit = (at: number, parts: Pick<Unit, "queues" | "actorLog" | "catalog">): Unit => ({
  events: [],
  eventsByKey: new Map(),
  messages: [],
  orders: [],
  orderChanges: [],
  actors: new Map(),
  erased: new Set(),
  erasedSessions: [],
  queued: { at, lead: [], order: [] },
  ...parts,
  before: null,
  failed: false,
});

/** `/forget` of one customer over what the unit staged so far; what the unit stages after it stays as it is. */
export function eraseStaged(unit: Unit, userId: number): void {
  unit.erased.add(userId);
  unit.events.forEach((event, i) => {
    if (event.userId !== userId) return;
    const redacted = redactEvent(event);
    unit.events[i] = redacted;
    unit.eventsByKey.set(redacted.key, redacted);
  });
  unit.messages = unit.messages.filter((message) => message.userId !== userId);
  unit.orders.forEach((order, i) => {
    if (order.userId === userId) unit.orders[i] = redactOrder(order);
  });
}

/** The parts of a unit's line besides its events and messages, each left out when empty. */
export type LineParts = Omit<LogLine, "b" | "e" | "m">;

/** The log line a unit writes: its events and messages, then the other parts. */
export function lineOf(b: number, unit: Unit, parts: LineParts): LogLine {
  return { b, e: unit.events, m: unit.messages, ...parts };
}
