import { Composer } from "grammy";
import type { OrderCommand, OrderCommands, OrderSendResult } from "../../../actors/orders.port.ts";
import type { StoredOrder } from "../../../actors/store.port.ts";
import { checkPrices, invoiceFor, sameInvoice } from "./orderPayments.ts";
import { answer, keyOf, onButtons, userOf, view, type Shop, type ShopContext } from "./shopContext.ts";
import { cancelAskScreen, cancellable, orderCardScreen, ordersPerPage, ordersScreen, statusText } from "./shopOrderScreens.ts";

/**
 * "My orders" (the menu button and `/orders`): the customer's orders in pages, newest first, and
 * an order's card, from which an order not yet shipped is cancelled (after a confirmation) and an
 * unpaid one is paid again (`invoice_requested`: the order sends its invoice once more). Also the
 * answers to what an order's messages offer: a rating after delivery, and a new price to confirm.
 * Each press is an event of the order keyed by the update, so a redelivered press changes nothing;
 * an order that is not the customer's is "not found", whatever the button says.
 */

async function showOrders(shop: Shop, ctx: ShopContext, offset = 0): Promise<void> {
  const page = await shop.store.orders(userOf(ctx), { offset, limit: ordersPerPage });
  await answer(ctx);
  await shop.show(ctx, ordersScreen(view(shop, ctx), page));
}

/** The order, if it is this customer's. */
async function ownOrder(shop: Shop, ctx: ShopContext, orderId: string): Promise<StoredOrder | null> {
  const order = await shop.store.order(orderId);
  return order !== null && order.userId === userOf(ctx) ? order : null;
}

async function showCard(shop: Shop, ctx: ShopContext, orderId: string, toast?: string): Promise<void> {
  const order = await ownOrder(shop, ctx, orderId);
  if (!order) {
    await answer(ctx, ctx.t("order-not-found"), true);
    return showOrders(shop, ctx);
  }
  await answer(ctx, toast);
  await shop.show(ctx, orderCardScreen(view(shop, ctx), order));
}

/**
 * Sends the customer's event to one of their own orders; null (the customer told why) when the
 * order is not theirs or the order actors are not running.
 */
async function sendOwn(shop: Shop, ctx: ShopContext, orderId: string, command: OrderCommand): Promise<OrderSendResult | null> {
  const orders: OrderCommands | null = shop.orders;
  if (!orders) {
    await answer(ctx, ctx.t("orders-unavailable"), true);
    return null;
  }
  if (!(await ownOrder(shop, ctx, orderId))) {
    await answer(ctx, ctx.t("order-not-found"), true);
    return null;
  }
  return orders.send(orderId, command);
}

async function askCancel(shop: Shop, ctx: ShopContext, orderId: string): Promise<void> {
  const order = await ownOrder(shop, ctx, orderId);
  if (!order) return showCard(shop, ctx, orderId);
  if (!cancellable(order.status)) return showCard(shop, ctx, orderId, ctx.t("order-not-cancellable", { status: statusText(view(shop, ctx), order.status) }));
  await answer(ctx);
  await shop.show(ctx, cancelAskScreen(view(shop, ctx), order));
}

async function cancelOrder(shop: Shop, ctx: ShopContext, orderId: string): Promise<void> {
  const result = await sendOwn(shop, ctx, orderId, { type: "cancel_requested", by: "customer", reason: null, key: keyOf(ctx, "cancel_requested") });
  if (result === null) return;
  if (result.kind === "refused") return showCard(shop, ctx, orderId, ctx.t("order-not-cancellable", { status: statusText(view(shop, ctx), result.status) }));
  await showCard(shop, ctx, orderId, result.kind === "unknown_order" ? undefined : ctx.t("order-cancelled"));
}

async function payOrder(shop: Shop, ctx: ShopContext, orderId: string): Promise<void> {
  const result = await sendOwn(shop, ctx, orderId, { type: "invoice_requested", by: "customer", key: keyOf(ctx, "invoice_requested") });
  if (result === null) return;
  if (result.kind === "refused") return showCard(shop, ctx, orderId, ctx.t("order-not-payable", { status: statusText(view(shop, ctx), result.status) }));
  await answer(ctx, ctx.t("order-invoice-sent"));
}

async function rate(shop: Shop, ctx: ShopContext, orderId: string, stars: number): Promise<void> {
  const result = await sendOwn(shop, ctx, orderId, { type: "rated", by: "customer", stars, key: keyOf(ctx, "rated") });
  if (result === null) return;
  await answer(ctx, ctx.t(result.kind === "refused" ? "rating-done" : "rating-thanks"));
  await ctx.editMessageReplyMarkup().catch(() => undefined);
}

/** The customer accepts today's prices for an unpaid order: `repriced` with the same products and quantities and a new invoice, which the order sends. */
async function confirmNewPrice(shop: Shop, ctx: ShopContext, orderId: string): Promise<void> {
  const order = shop.orders?.view(orderId) ?? null;
  if (!order || order.userId !== userOf(ctx) || order.status !== "awaiting_payment") {
    const status = order && order.userId === userOf(ctx) ? statusText(view(shop, ctx), order.status) : null;
    await answer(ctx, status ? ctx.t("order-not-payable", { status }) : ctx.t("order-not-found"), true);
    return void (await ctx.editMessageReplyMarkup().catch(() => undefined));
  }
  const check = checkPrices(order.items, shop.catalog);
  if (check.kind === "gone") return void (await answer(ctx, ctx.t("precheckout-gone", { orderId, title: check.title }), true));
  const items = check.kind === "changed" ? check.items : order.items;
  const total = check.kind === "changed" ? check.total : order.total;
  const invoice = invoiceFor(order.payment, total, order.currency, shop.payments.starPrice);
  if (invoice === null || (check.kind === "same" && sameInvoice(invoice, order.invoice))) return payOrder(shop, ctx, orderId);
  const result = await sendOwn(shop, ctx, orderId, { type: "repriced", by: "customer", items, total, invoice, key: keyOf(ctx, "repriced") });
  if (result === null) return;
  await answer(ctx, result.kind === "refused" ? ctx.t("order-not-payable", { status: statusText(view(shop, ctx), result.status) }) : ctx.t("price-confirmed"));
  await ctx.editMessageReplyMarkup().catch(() => undefined);
}

/** The Composer of "My orders", an order's card and what an order's messages offer. */
export function shopOrders(shop: Shop): Composer<ShopContext> {
  const composer = new Composer<ShopContext>();
  composer.command("orders", (ctx) => showOrders(shop, ctx));
  onButtons(composer, {
    ords: (ctx, [offset]) => showOrders(shop, ctx, offset),
    ord: (ctx, [orderId]) => showCard(shop, ctx, orderId),
    oc: (ctx, [orderId]) => askCancel(shop, ctx, orderId),
    ocy: (ctx, [orderId]) => cancelOrder(shop, ctx, orderId),
    opay: (ctx, [orderId]) => payOrder(shop, ctx, orderId),
    rate: (ctx, [orderId, stars]) => rate(shop, ctx, orderId, stars),
    rp: (ctx, [orderId]) => confirmNewPrice(shop, ctx, orderId),
  });
  return composer;
}
