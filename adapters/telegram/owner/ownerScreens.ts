import { InlineKeyboard } from "grammy";
import { customerEventTypes, stageEmoji, stages, type CustomerEventType, type Stage } from "../../../machines/customer.types.ts";
import type { DailyStats, FunnelStats, Lead, OrdersSummary, Page } from "../../../actors/store.port.ts";
import { clip, escapeHtml, formatDateTime, formatMoney } from "../format.ts";
import { pageNumber, pager, type Screen, type View } from "../screen.ts";
import { statusCounts } from "./orderScreens.ts";
import { ownerButtons as b, tagHash } from "./ownerButtons.ts";

/**
 * The owner bot's screens as pure functions of what they show. Everything a customer typed or is
 * called is escaped here; handlers never build text.
 */

export const leadsPerPage = 8;
/** Notes shown on the card: the newest ones. */
const cardNotes = 3;

const money = (view: View, amount: number, currency: string): string => formatMoney(amount, currency, view.locale);
const date = (view: View, at: number | null | undefined): string => (at == null ? view.t("none") : formatDateTime(at, view.locale, view.timeZone));
const stageName = (view: View, stage: Stage): string => view.t(`stage-${stage}`);

/** A customer's name as the owner sees it: name, then @username, then the id. Escaped. */
export function leadName(lead: Pick<Lead, "name" | "username" | "userId">): string {
  if (lead.name && lead.username) return `${escapeHtml(lead.name)} (@${escapeHtml(lead.username)})`;
  if (lead.name) return escapeHtml(lead.name);
  if (lead.username) return `@${escapeHtml(lead.username)}`;
  return `#${lead.userId}`;
}

/** The same as a button label: plain text, no HTML. */
function leadLabel(view: View, lead: Lead): string {
  const who = lead.name ?? (lead.username ? `@${lead.username}` : `#${lead.userId}`);
  return `${stageEmoji[lead.stage]} ${clip(who, 28)} · ${lead.lastSeenAt === null ? "—" : formatDateTime(lead.lastSeenAt, view.locale, view.timeZone)}`;
}

/** True while a customer's data stays erased: they used /forget and have not come back since. */
export function isErased(lead: Pick<Lead, "erasedAt" | "lastSeenAt">): boolean {
  return lead.erasedAt !== null && (lead.lastSeenAt ?? 0) <= lead.erasedAt;
}

export function ownerMenu(view: View): Screen {
  const keyboard = new InlineKeyboard().text(view.t("btn-crm"), b.encode("crm")).text(view.t("btn-orders"), b.encode("orders"));
  return { text: view.t("menu-title"), keyboard: keyboard.row().text(view.t("btn-catalog"), b.encode("cat", 0)).text(view.t("btn-broadcasts"), b.encode("bcl")) };
}

export function crmMenu(view: View, today: string): Screen {
  const keyboard = new InlineKeyboard()
    .text(view.t("btn-funnel"), b.encode("fun"))
    .text(view.t("btn-leads"), b.encode("leads", 0))
    .row()
    .text(view.t("btn-search"), b.encode("srch"))
    .text(view.t("btn-report"), b.encode("rep", today))
    .row()
    .text(view.t("btn-campaigns"), b.encode("cmp"))
    .text(view.t("btn-charts"), b.encode("chs"))
    .row()
    .text(view.t("btn-segments"), b.encode("sgl"))
    .text(view.t("btn-export"), b.encode("exp"))
    .row()
    .text(view.t("btn-menu"), b.encode("menu"));
  return { text: view.t("crm-title"), keyboard };
}

const percent = (view: View, ratio: number | null): string =>
  ratio === null ? "—" : new Intl.NumberFormat(view.locale, { style: "percent", maximumFractionDigits: 1 }).format(ratio);

/** A bar of ten cells for a share of the whole. */
export function bar(ratio: number | null): string {
  const filled = Math.round((ratio ?? 0) * 10);
  return "▓".repeat(filled) + "░".repeat(10 - filled);
}

