import { assign, setup } from "xstate";
import {
  chargeRefundOf,
  initialOrderContext,
  invoiceOf,
  matchesInvoice,
  moveNoticeOf,
  orderRefundOf,
  ownerNoticeOf,
  ownerRefundOf,
  placedContext,
  ratingRequestOf,
  sameLines,
  settlementOf,
  stockOf,
  withMove,
} from "./order.params.ts";
import {
  orderReasons,
  type OrderContext,
  type OrderEffectParams,
  type OrderEvent,
  type OrderInput,
  type OrderStatus,
  type OrderTimerEvent,
  type OrderWriteParams,
} from "./order.types.ts";

export { initialOrderContext, sameLines } from "./order.params.ts";

/**
 * Bump this whenever the machine's states or context change shape.
 * A stored snapshot of another version is not trusted: the runtime replays the order's log instead.
 */
export const orderMachineVersion = 1;

/** The named actions that reach outside: the runtime queues each as an effect row, delivered at least once. */
export const orderEffects = [
  "notifyCustomerOfOrder",
  "notifyOwnersOfOrderMove",
  "sendInvoice",
  "refundStarPayment",
  "askOwnersToRefund",
  "askForRating",
  "settleCustomer",
  "unsettleCustomer",
] as const satisfies readonly (keyof OrderEffectParams)[];

/** The named actions that write: the runtime runs each inside the step's transaction. */
export const orderWrites = ["releaseStock"] as const satisfies readonly (keyof OrderWriteParams)[];

const minute = 60_000;
const hour = 60 * minute;

/** The defaults that `setup` declares; actors/customerSettings.ts provides the shop's own (`ORDER_PAYMENT_MINUTES`, `ORDER_FEEDBACK_HOURS`). */
export const defaultOrderTimings = { paymentMs: 60 * minute, feedbackMs: 24 * hour } as const;

type AnyOrderEvent = OrderEvent | OrderTimerEvent;
type PaymentEvent = Extract<OrderEvent, { type: "payment_received" }>;

/** A charge this order has not seen, for exactly what its invoice asks: the first one pays, any later one is refunded. */
const isNewCharge = (context: OrderContext, event: AnyOrderEvent): event is PaymentEvent =>
  event.type === "payment_received" && event.chargeId !== context.chargeId && matchesInvoice(context, event);

/**
 * Named effects and writes: declared so that TypeScript, Stately and the runtime's start-up check
 * see their names and params. The runtime records them by name and never calls these bodies.
 */
const declared = {
  notifyCustomerOfOrder: (_: unknown, _params: OrderEffectParams["notifyCustomerOfOrder"]) => {},
  notifyOwnersOfOrderMove: (_: unknown, _params: OrderEffectParams["notifyOwnersOfOrderMove"]) => {},
  sendInvoice: (_: unknown, _params: OrderEffectParams["sendInvoice"]) => {},
  refundStarPayment: (_: unknown, _params: OrderEffectParams["refundStarPayment"]) => {},
  askOwnersToRefund: (_: unknown, _params: OrderEffectParams["askOwnersToRefund"]) => {},
  askForRating: (_: unknown, _params: OrderEffectParams["askForRating"]) => {},
  settleCustomer: (_: unknown, _params: OrderEffectParams["settleCustomer"]) => {},
  unsettleCustomer: (_: unknown, _params: OrderEffectParams["unsettleCustomer"]) => {},
  releaseStock: (_: unknown, _params: OrderWriteParams["releaseStock"]) => {},
};

