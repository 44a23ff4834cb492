import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seedCustomers } from "./testing/crmScenario.ts";
import { pay, placePaidOrder } from "./testing/orderScenario.ts";
import { chartFrom, openCharts } from "./testing/chartPhotos.ts";
import { startOwnerHarness, type OwnerHarness } from "./testing/ownerHarness.ts";

/**
 * 🧊 The weekly cohort charts in the owner bot, through the real grammY, the SQLite store's cohort
 * projection and the Bot API stand-in: each a `sendPhoto` of a real PNG, with the numbers in the caption.
 */

let crm: OwnerHarness;
beforeEach(async () => {
  crm = await startOwnerHarness({ ownerIds: [100] });
});
afterEach(async () => {
  await crm.close();
});



/**
 * Sunday 8 November 22:30 UTC is Monday the 9th, 01:30 in Moscow (TIME_ZONE): customer 600 is first
 * seen in the week of 09.11 and pays for an order at once, customer 601 only looks; two weeks later
 * (the harness's Monday 23.11) 600 pays for another, and the seeded three arrive, Anna with an
 * order that counts at once (no order actor).
 */
async function twoCohorts(): Promise<void> {
  crm.clock.set(Date.parse("2026-11-08T22:30:00Z"));
  const first = await placePaidOrder(crm, 600, { key: "w0", payment: "stars" });
  await pay(crm, first, { chargeId: "stxW0", amount: 445, currency: "XTR" });
  crm.clock.set(Date.parse("2026-11-10T12:00:00Z"));
  await crm.dispatch(601, { type: "start", username: "gleb", name: "Глеб", language: "ru", key: "w0:601:start" });
  crm.clock.set(Date.parse("2026-11-23T10:00:00Z"));
  const again = await placePaidOrder(crm, 600, { key: "w2", payment: "stars" });
  await pay(crm, again, { chargeId: "stxW2", amount: 445, currency: "XTR" });
  await seedCustomers(crm);
}

describe("🧊 Weekly cohorts", () => {
  it("sends the retention heatmap: each first-seen week's customers who ordered in week n, weeks in TIME_ZONE", async () => {
    await twoCohorts();
    const olga = await openCharts(crm);
    const chart = await chartFrom(crm, olga, "🧊 Когорты: повторные заказы");
    expect(chart.width).toBe(1200);
    expect(chart.height).toBeGreaterThan(600);
    expect(chart.height).toBeLessThan(1400);
    expect(chart.size).toBeGreaterThan(20_000);
    expect(chart.size).toBeLessThan(1_000_000);
    expect(chart.caption).toBe(
      [
        "🧊 Когорты по неделе первого визита (07.09 — 23.11): сколько клиентов заказали на неделе 0, 1, 2… после (первые 6 недель; на картинке — 12)",
        "• 09.11, 2 чел.: 1 (50\u00a0%) · 0 (0\u00a0%) · 1 (50\u00a0%)",
        "• 23.11, 3 чел.: 1 (33\u00a0%)",
      ].join("\n"),
    );
    expect(olga.messages().at(-1)?.reply_markup).toBeDefined();
  });

  it("sends revenue per cohort: each first-seen week's revenue to date, its customers and revenue per customer", async () => {
    await twoCohorts();
    await placePaidOrder(crm, 601, { key: "unpaid", payment: "stars" });
    const olga = await openCharts(crm);
    const chart = await chartFrom(crm, olga, "💶 Выручка по когортам");
    expect(chart.width).toBe(1200);
    expect(chart.size).toBeGreaterThan(20_000);
    expect(chart.size).toBeLessThan(1_000_000);
    const lines = chart.caption.split("\n");
    expect(lines[0]).toMatch(/^💶 Выручка по когортам \(неделя первого визита 07\.09 — 23\.11\), за всё время: 2\s670\s₽$/);
    expect(lines.slice(1).filter((line) => !line.includes(": 0\u00a0₽"))).toEqual([
      expect.stringMatching(/^• 09\.11: 1\s780\s₽ — клиентов 2, на клиента 890\s₽$/),
      expect.stringMatching(/^• 23\.11: 890\s₽ — клиентов 3, на клиента 297\s₽$/),
    ]);
  });

  it("says an empty shop had no new customers, and draws both charts all the same", async () => {
    const olga = await openCharts(crm);
    const retention = await chartFrom(crm, olga, "🧊 Когорты: повторные заказы");
    expect(retention.caption.split("\n").slice(1)).toEqual(["Новых клиентов за эти недели не было."]);
    expect(retention.size).toBeGreaterThan(10_000);
    const revenue = await chartFrom(crm, olga, "💶 Выручка по когортам");
    expect(revenue.caption).toMatch(/за всё время: 0\s₽\nНовых клиентов за эти недели не было\.$/);
  });
});
