/**
 * Charts for the owner, drawn as SVG here and rasterised by resvg (a prebuilt binary from npm, no
 * native build) with Roboto shipped in `fonts/` (Cyrillic included), so that no system font is
 * needed. A full charting library (ECharts with zrender, about 68 MB) would have pushed the
 * production install past P7's 150 MB bar; these few shapes are all the owner's charts need.
 * Every chart has a solid white card of its own, so it reads the same in Telegram's dark mode.
 */
import { Resvg } from "@resvg/resvg-js";
import { join } from "node:path";
import { heatmapSvg } from "./heatmap.ts";
import { stackedSvg } from "./stacked.ts";
import { palette, textAt, type Svg } from "./svg.ts";

/** A horizontal bar: its label on the left, the bar, then `valueText` and a smaller `note`. */
export interface ChartBar {
  readonly label: string;
  readonly value: number;
  readonly valueText: string;
  readonly note?: string;
  /** A second, larger value drawn as a lighter bar behind this one (the p90 behind a median); the scale covers it. */
  readonly range?: number;
}

/** One row of columns over the same days: orders per day, revenue per day. */
export interface ColumnPanel {
  readonly name: string;
  readonly values: readonly number[];
  /** How the panel's largest value is written on its axis. */
  readonly format: (value: number) => string;
  readonly color: string;
}

/** What to draw: labels already in the owner's language, dates already in TIME_ZONE. */
export type ChartSpec =
  | { readonly kind: "bars"; readonly title: string; readonly subtitle: string; readonly bars: readonly ChartBar[]; /** Room for the values right of the bars (default 170 px). */ readonly valueWidth?: number; /** `log`: for durations from minutes to weeks, so the short ones still show (log of 1 + value ÷ `logUnit`). */ readonly scale?: { readonly log: number } }
  | { readonly kind: "columns"; readonly title: string; readonly subtitle: string; readonly days: readonly string[]; readonly panels: readonly ColumnPanel[] }
  | HeatmapSpec
  | StackedSpec;

/** One series of stacked columns: its name in the legend, its colour, a value per column. */
export interface StackedSeries {
  readonly name: string;
  readonly color: string;
  readonly values: readonly number[];
}

/**
 * Columns over periods (weeks), each a stack of `up` series above the zero line and of `down`
 * series below it (dormant customers as negative bars), with the totals written at both ends.
 */
export interface StackedSpec {
  readonly kind: "stacked";
  readonly title: string;
  readonly subtitle: string;
  readonly columns: readonly string[];
  readonly up: readonly StackedSeries[];
  readonly down: readonly StackedSeries[];
}

/**
 * A cohort matrix: a row per cohort (its label, e.g. the first-seen week and its size), a column per
 * period after it, each cell a share 0–1 (null: not yet lived). Readable up to about 12 × 12.
 */
export interface HeatmapSpec {
  readonly kind: "heatmap";
  readonly title: string;
  readonly subtitle: string;
  readonly rows: readonly string[];
  readonly columns: readonly string[];
  readonly cells: readonly (readonly (number | null)[])[];
}

export const chartWidth = 1200;
const fonts = ["Roboto-Regular.ttf", "Roboto-Bold.ttf"].map((file) => join(import.meta.dirname, "fonts", file));

/** The chart as a PNG, ready for `sendPhoto`: 1200 px wide, type at least 26 px. */
export function renderChart(spec: ChartSpec): Buffer {
  const svg = svgOf(spec);
  const resvg = new Resvg(svg.markup, { font: { loadSystemFonts: false, fontFiles: fonts, defaultFontFamily: "Roboto" }, background: palette.card });
  return resvg.render().asPng();
}

/** The chart's SVG markup (for tests and for looking at it). */
export function chartSvg(spec: ChartSpec): string {
  return svgOf(spec).markup;
}

function svgOf(spec: ChartSpec): Svg {
  if (spec.kind === "bars") return barsSvg(spec);
  if (spec.kind === "columns") return columnsSvg(spec);
  if (spec.kind === "stacked") return stackedSvg(spec, frame);
  return heatmapSvg(spec, frame);
}

/** The card, its title and subtitle around a chart's body. */
export function frame(title: string, subtitle: string, height: number, body: string): Svg {
  const markup = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${chartWidth}" height="${height}" viewBox="0 0 ${chartWidth} ${height}" font-family="Roboto">`,
    `<rect width="${chartWidth}" height="${height}" fill="${palette.card}"/>`,
    textAt(48, 74, title, { size: 44, weight: 700 }),
    textAt(48, 120, subtitle, { size: 28, color: palette.muted }),
    body,
    "</svg>",
  ].join("");
  return { markup, height };
}