const orderSetup = setup({
  types: {
    context: {} as OrderContext,
    events: {} as AnyOrderEvent,
    input: {} as OrderInput,
  },
  actions: {
    ...declared,
    takeOrder: assign(({ context, event }) => (event.type === "order_placed" ? placedContext(context, event) : {})),
    move: assign(({ context, event }, params: { status: OrderStatus; note?: string }) => ({ moves: withMove(context, event, params.status, params.note) })),
    markPaid: assign(({ event }) => ({
      paidAt: event.at,
      ...(event.type === "payment_received" ? { chargeId: event.chargeId, providerChargeId: event.providerChargeId ?? null } : {}),
    })),
    markShipped: assign(({ event }) => ({ shippedAt: event.at, tracking: event.type === "shipped" ? (event.tracking ?? null) : null })),
    markDelivered: assign(({ context, event }) => ({ deliveredAt: event.at, paidAt: context.paidAt ?? event.at })),
    markCancelled: assign(({ context, event }) => ({ cancelledAt: event.at, cancelReason: context.moves.at(-1)?.note ?? null })),
    markRefunded: assign(({ event }) => ({ refundedAt: event.at })),
    reprice: assign(({ event }) => (event.type === "repriced" ? { items: event.items, total: event.total, invoice: event.invoice } : {})),
    keepRating: assign(({ event }) => (event.type === "rated" ? { rating: event.stars } : {})),
    noteRatingAsked: assign({ ratingAsked: true }),
  },
  guards: {
    isCash: ({ event }) => event.type === "order_placed" && event.payment === "cash",
    paysTheInvoice: ({ context, event }) => context.chargeId === null && isNewCharge(context, event),
    isNewStarsCharge: ({ context, event }) => isNewCharge(context, event) && event.currency === "XTR",
    isNewProviderCharge: ({ context, event }) => isNewCharge(context, event) && event.currency !== "XTR",
    paidByStars: ({ context }) => context.payment === "stars" && context.chargeId !== null,
    isUnpaid: ({ context }) => context.paidAt === null,
    repricesTheSameOrder: ({ context, event }) =>
      event.type === "repriced" &&
      sameLines(context.items, event.items) &&
      event.invoice.currency === context.invoice?.currency &&
      Number.isSafeInteger(event.invoice.amount) &&
      event.invoice.amount > 0,
    refundsTheOrder: ({ context, event }) =>
      (event.type === "refund_completed" || event.type === "refund_failed") && (event.chargeId === undefined || event.chargeId === null || event.chargeId === context.chargeId),
    mayRate: ({ context, event }) => event.type === "rated" && context.rating === null && Number.isInteger(event.stars) && event.stars >= 1 && event.stars <= 5,
    feedbackOff: () => false,
  },
  delays: {
    paymentTimeout: defaultOrderTimings.paymentMs,
    feedbackDelay: defaultOrderTimings.feedbackMs,
  },
});

/** The customer and the owners hear of a move. */
const told = [
  { type: "notifyCustomerOfOrder", params: moveNoticeOf },
  { type: "notifyOwnersOfOrderMove", params: ownerNoticeOf },
] as const;

/** A charge this order cannot keep (a second one, or one after it was cancelled or refunded) goes back, and the customer is told why. */
function refundsCharges(status: OrderStatus, reason: string) {
  const noted = { type: "move", params: { status, note: reason } } as const;
  return [
    { guard: "isNewStarsCharge", actions: [noted, { type: "refundStarPayment", params: chargeRefundOf }, ...told] },
    { guard: "isNewProviderCharge", actions: [noted, { type: "askOwnersToRefund", params: ownerRefundOf }, ...told] },
  ] as const;
}

const cancel = [{ type: "move", params: { status: "cancelled" } }, "markCancelled", { type: "releaseStock", params: stockOf }, ...told] as const;
const cancelPaid = [{ type: "move", params: { status: "refunding" } }, "markCancelled", { type: "releaseStock", params: stockOf }, ...told] as const;
const settle = { type: "settleCustomer", params: settlementOf } as const;

/**
 * One order, from its placing to its end (docs/orders.md):
 *
 * - `order_placed` opens it: `placed` for cash, `awaiting_payment` (with the invoice sent) otherwise;
 * - an unpaid order is cancelled by its `paymentTimeout`, its stock released and the customer told;
 *   asking for the invoice again, or accepting new prices (the same lines, a new invoice), keeps the window;
 * - the payment that matches its invoice pays it, once; any other charge it sees afterwards is refunded;
 * - `cancelled` from any state before `shipped`; a paid order that is cancelled, or a delivered one that is returned, is refunded;
 * - a delivered order asks for a rating once, after its `feedbackDelay` (unless the shop turned feedback off).
 *
 * Every move is told to the customer and the owners; paying (or delivering a cash order) settles
 * the order on the customer's lifetime value, and a refund takes it off again.
 */
