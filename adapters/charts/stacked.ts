/** Stacked columns around a zero line: series stacked up (new, returning …) and down (dormant), per period. */
import type { StackedSpec } from "./renderChart.ts";
import { palette, textAt, type Svg } from "./svg.ts";

type Frame = (title: string, subtitle: string, height: number, body: string) => Svg;

const sumAt = (series: StackedSpec["up"], index: number): number => series.reduce((sum, one) => sum + Math.max(0, one.values[index] ?? 0), 0);

/** A row of coloured squares with the series' names, above the plot. */
function legend(spec: StackedSpec, y: number): string {
  let x = 48;
  return [...spec.up, ...spec.down]
    .map((series) => {
      const item = `<rect x="${x}" y="${y - 24}" width="28" height="28" rx="6" fill="${series.color}"/>` + textAt(x + 40, y, series.name, { size: 28 });
      x += 40 + series.name.length * 15 + 48;
      return item;
    })
    .join("");
}

/** One column: `series` stacked from the zero line, up (direction −1 in SVG's y) or down. */
function stack(series: StackedSpec["up"], index: number, x: number, width: number, zero: number, scale: number, direction: 1 | -1): string {
  let offset = 0;
  return series
    .map((one) => {
      const h = Math.max(0, one.values[index] ?? 0) * scale;
      if (h <= 0) return "";
      const y = direction < 0 ? zero - offset - h : zero + offset;
      offset += h;
      return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${width.toFixed(1)}" height="${Math.max(1, h).toFixed(1)}" fill="${one.color}"/>`;
    })
    .join("");
}

/** The chart as SVG, inside the card `frame` draws; each column's totals written above and below it. */
export function stackedSvg(spec: StackedSpec, frame: Frame): Svg {
  const top = 250;
  const plotHeight = 600;
  const left = 120;
  const right = 1200 - 40;
  const step = (right - left) / Math.max(1, spec.columns.length);
  const width = Math.min(72, step * 0.7);
  const ups = spec.columns.map((_, index) => sumAt(spec.up, index));
  const downs = spec.columns.map((_, index) => sumAt(spec.down, index));
  const maxUp = Math.max(0, ...ups);
  const maxDown = Math.max(0, ...downs);
  const room = 36;
  const scale = maxUp + maxDown > 0 ? (plotHeight - 2 * room) / (maxUp + maxDown) : 0;
  const zero = top + room + maxUp * scale + (maxUp + maxDown > 0 ? 0 : (plotHeight - 2 * room) / 2);
  const columns = spec.columns.map((label, index) => {
    const x = left + index * step + (step - width) / 2;
    const centre = x + width / 2;
    return [
      stack(spec.up, index, x, width, zero, scale, -1),
      stack(spec.down, index, x, width, zero, scale, 1),
      textAt(centre, zero - (ups[index] ?? 0) * scale - 10, String(ups[index] ?? 0), { size: 24, anchor: "middle", weight: 700 }),
      (downs[index] ?? 0) > 0 ? textAt(centre, zero + (downs[index] ?? 0) * scale + 28, `−${downs[index] ?? 0}`, { size: 24, anchor: "middle", color: palette.muted }) : "",
      textAt(centre, top + plotHeight + 40, label, { size: 24, anchor: "middle", color: palette.muted }),
    ].join("");
  });
  const axis = [
    `<line x1="${left}" y1="${zero.toFixed(1)}" x2="${right}" y2="${zero.toFixed(1)}" stroke="${palette.axis}" stroke-width="2"/>`,
    textAt(left - 14, zero + 9, "0", { size: 26, anchor: "end", color: palette.muted }),
    maxUp > 0 ? textAt(left - 14, zero - maxUp * scale + 9, String(maxUp), { size: 26, anchor: "end", color: palette.muted }) : "",
    maxDown > 0 ? textAt(left - 14, zero + maxDown * scale + 9, `−${maxDown}`, { size: 26, anchor: "end", color: palette.muted }) : "",
  ].join("");
  return frame(spec.title, spec.subtitle, top + plotHeight + 72, legend(spec, 196) + axis + columns.join(""));
}
