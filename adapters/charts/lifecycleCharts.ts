/**
 * The owner's lifecycle and lifetime-value charts (issue 14), from the store's two small
 * projections (actors/lifecycle.port.ts): the chart to draw and the numbers for its caption, in the
 * owner's language, weeks and dates in TIME_ZONE.
 */
import type { LifetimeValueBucket } from "../../actors/lifecycle.port.ts";
import type { CrmStore } from "../../actors/store.port.ts";
import type { View } from "../telegram/screen.ts";
import { formatMoney } from "../telegram/format.ts";
import type { ChartBar } from "./renderChart.ts";
import type { OwnerChart } from "./ownerCharts.ts";
import { palette } from "./svg.ts";

/** What these charts read: the two projections, nothing else. */
export type LifecycleSource = Pick<CrmStore, "lifecycle" | "lifetimeValues">;

const colors = { new: palette.series[0], returning: palette.series[1], reactivated: palette.series[2], dormant: palette.series[3] } as const;

/** New, returning and reactivated customers per week (stacked up), and dormant ones (down), over the last `weeks` weeks. */
export async function lifecycleChart(store: LifecycleSource, view: View, options: { readonly now: number; readonly weeks: number }): Promise<OwnerChart> {
  const rows = await store.lifecycle({ now: options.now, weeks: options.weeks });
  // Noon on the Monday: the week's date whatever the zone's summer time did to its midnight.
  const label = (start: number): string => new Intl.DateTimeFormat(view.locale, { day: "numeric", month: "numeric", timeZone: view.timeZone }).format(start + 12 * 3_600_000);
  const values = (kind: "new" | "returning" | "reactivated" | "dormant"): number[] => rows.map((row) => row[kind]);
  const sum = (kind: "new" | "returning" | "reactivated" | "dormant"): number => values(kind).reduce((total, n) => total + n, 0);
  const range = { from: label(rows[0]?.start ?? options.now), to: label(rows.at(-1)?.start ?? options.now), weeks: rows.length };
  const series = (kind: "new" | "returning" | "reactivated" | "dormant") => ({ name: view.t(`chart-life-${kind}`), color: colors[kind], values: values(kind) });
  return {
    spec: {
      kind: "stacked",
      title: view.t("chart-life-title"),
      subtitle: view.t("chart-life-subtitle", range),
      columns: rows.map((row) => label(row.start)),
      up: [series("new"), series("returning"), series("reactivated")],
      down: [series("dormant")],
    },
    caption: [
      view.t("chart-life-caption", range),
      view.t("chart-life-totals", { weeks: rows.length, new: sum("new"), returning: sum("returning"), reactivated: sum("reactivated"), dormant: sum("dormant") }),
      ...[...rows].reverse().map((row) => view.t("chart-life-line", { week: label(row.start), new: row.new, returning: row.returning, reactivated: row.reactivated, dormant: row.dormant })),
      view.t("chart-life-explain"),
    ].join("\n"),
  };
}

/** At most this many bars: the lowest or highest buckets, whichever end has fewer customers, are merged first. */
const maxBuckets = 9;

/** The buckets merged down to `maxBuckets`, so a shop with values from 1 to a million still reads on a phone. */
export function mergedBuckets(buckets: readonly LifetimeValueBucket[]): LifetimeValueBucket[] {
  const out = [...buckets];
  const merge = (a: LifetimeValueBucket, b: LifetimeValueBucket): LifetimeValueBucket => ({ from: a.from, to: b.to, customers: a.customers + b.customers, total: Math.round((a.total + b.total) * 100) / 100 });
  while (out.length > maxBuckets) {
    const [first, second] = [out[0], out[1]];
    const [last, beforeLast] = [out[out.length - 1], out[out.length - 2]];
    if (!first || !second || !last || !beforeLast) break;
    if (first.customers <= last.customers) out.splice(0, 2, merge(first, second));
    else out.splice(out.length - 2, 2, merge(beforeLast, last));
  }
  return out;
}

/** Sources named in the caption; the rest are counted in one line. */
const captionSources = 10;

/** How the customers who ordered spread over lifetime value (bars), and the average per deep-link source (the caption). */
export async function lifetimeValueChart(store: LifecycleSource, view: View, options: { readonly currency: string }): Promise<OwnerChart> {
  const stats = await store.lifetimeValues();
  const money = (amount: number): string => formatMoney(amount, options.currency, view.locale);
  const number = (amount: number): string => new Intl.NumberFormat(view.locale).format(amount);
  // Bucket bounds without the currency (the notes and the subtitle carry it), millions short, so a label fits left of its bar.
  const bound = (amount: number): string => new Intl.NumberFormat(view.locale, amount >= 1_000_000 ? { notation: "compact" } : {}).format(amount);
  const share = (part: number): string => new Intl.NumberFormat(view.locale, { style: "percent", maximumFractionDigits: 1 }).format(stats.customers > 0 ? part / stats.customers : 0);
  const bucketLabel = (bucket: LifetimeValueBucket): string =>
    bucket.to === null ? view.t("chart-ltv-bucket-open", { from: bound(bucket.from) }) : view.t("chart-ltv-bucket", { from: bound(bucket.from), to: bound(bucket.to) });
  const bars: ChartBar[] = mergedBuckets(stats.buckets).map((bucket) => ({
    label: bucketLabel(bucket),
    value: bucket.customers,
    valueText: number(bucket.customers),
    note: view.t("chart-ltv-note", { total: money(bucket.total), share: share(bucket.customers) }),
  }));
  const name = (source: string | null): string => source ?? view.t("chart-ltv-no-source");
  const shown = stats.sources.slice(0, captionSources);
  const rest = stats.sources.slice(captionSources);
  const totals = { customers: stats.customers, total: money(stats.total), average: money(stats.average) };
  return {
    spec: { kind: "bars", title: view.t("chart-ltv-title"), subtitle: view.t("chart-ltv-subtitle", totals), bars, valueWidth: 150 },
    caption: [
      view.t("chart-ltv-caption", totals),
      ...(stats.customers === 0
        ? [view.t("chart-ltv-empty")]
        : [
            view.t("chart-ltv-sources"),
            ...shown.map((row) => view.t("chart-ltv-source", { source: name(row.source), average: money(row.average), customers: row.customers, total: money(row.total) })),
            ...(rest.length > 0 ? [view.t("chart-ltv-rest", { count: rest.length, customers: rest.reduce((sum, row) => sum + row.customers, 0) })] : []),
          ]),
    ].join("\n"),
  };
}
