import { InlineKeyboard } from "grammy";
import type { Lead, StoredEvent, StoredOrder } from "../../../actors/store.port.ts";
import { customerEventTypes, stageEmoji, stages } from "../../../machines/customer.types.ts";
import { clip, escapeHtml, formatDateTime, formatMoney } from "../format.ts";
import type { Screen, View } from "../screen.ts";
import { statusName } from "./orderScreens.ts";
import { ownerButtons as b } from "./ownerButtons.ts";
import { isErased, leadName } from "./ownerScreens.ts";

/** One page of a customer's journey, as journey.ts reads it from the store. */
export interface JourneyPage {
  readonly lead: Lead;
  /** The page's events, oldest first. */
  readonly events: readonly StoredEvent[];
  /** The customer's orders by id: their status now and the dates of their moves. */
  readonly orders: ReadonlyMap<string, StoredOrder>;
  /**
   * The span of time the page stands for, `(after, through]`: the time of the event just older than
   * the page, and of its own newest one. A stage entry or an order move joins the page holding the
   * first event at or after it (the one that made it, when it has the same time), so no two pages
   * show it and none misses it.
   */
  readonly after: number;
  readonly through: number;
  /** Whether there are events before and after the page. */
  readonly hasOlder: boolean;
  readonly hasNewer: boolean;
  readonly currency: string;
}

interface Item {
  readonly at: number;
  readonly text: string;
}

/** A Telegram message holds 4,096 characters; the page stops short of it with "…". */
const textBudget = 3_800;
const orderMoves = ["paid", "shipped", "delivered", "cancelled", "refunded"] as const;

const text = (payload: Readonly<Record<string, unknown>>, field: string): string | null => (typeof payload[field] === "string" ? payload[field] : null);
const num = (payload: Readonly<Record<string, unknown>>, field: string): number | null => (typeof payload[field] === "number" ? payload[field] : null);

/** What an event says beyond its label; nothing a customer typed or is when they erased their data. */
function detail(view: View, event: StoredEvent, erased: boolean, currency: string): string {
  const p = event.payload;
  switch (event.type) {
    case "product_view":
    case "cart_item_decreased":
    case "cart_item_removed":
      return text(p, "productId") ? ` <code>${escapeHtml(text(p, "productId") ?? "")}</code>` : "";
    case "add_to_cart":
      return text(p, "productId") ? ` <code>${escapeHtml(text(p, "productId") ?? "")}</code> ×${num(p, "qty") ?? 1}` : "";
    case "order_settled":
    case "order_refunded":
      return ` ${escapeHtml(text(p, "orderId") ?? "?")}, ${formatMoney(num(p, "amount") ?? 0, currency, view.locale)}`;
    case "broadcast_received":
      return text(p, "broadcastId") ? ` ${escapeHtml(text(p, "broadcastId") ?? "")}` : "";
    case "consent_given":
    case "consent_declined":
      return text(p, "version") ? ` (${escapeHtml(text(p, "version") ?? "")})` : "";
    case "consultant_failed":
      return text(p, "reason") ? ` (${escapeHtml(text(p, "reason") ?? "")})` : "";
    default:
      return erased ? "" : personalDetail(event);
  }
}

/** The details only a customer who has not erased their data shows. */
function personalDetail(event: StoredEvent): string {
  const p = event.payload;
  const quoted = (value: string | null, max: number): string => (value ? `: «${escapeHtml(clip(value, max))}»` : "");
  switch (event.type) {
    case "start":
      return text(p, "source") ? ` · ${escapeHtml(clip(text(p, "source") ?? "", 64))}` : "";
    case "search":
      return `${quoted(text(p, "query"), 60)}${num(p, "results") !== null ? ` → ${num(p, "results")}` : ""}`;
    case "note_added":
      return quoted(text(p, "text"), 150);
    case "question_asked":
      return quoted(text(p, "text"), 100);
    case "tags_changed": {
      const list = (field: string, mark: string): string[] => (Array.isArray(p[field]) ? p[field].filter((tag): tag is string => typeof tag === "string").map((tag) => `${mark}#${escapeHtml(tag)}`) : []);
      const tags = [...list("added", "+"), ...list("removed", "−")];
      return tags.length > 0 ? `: ${tags.join(" ")}` : "";
    }
    default:
      return "";
  }
}

const known = new Set<string>(customerEventTypes);

