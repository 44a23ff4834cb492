import { InlineKeyboard } from "grammy";
import type { StoredActorEvent } from "../../../actors/actorLog.port.ts";
import type { OrdersSummary, Page, StoredOrder } from "../../../actors/store.port.ts";
import { orderReasons, orderStatuses, type OrderActorRole, type OrderEffectParams, type OrderStatus } from "../../../machines/order.types.ts";
import type { OrderInputAction, OrderInputError } from "../../../machines/ownerOrderInput.types.ts";
import { clip, escapeHtml, formatDateTime, formatMoney } from "../format.ts";
import { pageNumber, pager, type Screen, type View } from "../screen.ts";
import { ownerButtons as b } from "./ownerButtons.ts";

/**
 * The owner's order screens as pure functions of what they show: the statuses with their counts,
 * a status's pages, an order's card with its history and the moves it takes now, the new-order
 * notice, a move told to the owners, and a charge to refund by hand. Everything a customer typed
 * is escaped here.
 */

/** Orders on one page of a status's list: a button each, so the page fits a phone's screen. */
export const ordersPerPage = 8;
/** The `list` of a button that shows every order, whatever its status. */
export const allOrders = orderStatuses.length;
/** The `list` of a button on a new-order notice or a move's notice: its card is a notice again after a move. */
export const onNotice = allOrders + 1;
/** History lines on a card: the newest ones (a message holds 4,096 characters). */
const historyLines = 12;

/** What an owner can do to an order, as a button's code. */
export const orderActs = ["paid", "ship", "dlvr", "cncl", "rfnd", "rfdn", "rtry"] as const;
export type OrderAct = (typeof orderActs)[number];
/** Whether a button's code is an act this release knows (an older or forged one is not). */
export const isOrderAct = (code: string): code is OrderAct => (orderActs as readonly string[]).includes(code);

/** Each status's mark, on buttons, lists and cards alike. */
export const statusEmoji: Readonly<Record<OrderStatus, string>> = {
  placed: "🆕",
  awaiting_payment: "⏳",
  paid: "💳",
  shipped: "📦",
  delivered: "✅",
  cancelled: "✖️",
  refunding: "↩️",
  refunded: "💸",
};

/** The status of a list's index (`allOrders` is every status: null); anything else is no list. */
export function listStatus(list: number): OrderStatus | null | undefined {
  if (list === allOrders) return null;
  return orderStatuses[list];
}

/** The list (a button's `list`) of a status. */
export const listOf = (status: OrderStatus): number => orderStatuses.indexOf(status);

/**
 * The moves an order takes from where it is, as the machine has them (machines/order.machine.ts):
 * a cash order is marked paid; placed or paid is shipped; shipped is delivered; cancelled before it
 * is shipped; a paid or delivered one refunded. While refunding, a refund by hand (cash, a provider)
 * is marked done by an owner; a Stars refund that failed is asked again.
 */
export function actsOf(order: Pick<StoredOrder, "status" | "payment">, lastEvent: string | null): readonly OrderAct[] {
  switch (order.status) {
    case "placed":
      return ["paid", "ship", "cncl"];
    case "awaiting_payment":
      return ["cncl"];
    case "paid":
      return ["ship", "cncl", "rfnd"];
    case "shipped":
      return ["dlvr"];
    case "delivered":
      return ["rfnd"];
    case "refunding":
      if (order.payment !== "stars") return ["rfdn"];
      return lastEvent === "refund_failed" ? ["rtry"] : [];
    case "cancelled":
    case "refunded":
      return [];
  }
}

const money = (view: View, amount: number, currency: string): string => formatMoney(amount, currency, view.locale);
const date = (view: View, at: number): string => formatDateTime(at, view.locale, view.timeZone);

/** A status in the owner's words, with its mark. */
export const statusName = (view: View, status: OrderStatus): string => `${statusEmoji[status]} ${view.t(`ord-status-${status}`)}`;
const roleName = (view: View, by: OrderActorRole): string => view.t(`ord-by-${by}`);

/** An amount in a currency's minor units (a provider's invoice) as money; a currency Intl does not know is shown as it is. */
export function minorUnits(view: View, amount: number, currency: string): string {
  try {
    const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
    return money(view, amount / 10 ** digits, currency);
  } catch {
    return `${amount} ${escapeHtml(currency)}`;
  }
}

function paymentText(view: View, order: Pick<StoredOrder, "payment" | "invoice">): string {
  const invoice = order.invoice;
  if (order.payment === "stars") return view.t("ord-pay-stars", { amount: invoice?.amount ?? 0 });
  if (order.payment === "provider") return view.t("ord-pay-provider", { amount: invoice ? minorUnits(view, invoice.amount, invoice.currency) : "—" });
  return view.t("ord-pay-cash");
}

