import type { CustomerWriteParams } from "../machines/customer.types.ts";
import { truncateText } from "./conversation.ts";
import type { OrderPlacer, Placed } from "./orderPlacement.ts";
import { orderJustPlaced, type StoreTx } from "./store.port.ts";

/** How a unit places an order as an actor of its own: the order runtime's placer, and what the unit did before the step. */
export interface OrderPlacing {
  readonly placer: OrderPlacer;
  /** Whether the unit took this order's stock already, before the customer's event was stored (so that a shortage stores nothing). */
  readonly stockReserved: boolean;
  /** Told what the placement queued (the order's timers and effects), so the unit wakes the scheduler and the worker. */
  placed(placed: Placed): void;
}

/** What a write knows besides its params: whose step it is, when, and what the caller passed along. */
export interface WriteContext {
  readonly userId: number;
  /** The time of the event whose step decided the write. */
  readonly at: number;
  /** `/forget`'s chat sessions, deleted with the rest (they never enter the log). */
  readonly sessionKeys: readonly string[];
  /** For an `order_created` with a payment method: how its order is placed. */
  readonly orders?: OrderPlacing;
}

type WriteRunners = { readonly [K in keyof CustomerWriteParams]: (tx: StoreTx, params: CustomerWriteParams[K], context: WriteContext) => void };

/**
 * The customer machine's named writes, run inside the step's unit of work, so that they commit
 * with the event that decided them or not at all.
 *
 * `recordOrder` with a payment method places the order as an actor of its own (actors/orderPlacement.ts):
 * its stock, its row, and its `order_placed` with the order's timers and effects, in the customer's unit.
 *
 * `logMessage` stores the message row only: the event that decided it (`question_asked`,
 * `consultant_answered`) is already the log's fact of it, so no `message_in`/`message_out` event is
 * added (an event appended without a step would make a replay differ from the live run).
 */
export const customerWriteRunners: WriteRunners = {
  recordOrder: (tx, { orderId, items, total, currency, phone, delivery, payment, invoice, language }, { userId, at, orders }) => {
    // An order_created that names no payment method (written before orders were actors) is a row only.
    if (payment === null) return tx.saveOrder({ ...orderJustPlaced, orderId, items, total, currency, phone, delivery, userId, at });
    if (!orders) throw new Error("an order with a payment method needs the order runtime (the customer runtime's `orders`)");
    const placement = { orderId, userId, items, total, currency, phone, delivery, payment, invoice, language, at };
    orders.placed(orders.placer.place(tx, placement, { stockReserved: orders.stockReserved }));
  },
  logMessage: (tx, params, { userId, at }) =>
    tx.appendMessage({ userId, direction: params.direction, type: params.type, text: truncateText(params.text), at }),
  erasePersonalData: (tx, _params, { userId, sessionKeys }) => tx.erasePersonalData(userId, sessionKeys),
};

/** Runs one recorded write by name; a name without a runner is a runtime bug (assertDurable lists the same names). */
export function runCustomerWrite(tx: StoreTx, name: string, params: unknown, context: WriteContext): void {
  const runner = (customerWriteRunners as Readonly<Record<string, (tx: StoreTx, params: unknown, context: WriteContext) => void>>)[name];
  if (!runner) throw new Error(`no runner for the write "${name}"`);
  runner(tx, params, context);
}
