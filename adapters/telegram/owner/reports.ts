import { Composer, GrammyError, type Api } from "grammy";
import { dayBounds, dayOf } from "../../../actors/calendar.ts";
import { describeError } from "../../../actors/log.port.ts";
import type { View } from "../screen.ts";
import type { OwnerContext } from "./ownerContext.ts";
import { onButton, type OwnerKit } from "./ownerKit.ts";
import { crmMenu, reportPush, reportScreen } from "./ownerScreens.ts";
import { campaignLines, withCampaignLines } from "./campaignScreens.ts";
import { campaignStats } from "../../../actors/campaignStats.ts";

const isDay = (day: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(Date.parse(`${day}T00:00:00Z`));

/** The report of `day` (today so far, or a whole earlier day) with ◀️ ▶️ to the days around it; a day to come is out of date. */
export async function openReport(kit: OwnerKit, ctx: OwnerContext, day: string): Promise<void> {
  const when = kit.reportClock();
  if (!isDay(day) || day > when.today) {
    await kit.answer(ctx, ctx.t("button-outdated"));
    return kit.show(ctx, crmMenu(kit.view(ctx), when.today));
  }
  await kit.go(ctx, { type: "REPORT", day });
  const { start, end } = dayBounds(day, kit.timeZone);
  const days = { previous: dayOf(start - 1, kit.timeZone), next: day < when.today ? dayOf(end, kit.timeZone) : null };
  const [stats, orders, campaigns] = await Promise.all([kit.store.dailyStats(day, kit.timeZone), kit.store.ordersSummary({ from: start, to: end, latest: 0 }), campaignStats(kit.store, { from: start, to: end })]);
  await kit.answer(ctx);
  const view = kit.view(ctx);
  await kit.show(ctx, withCampaignLines(reportScreen(view, stats, orders, kit.currency, days, when), campaignLines(view, campaigns, kit.currency, "campaigns-earned-day")));
}

/** 📅 The daily report, on demand (the morning push is dailyReport.ts's). */
export function reports(kit: OwnerKit): Composer<OwnerContext> {
  const composer = new Composer<OwnerContext>();
  onButton(composer, "rep", (ctx, [day]) => openReport(kit, ctx, day));
  return composer;
}

/**
 * The report of `day` (the scheduler's: yesterday, the whole day) to one owner, with a button to
 * today so far; the scheduler (dailyReport.ts) calls it once per owner per day. An owner who
 * blocked the bot (or never started it) is logged, not retried all day; anything else is thrown,
 * and the scheduler tries again.
 */
export async function sendDailyReport(kit: OwnerKit, deps: { readonly api: Api; readonly viewFor: (ownerId: number) => Promise<View> }, ownerId: number, day: string): Promise<void> {
  const { start, end } = dayBounds(day, kit.timeZone);
  const [stats, orders, campaigns] = await Promise.all([kit.store.dailyStats(day, kit.timeZone), kit.store.ordersSummary({ from: start, to: end, latest: 0 }), campaignStats(kit.store, { from: start, to: end })]);
  const view = await deps.viewFor(ownerId);
  const push = withCampaignLines(reportPush(view, stats, orders, kit.currency, kit.reportClock()), campaignLines(view, campaigns, kit.currency, "campaigns-earned-day"));
  try {
    await deps.api.sendMessage(ownerId, push.text, { parse_mode: "HTML", ...(push.keyboard ? { reply_markup: push.keyboard } : {}) });
  } catch (error) {
    if (!(error instanceof GrammyError && (error.error_code === 403 || error.error_code === 400))) throw error;
    kit.log.warn("daily_report_unreachable", { ownerId, day, ...describeError(error) });
  }
}
