import type { OrderLine } from "../machines/customer.types.ts";
import type { Invoice, OrderEffectParams, OrderEventInput, OrderMove, OrderStatus, PaymentMethod } from "../machines/order.types.ts";
import type { EffectHandlers } from "./effects.port.ts";

/**
 * What the bots need of the order actors (actors/orderRuntime.ts implements it): send an order an
 * event, and read where it is now. Placing an order is not here: it happens in the customer's
 * transaction (`order_created` → `recordOrder`), so the order and the funnel move together.
 */

/** An event for an existing order, with its idempotency key (`pay:<charge id>` for a payment, the update's key otherwise). */
export type OrderCommand = Exclude<OrderEventInput, { type: "order_placed" }> & { readonly key: string };

export type OrderSendResult =
  /** The event is in the order's log, and the order moved (or stayed, with its effects queued). Durable on resolve. */
  | { readonly kind: "applied"; readonly from: OrderStatus; readonly status: OrderStatus }
  /** The order does not take this event where it is (e.g. shipping a cancelled order, a payment of the wrong amount): nothing was written. */
  | { readonly kind: "refused"; readonly status: OrderStatus }
  /** An event with this key is already in the log: nothing was written again. */
  | { readonly kind: "duplicate"; readonly status: OrderStatus }
  | { readonly kind: "unknown_order" };

/** An order as its actor sees it now: what a pre-checkout answer and the screens check against. */
export interface OrderView {
  readonly orderId: string;
  readonly userId: number;
  readonly status: OrderStatus;
  readonly items: readonly OrderLine[];
  readonly total: number;
  readonly currency: string;
  readonly payment: PaymentMethod;
  readonly invoice: Invoice | null;
  readonly placedAt: number;
  readonly moves: readonly OrderMove[];
}

export interface OrderCommands {
  /** Steps the order with the event in one transaction (its log, snapshot, row, timers, effects, released stock). */
  send(orderId: string, command: OrderCommand): Promise<OrderSendResult>;
  /** The order's live state, or null for an order that does not exist. Synchronous: no I/O beyond the store's in-process reads. */
  view(orderId: string): OrderView | null;
}

/**
 * The order machine's effects that reach Telegram, which the bots handle (`createCustomerActors({ orders: { handlers } })`).
 * `settleCustomer` and `unsettleCustomer` are not among them: the actors deliver those to the customer themselves.
 */
export type OrderBotEffectParams = Omit<OrderEffectParams, "settleCustomer" | "unsettleCustomer">;

/** One handler per order effect the bots deliver; the composition refuses to start without any of them. */
export type OrderEffectHandlers = EffectHandlers<OrderBotEffectParams>;
