import type { OrderLine as OrderedLine } from "../machines/customer.types.ts";
import type { Invoice, OrderStatus, PaymentMethod } from "../machines/order.types.ts";

/** One line of an order: the product as it was when the order was placed. */
export type OrderItem = OrderedLine;

/** An order as the shop keeps it; `order_created` in the log carries its id, total and currency. */
export interface StoredOrder {
  /** Readable and unique, e.g. `SO-2F7K`. */
  readonly orderId: string;
  readonly userId: number;
  readonly items: readonly OrderItem[];
  readonly total: number;
  readonly currency: string;
  /** Personal data: blanked by `/forget`. */
  readonly phone: string | null;
  /** Delivery details or a comment, as the customer typed them. Personal data: blanked by `/forget`. */
  readonly delivery: string | null;
  readonly at: number;
  /** Where the order's actor is (docs/orders.md); an order of an older store reads as `placed`. */
  readonly status: OrderStatus;
  readonly payment: PaymentMethod;
  /** What the customer is asked to pay (stars, or the provider's minor units); null for cash. */
  readonly invoice: Invoice | null;
  readonly paidAt: number | null;
  readonly shippedAt: number | null;
  readonly deliveredAt: number | null;
  readonly cancelledAt: number | null;
  readonly refundedAt: number | null;
  readonly tracking: string | null;
  readonly cancelReason: string | null;
  /** Telegram's charge id of the payment (`telegram_payment_charge_id`), for a refund. */
  readonly chargeId: string | null;
  readonly rating: number | null;
}

/** An order's facts that only its actor changes after it is placed. */
export type OrderProgress = Pick<StoredOrder, "status" | "payment" | "invoice" | "paidAt" | "shippedAt" | "deliveredAt" | "cancelledAt" | "refundedAt" | "tracking" | "cancelReason" | "chargeId" | "rating">;

/**
 * An order that has not moved since it was placed, paid on delivery: what a row of an older store
 * reads as, and what a caller of `saveOrder` spreads before its own fields.
 */
export const orderJustPlaced: OrderProgress = {
  status: "placed",
  payment: "cash",
  invoice: null,
  paidAt: null,
  shippedAt: null,
  deliveredAt: null,
  cancelledAt: null,
  refundedAt: null,
  tracking: null,
  cancelReason: null,
  chargeId: null,
  rating: null,
};

/**
 * Whether an order brought money in, for the revenue of summaries: paid (`paidAt` set: Stars, a
 * provider, or an owner's "paid" for cash) or delivered (cash is paid on delivery), and not
 * cancelled or refunded since. An order placed before orders were actors (`hasActor` false: its
 * row has no order actor, so it stays `placed` and cash, and no one can move it) counts at once,
 * as every order did before and as the customer's lifetime value still counts it. Each store
 * knows which rows have an actor; `OrdersSummary.revenue` counts these.
 */
export function bringsRevenue(order: Pick<StoredOrder, "status" | "paidAt" | "payment"> & { readonly hasActor?: boolean }): boolean {
  if (order.status === "cancelled" || order.status === "refunding" || order.status === "refunded") return false;
  const olderThanActors = order.hasActor === false && order.status === "placed" && order.payment === "cash";
  return order.paidAt !== null || order.status === "delivered" || olderThanActors;
}

/**
 * What the order's actor changes in its read model row as it moves; a field left out keeps its
 * value. Never the phone or the delivery details, which only `/forget` rewrites, nor who ordered or when.
 */
export type OrderChange = Partial<Omit<OrderProgress, "payment"> & Pick<StoredOrder, "items" | "total">>;

export interface OrderLine {
  readonly userId: number;
  readonly orderId: string;
  readonly total: number;
  readonly currency: string;
  readonly at: number;
}

export interface OrdersSummary {
  readonly from: number;
  readonly to: number;
  readonly count: number;
  /** Orders placed in the range, by where they are now; a status with none is left out. */
  readonly byStatus: Readonly<Partial<Record<OrderStatus, number>>>;
  /**
   * The totals of the range's orders that brought money in ({@link bringsRevenue}): those with
   * `paidAt` set (paid by Stars, a provider, or marked paid by an owner) or `delivered` (a cash
   * order is paid on delivery), and not `cancelled`, `refunding` or `refunded` since. So a `paid`,
   * `shipped` or `delivered` order counts; a cash order `shipped` but not yet marked paid does
   * not, until it is delivered; nor does a `placed` or `awaiting_payment` one, except an order
   * placed before orders were actors (no order actor), which counts at once as it always did.
   */
  readonly revenue: number;
  /** Revenue ÷ the orders it counts (0 when none). */
  readonly average: number;
  readonly latest: readonly OrderLine[];
}
