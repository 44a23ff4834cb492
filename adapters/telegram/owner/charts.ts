import { Composer, InlineKeyboard, InputFile } from "grammy";
import { describeError } from "../../../actors/log.port.ts";
import { funnelChart, funnelPeriodChart, ordersChart, sourcesChart, stageTimeChart, type OwnerChart } from "../../charts/ownerCharts.ts";
import { renderChart } from "../../charts/renderChart.ts";
import { cohortRetentionChart, cohortRevenueChart } from "../../charts/cohortCharts.ts";
import { lifecycleChart, lifetimeValueChart } from "../../charts/lifecycleCharts.ts";
import type { Screen, View } from "../screen.ts";
import { ownerButtons as b } from "./ownerButtons.ts";
import type { OwnerContext } from "./ownerContext.ts";
import { onButton, type OwnerKit } from "./ownerKit.ts";

/** The charts in the order of their buttons; a button carries its index here. */
const chartButtons = [
  { label: "btn-chart-funnel", make: (kit: OwnerKit, view: View) => funnelChart(kit.store, view) },
  { label: "btn-chart-period", make: (kit: OwnerKit, view: View) => funnelPeriodChart(kit.store, view, { now: kit.clock.now(), days: 30 }) },
  { label: "btn-chart-time", make: (kit: OwnerKit, view: View) => stageTimeChart(kit.store, view) },
  { label: "btn-chart-orders30", make: (kit: OwnerKit, view: View) => ordersChart(kit.store, view, { now: kit.clock.now(), days: 30, currency: kit.currency }) },
  { label: "btn-chart-orders90", make: (kit: OwnerKit, view: View) => ordersChart(kit.store, view, { now: kit.clock.now(), days: 90, currency: kit.currency }) },
  { label: "btn-chart-sources", make: (kit: OwnerKit, view: View) => sourcesChart(kit.store, view, { now: kit.clock.now(), days: 30, currency: kit.currency }) },
  { label: "btn-chart-cohorts", make: (kit: OwnerKit, view: View) => cohortRetentionChart(kit.store, view, { now: kit.clock.now() }) },
  { label: "btn-chart-cohort-revenue", make: (kit: OwnerKit, view: View) => cohortRevenueChart(kit.store, view, { now: kit.clock.now(), currency: kit.currency }) },
  { label: "btn-chart-lifecycle", make: (kit: OwnerKit, view: View) => lifecycleChart(kit.store, view, { now: kit.clock.now(), weeks: 12 }) },
  { label: "btn-chart-ltv", make: (kit: OwnerKit, view: View) => lifetimeValueChart(kit.store, view, { currency: kit.currency }) },
] as const;

function chartsKeyboard(view: View): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  chartButtons.forEach((chart, index) => keyboard.text(view.t(chart.label), b.encode("ch", index)).row());
  return keyboard.text(view.t("btn-back"), b.encode("crm"));
}

/** 📊 The charts screen: one button per chart, and back to the CRM menu. */
export function chartsScreen(view: View): Screen {
  return { text: view.t("charts-title"), keyboard: chartsKeyboard(view) };
}

/** Telegram's caption limit; the numbers come first, so a cut loses only the last lines. */
const captionLimit = 1024;

/**
 * 📊 Charts: each chart drawn on the server (adapters/charts) and sent as a photo, with its
 * numbers in the caption (a photo alone cannot be searched or read aloud) and the charts' buttons
 * under it, so the next chart is one press away. A press of an index that is no chart is out of date.
 */
export function charts(kit: OwnerKit): Composer<OwnerContext> {
  const composer = new Composer<OwnerContext>();
  onButton(composer, "chs", async (ctx) => {
    await kit.answer(ctx);
    await kit.show(ctx, chartsScreen(kit.view(ctx)));
  });
  onButton(composer, "ch", async (ctx, [index]) => {
    const chart = chartButtons[index];
    const view = kit.view(ctx);
    if (!chart) {
      await kit.answer(ctx, ctx.t("button-outdated"));
      return kit.show(ctx, chartsScreen(view));
    }
    await kit.answer(ctx);
    let drawn: { png: Buffer; chart: OwnerChart };
    try {
      const made = await chart.make(kit, view);
      drawn = { png: renderChart(made.spec), chart: made };
    } catch (error) {
      kit.log.error("chart_failed", { bot: "owner", chart: chart.label, ...describeError(error) });
      await ctx.reply(view.t("charts-failed"));
      return;
    }
    const caption = drawn.chart.caption.length > captionLimit ? `${drawn.chart.caption.slice(0, captionLimit - 1)}…` : drawn.chart.caption;
    await ctx.replyWithPhoto(new InputFile(drawn.png, "chart.png"), { caption, reply_markup: chartsKeyboard(view) });
  });
  return composer;
}