export function funnelScreen(view: View, funnel: FunnelStats): Screen {
  const keyboard = new InlineKeyboard().text(view.t("btn-leads"), b.encode("leads", 0)).row().text(view.t("btn-back"), b.encode("crm"));
  if (funnel.total === 0) return { text: `${view.t("funnel-title", { total: 0 })}\n\n${view.t("funnel-empty")}`, keyboard };
  const lines = funnel.steps.flatMap((step) => {
    const counts = { emoji: stageEmoji[step.stage], stage: stageName(view, step.stage), current: step.current, reached: step.reached, dormant: step.dormant };
    return [
      view.t(step.dormant > 0 ? "funnel-line-dormant" : "funnel-line", counts),
      view.t("funnel-conv", { bar: bar(step.fromNew), fromNew: percent(view, step.fromNew), fromPrevious: percent(view, step.fromPrevious) }),
    ];
  });
  return { text: [view.t("funnel-title", { total: funnel.total }), view.t("funnel-dormant", { dormant: funnel.dormant }), "", ...lines].join("\n"), keyboard };
}

export function leadsScreen(view: View, page: Page<Lead>): Screen {
  const keyboard = new InlineKeyboard();
  for (const lead of page.items) keyboard.text(leadLabel(view, lead), b.encode("card", lead.userId)).row();
  pager(keyboard, view, page, (offset) => b.encode("leads", offset));
  keyboard.text(view.t("btn-back"), b.encode("crm"));
  const title = view.t("leads-title", { page: pageNumber(page) });
  return { text: page.items.length === 0 && page.offset === 0 ? `${title}\n\n${view.t("leads-empty")}` : title, keyboard };
}

export function searchPromptScreen(view: View, notice?: string): Screen {
  return { text: notice ? `${notice}\n\n${view.t("search-prompt")}` : view.t("search-prompt"), keyboard: new InlineKeyboard().text(view.t("btn-cancel"), b.encode("scan")) };
}

export function searchResultsScreen(view: View, query: string, page: Page<Lead>): Screen {
  const keyboard = new InlineKeyboard();
  for (const lead of page.items) keyboard.text(leadLabel(view, lead), b.encode("card", lead.userId)).row();
  pager(keyboard, view, page, (offset) => b.encode("sp", offset));
  keyboard.text(view.t("btn-search"), b.encode("srch")).text(view.t("btn-back"), b.encode("scan"));
  return { text: view.t("search-results", { query: escapeHtml(clip(query, 60)), page: pageNumber(page) }), keyboard };
}

export interface CardData {
  readonly lead: Lead;
  readonly currency: string;
  readonly aiEnabled: boolean;
  /** Where "back" goes: the leads list at an offset, or the CRM menu. */
  readonly backTo: string;
}

export function cardScreen(view: View, data: CardData, notice?: string): Screen {
  const { lead } = data;
  const none = view.t("none");
  const stagesLine = stages
    .filter((stage) => lead.stageEnteredAt[stage] !== undefined)
    .map((stage) => `${stageEmoji[stage]} ${formatDateTime(lead.stageEnteredAt[stage] ?? 0, view.locale, view.timeZone)}`)
    .join(" → ");
  const consent =
    lead.consentAt !== null ? view.t("consent-yes", { version: escapeHtml(lead.consentVersion ?? "?"), date: date(view, lead.consentAt) }) : view.t("consent-no");
  const notes = lead.notes.slice(-cardNotes).map((note) => `• <i>${date(view, note.at)}</i> ${escapeHtml(clip(note.text, 300))}`);
  const line = (label: string, value: string): string => `${view.t(label)}: ${value}`;
  const erased = isErased(lead);
  const text = [
    ...(notice ? [notice, ""] : []),
    view.t("card-title", { emoji: stageEmoji[lead.stage], name: leadName(lead) }),
    ...(erased ? [view.t("card-erased", { date: date(view, lead.erasedAt) })] : []),
    ...(lead.blockedAt !== null ? [view.t("card-blocked", { date: date(view, lead.blockedAt) })] : []),
    ...(lead.dormantSince !== null ? [view.t("card-dormant", { date: date(view, lead.dormantSince) })] : []),
    "",
    line("label-user-id", `<code>${lead.userId}</code>`),
    line("label-username", lead.username ? `@${escapeHtml(lead.username)}` : none),
    line("label-source", lead.source ? escapeHtml(lead.source) : none),
    line("label-stage", `${stageEmoji[lead.stage]} ${stageName(view, lead.stage)}`),
    line("label-stages", stagesLine || none),
    line("label-first-seen", date(view, lead.firstSeenAt)),
    line("label-last-seen", date(view, lead.lastSeenAt)),
    line("label-orders", String(lead.ordersCount)),
    line("label-ltv", money(view, lead.lifetimeValue, data.currency)),
    line("label-last-order", lead.lastOrderId ? escapeHtml(lead.lastOrderId) : none),
    line("label-reminders", lead.remindersSent > 0 ? view.t("reminders-value", { count: lead.remindersSent, date: date(view, lead.lastReminderAt) }) : none),
    line("label-consent", consent),
    line("label-phone", lead.phone ? escapeHtml(lead.phone) : none),
    line("label-tags", lead.tags.length > 0 ? lead.tags.map((tag) => `#${escapeHtml(tag)}`).join(" ") : none),
    line("label-notes", notes.length > 0 ? `\n${notes.join("\n")}` : none),
  ].join("\n");
  const keyboard = new InlineKeyboard();
  if (!erased) {
    keyboard.text(view.t("btn-note"), b.encode("note", lead.userId)).text(view.t("btn-tags"), b.encode("tags", lead.userId)).row();
    keyboard.text(view.t("btn-history"), b.encode("hist", lead.userId, 0));
    if (data.aiEnabled) keyboard.text(view.t("btn-summary"), b.encode("ai", lead.userId));
    keyboard.row();
  }
  keyboard.text(view.t("btn-back"), data.backTo);
  return { text, keyboard };
}

