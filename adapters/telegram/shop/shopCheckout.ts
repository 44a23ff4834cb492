import { Composer, Keyboard } from "grammy";
import { orderItemsOf, priceCart, type PricedCart } from "../../../actors/cart.ts";
import { StockShortage, type CustomerSnapshot } from "../../../actors/customerRuntime.ts";
import type { OrderItem } from "../../../actors/store.port.ts";
import { maxDeliveryChars, normalizePhone } from "../../../machines/customer.input.ts";
import type { PaymentMethod } from "../../../machines/order.types.ts";
import { escapeHtml, formatMoney } from "../format.ts";
import { invoiceFor } from "./orderPayments.ts";
import { priceCustomerCart, showCart } from "./shopCart.ts";
import { answer, customerOf, dispatch, isCommand, menuOf, onButtons, reply, userOf, view, type Shop, type ShopContext } from "./shopContext.ts";
import { paymentChoiceScreen } from "./shopOrderScreens.ts";
import { cartScreen, summaryScreen } from "./shopScreens.ts";

/**
 * The checkout: phone → delivery → summary → order, as the customer actor's `checkout` region
 * keeps it. Each step is an event (`checkout_started`, `contact_shared`, `delivery_given`,
 * `checkout_edited`, `checkout_cancelled`); what the customer types is checked here first, and an
 * invalid phone or delivery text is answered without dispatching anything, so none of it is kept.
 * Confirming asks how to pay (when the shop takes more than one method), prices the cart against the
 * catalog and dispatches `order_created` with the method and its frozen invoice, keyed by the order
 * id: the machine's `recordOrder` stores the order (and creates its actor, which sends the invoice)
 * and `notifyOwnersOfOrder` tells the owners.
 */

async function askPhone(ctx: ShopContext, knownPhone: string | null, notice?: string): Promise<void> {
  const keyboard = new Keyboard().requestContact(ctx.t("btn-share-contact")).row();
  if (knownPhone) keyboard.text(knownPhone).row();
  keyboard.text(ctx.t("btn-cancel")).resized().oneTime();
  await ctx.reply(notice ?? ctx.t("checkout-phone"), { parse_mode: "HTML", reply_markup: keyboard });
}

async function askDelivery(ctx: ShopContext, notice?: string): Promise<void> {
  const keyboard = new Keyboard().text(ctx.t("btn-cancel")).resized();
  await ctx.reply(notice ?? ctx.t("checkout-delivery", { max: maxDeliveryChars }), { parse_mode: "HTML", reply_markup: keyboard });
}

async function replySummary(shop: Shop, ctx: ShopContext, snapshot: CustomerSnapshot, priced: PricedCart, notice?: string): Promise<void> {
  const { checkout, phone } = snapshot.context;
  await reply(ctx, summaryScreen(view(shop, ctx), priced, { orderId: checkout?.orderId ?? "", phone, delivery: checkout?.delivery ?? null }, notice));
}

async function showSummary(shop: Shop, ctx: ShopContext, snapshot: CustomerSnapshot, notice?: string): Promise<void> {
  await replySummary(shop, ctx, snapshot, await priceCustomerCart(shop, ctx, snapshot), notice);
}

/**
 * The step the checkout is at, asked again: the phone, the delivery, or the summary. It dispatches
 * nothing (the summary is priced without correcting the cart), so an update already applied can show it.
 */
export async function showCheckoutStep(shop: Shop, ctx: ShopContext, snapshot: CustomerSnapshot): Promise<void> {
  if (snapshot.value.checkout === "phone") return askPhone(ctx, snapshot.context.phone);
  if (snapshot.value.checkout === "delivery") return askDelivery(ctx);
  await replySummary(shop, ctx, snapshot, priceCart(snapshot.context.cart, shop.catalog));
}

async function startCheckout(shop: Shop, ctx: ShopContext): Promise<void> {
  const priced = await priceCustomerCart(shop, ctx, await customerOf(shop, ctx));
  if (priced.lines.length === 0) {
    await answer(ctx, ctx.t("checkout-empty"), true);
    return shop.show(ctx, cartScreen(view(shop, ctx), priced, ctx.t("checkout-empty")));
  }
  const started = await dispatch(shop, ctx, { type: "checkout_started" });
  await answer(ctx);
  await askPhone(ctx, started.context.phone);
}

/** Cancels the checkout under way; the cart stays. */
export async function cancelCheckout(shop: Shop, ctx: ShopContext): Promise<void> {
  const cancelled = await dispatch(shop, ctx, { type: "checkout_cancelled" });
  await answer(ctx);
  if (ctx.callbackQuery?.message) await ctx.editMessageReplyMarkup().catch(() => undefined);
  await ctx.reply(ctx.t("checkout-cancelled"), { reply_markup: { remove_keyboard: true } });
  await reply(ctx, menuOf(shop, ctx, cancelled));
}

