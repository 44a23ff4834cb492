import { InlineKeyboard } from "grammy";
import type { Page, StoredOrder } from "../../../actors/store.port.ts";
import type { OrderLine } from "../../../machines/customer.types.ts";
import { orderReasons, type Invoice, type OrderActorRole, type OrderEffectParams, type OrderStatus } from "../../../machines/order.types.ts";
import { clip, escapeHtml, formatDateTime, formatMoney } from "../format.ts";
import { pageNumber, pager, type Screen, type View } from "../screen.ts";
import { invoiceFor, type PaymentSettings } from "./orderPayments.ts";
import { shopButtons as b } from "./shopButtons.ts";

/**
 * The customer's screens of orders and payments, pure: the payment method question, "My orders"
 * and an order's card, the rating question, a price change, and the notices of an order's moves.
 */

/** Orders on one page of "My orders": each takes three lines and a button. */
export const ordersPerPage = 5;

const money = (view: View, amount: number, currency: string): string => formatMoney(amount, currency, view.locale);

/** An order's status in words, with its emoji. */
export const statusText = (view: View, status: OrderStatus): string => view.t(`order-status-${status}`);

/** Statuses an order can still be cancelled from by its customer: before it is shipped, and not already ending. */
export const cancellable = (status: OrderStatus): boolean => status === "placed" || status === "awaiting_payment" || status === "paid";

function linesText(view: View, items: readonly OrderLine[], currency: string): string[] {
  return items.map((line) => view.t("cart-line", { title: escapeHtml(line.title), qty: line.qty, sum: money(view, Math.round(line.price * line.qty * 100) / 100, currency) }));
}

/** How an invoice reads: `500 ⭐` or the money it asks for. */
export function invoiceText(view: View, invoice: Invoice, total: number, currency: string): string {
  return invoice.currency === "XTR" ? `${invoice.amount} ⭐` : money(view, total, currency);
}

/** After "confirm": how to pay, among the methods the shop takes, each with what it will cost. */
export function paymentChoiceScreen(view: View, order: { readonly orderId: string; readonly total: number; readonly currency: string }, settings: PaymentSettings): Screen {
  const keyboard = new InlineKeyboard();
  for (const method of settings.methods) {
    const invoice = invoiceFor(method, order.total, order.currency, settings.starPrice);
    if (method !== "cash" && invoice === null) continue;
    const label =
      method === "stars" ? view.t("btn-pay-stars", { stars: invoice?.amount ?? 0 }) : method === "provider" ? view.t("btn-pay-provider", { total: money(view, order.total, order.currency) }) : view.t("btn-pay-cash");
    keyboard.text(label, b.encode("pm", order.orderId, method)).row();
  }
  keyboard.text(view.t("btn-cancel"), b.encode("cancel"));
  return { text: view.t("checkout-payment", { total: money(view, order.total, order.currency) }), keyboard };
}

/** What a machine's reason code (or a person's words) says to the customer, in their language. */
export function reasonText(view: View, reason: string | null, by: OrderActorRole): string {
  if (reason === orderReasons.paymentTimeout || (reason === null && by === "timer")) return view.t("order-reason-timeout");
  if (reason === null || reason === "") return by === "customer" ? view.t("order-reason-customer") : view.t("order-reason-shop");
  if (by === "customer") return escapeHtml(reason);
  return view.t("order-reason-shop-said", { reason: escapeHtml(clip(reason, 300)) });
}

/** One order in "My orders": number, date, status, total, and what is in it. */
function orderSummary(view: View, order: StoredOrder): string {
  const items = clip(order.items.map((line) => `${line.title} × ${line.qty}`).join(", "), 90);
  const date = formatDateTime(order.at, view.locale, view.timeZone);
  return `<b>${escapeHtml(order.orderId)}</b> · ${date}\n${statusText(view, order.status)} · ${money(view, order.total, order.currency)}\n${escapeHtml(items)}`;
}

/** "My orders": a page of the customer's orders, newest first, each a button to its card. */
export function ordersScreen(view: View, page: Page<StoredOrder>): Screen {
  if (page.items.length === 0 && page.offset === 0) {
    return { text: view.t("orders-empty"), keyboard: new InlineKeyboard().text(view.t("btn-catalog"), b.encode("cats")).text(view.t("btn-menu"), b.encode("menu")) };
  }
  const keyboard = new InlineKeyboard();
  for (const order of page.items) {
    const emoji = [...statusText(view, order.status)][0] ?? "•";
    keyboard.text(`${order.orderId} · ${emoji} ${money(view, order.total, order.currency)}`, b.encode("ord", order.orderId)).row();
  }
  pager(keyboard, view, page, (offset) => b.encode("ords", offset));
  keyboard.text(view.t("btn-menu"), b.encode("menu"));
  const title = view.t("orders-title", { page: pageNumber(page) });
  return { text: [title, ...page.items.map((order) => orderSummary(view, order))].join("\n\n"), keyboard };
}

function paymentLine(view: View, order: Pick<StoredOrder, "payment" | "invoice" | "total" | "currency">): string {
  const method = view.t(`payment-${order.payment}`);
  return view.t("order-card-payment", { payment: order.invoice ? `${method} (${invoiceText(view, order.invoice, order.total, order.currency)})` : method });
}