/** A reason the machine gives (a code) in the owner's words; what a person typed, escaped. */
export function reasonText(view: View, reason: string): string {
  const codes: readonly string[] = Object.values(orderReasons);
  return codes.includes(reason) ? view.t(`ord-reason-${reason}`) : escapeHtml(clip(reason, 300));
}

/** A button's label per act. */
const actLabel = (view: View, act: OrderAct): string => view.t(`ord-btn-${act}`);

/** The act buttons of an order, two to a row. */
function actButtons(keyboard: InlineKeyboard, view: View, orderId: string, acts: readonly OrderAct[], list: number, offset: number): void {
  acts.forEach((act, index) => {
    keyboard.text(actLabel(view, act), b.encode("oa", orderId, act, list, offset));
    if (index % 2 === 1) keyboard.row();
  });
  if (acts.length % 2 === 1) keyboard.row();
}

/** The status buttons under the orders summary: each status with its count, and every order. */
export function orderStatusButtons(keyboard: InlineKeyboard, view: View, byStatus: Readonly<Partial<Record<OrderStatus, number>>>): void {
  let total = 0;
  orderStatuses.forEach((status, index) => {
    const count = byStatus[status] ?? 0;
    total += count;
    keyboard.text(`${statusEmoji[status]} ${view.t(`ord-filter-${status}`)} · ${count}`, b.encode("ol", index, 0));
    if (index % 2 === 1) keyboard.row();
  });
  keyboard.text(`${view.t("ord-filter-all")} · ${total}`, b.encode("ol", allOrders, 0)).row();
}

/** An order with the name of who placed it (escaped HTML). */
export type NamedOrder = StoredOrder & { readonly who: string };

/** A name in escaped HTML as a button's plain label. */
const plain = (html: string): string => html.replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&");

/** How many orders are in each status, in the machine's order: `🆕 2 · 💳 1 · ✅ 4`; empty when there are none. */
export function statusCounts(byStatus: Readonly<Partial<Record<OrderStatus, number>>>): string {
  return orderStatuses
    .filter((status) => (byStatus[status] ?? 0) > 0)
    .map((status) => `${statusEmoji[status]} ${byStatus[status] ?? 0}`)
    .join(" · ");
}

/** What the orders summary shows. */
export interface OrdersData {
  readonly periods: readonly { readonly key: "period-today" | "period-7" | "period-30"; readonly summary: OrdersSummary }[];
  /** Every order by its status now: the counts on the status buttons. */
  readonly byStatus: Readonly<Partial<Record<OrderStatus, number>>>;
  readonly latest: readonly NamedOrder[];
  readonly currency: string;
}

/** 🧾 Orders: each period's orders by status and revenue (paid and delivered), the statuses to page through, and the latest orders. */
export function ordersScreen(view: View, data: OrdersData): Screen {
  const periods = data.periods.flatMap(({ key, summary }) => {
    const counts = statusCounts(summary.byStatus);
    const line = view.t("orders-period", {
      period: view.t(key),
      count: summary.count,
      revenue: money(view, summary.revenue, data.currency),
      average: money(view, Math.round(summary.average), data.currency),
    });
    return counts ? [line, `   ${counts}`] : [line];
  });
  const keyboard = new InlineKeyboard();
  orderStatusButtons(keyboard, view, data.byStatus);
  const latest = data.latest.map((order) => {
    keyboard.text(`${statusEmoji[order.status]} ${order.orderId} · ${clip(plain(order.who), 24)}`, b.encode("oc", order.orderId, allOrders, 0)).row();
    return view.t("orders-line", { orderId: `${statusEmoji[order.status]} ${escapeHtml(order.orderId)}`, total: money(view, order.total, order.currency), name: order.who, date: date(view, order.at) });
  });
  keyboard.text(view.t("btn-menu"), b.encode("menu"));
  const tail = latest.length > 0 ? ["", view.t("orders-latest"), ...latest] : ["", view.t("orders-none")];
  return { text: [view.t("orders-title"), view.t("ord-revenue-rule"), "", ...periods, ...tail].join("\n"), keyboard };
}

