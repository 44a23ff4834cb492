/**
 * P11_chart_ms: drawing one of the owner's charts to a PNG (adapters/charts): the SVG built and
 * rasterised by resvg with the shipped fonts, for the heaviest chart (orders and revenue over 90
 * days: 180 columns) and the funnel. The store's queries behind them are P3's and the contract's.
 */
import { renderChart, type ChartSpec } from "../adapters/charts/renderChart.ts";
import { palette } from "../adapters/charts/svg.ts";
import { median, round, type Figure } from "./figures.ts";

const days = Array.from({ length: 90 }, (_, index) => `${(index % 30) + 1}.${9 + Math.floor(index / 30)}`);
const specs: Record<string, ChartSpec> = {
  "orders 90 days": {
    kind: "columns",
    title: "Заказы и выручка за 90 дней",
    subtitle: "По дням, 02.09 — 30.11",
    days,
    panels: [
      { name: "Заказы", values: days.map((_, index) => (index * 7) % 11), format: String, color: palette.orders },
      { name: "Выручка", values: days.map((_, index) => ((index * 13) % 17) * 890), format: (value) => `${value} ₽`, color: palette.revenue },
    ],
  },
  funnel: {
    kind: "bars",
    title: "Воронка продаж",
    subtitle: "Сейчас · клиентов 1 000 000, спящих 300 000",
    bars: ["Новый", "Интересуется", "Корзина", "Оформляет", "Покупатель", "Постоянный"].map((label, index) => ({ label, value: 1_000_000 >> index, valueText: String(1_000_000 >> index), note: "50 % от предыдущего этапа · сейчас здесь 250 000" })),
  },
};

export async function p11Chart(): Promise<Figure[]> {
  const medians: Record<string, number> = {};
  for (const [name, spec] of Object.entries(specs)) {
    renderChart(spec);
    const times: number[] = [];
    for (let run = 0; run < 30; run++) {
      const start = performance.now();
      renderChart(spec);
      times.push(performance.now() - start);
    }
    medians[name] = median(times);
  }
  const worst = Math.max(...Object.values(medians));
  return [
    {
      id: "P11_chart_ms",
      what: "one chart drawn to a PNG (SVG + resvg), the slowest chart",
      value: round(worst, 1),
      unit: "ms",
      bar: "<= 300",
      detail: `median of 30 each: ${Object.entries(medians).map(([name, ms]) => `${name} ${round(ms, 1)} ms`).join(", ")}`,
    },
  ];
}