/** An order's card: where it is, what is in it, and what its customer can do now (pay, cancel). */
export function orderCardScreen(view: View, order: StoredOrder, notice?: string): Screen {
  const lines = [
    ...(notice ? [notice, ""] : []),
    view.t("order-card-title", { orderId: escapeHtml(order.orderId), date: formatDateTime(order.at, view.locale, view.timeZone) }),
    view.t("order-card-status", { status: statusText(view, order.status) }),
    paymentLine(view, order),
    "",
    ...linesText(view, order.items, order.currency),
    "",
    view.t("cart-total", { total: money(view, order.total, order.currency) }),
  ];
  if (order.tracking) lines.push(view.t("order-card-tracking", { tracking: escapeHtml(order.tracking) }));
  if (order.status === "cancelled" && order.cancelReason) lines.push(view.t("order-card-reason", { reason: reasonText(view, order.cancelReason, "owner") }));
  const keyboard = new InlineKeyboard();
  if (order.status === "awaiting_payment") keyboard.text(view.t("btn-order-pay"), b.encode("opay", order.orderId)).row();
  if (cancellable(order.status)) keyboard.text(view.t("btn-order-cancel"), b.encode("oc", order.orderId)).row();
  keyboard.text(view.t("btn-orders-back"), b.encode("ords", 0)).text(view.t("btn-menu"), b.encode("menu"));
  return { text: lines.join("\n"), keyboard };
}

/** "Cancel this order?": a paid one is refunded, and says so. */
export function cancelAskScreen(view: View, order: Pick<StoredOrder, "orderId" | "status">): Screen {
  const text = view.t(order.status === "paid" ? "order-cancel-ask-paid" : "order-cancel-ask", { orderId: escapeHtml(order.orderId) });
  return {
    text,
    keyboard: new InlineKeyboard().text(view.t("btn-order-cancel-yes"), b.encode("ocy", order.orderId)).row().text(view.t("btn-order-cancel-no"), b.encode("ord", order.orderId)),
  };
}

/** The question after delivery: one to five stars. */
export function ratingScreen(view: View, orderId: string): Screen {
  const keyboard = new InlineKeyboard();
  for (let stars = 1; stars <= 5; stars++) keyboard.text(`${stars} ⭐`, b.encode("rate", orderId, stars));
  return { text: view.t("rating-ask", { orderId: escapeHtml(orderId) }), keyboard };
}

/** The catalog's prices moved under an unpaid order: the new lines and total, and a button to accept them. */
export function repriceScreen(view: View, order: { readonly orderId: string; readonly currency: string; readonly oldTotal: number }, items: readonly OrderLine[], total: number): Screen {
  const text = [
    view.t("price-changed", { orderId: escapeHtml(order.orderId) }),
    "",
    ...linesText(view, items, order.currency),
    "",
    view.t("price-changed-total", { old: money(view, order.oldTotal, order.currency), total: money(view, total, order.currency) }),
  ].join("\n");
  return { text, keyboard: new InlineKeyboard().text(view.t("btn-confirm-price"), b.encode("rp", order.orderId)).row().text(view.t("btn-orders"), b.encode("ords", 0)) };
}

type Notice = OrderEffectParams["notifyCustomerOfOrder"];

function noticeText(view: View, notice: Notice): string | null {
  const orderId = escapeHtml(notice.orderId);
  if (notice.reason === orderReasons.secondCharge) return view.t("order-notice-second-charge", { orderId });
  if (notice.reason === orderReasons.lateCharge) return view.t("order-notice-late-charge", { orderId });
  switch (notice.status) {
    case "paid":
      return view.t("order-notice-paid", { orderId });
    case "shipped":
      return notice.tracking ? view.t("order-notice-shipped-tracking", { orderId, tracking: escapeHtml(notice.tracking) }) : view.t("order-notice-shipped", { orderId });
    case "delivered":
      return view.t("order-notice-delivered", { orderId });
    case "cancelled":
      return view.t("order-notice-cancelled", { orderId, reason: reasonText(view, notice.reason, notice.by) });
    case "refunding":
      return view.t("order-notice-refunding", { orderId, reason: reasonText(view, notice.reason, notice.by) });
    case "refunded":
      return view.t("order-notice-refunded", { orderId });
    default:
      return null;
  }
}

/** What the customer is told of an order's move, with a button to its card; null for a move they need not hear of. */
export function orderNoticeScreen(view: View, notice: Notice): Screen | null {
  const text = noticeText(view, notice);
  if (text === null) return null;
  return { text, keyboard: new InlineKeyboard().text(view.t("btn-order-open", { orderId: notice.orderId }), b.encode("ord", notice.orderId)) };
}

/** The invoice's words: a title (Telegram takes 32 characters, also the label of its one price) and what is in the order (255). */
export function invoiceWords(view: View, orderId: string, items: readonly OrderLine[]): { readonly title: string; readonly description: string } {
  const description = clip(items.map((line) => `${line.title} × ${line.qty}`).join(", "), 255) || orderId;
  return { title: clip(view.t("invoice-title", { orderId }), 32), description };
}