/** One page of a status's orders (or all), the newest first: a button to each card, ◀️ ▶️, and back to the summary. */
export function orderListScreen(view: View, list: number, page: Page<NamedOrder>): Screen {
  const status = listStatus(list);
  const title = status ? `${statusEmoji[status]} ${view.t(`ord-filter-${status}`)}` : view.t("ord-filter-all");
  const keyboard = new InlineKeyboard();
  const lines = page.items.map((order) => {
    keyboard.text(`${statusEmoji[order.status]} ${order.orderId} · ${money(view, order.total, order.currency)} · ${clip(plain(order.who), 20)}`, b.encode("oc", order.orderId, list, page.offset)).row();
    return view.t("ord-list-line", { emoji: statusEmoji[order.status], orderId: escapeHtml(order.orderId), total: money(view, order.total, order.currency), name: order.who, date: date(view, order.at) });
  });
  pager(keyboard, view, page, (offset) => b.encode("ol", list, offset));
  keyboard.text(view.t("btn-back"), b.encode("orders"));
  const heading = view.t("ord-list-title", { title, page: pageNumber(page) });
  return { text: [heading, "", ...(lines.length > 0 ? lines : [view.t("ord-list-empty")])].join("\n"), keyboard };
}

/** The figure an event carries, as its history line shows it: a payment's amount, a rating's stars, a new total. */
function eventFigure(view: View, event: StoredActorEvent, currency: string): string | null {
  const { amount, currency: paidIn, stars, total } = event.payload;
  if (event.type === "payment_received" && typeof amount === "number" && typeof paidIn === "string") return paidIn === "XTR" ? `${amount} ⭐` : minorUnits(view, amount, paidIn);
  if (event.type === "rated" && typeof stars === "number") return "⭐".repeat(Math.max(0, Math.min(5, stars)));
  if (event.type === "repriced" && typeof total === "number") return money(view, total, currency);
  return null;
}

/** One line of the order's history, from one event of its log: when, what, who, and what was said. */
function historyLine(view: View, event: StoredActorEvent, currency: string): string {
  const payload = event.payload;
  const timer = /^xstate\.after\.([^.]+)\./.exec(event.type)?.[1];
  const what = timer !== undefined ? view.t(timer === "paymentTimeout" ? "ord-ev-payment-timeout" : timer === "feedbackDelay" ? "ord-ev-rating-asked" : "ord-ev-timer") : view.t(`ord-ev-${event.type}`);
  const by = timer !== undefined ? "timer" : typeof payload["by"] === "string" ? (payload["by"] as OrderActorRole) : null;
  const said = [payload["tracking"], payload["reason"]].find((value): value is string => typeof value === "string" && value.trim() !== "");
  const extra = eventFigure(view, event, currency);
  const tail = [extra, said === undefined ? null : `«${reasonText(view, said)}»`].filter((part): part is string => part !== null).join(" ");
  return `• <i>${date(view, event.at)}</i> ${what}${tail ? ` ${tail}` : ""}${by ? ` · ${roleName(view, by as OrderActorRole)}` : ""}`;
}

/** What an order's card shows. */
export interface OrderCardData {
  readonly order: StoredOrder;
  /** The customer's name (escaped HTML), or null when they are not in the store. */
  readonly who: string | null;
  readonly history: readonly StoredActorEvent[];
  /** The moves offered; none when the bot has no order actors to send them to. */
  readonly acts: readonly OrderAct[];
  /** Placed before orders were actors: the card says so, offers no moves, and that it counts as revenue at once. */
  readonly olderThanActors?: boolean;
  /** The list the card came from and goes back to, at its offset; `onNotice` for a notice. */
  readonly list: number;
  readonly offset: number;
}

/** The facts of an order: what, how much, how paid, who, where it is, when each step happened, and what was said. */
function orderFacts(view: View, order: StoredOrder, who: string | null): string[] {
  const items = order.items.map((item) => `• ${escapeHtml(clip(item.title, 80))} × ${item.qty} — ${money(view, item.price * item.qty, order.currency)}`);
  const line = (label: string, value: string): string => `${view.t(label)}: ${value}`;
  const when = (
    [
      ["ord-date-placed", order.at],
      ["ord-date-paid", order.paidAt],
      ["ord-date-shipped", order.shippedAt],
      ["ord-date-delivered", order.deliveredAt],
      ["ord-date-cancelled", order.cancelledAt],
      ["ord-date-refunded", order.refundedAt],
    ] as const
  ).flatMap(([label, at]) => (at === null ? [] : [line(label, date(view, at))]));
  return [
    line("ord-label-status", `<b>${statusName(view, order.status)}</b>`),
    line("ord-label-customer", who ?? `#${order.userId}`),
    line("ord-label-payment", paymentText(view, order)),
    ...items,
    line("label-phone", escapeHtml(order.phone ?? "—")),
    line("ord-label-delivery", escapeHtml(clip(order.delivery ?? "—", 300))),
    ...when,
    ...(order.tracking ? [line("ord-label-tracking", escapeHtml(clip(order.tracking, 300)))] : []),
    ...(order.cancelReason ? [line("ord-label-reason", reasonText(view, order.cancelReason))] : []),
    ...(order.rating !== null ? [line("ord-label-rating", "⭐".repeat(Math.max(0, Math.min(5, order.rating))))] : []),
  ];
}

