/**
 * Draws the pictures of the owner's charts in this folder (`node docs/charts/render.ts`), through
 * the same code the owner bot sends them with, from a small shop's made-up numbers: 1,240 customers,
 * 90 days of orders with a weekly rhythm, and six deep-link sources. Run it after changing a chart, and look at them.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FunnelStats, OrdersSummary } from "../../actors/store.port.ts";
import { funnelChart, funnelPeriodChart, ordersChart, sourcesChart, stageTimeChart, type ChartSource } from "../../adapters/charts/ownerCharts.ts";
import { renderChart } from "../../adapters/charts/renderChart.ts";
import { cohortRetentionChart, cohortRevenueChart } from "../../adapters/charts/cohortCharts.ts";
import type { CohortReads } from "../../actors/cohorts.port.ts";
import { lastWeekStarts } from "../../actors/cohorts.ts";
import { ownerI18n, viewIn } from "../../adapters/telegram/owner/ownerContext.ts";
import { lifecycleChart, lifetimeValueChart, type LifecycleSource } from "../../adapters/charts/lifecycleCharts.ts";
import { weekOf, weekStart, zoneOffsetMs } from "../../actors/lifecycle.ts";

const timeZone = "Europe/Moscow";
const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
const now = Date.parse("2026-11-30T09:00:00Z");
const reached = [1240, 812, 366, 231, 158, 47];
const current = [428, 446, 135, 73, 111, 47];
const dormant = [160, 120, 40, 12, 30, 5];
const stages = ["new", "engaged", "cart", "checkout", "customer", "repeat"] as const;
const funnel: FunnelStats = {
  total: 1240,
  dormant: dormant.reduce((sum, n) => sum + n, 0),
  steps: stages.map((stage, index) => ({
    stage,
    current: current[index] ?? 0,
    reached: reached[index] ?? 0,
    fromPrevious: index === 0 ? null : Math.round(((reached[index] ?? 0) / (reached[index - 1] ?? 1)) * 10_000) / 10_000,
    fromNew: Math.round(((reached[index] ?? 0) / 1240) * 10_000) / 10_000,
    dormant: dormant[index] ?? 0,
  })),
};

/** A day's orders: more at weekends, growing over the quarter, a quiet day now and then. */
function ordersOn(from: number): OrdersSummary {
  const dayIndex = Math.floor((now - from) / 86_400_000);
  const weekday = new Date(from + 12 * 3_600_000).getUTCDay();
  const count = Math.max(0, Math.round(2 + (90 - dayIndex) / 25 + (weekday === 0 || weekday === 6 ? 3 : 0) - ((dayIndex * 7) % 5 === 0 ? 2 : 0)));
  const revenue = count * (1_150 + ((dayIndex * 37) % 600));
  return { from, to: from + 86_400_000, count, byStatus: { delivered: count }, revenue, average: count ? Math.round(revenue / count) : 0, latest: [] };
}

const source: ChartSource = {
  funnel: () => Promise.resolve(funnel),
  ordersSummary: (range) => Promise.resolve(ordersOn(range.from)),
  stageTimes: () =>
    Promise.resolve({
      stages: {
        new: { count: 812, medianMs: 6 * minute, p90Ms: 3.5 * hour },
        engaged: { count: 366, medianMs: 1.6 * day, p90Ms: 9 * day },
        cart: { count: 231, medianMs: 25 * minute, p90Ms: 2.2 * day },
        checkout: { count: 158, medianMs: 4 * minute, p90Ms: 40 * minute },
        customer: { count: 47, medianMs: 18 * day, p90Ms: 41 * day },
      },
      firstOrder: { count: 158, medianMs: 2.4 * day, p90Ms: 16 * day },
      leads: 1240,
      within7Days: 109,
      within30Days: 149,
    }),
  stageEntries: () => Promise.resolve({ new: 412, engaged: 268, cart: 121, checkout: 77, customer: 52, repeat: 19 }),
  revenueBySource: () =>
    Promise.resolve([
      { source: "instagram_ads", orders: 61, customers: 48, revenue: 88_420 },
      { source: "vk_post", orders: 37, customers: 30, revenue: 51_930 },
      { source: null, orders: 29, customers: 25, revenue: 38_115 },
      { source: "blogger_anna", orders: 18, customers: 17, revenue: 29_760 },
      { source: "telegram_channel", orders: 14, customers: 12, revenue: 19_340 },
      { source: "qr_shop", orders: 7, customers: 7, revenue: 9_337 },
    ]),
};