export function notePromptScreen(view: View, lead: Lead, notice?: string): Screen {
  const prompt = view.t("note-prompt", { name: leadName(lead), max: 2000 });
  return { text: notice ? `${notice}\n\n${prompt}` : prompt, keyboard: new InlineKeyboard().text(view.t("btn-cancel"), b.encode("ncan")) };
}

export function tagsScreen(view: View, lead: Lead, tagSet: readonly string[], notice?: string): Screen {
  const keyboard = new InlineKeyboard();
  const all = [...new Set([...tagSet, ...lead.tags])];
  all.forEach((tag, index) => {
    keyboard.text(`${lead.tags.includes(tag) ? "✅" : "▫️"} ${clip(tag, 24)}`, b.encode("tag", lead.userId, tagHash(tag)));
    if (index % 2 === 1) keyboard.row();
  });
  if (all.length % 2 === 1) keyboard.row();
  keyboard.text(view.t("btn-new-tag"), b.encode("tnew", lead.userId)).row().text(view.t("btn-card"), b.encode("card", lead.userId));
  const title = view.t("tags-title", { name: leadName(lead) });
  return { text: notice ? `${notice}\n\n${title}` : title, keyboard };
}

export function tagPromptScreen(view: View, lead: Lead, notice?: string): Screen {
  return { text: notice ? `${notice}\n\n${view.t("tag-prompt")}` : view.t("tag-prompt"), keyboard: new InlineKeyboard().text(view.t("btn-cancel"), b.encode("tcan", lead.userId)) };
}

/** One page of the conversation; `pages` come from `formatMessagesForDisplay`, already escaped. */
export function historyScreen(view: View, lead: Lead, pages: readonly string[], index: number): Screen {
  const keyboard = new InlineKeyboard();
  if (pages.length === 0) return { text: view.t("history-empty"), keyboard: keyboard.text(view.t("btn-card"), b.encode("card", lead.userId)) };
  const at = Math.min(Math.max(0, index), pages.length - 1);
  if (at > 0) keyboard.text(view.t("btn-prev"), b.encode("hist", lead.userId, at - 1));
  if (at < pages.length - 1) keyboard.text(view.t("btn-next"), b.encode("hist", lead.userId, at + 1));
  keyboard.row().text(view.t("btn-card"), b.encode("card", lead.userId));
  return { text: `${view.t("history-title", { name: leadName(lead), page: at + 1, pages: pages.length })}\n\n${pages[at] ?? ""}`, keyboard };
}

