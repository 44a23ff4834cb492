import { InlineKeyboard } from "grammy";
import type { CampaignSettings } from "../../../actors/campaignSettings.ts";
import type { CampaignName, CampaignStats } from "../../../actors/campaignStats.ts";
import { campaignDelayBounds, maxCampaignTextChars, type CampaignField, type OwnerCampaignError } from "../../../machines/ownerCampaign.types.ts";
import { clip, escapeHtml, formatDateTime, formatMoney } from "../format.ts";
import type { Screen, View } from "../screen.ts";
import { ownerButtons as b } from "./ownerButtons.ts";

/** The fields as the 📣 buttons number them (`o1.cmpe.<n>`). */
export const campaignFieldCodes: readonly CampaignField[] = ["cartMinutes", "secondText", "secondHours", "winBackText", "winBackDays"];
/** The switches as the 📣 buttons number them (`o1.cmpt.<n>`). */
export const campaignToggleCodes = ["second", "winBack", "catalogButton"] as const;
export type CampaignToggle = (typeof campaignToggleCodes)[number];

const code = (field: CampaignField): number => campaignFieldCodes.indexOf(field);
const toggle = (which: CampaignToggle): number => campaignToggleCodes.indexOf(which);
const onOff = (view: View, on: boolean): string => view.t(on ? "campaigns-on" : "campaigns-off");
const quoted = (view: View, text: string): string => (text === "" ? view.t("campaigns-no-text") : `«${escapeHtml(clip(text, 300))}»`);

/**
 * The 📣 screen: each campaign with its delay, on/off and text, and a button for each setting. Said
 * on it, because an owner needs it before changing anything: timers already pending keep their due
 * time, and send the text current when they fire.
 */
export function campaignsScreen(view: View, settings: CampaignSettings, notice?: string): Screen {
  const { secondReminder: second, winBack } = settings;
  const text = [
    ...(notice ? [notice, ""] : []),
    view.t("campaigns-title"),
    "",
    view.t("campaigns-first", { minutes: settings.cartReminderMinutes }),
    "",
    view.t("campaigns-second", { state: onOff(view, second.enabled), hours: second.hours }),
    quoted(view, second.text),
    "",
    view.t("campaigns-winback", { state: onOff(view, winBack.enabled), days: winBack.days, button: onOff(view, winBack.catalogButton) }),
    quoted(view, winBack.text),
    "",
    view.t("campaigns-pending-rule"),
  ].join("\n");
  const keyboard = new InlineKeyboard()
    .text(view.t("btn-campaign-first-delay"), b.encode("cmpe", code("cartMinutes")))
    .row()
    .text(view.t("btn-campaign-second-text"), b.encode("cmpe", code("secondText")))
    .text(view.t("btn-campaign-second-delay"), b.encode("cmpe", code("secondHours")))
    .text(view.t(second.enabled ? "btn-campaign-turn-off" : "btn-campaign-turn-on"), b.encode("cmpt", toggle("second")))
    .row()
    .text(view.t("btn-campaign-winback-text"), b.encode("cmpe", code("winBackText")))
    .text(view.t("btn-campaign-winback-delay"), b.encode("cmpe", code("winBackDays")))
    .text(view.t(winBack.enabled ? "btn-campaign-turn-off" : "btn-campaign-turn-on"), b.encode("cmpt", toggle("winBack")))
    .row()
    .text(view.t(winBack.catalogButton ? "btn-campaign-catalog-off" : "btn-campaign-catalog-on"), b.encode("cmpt", toggle("catalogButton")))
    .row()
    .text(view.t("btn-back"), b.encode("crm"));
  return { text, keyboard };
}

/** The prompt for one setting (numbers as text: a limit reads "4096", not "4 096"), with why the last value was refused. */
export function campaignPromptScreen(view: View, field: CampaignField, error: OwnerCampaignError | null, typedChars = 0): Screen {
  const bounds = field === "secondText" || field === "winBackText" ? null : campaignDelayBounds[field];
  const prompt = bounds ? view.t(`campaign-prompt-${field}`, { min: String(bounds.min), max: String(bounds.max) }) : view.t(`campaign-prompt-${field}`, { max: String(maxCampaignTextChars) });
  const refusal =
    error === null
      ? null
      : error === "too_long"
        ? view.t("campaign-too-long", { chars: String(typedChars), max: String(maxCampaignTextChars) })
        : error === "not_a_number"
          ? view.t("campaign-not-a-number", { min: String(bounds?.min ?? 1), max: String(bounds?.max ?? 1) })
          : view.t(error === "empty" ? "campaign-empty" : "campaign-failed");
  return { text: refusal ? `${refusal}\n\n${prompt}` : prompt, keyboard: new InlineKeyboard().text(view.t("btn-cancel"), b.encode("cmpx")) };
}

const moneyOf = (view: View, amount: number, currency: string): string => formatMoney(amount, currency, view.locale);

/**
 * What each campaign earned, as lines under the funnel (the last 30 days) or the daily report (that
 * day): messages sent, carts recovered or customers reactivated, orders and their revenue.
 */
export function campaignLines(view: View, stats: CampaignStats, currency: string, title: "campaigns-earned-30d" | "campaigns-earned-day"): string {
  const line = (key: string, figures: CampaignStats[CampaignName]) =>
    view.t(key, { sent: figures.sent, converted: figures.converted, orders: figures.orders, revenue: moneyOf(view, figures.revenue, currency) });
  return [view.t(title), line("campaigns-earned-first", stats.cartReminder), line("campaigns-earned-second", stats.secondReminder), line("campaigns-earned-winback", stats.winBack)].join("\n");
}

/** A screen with the campaigns' lines after its text. */
export function withCampaignLines(screen: Screen, lines: string): Screen {
  return { ...screen, text: `${screen.text}\n\n${lines}` };
}

/** The campaign messages a client's card lists, and their marks. */
export const campaignMessageTypes = ["reminder_sent", "second_reminder_sent", "winback_sent"] as const;
/** How many of a client's campaign messages the card lists: the newest. */
export const cardCampaignMessages = 10;

/**
 * The card's journey of campaigns: each campaign message the client received, newest last, and
 * whether they unsubscribed from news. Empty when there is neither.
 */
export function cardCampaignLines(view: View, messages: readonly { readonly type: string; readonly at: number }[], unsubscribedAt: number | null): string | null {
  if (messages.length === 0 && unsubscribedAt === null) return null;
  const when = (at: number): string => formatDateTime(at, view.locale, view.timeZone);
  const lines = messages.map((message) => view.t("card-campaign-line", { what: view.t(`card-campaign-${message.type}`), date: when(message.at) }));
  return [view.t("card-campaigns"), ...lines, ...(unsubscribedAt === null ? [] : [view.t("card-unsubscribed", { date: when(unsubscribedAt) })])].join("\n");
}