/** The order's card: its facts, its history from its log, and the moves it takes now. */
export function orderCardScreen(view: View, data: OrderCardData, notice?: string): Screen {
  const { order } = data;
  const shown = data.history.slice(-historyLines);
  const earlier = data.history.length - shown.length;
  const history = [view.t("ord-history"), ...(earlier > 0 ? [view.t("ord-history-earlier", { count: earlier })] : []), ...shown.map((event) => historyLine(view, event, order.currency))];
  const title = view.t("ord-card-title", { orderId: escapeHtml(order.orderId), total: money(view, order.total, order.currency) });
  const tail = data.olderThanActors ? [view.t("ord-older")] : data.history.length > 0 ? history : [];
  const text = [...(notice ? [notice, ""] : []), title, ...orderFacts(view, order, data.who), "", ...tail].join("\n");
  const keyboard = new InlineKeyboard();
  actButtons(keyboard, view, order.orderId, data.olderThanActors ? [] : data.acts, data.list, data.offset);
  keyboard.text(view.t("ord-btn-customer"), b.encode("card", order.userId)).row();
  const backList = data.list === onNotice ? listOf(order.status) : data.list;
  keyboard.text(view.t("btn-back"), b.encode("ol", backList, data.list === onNotice ? 0 : data.offset));
  return { text, keyboard };
}

/** The new-order notice, and what it becomes after each move: the order, where it is, its moves, its card and its client. */
export function orderNoticeScreen(view: View, order: StoredOrder, who: string | null, acts: readonly OrderAct[], notice?: string): Screen {
  const facts = orderFacts(view, order, who);
  const title = view.t("ord-notice-new", { orderId: escapeHtml(order.orderId), total: money(view, order.total, order.currency) });
  const text = [...(notice ? [notice, ""] : []), title, ...facts].join("\n");
  const keyboard = new InlineKeyboard();
  actButtons(keyboard, view, order.orderId, acts, onNotice, 0);
  keyboard.text(view.t("ord-btn-card"), b.encode("ocn", order.orderId)).text(view.t("btn-open-card"), b.encode("card", order.userId));
  return { text, keyboard };
}

/** A move the owners did not make themselves (a payment, the customer's cancel, a timer), as a message of its own. */
export function orderMoveScreen(view: View, order: StoredOrder, move: OrderEffectParams["notifyOwnersOfOrderMove"], acts: readonly OrderAct[]): Screen {
  const text = [
    view.t("ord-move", { orderId: escapeHtml(order.orderId), status: statusName(view, move.status), by: roleName(view, move.by), total: money(view, order.total, order.currency) }),
    ...(move.reason ? [view.t(move.status === "shipped" ? "ord-label-tracking" : "ord-label-reason") + `: ${reasonText(view, move.reason)}`] : []),
  ].join("\n");
  const keyboard = new InlineKeyboard();
  actButtons(keyboard, view, order.orderId, acts, onNotice, 0);
  keyboard.text(view.t("ord-btn-card"), b.encode("ocn", order.orderId));
  return { text, keyboard };
}

/** A charge to give back by hand (a provider's, in its dashboard), with the button that tells the order it was. */
export function refundByHandScreen(view: View, request: OrderEffectParams["askOwnersToRefund"], chargeHash: string, done: boolean): Screen {
  const text = view.t("ord-refund-ask", {
    orderId: escapeHtml(request.orderId),
    amount: minorUnits(view, request.amount, request.currency),
    charge: escapeHtml(request.providerChargeId ?? request.chargeId),
    reason: reasonText(view, request.reason || "refund"),
  });
  const keyboard = new InlineKeyboard();
  if (!done) keyboard.text(view.t("ord-btn-rfdn"), b.encode("orfd", request.orderId, chargeHash)).row();
  keyboard.text(view.t("ord-btn-card"), b.encode("ocn", request.orderId));
  return { text: done ? `${text}\n\n${view.t("ord-refund-done")}` : text, keyboard };
}

/** What the owner is asked to type for a move: a tracking note (or skip), a reason for a cancel, a reason for a refund (or skip). */
export function orderInputPromptScreen(view: View, orderId: string, action: OrderInputAction, max: number, error?: OrderInputError | null): Screen {
  const prompt = view.t(`ord-ask-${action}`, { orderId: escapeHtml(orderId), max });
  const hint = error ? view.t(`ord-input-${error}`, { max }) : null;
  const keyboard = new InlineKeyboard();
  if (action !== "cancel") keyboard.text(view.t("ord-btn-skip"), b.encode("oskip"));
  keyboard.text(view.t("btn-cancel"), b.encode("ocan"));
  return { text: hint ? `${hint}\n\n${prompt}` : prompt, keyboard };
}
