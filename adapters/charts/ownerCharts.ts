/**
 * The owner's charts from the store's own queries (the funnel's counters, and one indexed range
 * query of orders per day), each as a chart to draw and the numbers for its caption, in the
 * owner's language, with dates in TIME_ZONE.
 */
import { dayBounds, dayOf } from "../../actors/calendar.ts";
import { stages, type Stage } from "../../machines/customer.types.ts";
import type { CrmStore } from "../../actors/store.port.ts";
import type { View } from "../telegram/screen.ts";
import { formatMoney } from "../telegram/format.ts";
import { durationText } from "../telegram/owner/stageTimeScreen.ts";
import { leavableStages } from "../../actors/stageTime.ts";
import type { Durations } from "../../actors/stageTime.port.ts";
import type { ChartSpec } from "./renderChart.ts";
import { palette } from "./svg.ts";

/** A chart ready to draw, and the caption that says its numbers in words. */
export interface OwnerChart {
  readonly spec: ChartSpec;
  readonly caption: string;
}

/** What the charts read: the funnel's counters and the indexed range query of orders, nothing else. */
export type ChartSource = Pick<CrmStore, "funnel" | "ordersSummary" | "revenueBySource" | "stageEntries" | "stageTimes">;

const percent = (view: View, ratio: number | null): string =>
  ratio === null ? "—" : new Intl.NumberFormat(view.locale, { style: "percent", maximumFractionDigits: 1 }).format(ratio);

/** The funnel now: how many ever reached each stage, with the conversion from the previous one. */
export async function funnelChart(store: ChartSource, view: View): Promise<OwnerChart> {
  const funnel = await store.funnel();
  const name = (stage: Stage): string => view.t(`stage-${stage}`);
  const bars = funnel.steps.map((step) => ({
    label: capitalised(name(step.stage)),
    value: step.reached,
    valueText: new Intl.NumberFormat(view.locale).format(step.reached),
    note: step.stage === "new" ? view.t("chart-funnel-now", { current: step.current }) : view.t("chart-funnel-note", { fromPrevious: percent(view, step.fromPrevious), current: step.current }),
  }));
  const lines = funnel.steps.map((step) => view.t(step.stage === "new" ? "chart-funnel-line-new" : "chart-funnel-line", { stage: name(step.stage), reached: step.reached, fromPrevious: percent(view, step.fromPrevious), fromNew: percent(view, step.fromNew) }));
  return {
    spec: { kind: "bars", title: view.t("chart-funnel-title"), subtitle: view.t("chart-funnel-subtitle", { total: funnel.total, dormant: funnel.dormant }), bars },
    caption: [view.t("chart-funnel-caption", { total: funnel.total }), ...lines].join("\n"),
  };
}

/** The last `days` calendar days in TIME_ZONE, today included, oldest first. */
export function lastDays(now: number, days: number, timeZone: string): string[] {
  const out = [dayOf(now, timeZone)];
  while (out.length < days) out.unshift(dayOf(dayBounds(out[0] ?? "", timeZone).start - 1, timeZone));
  return out;
}

