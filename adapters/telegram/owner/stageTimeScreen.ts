import type { Durations, StageTimeStats } from "../../../actors/stageTime.port.ts";
import { leavableStages } from "../../../actors/stageTime.ts";
import { stageEmoji } from "../../../machines/customer.types.ts";
import type { View } from "../screen.ts";

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

/** A duration in the owner's words: minutes under an hour, hours under a day, days above. */
export function durationText(view: View, ms: number): string {
  const number = (value: number): string => new Intl.NumberFormat(view.locale, { maximumFractionDigits: 1 }).format(value);
  if (ms < hour) return view.t("st-minutes", { n: number(Math.round(ms / minute)) });
  if (ms < day) return view.t("st-hours", { n: number(ms / hour) });
  return view.t("st-days", { n: number(ms / day) });
}

const pair = (view: View, durations: Durations): string =>
  durations.medianMs === null || durations.p90Ms === null
    ? view.t("none")
    : view.t("st-pair", { median: durationText(view, durations.medianMs), p90: durationText(view, durations.p90Ms), count: durations.count });

const share = (view: View, part: number, whole: number): string =>
  view.t("st-share", { part, whole, percent: new Intl.NumberFormat(view.locale, { style: "percent", maximumFractionDigits: 1 }).format(whole > 0 ? part / whole : 0) });

/**
 * The funnel's time in stage as text: median and p90 per stage, the time to the first order and the
 * conversions within 7 and 30 days of entering `new` (a chart may draw the same figures).
 */
export function stageTimeLines(view: View, stats: StageTimeStats): string {
  return [
    view.t("st-title"),
    ...leavableStages.map((stage) => `${stageEmoji[stage]} ${view.t(`stage-${stage}`)}: ${pair(view, stats.stages[stage])}`),
    view.t("st-first-order", { value: pair(view, stats.firstOrder) }),
    view.t("st-within", { week: share(view, stats.within7Days, stats.leads), month: share(view, stats.within30Days, stats.leads) }),
  ].join("\n");
}
