import { orderActor } from "../../actors/actorLog.port.ts";
import { redactOrder } from "../../actors/personalData.ts";
import type { OrderChange, StoredEvent, StoredMessage, StoredOrder, StoreTx } from "../../actors/store.port.ts";
import type { ActorLogUnit } from "./jsonActorLog.ts";
import type { CatalogUnit } from "./jsonCatalogRows.ts";
import { checkedOrderChange } from "./jsonOrders.ts";
import { queuesAny, redactEvent, type ActorRecord, type LogLine, type MirrorQueued } from "./jsonLogFormat.ts";
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

/** Everything a unit's line holds besides its events and messages, each part left out when empty. */
export function linePartsOf(
  unit: Unit,
  queues: { lineParts(unit: QueueUnit): LineParts },
  actorLog: { lineParts(unit: ActorLogUnit): LineParts },
  catalog: { lineParts(unit: CatalogUnit): LineParts },
): LineParts {
  return {
    ...(unit.orders.length > 0 ? { o: unit.orders } : {}),
    ...(unit.orderChanges.length > 0 ? { u: unit.orderChanges } : {}),
    ...(queuesAny(unit.queued) ? { q: unit.queued } : {}),
    ...queues.lineParts(unit.queues),
    ...actorLog.lineParts(unit.actorLog),
    ...catalog.lineParts(unit.catalog),
  };
}

/** The log line a unit writes: its events and messages, then the other parts. */
export function lineOf(b: number, unit: Unit, parts: LineParts): LogLine {
  return { b, e: unit.events, m: unit.messages, ...parts };
}

/** What a unit's order writes read of the committed orders (jsonOrders.ts). */
export interface CommittedOrders {
  has(orderId: string): boolean;
  idsOf(userId: number): readonly string[];
}

/** A unit's order writes and look-ups, over the committed orders and those of the units in flight (`reservedOrders`: order id to customer). */
export function unitOrders(orders: CommittedOrders, reservedOrders: ReadonlyMap<string, number>) {
  /** Whether an order is stored, or saved by a unit in flight or by this one. */
  const orderKnown = (unit: Unit, orderId: string): boolean =>
    orders.has(orderId) || reservedOrders.has(orderId) || unit.orders.some((staged) => staged.orderId === orderId);

  return {
    /** The actors of the committed orders of the customers a unit erases: what `/forget` redacts in the log and in memory. */
    erasedOrderActors(unit: Unit): Set<string> {
      return new Set([...unit.erased].flatMap((userId) => orders.idsOf(userId).map(orderActor)));
    },

    /** A unit's writes of orders' rows; each queues the order for the Sheets mirror. */
    orderWrites(unit: Unit): Pick<StoreTx, "saveOrder" | "updateOrder"> {
      return {
        saveOrder(order) {
          if (orderKnown(unit, order.orderId)) throw new Error(`order ${order.orderId} is already stored`);
          unit.orders.push(order);
          unit.queued.order.push(order.orderId);
        },
        updateOrder(orderId, change) {
          const checked = checkedOrderChange(change);
          if (!orderKnown(unit, orderId)) throw new Error(`order ${orderId} is not stored`);
          unit.orderChanges.push([orderId, checked]);
          unit.queued.order.push(orderId);
        },
      };
    },

    /** The actors of a customer's orders as a unit sees them: committed, in flight, and its own. */
    stagedOrderActors(unit: Unit, userId: number): string[] {
      const inFlight = [...reservedOrders].filter(([, owner]) => owner === userId).map(([orderId]) => orderId);
      const own = unit.orders.filter((order) => order.userId === userId).map((order) => order.orderId);
      return [...orders.idsOf(userId), ...inFlight, ...own].map(orderActor);
    },
  };
}