async function acceptPhone(shop: Shop, ctx: ShopContext, phone: string | null): Promise<void> {
  if (phone === null) return askPhone(ctx, null, ctx.t("checkout-invalid-phone"));
  await dispatch(shop, ctx, { type: "contact_shared", phone });
  await askDelivery(ctx);
}

async function acceptDelivery(shop: Shop, ctx: ShopContext, text: string): Promise<void> {
  const delivery = text.trim();
  if (delivery === "") return askDelivery(ctx, ctx.t("checkout-delivery-empty"));
  if ([...delivery].length > maxDeliveryChars) return askDelivery(ctx, ctx.t("checkout-delivery-too-long", { max: maxDeliveryChars }));
  await showSummary(shop, ctx, await dispatch(shop, ctx, { type: "delivery_given", text: delivery }));
}

async function showPlaced(shop: Shop, ctx: ShopContext, order: { readonly orderId: string; readonly total: number; readonly currency: string; readonly phone: string | null; readonly payment?: PaymentMethod | null }): Promise<void> {
  const total = formatMoney(order.total, order.currency, view(shop, ctx).locale);
  const text =
    order.payment === "stars" || order.payment === "provider"
      ? ctx.t("order-placed-pay", { orderId: order.orderId, total, minutes: shop.payments.paymentMinutes })
      : ctx.t("order-placed", { orderId: order.orderId, total, phone: escapeHtml(order.phone ?? "—") });
  await ctx.reply(text, { parse_mode: "HTML", reply_markup: { remove_keyboard: true } });
}

/** A confirm press on a summary that is not the one waiting: an order placed already is shown again, never placed twice. */
async function refuseConfirm(shop: Shop, ctx: ShopContext, orderId: string): Promise<void> {
  const order = await shop.store.order(orderId);
  const placed = order !== null && order.userId === userOf(ctx);
  await answer(ctx, placed ? ctx.t("checkout-already-placed", { orderId }) : ctx.t("checkout-not-active"), true);
  if (ctx.callbackQuery?.message) await ctx.editMessageReplyMarkup().catch(() => undefined);
  if (placed) await showPlaced(shop, ctx, order);
}

/** The cart cannot be ordered as the summary showed it: emptied by the catalog, or changed. */
async function cartMoved(shop: Shop, ctx: ShopContext, priced: PricedCart): Promise<void> {
  if (priced.lines.length > 0) {
    await answer(ctx, ctx.t("checkout-cart-changed"), true);
    return showSummary(shop, ctx, await customerOf(shop, ctx), ctx.t("checkout-cart-changed"));
  }
  await dispatch(shop, ctx, { type: "checkout_cancelled" });
  await answer(ctx, ctx.t("checkout-empty"), true);
  await ctx.reply(ctx.t("checkout-empty"), { reply_markup: { remove_keyboard: true } });
  await showCart(shop, ctx);
}

/** Others bought the last units first: nothing was placed or stored, the cart and the checkout stay, and the customer hears how many are left. */
async function soldOut(shop: Shop, ctx: ShopContext, items: readonly OrderItem[], shortage: StockShortage): Promise<void> {
  const title = items.find((line) => line.productId === shortage.productId)?.title ?? shop.catalog.product(shortage.productId)?.title ?? shortage.productId;
  const text = shortage.available > 0 ? ctx.t("checkout-only-left", { title: escapeHtml(title), count: shortage.available }) : ctx.t("checkout-sold-out", { title: escapeHtml(title) });
  shop.log.info("order_short", { updateId: ctx.update.update_id, productId: shortage.productId, available: shortage.available });
  await answer(ctx, text, true);
  await ctx.reply(text, { parse_mode: "HTML" });
}

/**
 * The payment methods this order may be paid by: the shop's, less Stars without a star price. Empty
 * without the order actors: the order is then placed as before they existed (a row, paid on delivery).
 */
function offeredMethods(shop: Shop): readonly PaymentMethod[] {
  if (!shop.orders) return [];
  return shop.payments.methods.filter((method) => method !== "stars" || shop.payments.starPrice !== null);
}

/**
 * Confirms the order: with several payment methods it first asks which (the question dispatches
 * nothing); with one, or once chosen, it prices the cart again and dispatches `order_created`
 * with the method and its invoice, frozen, keyed by the order id.
 */