/** An event type's words; a timer's firing (XState's `xstate.after.…`) and a type this release does not know have their own. */
function labelOf(view: View, type: string): string {
  if (known.has(type)) return view.t(`jr-ev-${type}`);
  return type.startsWith("xstate.after.") ? view.t("jr-ev-timer") : view.t("jr-ev-other", { type: escapeHtml(clip(type, 40)) });
}

/** An order placed: its number, total and where it is now (or only the first two, when the order is not in the store). */
function orderLine(view: View, event: StoredEvent, order: StoredOrder | undefined, currency: string): string {
  const orderId = escapeHtml(text(event.payload, "orderId") ?? "?");
  const total = formatMoney(num(event.payload, "total") ?? 0, text(event.payload, "currency") ?? currency, view.locale);
  return order ? view.t("jr-order", { orderId, total, status: statusName(view, order.status) }) : view.t("jr-order-gone", { orderId, total });
}

/** Every line of the page, oldest first: its events, then the stage entries and order moves that fall in its span. */
function itemsOf(view: View, page: JourneyPage): Item[] {
  const erased = isErased(page.lead);
  const inSpan = (at: number | null | undefined): at is number => typeof at === "number" && at > page.after && at <= page.through;
  const items: Item[] = page.events.map((event) => ({
    at: event.at,
    text:
      event.type === "order_created"
        ? orderLine(view, event, page.orders.get(text(event.payload, "orderId") ?? ""), page.currency)
        : `${labelOf(view, event.type)}${detail(view, event, erased, page.currency)}`,
  }));
  for (const stage of stages) {
    const at = page.lead.stageEnteredAt[stage];
    if (inSpan(at)) items.push({ at, text: view.t("jr-stage", { emoji: stageEmoji[stage], stage: view.t(`stage-${stage}`) }) });
  }
  for (const order of page.orders.values()) {
    for (const move of orderMoves) {
      const at = order[`${move}At`];
      if (inSpan(at)) items.push({ at, text: view.t(`jr-move-${move}`, { orderId: escapeHtml(order.orderId) }) });
    }
  }
  return items.map((item, index) => ({ item, index })).sort((a, b) => a.item.at - b.item.at || a.index - b.index).map(({ item }) => item);
}

/**
 * 🕘 A customer's journey, one page: each event with its date in `TIME_ZONE` and a human label,
 * the stage entries, orders with their status now and their moves; ◀️ older, newer ▶️ and ⏭ the
 * newest page by seq cursors; an erased customer's page keeps only anonymous facts.
 */
export function journeyScreen(view: View, page: JourneyPage): Screen {
  const { lead } = page;
  const head = [view.t("jr-title", { name: leadName(lead) }), ...(isErased(lead) ? [view.t("jr-erased")] : []), ""];
  const lines: string[] = [];
  let used = head.join("\n").length;
  for (const item of itemsOf(view, page)) {
    const line = `<i>${formatDateTime(item.at, view.locale, view.timeZone)}</i> ${item.text}`;
    if (used + line.length + 1 > textBudget) {
      lines.push("…");
      break;
    }
    lines.push(line);
    used += line.length + 1;
  }
  if (lines.length === 0) lines.push(view.t("jr-empty"));
  const keyboard = new InlineKeyboard();
  const first = page.events[0];
  const last = page.events.at(-1);
  if (page.hasOlder && first) keyboard.text(view.t("btn-journey-older"), b.encode("jr", lead.userId, false, first.seq));
  if (page.hasNewer && last) {
    keyboard.text(view.t("btn-journey-newer"), b.encode("jr", lead.userId, true, last.seq));
    keyboard.text(view.t("btn-journey-now"), b.encode("jr", lead.userId, false, 0));
  }
  keyboard.row().text(view.t("btn-card"), b.encode("card", lead.userId));
  return { text: [...head, ...lines].join("\n"), keyboard };
}

/** The client card with "🕘 Journey" above its "back" row. */
export function withJourneyButton(view: View, screen: Screen, userId: number): Screen {
  const rows = [...(screen.keyboard?.inline_keyboard ?? [])];
  const back = rows.pop();
  const journey = [InlineKeyboard.text(view.t("btn-journey"), b.encode("jr", userId, false, 0))];
  return { ...screen, keyboard: new InlineKeyboard([...rows, journey, ...(back ? [back] : [])]) };
}
