/**
 * The owner's weekly cohort charts (issue 14), from the store's cohort projection
 * (actors/cohorts.port.ts): retention by order as a heatmap, and revenue per cohort as bars, each
 * with its numbers in the caption, in the owner's language, weeks in TIME_ZONE.
 */
import type { CohortReads, CohortRow } from "../../actors/cohorts.port.ts";
import type { View } from "../telegram/screen.ts";
import { formatMoney } from "../telegram/format.ts";
import type { OwnerChart } from "./ownerCharts.ts";

/** Cohorts and weeks after them shown: 12 × 12 is what reads on a phone. */
export const cohortWeeks = 12;
/** Weeks after a cohort written in each caption line; the picture has them all. */
const captionWeeks = 6;

const share = (row: CohortRow, week: number): number | null => {
  const ordered = row.ordered[week];
  return ordered === undefined || row.size === 0 ? null : ordered / row.size;
};

/** A cohort's week as the owner reads it: the day and month of its Monday in TIME_ZONE. */
function weekLabel(view: View, weekStart: number): string {
  return new Intl.DateTimeFormat(view.locale, { day: "2-digit", month: "2-digit", timeZone: view.timeZone }).format(weekStart);
}

const percentOf = (view: View, ratio: number): string => new Intl.NumberFormat(view.locale, { style: "percent", maximumFractionDigits: 0 }).format(ratio);

/** 🧊 Weekly retention by order: the share of each first-seen week's customers who ordered n weeks later. */
export async function cohortRetentionChart(store: CohortReads, view: View, options: { readonly now: number }): Promise<OwnerChart> {
  const { cohorts } = await store.cohorts({ weeks: cohortWeeks, now: options.now, timeZone: view.timeZone });
  const range = { from: weekLabel(view, cohorts[0]?.weekStart ?? options.now), to: weekLabel(view, cohorts.at(-1)?.weekStart ?? options.now) };
  const count = (value: number): string => new Intl.NumberFormat(view.locale).format(value);
  const rows = cohorts.map((row) => view.t("chart-cohorts-row", { week: weekLabel(view, row.weekStart), size: count(row.size) }));
  const cells = cohorts.map((row) => Array.from({ length: cohortWeeks }, (_, week) => share(row, week)));
  const customers = cohorts.reduce((sum, row) => sum + row.size, 0);
  const lines = cohorts.filter((row) => row.size > 0).map((row) => {
    const shares = row.ordered.slice(0, captionWeeks).map((ordered) => `${count(ordered)} (${percentOf(view, ordered / row.size)})`);
    return view.t("chart-cohorts-line", { week: weekLabel(view, row.weekStart), size: count(row.size), shares: shares.join(" · ") });
  });
  return {
    spec: {
      kind: "heatmap",
      title: view.t("chart-cohorts-title"),
      subtitle: view.t("chart-cohorts-subtitle", { ...range, customers: count(customers) }),
      rows,
      columns: Array.from({ length: cohortWeeks }, (_, week) => String(week)),
      cells,
    },
    caption: [view.t("chart-cohorts-caption", { ...range, weeks: captionWeeks }), ...(lines.length === 0 ? [view.t("chart-cohorts-empty")] : lines)].join("\n"),
  };
}

/** 💶 Revenue per cohort: what each first-seen week's customers have paid so far, in all and per customer. */
export async function cohortRevenueChart(store: CohortReads, view: View, options: { readonly now: number; readonly currency: string }): Promise<OwnerChart> {
  const { cohorts } = await store.cohorts({ weeks: cohortWeeks, now: options.now, timeZone: view.timeZone });
  const money = (amount: number): string => formatMoney(amount, options.currency, view.locale);
  const count = (value: number): string => new Intl.NumberFormat(view.locale).format(value);
  const range = { from: weekLabel(view, cohorts[0]?.weekStart ?? options.now), to: weekLabel(view, cohorts.at(-1)?.weekStart ?? options.now) };
  const sums = cohorts.map((row) => {
    const revenue = Math.round(row.revenue.reduce((sum, amount) => sum + amount, 0) * 100) / 100;
    return { row, revenue, perCustomer: row.size > 0 ? Math.round(revenue / row.size) : 0 };
  });
  const total = sums.reduce((sum, entry) => sum + entry.revenue, 0);
  const bars = sums.map(({ row, revenue, perCustomer }) => ({
    label: weekLabel(view, row.weekStart),
    value: revenue,
    valueText: money(revenue),
    note: view.t("chart-cohort-revenue-note", { size: count(row.size), perCustomer: money(perCustomer) }),
  }));
  const lines = sums.filter((entry) => entry.row.size > 0 || entry.revenue > 0).map(({ row, revenue, perCustomer }) =>
    view.t("chart-cohort-revenue-line", { week: weekLabel(view, row.weekStart), revenue: money(revenue), size: count(row.size), perCustomer: money(perCustomer) }),
  );
  return {
    spec: { kind: "bars", title: view.t("chart-cohort-revenue-title"), subtitle: view.t("chart-cohort-revenue-subtitle", { ...range, total: money(total) }), bars, valueWidth: 260 },
    caption: [view.t("chart-cohort-revenue-caption", { ...range, total: money(total) }), ...(lines.length === 0 ? [view.t("chart-cohorts-empty")] : lines)].join("\n"),
  };
}
