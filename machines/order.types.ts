/**
 * The vocabulary of one order: its statuses, who moves it, the events that do, and the params of
 * its effects and writes. Every event carries `at` and `seq` (stamped by the runtime) and `by`:
 * who made the move. docs/orders.md has the design.
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

/** The reasons the machine itself gives (besides what a customer or an owner typed): the bots translate them. */
export const orderReasons = {
  /** The payment window closed: cancelled by the timer. */
  paymentTimeout: "payment_timeout",
  /** A charge for an order that was already paid: refunded. */
  secondCharge: "second_charge",
  /** A charge for a cancelled or refunded order: refunded. */
  lateCharge: "late_charge",
  /** The customer accepted new prices: a new invoice, the same payment window. */
  repriced: "repriced",
} as const;

/** Payloads by event type; `type`, `at`, `seq` and `by` are added by {@link OrderEvent}. */
export interface OrderEventPayloads {
  /**
   * The first event of every order, written in the customer's transaction with the stock
   * reservation. No phone or delivery details: those stay in the order row, which `/forget` blanks,
   * so the order's log holds nothing personal.
   */
  order_placed: {
    orderId: string;
    userId: number;
    items: readonly OrderLine[];
    total: number;
    currency: string;
    payment: PaymentMethod;
    /** Null for cash. */
    invoice: Invoice | null;
    language: Language;
  };
  /** Telegram's `successful_payment`, keyed `pay:<telegram_payment_charge_id>`. */
  payment_received: { chargeId: string; providerChargeId?: string | null; amount: number; currency: string };
  /** The customer asks for the invoice again (pays an unpaid order from its card); the payment window is not extended. */
  invoice_requested: Record<never, never>;
  /** An owner marked a cash order paid. */
  marked_paid: Record<never, never>;
  shipped: { tracking?: string | null };
  delivered: Record<never, never>;
  /** The customer or an owner cancels (before it is shipped); the reason is shown to the customer. */
  cancel_requested: { reason?: string | null };
  /** An owner refunds a paid or delivered order (a return). */
  refund_requested: { reason?: string | null };
  /**
   * The refund went through (Telegram's `refundStarPayment`, or an owner's word for a provider or
   * cash payment). `chargeId`, when given, must be the order's own charge: the refund of a second
   * charge does not complete the order's refund.
   */
  refund_completed: { chargeId?: string | null };
  refund_failed: { reason: string; chargeId?: string | null };
  /** The customer accepted new prices after the catalog changed under an unpaid order: the same products and quantities. */
  repriced: { items: readonly OrderLine[]; total: number; invoice: Invoice };
  /** The customer's rating when asked after delivery (1 to 5). */
  rated: { stars: number };
}

export type OrderEventType = keyof OrderEventPayloads;

export const orderEventTypes = [
  "order_placed",
  "payment_received",
  "invoice_requested",
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

/** Who may make each move: the runtime refuses an event whose `by` is not listed (a caller's bug). */
export const orderEventRoles: { readonly [K in OrderEventType]: readonly OrderActorRole[] } = {
  order_placed: ["customer"],
  payment_received: ["payment"],
  invoice_requested: ["customer"],
  marked_paid: ["owner"],
  shipped: ["owner"],
  delivered: ["owner"],
  cancel_requested: ["customer", "owner"],
  refund_requested: ["owner"],
  refund_completed: ["owner", "payment"],
  refund_failed: ["owner", "payment"],
  repriced: ["customer"],
  rated: ["customer"],
};

/** An event as the order machine receives it. */
export type OrderEvent = {
  [K in OrderEventType]: { type: K; at: number; seq: number; by: OrderActorRole } & OrderEventPayloads[K];
}[OrderEventType];

/** One of the order's own timers firing (`xstate.after.<delay>.<state id>`), stamped by the runtime; its move is the timer's. */
export interface OrderTimerEvent {
  readonly type: `xstate.after.${string}`;
  readonly at: number;
  readonly seq: number;
}

/** An event before the runtime stamps `at` and `seq`. */
export type OrderEventInput = {
  [K in OrderEventType]: { type: K; at?: number; by: OrderActorRole } & OrderEventPayloads[K];
}[OrderEventType];

/** A move of the order, as its card shows its history. */
export interface OrderMove {
  readonly at: number;
  readonly status: OrderStatus;
  readonly by: OrderActorRole;
  /** Why (a reason the customer or an owner gave, or one of {@link orderReasons}), or the tracking note of a shipment. */
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
  readonly language: Language;
  readonly placedAt: number;
  /** When the money came: the payment, an owner's word for cash, or the delivery of a cash order. */
  readonly paidAt: number | null;
  readonly shippedAt: number | null;
  readonly deliveredAt: number | null;
  readonly cancelledAt: number | null;
  readonly refundedAt: number | null;
  /** The charge that paid the order; later charges for it are refunded. */
  readonly chargeId: string | null;
  readonly providerChargeId: string | null;
  readonly tracking: string | null;
  readonly cancelReason: string | null;
  readonly rating: number | null;
  /** Whether the customer was asked for a rating (once). */
  readonly ratingAsked: boolean;
  readonly moves: readonly OrderMove[];
}

export interface OrderInput {
  readonly orderId: string;
}

/** The customer as an order's effects address them: who, and in which language. */
interface Addressed {
  readonly orderId: string;
  readonly userId: number;
  readonly language: Language;
}

/**
 * The named effects of the order machine and their params: each becomes a row in the effect
 * outbox, delivered at least once. `settleCustomer` and `unsettleCustomer` are the runtime's own
 * (they tell the customer's actor); the others are the bots' (adapters).
 */
export interface OrderEffectParams {
  /** Tell the customer, in their language, where the order is now and why ({@link orderReasons} are codes to translate). */
  notifyCustomerOfOrder: Addressed & { readonly status: OrderStatus; readonly by: OrderActorRole; readonly reason: string | null; readonly tracking: string | null };
  /** Show the owners the move (edit the order's card or its notice). */
  notifyOwnersOfOrderMove: { readonly orderId: string; readonly userId: number; readonly status: OrderStatus; readonly by: OrderActorRole; readonly reason: string | null };
  /** Send the invoice (Stars, or the provider's) for what the order costs now. */
  sendInvoice: Addressed & { readonly payment: "stars" | "provider"; readonly invoice: Invoice; readonly items: readonly OrderLine[] };
  /** Give a Stars charge back (`refundStarPayment`); its completion replies `refund_completed { chargeId }`. */
  refundStarPayment: { readonly orderId: string; readonly userId: number; readonly chargeId: string; readonly reason: string };
  /** A provider charge that the order must give back: the owners refund it in the provider's dashboard. */
  askOwnersToRefund: { readonly orderId: string; readonly userId: number; readonly chargeId: string; readonly providerChargeId: string | null; readonly amount: number; readonly currency: string; readonly reason: string };
  /** Ask the customer to rate the delivered order (once). */
  askForRating: Addressed;
  /** The customer's lifetime value gains the order (`order_settled`). */
  settleCustomer: { readonly userId: number; readonly orderId: string; readonly amount: number };
  /** The customer's lifetime value loses the order again (`order_refunded`). */
  unsettleCustomer: { readonly userId: number; readonly orderId: string; readonly amount: number };
}

/** A product and how many of it: what the stock is reserved and released in. */
export interface StockLineParams {
  readonly productId: string;
  readonly qty: number;
}

/** The named writes of the order machine: run inside the step's unit of work. */
export interface OrderWriteParams {
  /** A cancelled order's stock goes back on the shelf, in the cancellation's transaction. */
  releaseStock: { readonly items: readonly StockLineParams[] };
}