/** Weekly cohorts of 60 to 110 customers: a quarter order in their first week, fewer each week after, a good week now and then. */
const cohorts: CohortReads = {
  cohorts: ({ weeks, now: at, timeZone: zone }) =>
    Promise.resolve({
      timeZone: zone,
      cohorts: lastWeekStarts(at, weeks, zone).map((weekStart, index, all) => {
        const size = 60 + ((index * 37) % 50);
        const ordered = Array.from({ length: all.length - index }, (_, n) => Math.round(size * (n === 0 ? 0.26 : 0.04 + 0.14 / n) * (1 + (((index + n) * 13) % 7) / 20)));
        return { weekStart, size, ordered, revenue: ordered.map((count, n) => count * (1_250 + ((index * 7 + n * 11) % 9) * 60)) };
      }),
    }),
};

/** 12 weeks of a shop that grows: new customers rising, a steady core coming back, a campaign in week 8 waking dormant ones. */
const lifecycle: LifecycleSource = {
  lifecycle: ({ now: at, weeks }) => {
    const offset = zoneOffsetMs(timeZone, at);
    const last = weekOf(at, offset);
    return Promise.resolve(Array.from({ length: weeks }, (_, i) => {
      const n = i + 12 - weeks;
      return { start: weekStart(last - weeks + 1 + i, offset), new: 58 + n * 6 + ((n * 7) % 5) * 4, returning: 31 + n * 3, reactivated: n === 8 ? 64 : 9 + ((n * 5) % 4) * 3, dormant: 40 + n * 4 + (n === 9 ? 30 : 0) };
    }));
  },
  lifetimeValues: () =>
    Promise.resolve({
      customers: 205,
      total: 1_061_830,
      average: 5179.66,
      buckets: [
        { from: 500, to: 1000, customers: 21, total: 16_380 },
        { from: 1000, to: 2000, customers: 48, total: 70_560 },
        { from: 2000, to: 5000, customers: 71, total: 229_330 },
        { from: 5000, to: 10_000, customers: 39, total: 268_710 },
        { from: 10_000, to: 20_000, customers: 19, total: 252_700 },
        { from: 20_000, to: 50_000, customers: 7, total: 224_150 },
      ],
      sources: [
        { source: "instagram_ads", customers: 74, total: 362_600, average: 4900 },
        { source: "vk_post", customers: 48, total: 211_200, average: 4400 },
        { source: null, customers: 38, total: 171_000, average: 4500 },
        { source: "blogger_anna", customers: 25, total: 190_000, average: 7600 },
        { source: "telegram_channel", customers: 14, total: 95_830, average: 6845 },
        { source: "qr_shop", customers: 6, total: 31_200, average: 5200 },
      ],
    }),
};

const i18n = ownerI18n();
for (const language of ["ru", "en"] as const) {
  const view = viewIn(i18n, language, timeZone);
  const charts = {
    funnel: await funnelChart(source, view),
    "funnel-30": await funnelPeriodChart(source, view, { now, days: 30 }),
    "stage-time": await stageTimeChart(source, view),
    "orders-30": await ordersChart(source, view, { now, days: 30, currency: "RUB" }),
    "orders-90": await ordersChart(source, view, { now, days: 90, currency: "RUB" }),
    sources: await sourcesChart(source, view, { now, days: 30, currency: "RUB" }),
    cohorts: await cohortRetentionChart(cohorts, view, { now }),
    "cohort-revenue": await cohortRevenueChart(cohorts, view, { now, currency: "RUB" }),
    lifecycle: await lifecycleChart(lifecycle, view, { now, weeks: 12 }),
    "lifetime-value": await lifetimeValueChart(lifecycle, view, { currency: "RUB" }),
  };
  for (const [name, chart] of Object.entries(charts)) {
    const file = join(import.meta.dirname, `${name}.${language}.png`);
    writeFileSync(file, renderChart(chart.spec));
    process.stdout.write(`${file}\n${chart.caption}\n\n`);
  }
}