function barsSvg(spec: Extract<ChartSpec, { kind: "bars" }>): Svg {
  const top = 160;
  const row = 128;
  const x = 48 + 290;
  const barMax = chartWidth - x - 48 - (spec.valueWidth ?? 170);
  const unit = spec.scale?.log;
  const scaled = (value: number): number => (unit === undefined ? value : Math.log1p(Math.max(0, value) / unit));
  const max = Math.max(unit === undefined ? 1 : 1e-9, ...spec.bars.map((bar) => scaled(Math.max(bar.value, bar.range ?? 0))));
  const widthOf = (value: number): number => Math.max(value > 0 ? 6 : 0, Math.round((scaled(value) / max) * barMax));
  const rows = spec.bars.map((bar, index) => {
    const y = top + index * row;
    const width = widthOf(bar.value);
    const rangeWidth = bar.range === undefined ? 0 : widthOf(bar.range);
    const color = palette.series[index % palette.series.length];
    return [
      textAt(48, y + 52, bar.label, { size: 34 }),
      `<rect x="${x}" y="${y + 14}" width="${barMax}" height="52" rx="10" fill="${palette.track}"/>`,
      rangeWidth > 0 ? `<rect x="${x}" y="${y + 14}" width="${rangeWidth}" height="52" rx="10" fill="${color}" fill-opacity="0.3"/>` : "",
      width > 0 ? `<rect x="${x}" y="${y + 14}" width="${width}" height="52" rx="10" fill="${color}"/>` : "",
      textAt(x + barMax + 20, y + 53, bar.valueText, { size: 36, weight: 700 }),
      bar.note ? textAt(x, y + 102, bar.note, { size: 27, color: palette.muted }) : "",
    ].join("");
  });
  return frame(spec.title, spec.subtitle, top + spec.bars.length * row + 24, rows.join(""));
}

function columnsSvg(spec: Extract<ChartSpec, { kind: "columns" }>): Svg {
  const top = 160;
  const panelHeight = 330;
  const left = 200;
  const right = chartWidth - 40;
  const step = (right - left) / Math.max(1, spec.days.length);
  const panels = spec.panels.map((panel, index) => panelSvg(panel, top + index * (panelHeight + 40), panelHeight, left, step));
  const axisY = top + spec.panels.length * (panelHeight + 40) + 6;
  const every = Math.max(1, Math.ceil(spec.days.length / 6));
  const ticks = spec.days
    .map((day, index) => (index % every === 0 || index === spec.days.length - 1) && !(index !== spec.days.length - 1 && spec.days.length - 1 - index < every / 2)
      ? textAt(left + index * step + step / 2, axisY, day, { size: 28, anchor: "middle", color: palette.muted })
      : "")
    .join("");
  return frame(spec.title, spec.subtitle, axisY + 40, panels.join("") + ticks);
}

function panelSvg(panel: ColumnPanel, y: number, height: number, left: number, step: number): string {
  const plotTop = y + 64;
  const plotHeight = height - 74;
  const max = Math.max(...panel.values, 0);
  const scale = max > 0 ? plotHeight / max : 0;
  const gap = Math.min(6, step * 0.25);
  const bars = panel.values.map((value, index) => {
    const h = Math.max(value > 0 ? 3 : 0, value * scale);
    return h > 0 ? `<rect x="${(left + index * step + gap / 2).toFixed(1)}" y="${(plotTop + plotHeight - h).toFixed(1)}" width="${(step - gap).toFixed(1)}" height="${h.toFixed(1)}" rx="2" fill="${panel.color}"/>` : "";
  });
  const base = plotTop + plotHeight;
  return [
    textAt(48, y + 28, panel.name, { size: 32, weight: 700, color: panel.color }),
    `<line x1="${left}" y1="${plotTop}" x2="${chartWidth - 40}" y2="${plotTop}" stroke="${palette.grid}" stroke-width="2" stroke-dasharray="8 8"/>`,
    textAt(left - 14, plotTop + 10, panel.format(max), { size: 26, anchor: "end", color: palette.muted }),
    textAt(left - 14, base, "0", { size: 26, anchor: "end", color: palette.muted }),
    bars.join(""),
    `<line x1="${left}" y1="${base}" x2="${chartWidth - 40}" y2="${base}" stroke="${palette.axis}" stroke-width="2"/>`,
  ].join("");
}
