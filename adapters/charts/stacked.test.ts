import { describe, expect, it } from "vitest";
import { mergedBuckets } from "./lifecycleCharts.ts";
import { chartSvg, renderChart, type ChartSpec } from "./renderChart.ts";

const width = (png: Buffer): number => png.readUInt32BE(16);

describe("stacked columns", () => {
  it("draws empty, all-zero and negative data without a NaN, and keeps a series name from markup", () => {
    const specs: ChartSpec[] = [
      { kind: "stacked", title: "Недели", subtitle: "", columns: [], up: [], down: [] },
      { kind: "stacked", title: "Недели", subtitle: "", columns: ["1.11", "8.11"], up: [{ name: "Новые", color: "#2f6fdf", values: [0, 0] }], down: [{ name: "Уснули", color: "#d6336c", values: [0, 0] }] },
      { kind: "stacked", title: "Недели", subtitle: "", columns: ["1.11"], up: [{ name: "<b>&</b>", color: "#2f6fdf", values: [-5] }], down: [{ name: "Уснули", color: "#d6336c", values: [] }] },
    ];
    for (const spec of specs) {
      const svg = chartSvg(spec);
      expect(svg).not.toMatch(/NaN|Infinity/);
      expect(width(renderChart(spec))).toBe(1200);
    }
    expect(chartSvg(specs[2] as ChartSpec)).toContain("&lt;b&gt;&amp;&lt;/b&gt;");
  });

  it("stacks up from the zero line and down below it, writing each column's totals at both ends", () => {
    const svg = chartSvg({
      kind: "stacked",
      title: "Недели",
      subtitle: "",
      columns: ["1.11", "8.11"],
      up: [{ name: "Новые", color: "#111111", values: [3, 1] }, { name: "Вернулись", color: "#222222", values: [2, 0] }],
      down: [{ name: "Уснули", color: "#333333", values: [0, 4] }],
    });
    expect(svg).toMatch(/>5<\/text>/);
    expect(svg).toMatch(/>−4<\/text>/);
    const rect = (color: string): { y: number; height: number }[] =>
      [...svg.matchAll(new RegExp(`<rect x="[\\d.]+" y="([\\d.]+)" width="[\\d.]+" height="([\\d.]+)" fill="${color}"/>`, "g"))].map((m) => ({ y: Number(m[1]), height: Number(m[2]) }));
    const [first, second] = rect("#111111");
    const [returning] = rect("#222222");
    const [dormant] = rect("#333333");
    if (!first || !second || !returning || !dormant) throw new Error("a column is missing");
    const zero = first.y + first.height;
    expect(second.y + second.height).toBeCloseTo(zero, 0);
    expect(returning.y + returning.height).toBeCloseTo(first.y, 0); // stacked on top of the new ones
    expect(dormant.y).toBeCloseTo(zero, 0); // hangs below the line
    expect(dormant.height / first.height).toBeCloseTo(4 / 3, 2);
  });
});

describe("lifetime-value buckets on the chart", () => {
  const bucket = (from: number, to: number | null, customers: number): { from: number; to: number | null; customers: number; total: number } => ({ from, to, customers, total: customers * from });

  it("merges the thinner end until nine bars are left, keeping every customer", () => {
    const edges = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];
    const buckets = edges.slice(0, -1).map((from, i) => bucket(from, edges[i + 1] ?? null, i === 0 ? 1 : 10 + i));
    const merged = mergedBuckets(buckets);
    expect(merged).toHaveLength(9);
    expect(merged.reduce((sum, b) => sum + b.customers, 0)).toBe(buckets.reduce((sum, b) => sum + b.customers, 0));
    expect(merged[0]).toMatchObject({ from: 1, to: 10 });
    expect(merged.at(-1)).toMatchObject({ from: 2000, to: 5000 });
  });

  it("leaves nine or fewer as they are", () => {
    const few = [bucket(0, 1, 2), bucket(100, 200, 5)];
    expect(mergedBuckets(few)).toEqual(few);
    expect(mergedBuckets([])).toEqual([]);
  });
});