async function confirmOrder(shop: Shop, ctx: ShopContext, orderId: string, chosen?: string): Promise<void> {
  const snapshot = await customerOf(shop, ctx);
  if (snapshot.value.checkout !== "confirming" || snapshot.context.checkout?.orderId !== orderId) return refuseConfirm(shop, ctx, orderId);
  const priced = await priceCustomerCart(shop, ctx, snapshot);
  if (priced.notices.length > 0 || priced.lines.length === 0) return cartMoved(shop, ctx, priced);
  const currency = priced.currency ?? "RUB";
  const order = { orderId, items: orderItemsOf(priced), total: priced.total, currency };
  const methods = offeredMethods(shop);
  const payment = methods.find((method) => method === chosen) ?? (methods.length === 1 ? methods[0] : undefined);
  if (methods.length > 0 && payment === undefined) {
    await answer(ctx, chosen === undefined ? undefined : ctx.t("checkout-method-off"), chosen !== undefined);
    return shop.show(ctx, paymentChoiceScreen(view(shop, ctx), order, { ...shop.payments, methods }));
  }
  const paid = payment === undefined ? {} : { payment, invoice: invoiceFor(payment, order.total, currency, shop.payments.starPrice) };
  let placed: CustomerSnapshot;
  try {
    placed = await dispatch(shop, ctx, { type: "order_created", ...order, ...paid }, `order:${orderId}`);
  } catch (error) {
    if (error instanceof StockShortage) return soldOut(shop, ctx, order.items, error);
    throw error;
  }
  await answer(ctx);
  await ctx.editMessageReplyMarkup().catch(() => undefined);
  await showPlaced(shop, ctx, { ...order, phone: placed.context.phone, payment: payment ?? null });
  await reply(ctx, menuOf(shop, ctx, placed));
}

async function editCheckout(shop: Shop, ctx: ShopContext, field: "phone" | "delivery"): Promise<void> {
  const snapshot = await customerOf(shop, ctx);
  const state = snapshot.value.checkout;
  // Pressed again (or delivered again) once it led to the phone step: that step is where the customer is.
  if (state === "phone" && field === "phone") {
    await answer(ctx);
    return askPhone(ctx, snapshot.context.phone);
  }
  if (state !== "confirming" && state !== "delivery") return answer(ctx, ctx.t("checkout-not-active"), true);
  const edited = await dispatch(shop, ctx, { type: "checkout_edited", field });
  await answer(ctx);
  return edited.value.checkout === "phone" ? askPhone(ctx, edited.context.phone) : askDelivery(ctx);
}

/** Text while the checkout is under way: the step's answer, or "✖️ Cancel" from the reply keyboard. */
async function onText(shop: Shop, ctx: ShopContext, text: string): Promise<void> {
  const snapshot = await customerOf(shop, ctx);
  if (text.trim() === ctx.t("btn-cancel")) return cancelCheckout(shop, ctx);
  switch (snapshot.value.checkout) {
    case "phone":
      return acceptPhone(shop, ctx, normalizePhone(text));
    case "delivery":
      return acceptDelivery(shop, ctx, text);
    default:
      return showSummary(shop, ctx, snapshot, ctx.t("checkout-use-buttons"));
  }
}

const checkoutIs =
  (shop: Shop, ...states: readonly string[]) =>
  async (ctx: ShopContext): Promise<boolean> =>
    !isCommand(ctx) && states.includes((await customerOf(shop, ctx)).value.checkout);

/** The checkout's Composer: its buttons, and the messages it takes while it is under way (install before the catalog's text). */
export function shopCheckout(shop: Shop): Composer<ShopContext> {
  const composer = new Composer<ShopContext>();
  onButtons(composer, {
    co: (ctx) => startCheckout(shop, ctx),
    ok: (ctx, [orderId]) => confirmOrder(shop, ctx, orderId),
    pm: (ctx, [orderId, method]) => confirmOrder(shop, ctx, orderId, method),
    editp: (ctx) => editCheckout(shop, ctx, "phone"),
    editd: (ctx) => editCheckout(shop, ctx, "delivery"),
  });
  composer.on("message:text").filter(checkoutIs(shop, "phone", "delivery", "confirming"), (ctx) => onText(shop, ctx, ctx.message.text));
  composer.on("message:contact").filter(checkoutIs(shop, "phone"), async (ctx) => {
    const contact = ctx.message.contact;
    const own = contact.user_id === undefined || contact.user_id === ctx.from.id;
    await acceptPhone(shop, ctx, own ? normalizePhone(contact.phone_number) : null);
  });
  composer.on("message").filter(checkoutIs(shop, "phone"), (ctx) => askPhone(ctx, null, ctx.t("checkout-text-needed", { hint: ctx.t("checkout-invalid-phone") })));
  composer.on("message").filter(checkoutIs(shop, "delivery"), (ctx) => askDelivery(ctx, ctx.t("checkout-text-needed", { hint: ctx.t("checkout-delivery-empty") })));
  return composer;
}
