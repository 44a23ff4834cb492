import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seedCustomers } from "./testing/crmScenario.ts";
import { pay, placePaidOrder } from "./testing/orderScenario.ts";
import { chartFrom, openCharts, photosSent } from "./testing/chartPhotos.ts";
import { startOwnerHarness, type OwnerHarness } from "./testing/ownerHarness.ts";

/**
 * 📊 Charts in the owner bot, through the real grammY and the Bot API stand-in: each chart arrives
 * as a `sendPhoto` upload that is a real PNG of the chart's size, with its numbers in the caption.
 */

let crm: OwnerHarness;
beforeEach(async () => {
  crm = await startOwnerHarness({ ownerIds: [100] });
});
afterEach(async () => {
  await crm.close();
});


describe("📊 Charts", () => {
  it("sends the funnel as a PNG photo of plausible size, with each stage's count and conversion in the caption", async () => {
    await seedCustomers(crm);
    const olga = await openCharts(crm);
    const funnel = await chartFrom(crm, olga, "📈 Воронка");
    expect(funnel.width).toBe(1200);
    expect(funnel.height).toBeGreaterThan(600);
    expect(funnel.height).toBeLessThan(1400);
    expect(funnel.size).toBeGreaterThan(15_000);
    expect(funnel.size).toBeLessThan(1_000_000);
    expect(funnel.caption).toContain("📈 Воронка: дошли до этапа (всего клиентов 3)");
    expect(funnel.caption).toMatch(/\n• новый: 3\n/);
    expect(funnel.caption).toMatch(/• интересуется: 2 — 66,7\s% от предыдущего, 66,7\s% от новых/);
    expect(funnel.caption).toMatch(/• покупатель: 1 — 100\s% от предыдущего, 33,3\s% от новых/);
    expect(olga.messages().at(-1)?.reply_markup).toBeDefined();
  });

  it("sends the funnel over the last 30 days: who entered each stage then, and each stage's entries over the previous one's", async () => {
    // A customer from 40 days ago entered `new` and `engaged` outside the period; of the seeded
    // ones, Boris browsed (engaged) and Anna went from `new` straight to her cart, skipping it.
    crm.clock.set(Date.parse("2026-10-14T10:00:00Z"));
    await crm.dispatch(700, { type: "start", username: "old_one", name: "Давний", language: "ru", key: "old:start" });
    await crm.dispatch(700, { type: "catalog_view", key: "old:catalog" });
    crm.clock.set(Date.parse("2026-11-23T10:00:00Z"));
    await seedCustomers(crm);
    const olga = await openCharts(crm);
    const period = await chartFrom(crm, olga, "📈 Воронка за 30 дней");
    expect(period.width).toBe(1200);
    expect(period.size).toBeGreaterThan(15_000);
    expect(period.caption).toBe(
      [
        "📈 Воронка за 30 дней (25.10 — 23.11): сколько клиентов вошли в каждый этап",
        "• новый: 3",
        "• интересуется: 1 — 33,3\u00a0% от предыдущего",
        "• корзина: 1 — 100\u00a0% от предыдущего",
        "• оформляет: 1 — 100\u00a0% от предыдущего",
        "• покупатель: 1 — 100\u00a0% от предыдущего",
        "• постоянный: 0 — 0\u00a0% от предыдущего",
      ].join("\n"),
    );
  });

  it("sends the median and p90 time in each stage and to the first order, and the first orders within 7 and 30 days", async () => {
    await seedCustomers(crm);
    const olga = await openCharts(crm);
    const times = await chartFrom(crm, olga, "⏱ Время на этапах");
    expect(times.width).toBe(1200);
    expect(times.size).toBeGreaterThan(15_000);
    const lines = times.caption.split("\n");
    expect(lines[0]).toBe("⏱ Время на этапе: сколько клиенты пробыли на этапе, прежде чем пойти дальше");
    expect(lines[1]).toMatch(/^• Новый: медиана .+, p90 .+ \(ушли дальше 2\)$/);
    expect(lines[5]).toBe("• Покупатель: пока никто не ушёл дальше");
    expect(lines[6]).toMatch(/^• До 1-го заказа: медиана .+, p90 .+ \(заказали 1\)$/);
    expect(lines[7]).toMatch(/^🎯 Первый заказ за 7 дней: 1 из 3 \(33,3\s%\); за 30 дней: 1 \(33,3\s%\)$/);
  });

  it("sends orders and revenue per day for 30 and 90 days, counting a day in TIME_ZONE", async () => {
    // 22:30 UTC on the 22nd is 01:30 on the 23rd in Moscow: the order's day is the 23rd. Anna's
    // order, seeded on the 25th, counts at once (placed without an order actor), as in the report.
    crm.clock.set(Date.parse("2026-11-22T22:30:00Z"));
    const orderId = await placePaidOrder(crm, 600, { key: "late", payment: "stars" });
    await pay(crm, orderId, { chargeId: "stxLate1", amount: 445, currency: "XTR" });
    crm.clock.set(Date.parse("2026-11-25T10:00:00Z"));
    await seedCustomers(crm);
    const olga = await openCharts(crm);

    const month = await chartFrom(crm, olga, "🧾 Заказы за 30 дней");
    expect(month.width).toBe(1200);
    expect(month.size).toBeGreaterThan(15_000);
    expect(month.caption).toContain("🧾 Заказы и выручка по дням, 27.10 — 25.11");
    expect(month.caption).toMatch(/Заказов 2, выручка 1\s780\s₽, в среднем 59\s₽ в день/);
    expect(month.caption).toMatch(/Лучший день: 23\.11, 890\s₽/);

    const quarter = await chartFrom(crm, olga, "🧾 Заказы за 90 дней");
    expect(quarter.width).toBe(1200);
    expect(quarter.caption).toContain("28.08 — 25.11");
    expect(quarter.caption).toMatch(/Заказов 2, выручка 1\s780\s₽, в среднем 20\s₽ в день/);
  });

  it("sends revenue by source for 30 days, the largest first, customers without a source as one group, unpaid orders without revenue", async () => {
    await seedCustomers(crm); // Anna came from instagram_ads; her order counts at once (no order actor).
    const orderId = await placePaidOrder(crm, 600, { key: "vk", payment: "stars" });
    await pay(crm, orderId, { chargeId: "stxVk1", amount: 445, currency: "XTR" });
    await placePaidOrder(crm, 601, { key: "unpaid", payment: "stars" });
    const olga = await openCharts(crm);
    const sources = await chartFrom(crm, olga, "💰 Выручка по источникам, 30 дней");
    expect(sources.width).toBe(1200);
    expect(sources.size).toBeGreaterThan(15_000);
    expect(sources.caption).toMatch(/^💰 Выручка по источникам \(ссылкам \/start\), 25\.10 — 23\.11: 1\s780\s₽\n/);
    // The same revenue: the source with more orders first.
    expect(sources.caption).toMatch(/\n• без источника: 890\s₽ — заказов 2, клиентов 2\n• instagram_ads: 890\s₽ — заказов 1, клиентов 1$/);
  });

  it("says when nothing was earned, and draws the empty charts all the same", async () => {
    const olga = await openCharts(crm);
    const funnel = await chartFrom(crm, olga, "📈 Воронка");
    expect(funnel.caption).toContain("всего клиентов 0");
    const month = await chartFrom(crm, olga, "🧾 Заказы за 30 дней");
    expect(month.caption).toContain("Заказов 0");
    expect(month.caption).toContain("Выручки за эти дни не было.");
    const sources = await chartFrom(crm, olga, "💰 Выручка по источникам, 30 дней");
    expect(sources.caption).toContain("Заказов за эти дни не было.");
    const period = await chartFrom(crm, olga, "📈 Воронка за 30 дней");
    expect(period.caption).toMatch(/\n• новый: 0\n• интересуется: 0 — —/);
  });

  it("answers a chart button that is no chart as out of date, and sends no photo", async () => {
    const olga = await openCharts(crm);
    await olga.pressData("o1.ch.99");
    expect(olga.toast()).toBe("Эта кнопка устарела. Вот актуальное меню.");
    expect(olga.screen().text).toMatch(/^📊 Графики/);
    expect(photosSent(crm)).toHaveLength(0);
  });
});