export const orderMachine = orderSetup.createMachine({
  id: "order",
  initial: "new",
  context: ({ input }) => initialOrderContext(input),
  states: {
    new: {
      on: {
        order_placed: [
          { guard: "isCash", target: "placed", actions: ["takeOrder", { type: "move", params: { status: "placed" } }] },
          { target: "awaiting_payment", actions: ["takeOrder", { type: "move", params: { status: "awaiting_payment" } }, { type: "sendInvoice", params: invoiceOf }] },
        ],
      },
    },
    placed: {
      on: {
        marked_paid: { target: "paid", actions: [{ type: "move", params: { status: "paid" } }, "markPaid", ...told, settle] },
        shipped: { target: "shipped", actions: [{ type: "move", params: { status: "shipped" } }, "markShipped", ...told] },
        cancel_requested: { target: "cancelled", actions: cancel },
      },
    },
    awaiting_payment: {
      after: {
        paymentTimeout: { target: "cancelled", actions: [{ type: "move", params: { status: "cancelled", note: orderReasons.paymentTimeout } }, ...cancel.slice(1)] },
      },
      on: {
        payment_received: { guard: "paysTheInvoice", target: "paid", actions: [{ type: "move", params: { status: "paid" } }, "markPaid", ...told, settle] },
        invoice_requested: { actions: { type: "sendInvoice", params: invoiceOf } },
        repriced: {
          guard: "repricesTheSameOrder",
          actions: ["reprice", { type: "move", params: { status: "awaiting_payment", note: orderReasons.repriced } }, { type: "sendInvoice", params: invoiceOf }],
        },
        cancel_requested: { target: "cancelled", actions: cancel },
      },
    },
    paid: {
      on: {
        shipped: { target: "shipped", actions: [{ type: "move", params: { status: "shipped" } }, "markShipped", ...told] },
        cancel_requested: [
          { guard: "paidByStars", target: "refunding", actions: [...cancelPaid, { type: "refundStarPayment", params: orderRefundOf }] },
          { target: "refunding", actions: cancelPaid },
        ],
        refund_requested: [
          { guard: "paidByStars", target: "refunding", actions: [...cancelPaid, { type: "refundStarPayment", params: orderRefundOf }] },
          { target: "refunding", actions: cancelPaid },
        ],
        payment_received: refundsCharges("paid", orderReasons.secondCharge),
      },
    },
    shipped: {
      on: {
        delivered: [
          { guard: "isUnpaid", target: "delivered", actions: [{ type: "move", params: { status: "delivered" } }, "markDelivered", ...told, settle] },
          { target: "delivered", actions: [{ type: "move", params: { status: "delivered" } }, "markDelivered", ...told] },
        ],
        payment_received: refundsCharges("shipped", orderReasons.secondCharge),
      },
    },
    delivered: {
      initial: "arrived",
      on: {
        rated: { guard: "mayRate", target: ".closed", actions: "keepRating" },
        refund_requested: [
          { guard: "paidByStars", target: "refunding", actions: [{ type: "move", params: { status: "refunding" } }, ...told, { type: "refundStarPayment", params: orderRefundOf }] },
          { target: "refunding", actions: [{ type: "move", params: { status: "refunding" } }, ...told] },
        ],
        payment_received: refundsCharges("delivered", orderReasons.secondCharge),
      },
      states: {
        arrived: {
          always: [{ guard: "feedbackOff", target: "closed" }, { target: "awaitingFeedback" }],
        },
        awaitingFeedback: {
          after: {
            feedbackDelay: { target: "feedbackAsked", actions: ["noteRatingAsked", { type: "askForRating", params: ratingRequestOf }] },
          },
        },
        feedbackAsked: {},
        closed: {},
      },
    },
    refunding: {
      on: {
        refund_completed: { guard: "refundsTheOrder", target: "refunded", actions: [{ type: "move", params: { status: "refunded" } }, "markRefunded", ...told, { type: "unsettleCustomer", params: settlementOf }] },
        refund_failed: { guard: "refundsTheOrder", actions: [{ type: "move", params: { status: "refunding" } }, { type: "notifyOwnersOfOrderMove", params: ownerNoticeOf }] },
        refund_requested: { guard: "paidByStars", actions: [{ type: "move", params: { status: "refunding" } }, { type: "refundStarPayment", params: orderRefundOf }] },
        payment_received: refundsCharges("refunding", orderReasons.lateCharge),
      },
    },
    cancelled: {
      on: {
        payment_received: refundsCharges("cancelled", orderReasons.lateCharge),
      },
    },
    refunded: {
      on: {
        payment_received: refundsCharges("refunded", orderReasons.lateCharge),
      },
    },
  },
});

export type OrderMachine = typeof orderMachine;
