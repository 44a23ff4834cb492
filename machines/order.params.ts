import type { OrderLine } from "./customer.types.ts";
import type { OrderContext, OrderEffectParams, OrderEvent, OrderMove, OrderStatus, OrderTimerEvent, OrderWriteParams } from "./order.types.ts";

/**
 * The pure pieces of the order machine: its context before and after `order_placed`, its moves,
 * and the params of its named effects and writes, from the context and the event that runs them.
 */

type AnyOrderEvent = OrderEvent | OrderTimerEvent;
type EventOf<K extends OrderEvent["type"]> = Extract<OrderEvent, { type: K }>;
type Args<E extends AnyOrderEvent = AnyOrderEvent> = { readonly context: OrderContext; readonly event: E };

/** An order no event has reached yet: `order_placed` fills it in. */
export function initialOrderContext(input: { readonly orderId: string }): OrderContext {
  return {
    orderId: input.orderId,
    userId: 0,
    items: [],
    total: 0,
    currency: "",
    payment: "cash",
    invoice: null,
    language: "ru",
    placedAt: 0,
    paidAt: null,
    shippedAt: null,
    deliveredAt: null,
    cancelledAt: null,
    refundedAt: null,
    chargeId: null,
    providerChargeId: null,
    tracking: null,
    cancelReason: null,
    rating: null,
    ratingAsked: false,
    moves: [],
  };
}

/** The context of a placed order: everything `order_placed` says, frozen. */
export function placedContext(context: OrderContext, event: EventOf<"order_placed">): OrderContext {
  return {
    ...context,
    orderId: event.orderId,
    userId: event.userId,
    items: event.items,
    total: event.total,
    currency: event.currency,
    payment: event.payment,
    invoice: event.invoice,
    language: event.language,
    placedAt: event.at,
  };
}

/** Who made the move: the event's `by`, or the timer for XState's own delayed events. */
export const byOf = (event: AnyOrderEvent): OrderMove["by"] => ("by" in event ? event.by : "timer");

/** What an event says about why, when it says anything: a cancel's or refund's reason, a shipment's tracking note. */
function noteOf(event: AnyOrderEvent): string | null {
  switch (event.type) {
    case "cancel_requested":
    case "refund_requested":
      return event.reason ?? null;
    case "refund_failed":
      return event.reason;
    case "shipped":
      return event.tracking ?? null;
    default:
      return null;
  }
}

/** The history after a move to `status`, with the given note or the event's own. */
export function withMove(context: OrderContext, event: AnyOrderEvent, status: OrderStatus, note?: string): readonly OrderMove[] {
  const said = note ?? noteOf(event);
  return [...context.moves, { at: event.at, status, by: byOf(event), ...(said ? { note: said } : {}) }];
}

const lastMove = (context: OrderContext): OrderMove => context.moves.at(-1) ?? { at: context.placedAt, status: "placed", by: "customer" };

/** Whether a payment is exactly what the order's invoice asks for. */
export const matchesInvoice = (context: OrderContext, event: EventOf<"payment_received">): boolean =>
  context.invoice !== null && event.amount === context.invoice.amount && event.currency === context.invoice.currency;

/** Whether repriced lines are the same products in the same quantities (the stock reserved stays right). */
export function sameLines(before: readonly OrderLine[], after: readonly OrderLine[]): boolean {
  if (before.length !== after.length) return false;
  const key = (lines: readonly OrderLine[]): string => lines.map((line) => `${line.productId}\u0000${line.qty}`).sort().join("\u0001");
  return key(before) === key(after);
}

export const moveNoticeOf = ({ context }: Args): OrderEffectParams["notifyCustomerOfOrder"] => {
  const move = lastMove(context);
  return {
    orderId: context.orderId,
    userId: context.userId,
    status: move.status,
    by: move.by,
    reason: move.status === "shipped" ? null : (move.note ?? null),
    tracking: move.status === "shipped" ? (move.note ?? null) : null,
    language: context.language,
  };
};

export const ownerNoticeOf = ({ context }: Args): OrderEffectParams["notifyOwnersOfOrderMove"] => {
  const move = lastMove(context);
  return { orderId: context.orderId, userId: context.userId, status: move.status, by: move.by, reason: move.note ?? null };
};

export const invoiceOf = ({ context }: Args): OrderEffectParams["sendInvoice"] => ({
  orderId: context.orderId,
  userId: context.userId,
  language: context.language,
  payment: context.payment === "stars" ? "stars" : "provider",
  invoice: context.invoice ?? { currency: context.currency, amount: 0 },
  items: context.items,
});

/** The refund of the order's own Stars charge (a cancel or a return). */
export const orderRefundOf = ({ context }: Args): OrderEffectParams["refundStarPayment"] => ({
  orderId: context.orderId,
  userId: context.userId,
  chargeId: context.chargeId ?? "",
  reason: lastMove(context).note ?? "refund",
});

/** The refund of a charge that came after the order was paid, cancelled or refunded. */
export const chargeRefundOf = ({ context, event }: Args<EventOf<"payment_received">>): OrderEffectParams["refundStarPayment"] => ({
  orderId: context.orderId,
  userId: context.userId,
  chargeId: event.chargeId,
  reason: lastMove(context).note ?? "",
});

export const ownerRefundOf = ({ context, event }: Args<EventOf<"payment_received">>): OrderEffectParams["askOwnersToRefund"] => ({
  orderId: context.orderId,
  userId: context.userId,
  chargeId: event.chargeId,
  providerChargeId: event.providerChargeId ?? null,
  amount: event.amount,
  currency: event.currency,
  reason: lastMove(context).note ?? "",
});

export const ratingRequestOf = ({ context }: Args): OrderEffectParams["askForRating"] => ({ orderId: context.orderId, userId: context.userId, language: context.language });

export const settlementOf = ({ context }: Args): OrderEffectParams["settleCustomer"] => ({ userId: context.userId, orderId: context.orderId, amount: context.total });

export const stockOf = ({ context }: Args): OrderWriteParams["releaseStock"] => ({ items: context.items.map(({ productId, qty }) => ({ productId, qty })) });
