/**
 * The vocabulary of one order: its statuses, who moves it, and the events that do. Every event
 * carries `at` and `seq` (stamped by the runtime) and `by`: who made the move.
 * docs/orders.md has the design.
 */
import type { Language, OrderLine } from "./customer.types.ts";

export const orderStatuses = ["placed", "awaiting_payment", "paid", "shipped", "delivered", "cancelled", "refunding", "refunded"] as const;
/** The order's state: its machine's state value, and the `status` column of the orders read model. */
export type OrderStatus = (typeof orderStatuses)[number];

/** How the customer pays: Telegram Stars, a card through a payment provider, or on delivery / at pickup. */
export type PaymentMethod = "stars" | "provider" | "cash";
export const paymentMethods = ["stars", "provider", "cash"] as const satisfies readonly PaymentMethod[];

/** Who made a move: the customer, an owner, Telegram's payment, or one of the order's own timers. */
export type OrderActorRole = "customer" | "owner" | "payment" | "timer";

/** What the customer is asked to pay: stars (`XTR`, whole stars) or the provider's currency in its minor units. */
export interface Invoice {
  readonly currency: string;
  readonly amount: number;
}

/** Payloads by event type; `type`, `at`, `seq` and `by` are added by {@link OrderEvent}. */
export interface OrderEventPayloads {
  /** The first event of every order, written in the customer's transaction with the stock reservation. */
  order_placed: {
    orderId: string;
    userId: number;
    items: readonly OrderLine[];
    total: number;
    currency: string;
    payment: PaymentMethod;
    /** Null for cash. */
    invoice: Invoice | null;
    phone: string | null;
    delivery: string | null;
    language: Language;
  };
  /** Telegram's `successful_payment`, keyed `pay:<telegram_payment_charge_id>`. */
  payment_received: { chargeId: string; providerChargeId?: string | null; amount: number; currency: string };
  /** An owner marked a cash order paid. */
  marked_paid: Record<never, never>;
  shipped: { tracking?: string | null };
  delivered: Record<never, never>;
  /** The customer or an owner cancels (before it is shipped); the reason is shown to the customer. */
  cancel_requested: { reason?: string | null };
  /** An owner refunds a paid or delivered order (a return). */
  refund_requested: { reason?: string | null };
  /** The refund went through (Telegram's `refundStarPayment`, or an owner's word for a provider payment). */
  refund_completed: Record<never, never>;
  refund_failed: { reason: string };
  /** The customer accepted new prices after the catalog changed under an unpaid order. */
  repriced: { items: readonly OrderLine[]; total: number; invoice: Invoice };
  /** The customer's rating when asked after delivery (1 to 5). */
  rated: { stars: number };
}

export type OrderEventType = keyof OrderEventPayloads;

export const orderEventTypes = [
  "order_placed",
  "payment_received",
  "marked_paid",
  "shipped",
  "delivered",
  "cancel_requested",
  "refund_requested",
  "refund_completed",
  "refund_failed",
  "repriced",
  "rated",
] as const satisfies readonly OrderEventType[];

/** An event as the order machine receives it. */
export type OrderEvent = {
  [K in OrderEventType]: { type: K; at: number; seq: number; by: OrderActorRole } & OrderEventPayloads[K];
}[OrderEventType];

/** An event before the runtime stamps `at` and `seq`. */
export type OrderEventInput = {
  [K in OrderEventType]: { type: K; at?: number; by: OrderActorRole } & OrderEventPayloads[K];
}[OrderEventType];

/** A move of the order, as its card shows its history. */
export interface OrderMove {
  readonly at: number;
  readonly status: OrderStatus;
  readonly by: OrderActorRole;
  readonly note?: string;
}

export interface OrderContext {
  readonly orderId: string;
  readonly userId: number;
  readonly items: readonly OrderLine[];
  readonly total: number;
  readonly currency: string;
  readonly payment: PaymentMethod;
  readonly invoice: Invoice | null;
  readonly phone: string | null;
  readonly delivery: string | null;
  readonly language: Language;
  readonly placedAt: number;
  readonly paidAt: number | null;
  readonly shippedAt: number | null;
  readonly deliveredAt: number | null;
  readonly cancelledAt: number | null;
  readonly refundedAt: number | null;
  /** The charge that paid the order; later charges for it are refunded. */
  readonly chargeId: string | null;
  readonly tracking: string | null;
  readonly cancelReason: string | null;
  readonly rating: number | null;
  /** Whether the customer was asked for a rating (once). */
  readonly ratingAsked: boolean;
  readonly moves: readonly OrderMove[];
}