/** Orders and revenue per day over the last 30 or 90 days, today included. */
export async function ordersChart(store: ChartSource, view: View, options: { readonly now: number; readonly days: 30 | 90; readonly currency: string }): Promise<OwnerChart> {
  const days = lastDays(options.now, options.days, view.timeZone);
  const summaries = await Promise.all(days.map((day) => {
    const { start, end } = dayBounds(day, view.timeZone);
    return store.ordersSummary({ from: start, to: end, latest: 0 });
  }));
  const orders = summaries.map((summary) => summary.count);
  const revenue = summaries.map((summary) => summary.revenue);
  const money = (amount: number): string => formatMoney(amount, options.currency, view.locale);
  const label = (day: string): string => new Intl.DateTimeFormat(view.locale, { day: "numeric", month: "numeric", timeZone: "UTC" }).format(Date.parse(`${day}T12:00:00Z`));
  const totalOrders = orders.reduce((sum, n) => sum + n, 0);
  const totalRevenue = revenue.reduce((sum, n) => sum + n, 0);
  const best = revenue.indexOf(Math.max(...revenue));
  const range = { from: label(days[0] ?? ""), to: label(days.at(-1) ?? ""), days: options.days };
  return {
    spec: {
      kind: "columns",
      title: view.t("chart-orders-title", { days: options.days }),
      subtitle: view.t("chart-orders-subtitle", range),
      days: days.map(label),
      panels: [
        { name: view.t("chart-orders-count"), values: orders, format: String, color: palette.orders },
        { name: view.t("chart-orders-revenue"), values: revenue, format: money, color: palette.revenue },
      ],
    },
    caption: [
      view.t("chart-orders-caption", range),
      view.t("chart-orders-totals", { orders: totalOrders, revenue: money(totalRevenue), perDay: money(Math.round(totalRevenue / options.days)) }),
      totalRevenue > 0 ? view.t("chart-orders-best", { day: label(days[best] ?? ""), revenue: money(revenue[best] ?? 0) }) : view.t("chart-orders-none"),
    ].join("\n"),
  };
}

const capitalised = (text: string): string => text.charAt(0).toLocaleUpperCase() + text.slice(1);

/** The sources shown as bars; the rest are summed into one bar, so the chart stays readable. */
const sourceBars = 7;

/** Revenue by deep-link source over the last `days` days, today included, the largest first. */
export async function sourcesChart(store: ChartSource, view: View, options: { readonly now: number; readonly days: number; readonly currency: string }): Promise<OwnerChart> {
  const days = lastDays(options.now, options.days, view.timeZone);
  const from = dayBounds(days[0] ?? "", view.timeZone).start;
  const to = dayBounds(days.at(-1) ?? "", view.timeZone).end;
  const rows = await store.revenueBySource({ from, to });
  const money = (amount: number): string => formatMoney(amount, options.currency, view.locale);
  const name = (source: string | null): string => source ?? view.t("chart-sources-none");
  const shown = rows.slice(0, sourceBars);
  const rest = rows.slice(sourceBars);
  const groups = rest.length === 0 ? shown : [...shown, { source: view.t("chart-sources-rest", { count: rest.length }), orders: rest.reduce((sum, row) => sum + row.orders, 0), customers: rest.reduce((sum, row) => sum + row.customers, 0), revenue: rest.reduce((sum, row) => sum + row.revenue, 0) }];
  const total = rows.reduce((sum, row) => sum + row.revenue, 0);
  const bars = groups.map((row) => ({
    label: truncated(name(row.source), 14),
    value: row.revenue,
    valueText: money(row.revenue),
    note: view.t("chart-sources-note", { orders: row.orders, customers: row.customers, share: percent(view, total > 0 ? row.revenue / total : null) }),
  }));
  const label = (day: string): string => new Intl.DateTimeFormat(view.locale, { day: "numeric", month: "numeric", timeZone: "UTC" }).format(Date.parse(`${day}T12:00:00Z`));
  const range = { from: label(days[0] ?? ""), to: label(days.at(-1) ?? ""), days: options.days };
  const lines = rows.map((row) => view.t("chart-sources-line", { source: name(row.source), revenue: money(row.revenue), orders: row.orders, customers: row.customers }));
  return {
    spec: { kind: "bars", title: view.t("chart-sources-title", range), subtitle: view.t("chart-sources-subtitle", { ...range, total: money(total) }), bars, valueWidth: 260 },
    caption: [view.t("chart-sources-caption", { ...range, total: money(total) }), ...(rows.length === 0 ? [view.t("chart-sources-empty")] : lines)].join("\n"),
  };
}

