import { describe, expect, it } from "vitest";
import { lastDays } from "./ownerCharts.ts";
import { chartSvg, renderChart, type ChartSpec } from "./renderChart.ts";

/** A PNG's width and height from its IHDR chunk, after checking the signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  expect(png.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe("renderChart", () => {
  it("keeps text from the owner's data inside its element: markup in a label is shown, not parsed", () => {
    const spec: ChartSpec = { kind: "bars", title: "A & B", subtitle: "<script>", bars: [{ label: '<b>"x"</b>', value: 1, valueText: "1 < 2" }] };
    const svg = chartSvg(spec);
    expect(svg).toContain("&lt;b&gt;&quot;x&quot;&lt;/b&gt;");
    expect(svg).toContain("A &amp; B");
    expect(svg).not.toContain("<script>");
    expect(pngSize(renderChart(spec)).width).toBe(1200);
  });

  it("draws charts with nothing in them (no bars, no days, only zeros) without a NaN in the drawing", () => {
    const empty: ChartSpec[] = [
      { kind: "bars", title: "Воронка", subtitle: "", bars: [] },
      { kind: "bars", title: "Воронка", subtitle: "", bars: [{ label: "Новый", value: 0, valueText: "0" }] },
      { kind: "bars", title: "Время", subtitle: "", scale: { log: 60_000 }, bars: [{ label: "Новый", value: 0, range: 0, valueText: "—" }] },
      { kind: "heatmap", title: "Когорты", subtitle: "", rows: [], columns: [], cells: [] },
      { kind: "heatmap", title: "Когорты", subtitle: "", rows: ["01.11 · 0"], columns: ["0", "1", "2"], cells: [[null, 1.5, -1]] },
      { kind: "columns", title: "Заказы", subtitle: "", days: [], panels: [{ name: "Заказы", values: [], format: String, color: "#000" }] },
      { kind: "columns", title: "Заказы", subtitle: "", days: ["1.11", "2.11"], panels: [{ name: "Заказы", values: [0, 0], format: String, color: "#000" }] },
    ];
    for (const spec of empty) {
      expect(chartSvg(spec)).not.toMatch(/NaN|Infinity/);
      const size = pngSize(renderChart(spec));
      expect(size.width).toBe(1200);
      expect(size.height).toBeGreaterThan(150);
    }
  });

  it("counts calendar days in the time zone, across a change of clocks", () => {
    // Berlin leaves summer time on 2026-10-25: that day is 25 hours long, and still one day.
    const days = lastDays(Date.parse("2026-10-27T10:00:00Z"), 5, "Europe/Berlin");
    expect(days).toEqual(["2026-10-23", "2026-10-24", "2026-10-25", "2026-10-26", "2026-10-27"]);
    // 22:30 UTC is already the next day in Moscow.
    expect(lastDays(Date.parse("2026-11-22T22:30:00Z"), 1, "Europe/Moscow")).toEqual(["2026-11-23"]);
  });
});

describe("the cohort heatmap", () => {
  it("writes each share as a percentage, clamps the colour of one out of range, and leaves a period not yet lived empty", () => {
    const svg = chartSvg({ kind: "heatmap", title: "Когорты", subtitle: "", rows: ["01.11 · 120", "08.11 · 90"], columns: ["0", "1"], cells: [[0.5, 0.25], [0.1, null]] });
    expect([...svg.matchAll(/font-weight="700"[^>]*>(\d+)</g)].map((match) => match[1])).toEqual(["50", "25", "10"]);
    expect(svg.match(/<rect [^>]*rx="6"/g)).toHaveLength(3);
    expect(chartSvg({ kind: "heatmap", title: "", subtitle: "", rows: ["a"], columns: ["0"], cells: [[7]] })).toContain('fill="#1d4eb8"');
  });

  it("shades relative to the largest share, so that a retention of a few percent shows its pattern, and all zeros stay light", () => {
    const fills = (cells: number[][]): string[] =>
      [...chartSvg({ kind: "heatmap", title: "", subtitle: "", rows: ["a"], columns: cells[0]?.map(String) ?? [], cells }).matchAll(/rx="6" fill="(#[0-9a-f]{6})"/g)].map((match) => match[1] ?? "");
    const [largest, half] = fills([[0.3, 0.15]]);
    expect(largest).toBe("#1d4eb8");
    expect(half).not.toBe("#1d4eb8");
    expect(fills([[0, 0]])).toEqual(["#eef1f5", "#eef1f5"]);
  });
});