export function summaryScreen(view: View, lead: Lead, state: { readonly value: "loading" | "shown" | "failed"; readonly text: string | null; readonly error: string | null }): Screen {
  const back = new InlineKeyboard().text(view.t("btn-card"), b.encode("card", lead.userId));
  if (state.value === "loading") return { text: view.t("summary-loading", { name: leadName(lead) }) };
  if (state.value === "failed") {
    const reason = view.t(state.error === "timeout" ? "summary-timeout" : "summary-unavailable");
    return { text: view.t("summary-failed", { reason }), keyboard: new InlineKeyboard().text(view.t("btn-retry"), b.encode("airt", lead.userId)).row().text(view.t("btn-card"), b.encode("card", lead.userId)) };
  }
  return { text: `${view.t("summary-title", { name: leadName(lead) })}\n\n${escapeHtml(state.text ?? "")}`, keyboard: back };
}

/** When a report is read: the day it is in the shop's zone, and the instant (for "today until 14:05"). */
export interface ReportClock {
  readonly today: string;
  readonly yesterday: string;
  readonly now: number;
}

/**
 * The report's heading: the day, its weekday, and how much of it the figures cover, so that a
 * morning push (yesterday, the whole day) cannot be taken for today's figures, nor today's for a
 * whole day.
 */
export function reportTitle(view: View, day: string, clock: ReportClock): string {
  const weekday = new Intl.DateTimeFormat(view.locale, { weekday: "long", timeZone: "UTC" }).format(Date.parse(`${day}T12:00:00Z`));
  const time = new Intl.DateTimeFormat(view.locale, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: view.timeZone }).format(clock.now);
  const span = day === clock.today ? view.t("report-span-today", { time }) : day === clock.yesterday ? view.t("report-span-yesterday") : view.t("report-span-day");
  return view.t("report-title", { day, weekday, span });
}

/** The customers' own event types: XState's timer firings (`xstate.after.…`) are the machine's bookkeeping, not events an owner reads. */
const reportedTypes: ReadonlySet<string> = new Set(customerEventTypes);

/**
 * The day's report. Its orders are those placed that day, as they are now: by status, and the
 * revenue of those paid or delivered (`OrdersSummary`), not every order placed.
 */
export function reportText(view: View, stats: DailyStats, orders: OrdersSummary, currency: string, clock: ReportClock): string {
  const counted = (type: CustomerEventType): number => stats.eventsByType[type] ?? 0;
  const events = Object.entries(stats.eventsByType)
    .filter(([type, count]) => reportedTypes.has(type) && (count ?? 0) > 0)
    .map(([type, count]) => view.t("report-event-line", { type, count: count ?? 0 }));
  const moves = stages
    .filter((stage) => (stats.stageMoves[stage] ?? 0) > 0)
    .map((stage) => view.t("report-move-line", { emoji: stageEmoji[stage], stage: stageName(view, stage), count: stats.stageMoves[stage] ?? 0 }));
  return [
    reportTitle(view, stats.day, clock),
    "",
    view.t("report-new-leads", { count: stats.newLeads }),
    view.t("report-orders", { count: orders.count, revenue: money(view, orders.revenue, currency) }),
    ...(orders.count > 0 ? [`   ${statusCounts(orders.byStatus)}`] : []),
    view.t("report-activity", { reminders: counted("reminder_sent"), dormant: counted("dormant"), reactivated: counted("reactivated") }),
    "",
    view.t("report-moves"),
    ...(moves.length > 0 ? moves : [view.t("report-nothing")]),
    "",
    view.t("report-events"),
    ...(events.length > 0 ? events : [view.t("report-nothing")]),
  ].join("\n");
}

export function reportScreen(view: View, stats: DailyStats, orders: OrdersSummary, currency: string, days: { readonly previous: string; readonly next: string | null }, clock: ReportClock): Screen {
  const keyboard = new InlineKeyboard().text(view.t("btn-prev"), b.encode("rep", days.previous));
  if (days.next) keyboard.text(view.t("btn-next"), b.encode("rep", days.next));
  if (stats.day !== clock.today) keyboard.text(view.t("btn-today"), b.encode("rep", clock.today));
  keyboard.row().text(view.t("btn-back"), b.encode("crm"));
  return { text: reportText(view, stats, orders, currency, clock), keyboard };
}

/** The morning push: yesterday's whole day, with today so far one tap away. */
export function reportPush(view: View, stats: DailyStats, orders: OrdersSummary, currency: string, clock: ReportClock): Screen {
  const keyboard = new InlineKeyboard().text(view.t("btn-report-today"), b.encode("rep", clock.today)).text(view.t("btn-crm"), b.encode("crm"));
  return { text: reportText(view, stats, orders, currency, clock), keyboard };
}