const truncated = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The funnel over the last `days` days: how many entered each stage then, and each stage's entries over the previous one's. */
export async function funnelPeriodChart(store: ChartSource, view: View, options: { readonly now: number; readonly days: number }): Promise<OwnerChart> {
  const days = lastDays(options.now, options.days, view.timeZone);
  const from = dayBounds(days[0] ?? "", view.timeZone).start;
  const to = dayBounds(days.at(-1) ?? "", view.timeZone).end;
  const entries = await store.stageEntries({ from, to });
  const name = (stage: Stage): string => view.t(`stage-${stage}`);
  const ratio = (n: number, of: number): number | null => (of > 0 ? n / of : null);
  const steps = stages.map((stage, index) => {
    const previous = index === 0 ? null : entries[stages[index - 1] ?? "new"];
    return { stage, entered: entries[stage], fromPrevious: previous === null ? null : ratio(entries[stage], previous) };
  });
  const label = (day: string): string => new Intl.DateTimeFormat(view.locale, { day: "numeric", month: "numeric", timeZone: "UTC" }).format(Date.parse(`${day}T12:00:00Z`));
  const range = { from: label(days[0] ?? ""), to: label(days.at(-1) ?? ""), days: options.days };
  const bars = steps.map((step) => ({
    label: capitalised(name(step.stage)),
    value: step.entered,
    valueText: new Intl.NumberFormat(view.locale).format(step.entered),
    ...(step.fromPrevious === null ? {} : { note: view.t("chart-period-note", { fromPrevious: percent(view, step.fromPrevious) }) }),
  }));
  const lines = steps.map((step) => view.t(step.fromPrevious === null && step.stage === "new" ? "chart-period-line-new" : "chart-period-line", { stage: name(step.stage), entered: step.entered, fromPrevious: percent(view, step.fromPrevious) }));
  return {
    spec: { kind: "bars", title: view.t("chart-period-title", range), subtitle: view.t("chart-period-subtitle", range), bars },
    caption: [view.t("chart-period-caption", range), ...lines].join("\n"),
  };
}

/** Median (solid) and p90 (light) time in each stage, and from `new` to the first order, from the store's stage-time figures. */
export async function stageTimeChart(store: ChartSource, view: View): Promise<OwnerChart> {
  const stats = await store.stageTimes();
  const rows: { label: string; durations: Durations; moved: string }[] = [
    ...leavableStages.map((stage) => ({ label: capitalised(view.t(`stage-${stage}`)), durations: stats.stages[stage], moved: "chart-time-moved" })),
    { label: view.t("chart-time-first-order"), durations: stats.firstOrder, moved: "chart-time-ordered" },
  ];
  const bars = rows.map(({ label, durations, moved }) => {
    const none = durations.medianMs === null || durations.p90Ms === null;
    return {
      label,
      value: durations.medianMs ?? 0,
      range: durations.p90Ms ?? 0,
      valueText: durations.medianMs === null ? "—" : durationText(view, durations.medianMs),
      note: none ? view.t("chart-time-none") : view.t("chart-time-note", { p90: durationText(view, durations.p90Ms ?? 0), moved: view.t(moved, { count: durations.count }) }),
    };
  });
  const pair = (durations: Durations, moved: string): string =>
    durations.medianMs === null || durations.p90Ms === null ? view.t("chart-time-none") : view.t("chart-time-pair", { median: durationText(view, durations.medianMs), p90: durationText(view, durations.p90Ms), moved: view.t(moved, { count: durations.count }) });
  const share = (part: number): string => new Intl.NumberFormat(view.locale, { style: "percent", maximumFractionDigits: 1 }).format(stats.leads > 0 ? part / stats.leads : 0);
  return {
    spec: { kind: "bars", title: view.t("chart-time-title"), subtitle: view.t("chart-time-subtitle"), bars, valueWidth: 200, scale: { log: 60_000 } },
    caption: [
      view.t("chart-time-caption"),
      ...rows.map(({ label, durations, moved }) => `• ${label}: ${pair(durations, moved)}`),
      view.t("chart-time-within", { week: stats.within7Days, month: stats.within30Days, leads: stats.leads, weekShare: share(stats.within7Days), monthShare: share(stats.within30Days) }),
    ].join("\n"),
  };
}
