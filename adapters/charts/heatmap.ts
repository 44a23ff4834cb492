/** The cohort heatmap: a grid of shares, darker for more, each with its percentage written in. */
import type { HeatmapSpec } from "./renderChart.ts";
import { palette, textAt, type Svg } from "./svg.ts";

type Frame = (title: string, subtitle: string, height: number, body: string) => Svg;

/** From the card's track colour (0) to the series blue (1), so an empty share still shows as a cell. */
function shade(share: number): string {
  const from = [0xee, 0xf1, 0xf5];
  const to = [0x1d, 0x4e, 0xb8];
  const t = Math.min(1, Math.max(0, share));
  return `#${from.map((c, i) => Math.round(c + ((to[i] ?? c) - c) * Math.sqrt(t)).toString(16).padStart(2, "0")).join("")}`;
}

/** The matrix as SVG, inside the card `frame` draws. */
export function heatmapSvg(spec: HeatmapSpec, frame: Frame): Svg {
  const top = 190;
  const left = 48 + 250;
  const width = 1200 - left - 40;
  const cell = Math.min(96, width / Math.max(1, spec.columns.length));
  const rowHeight = Math.min(64, Math.max(44, cell * 0.62));
  const percent = (share: number): string => `${Math.round(share * 100)}`;
  // Shades are relative to the largest share, so that retention of a few percent still shows its pattern.
  const largest = Math.max(0, ...spec.cells.flat().map((share) => share ?? 0));
  const relative = (share: number): number => (largest > 0 ? share / largest : 0);
  const header = spec.columns.map((column, index) => textAt(left + index * cell + cell / 2, top - 16, column, { size: 26, anchor: "middle", color: palette.muted })).join("");
  const rows = spec.rows.map((label, row) => {
    const y = top + row * rowHeight;
    const cells = (spec.cells[row] ?? []).map((share, column) => {
      if (share === null) return "";
      const x = left + column * cell;
      const dark = Math.sqrt(Math.min(1, Math.max(0, relative(share)))) > 0.6;
      return `<rect x="${(x + 2).toFixed(1)}" y="${(y + 2).toFixed(1)}" width="${(cell - 4).toFixed(1)}" height="${(rowHeight - 4).toFixed(1)}" rx="6" fill="${shade(relative(share))}"/>` +
        textAt(x + cell / 2, y + rowHeight / 2 + 9, percent(share), { size: 26, anchor: "middle", weight: 700, color: dark ? palette.card : palette.text });
    });
    return textAt(48, y + rowHeight / 2 + 10, label, { size: 28 }) + cells.join("");
  });
  return frame(spec.title, spec.subtitle, top + spec.rows.length * rowHeight + 40, header + rows.join(""));
}
