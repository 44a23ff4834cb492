import { Composer } from "grammy";
import type { PreCheckoutQuery, SuccessfulPayment } from "grammy/types";
import type { OrderSendResult, OrderView } from "../../../actors/orders.port.ts";
import { checkPrices, invoiceFor, sameInvoice } from "./orderPayments.ts";
import { languageOf, viewOf, type Shop, type ShopContext } from "./shopContext.ts";
import { repriceScreen } from "./shopOrderScreens.ts";

/**
 * Telegram's payments, as they reach the shop bot: the `pre_checkout_query` (answered at once, from
 * memory: the order's live view and the catalog, with no network call before the answer) and the
 * `successful_payment` message, which becomes the order's `payment_received`, keyed by Telegram's
 * charge id so that a redelivered update, or a second message of one charge, pays once. Whether a
 * payment pays the order is the order machine's to say; a payment it refuses (an unknown order, a
 * wrong amount or currency: a forgery) is logged as one line and changes nothing.
 */

/** What an invoice's payload may be: an order id as the order actors take it. */
const orderIdPattern = /^[^\s:#]{1,64}$/;

type Refusal = { readonly reason: string; readonly message: string; readonly vars?: Record<string, string | number>; readonly reprice?: RepriceOffer };
interface RepriceOffer {
  readonly order: OrderView;
  readonly items: OrderView["items"];
  readonly total: number;
}

const endedStatuses: ReadonlySet<string> = new Set(["cancelled", "refunding", "refunded"]);
const paidStatuses: ReadonlySet<string> = new Set(["paid", "shipped", "delivered"]);

/** Whether the order's prices are still the catalog's (and the invoice still what they cost); what to offer when not. */
function priceRefusal(shop: Shop, order: OrderView): Refusal | null {
  const vars = { orderId: order.orderId };
  const check = checkPrices(order.items, shop.catalog);
  if (check.kind === "gone") return { reason: "product_gone", message: "precheckout-gone", vars: { ...vars, title: check.title } };
  const items = check.kind === "changed" ? check.items : order.items;
  const total = check.kind === "changed" ? check.total : order.total;
  const fresh = invoiceFor(order.payment, total, order.currency, shop.payments.starPrice);
  if (check.kind === "same" && (fresh === null || sameInvoice(fresh, order.invoice))) return null;
  return { reason: "price_changed", message: "precheckout-price-changed", vars, reprice: { order, items, total } };
}

/** Why this query must be refused, or null to let it pay: the order exists, awaits payment, asks exactly this, at today's prices. */
export function preCheckoutRefusal(shop: Shop, query: Pick<PreCheckoutQuery, "invoice_payload" | "currency" | "total_amount">): Refusal | null {
  const orderId = query.invoice_payload;
  const order = shop.orders && orderIdPattern.test(orderId) ? shop.orders.view(orderId) : null;
  if (order === null) return { reason: "unknown_order", message: "precheckout-unknown" };
  const vars = { orderId: order.orderId };
  if (endedStatuses.has(order.status)) return { reason: `status_${order.status}`, message: "precheckout-cancelled", vars };
  if (paidStatuses.has(order.status)) return { reason: `status_${order.status}`, message: "precheckout-paid", vars };
  if (order.status !== "awaiting_payment") return { reason: `status_${order.status}`, message: "precheckout-not-payable", vars };
  if (order.invoice === null || query.currency !== order.invoice.currency) return { reason: "wrong_currency", message: "precheckout-amount", vars };
  if (query.total_amount !== order.invoice.amount) return { reason: "wrong_amount", message: "precheckout-amount", vars };
  return priceRefusal(shop, order);
}

async function answerPreCheckout(shop: Shop, ctx: ShopContext & { preCheckoutQuery: PreCheckoutQuery }): Promise<void> {
  const query = ctx.preCheckoutQuery;
  const refusal = preCheckoutRefusal(shop, query);
  if (refusal === null) {
    await ctx.answerPreCheckoutQuery(true);
    return;
  }
  await ctx.answerPreCheckoutQuery(false, { error_message: ctx.t(refusal.message, refusal.vars) });
  shop.log.info("pre_checkout_refused", { orderId: query.invoice_payload.slice(0, 64), reason: refusal.reason, currency: query.currency, amount: query.total_amount });
  const offer = refusal.reprice;
  if (offer) {
    const view = viewOf((key, vars) => ctx.t(key, vars), languageOf(ctx), shop.timeZone);
    const screen = repriceScreen(view, { orderId: offer.order.orderId, currency: offer.order.currency, oldTotal: offer.order.total }, offer.items, offer.total);
    await ctx.api.sendMessage(query.from.id, screen.text, { parse_mode: "HTML", ...(screen.keyboard ? { reply_markup: screen.keyboard } : {}) });
  }
}

/** Why the order machine did not take a payment, for the log line: which of the payment's facts did not fit. */
function refusedBecause(order: OrderView | null, payment: SuccessfulPayment, result: OrderSendResult): string {
  if (result.kind === "unknown_order" || order === null) return "unknown_order";
  if (order.invoice === null || payment.currency !== order.invoice.currency) return "wrong_currency";
  if (payment.total_amount !== order.invoice.amount) return "wrong_amount";
  return `not_payable_${order.status}`;
}

async function receivePayment(shop: Shop, ctx: ShopContext, payment: SuccessfulPayment): Promise<void> {
  const orderId = payment.invoice_payload;
  const chargeId = payment.telegram_payment_charge_id;
  const fields = { updateId: ctx.update.update_id, orderId: orderId.slice(0, 64), chargeId: chargeId.slice(0, 128), amount: payment.total_amount, currency: payment.currency };
  const orders = shop.orders;
  if (!orders || !orderIdPattern.test(orderId)) return shop.log.warn("payment_refused", { ...fields, reason: "unknown_order" });
  const before = orders.view(orderId);
  const result = await orders.send(orderId, {
    type: "payment_received",
    by: "payment",
    chargeId,
    providerChargeId: payment.provider_payment_charge_id || null,
    amount: payment.total_amount,
    currency: payment.currency,
    key: `pay:${chargeId}`,
  });
  if (result.kind === "applied") return shop.log.info("payment_received", { ...fields, from: result.from, status: result.status });
  if (result.kind === "duplicate") return shop.log.info("payment_duplicate", { ...fields, status: result.status });
  shop.log.warn("payment_refused", { ...fields, reason: refusedBecause(before, payment, result) });
}

/** The payments Composer: install it at the bot's level before the private chats' features (a pre-checkout query has no chat). */
export function shopPayments(shop: Shop): Composer<ShopContext> {
  const composer = new Composer<ShopContext>();
  composer.on("pre_checkout_query", (ctx) => answerPreCheckout(shop, ctx));
  const chats = composer.chatType("private");
  chats.on("message:successful_payment", (ctx) => receivePayment(shop, ctx, ctx.message.successful_payment));
  // Telegram's note of a refund the order already told the customer about: nothing to answer.
  chats.on("message:refunded_payment", (ctx) => shop.log.info("payment_refunded", { updateId: ctx.update.update_id, orderId: ctx.message.refunded_payment.invoice_payload.slice(0, 64) }));
  return composer;
}
