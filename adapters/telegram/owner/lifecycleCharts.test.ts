import { afterEach, describe, expect, it } from "vitest";
import { pay, placePaidOrder } from "./testing/orderScenario.ts";
import { chartFrom, openCharts } from "./testing/chartPhotos.ts";
import { startOwnerHarness, type OwnerHarness } from "./testing/ownerHarness.ts";

/**
 * 👥 New and returning by week, and 💎 lifetime value, in the owner bot through the real grammY and
 * the Bot API stand-in, on each store: a `sendPhoto` of a real PNG, the numbers in its caption.
 */


describe.each(["sqlite", "json"] as const)("📊 Charts: lifecycle and lifetime value (%s store)", (store) => {
  let crm: OwnerHarness;
  afterEach(async () => {
    await crm.close();
  });



  it("sends new, returning, reactivated and dormant customers of the last 12 weeks, weeks turning on Monday in TIME_ZONE", async () => {
    crm = await startOwnerHarness({ ownerIds: [100], store });
    const at = (iso: string): void => crm.clock.set(Date.parse(iso));
    at("2026-11-02T10:00:00Z");
    await crm.dispatch(701, { type: "start", username: "a", name: "А", language: "ru", key: "a:1" });
    await crm.dispatch(702, { type: "start", username: "b", name: "Б", language: "ru", key: "b:1" });
    at("2026-11-08T21:30:00Z"); // Monday 00:30 in Moscow: the next week there, still Sunday in UTC
    await crm.dispatch(701, { type: "catalog_view", key: "a:2" });
    at("2026-11-10T10:00:00Z");
    await crm.dispatch(703, { type: "start", username: "c", name: "В", language: "ru", key: "c:1" });
    at("2026-11-23T10:00:00Z");
    await crm.dispatch(702, { type: "catalog_view", key: "b:2" });
    const olga = await openCharts(crm);
    const chart = await chartFrom(crm, olga, "👥 Новые и вернувшиеся по неделям");
    expect(chart.width).toBe(1200);
    expect(chart.height).toBeGreaterThan(700);
    expect(chart.height).toBeLessThan(1400);
    expect(chart.size).toBeGreaterThan(15_000);
    expect(chart.size).toBeLessThan(1_000_000);
    const lines = chart.caption.split("\n");
    expect(lines.slice(0, 6)).toEqual([
      "👥 Клиенты по неделям, 07.09 — 23.11 (неделя с понедельника)",
      "За 12 нед.: новых 3, вернулись 1, снова пришли 1, уснули 3",
      "• 23.11: новых 0, вернулись 0, снова 1, уснули 0",
      "• 16.11: новых 0, вернулись 0, снова 0, уснули 2",
      "• 09.11: новых 1, вернулись 1, снова 0, уснули 1",
      "• 02.11: новых 2, вернулись 0, снова 0, уснули 0",
    ]);
    expect(lines).toHaveLength(15);
    expect(lines[6]).toBe("• 26.10: новых 0, вернулись 0, снова 0, уснули 0");
  });

  it("sends how the buyers spread over lifetime value, with the average per deep-link source", async () => {
    crm = await startOwnerHarness({ ownerIds: [100], store });
    const paidOrder = async (userId: number, key: string, qty = 1): Promise<void> => {
      const orderId = await placePaidOrder(crm, userId, { key, payment: "stars", items: [{ productId: "eth-yirgacheffe", title: "Эфиопия Иргачеффе, 250 г", price: 890, qty }] });
      await pay(crm, orderId, { chargeId: `stx${key}`, amount: 445 * qty, currency: "XTR" });
    };
    await crm.dispatch(801, { type: "start", source: "vk_post", username: "v1", name: "В1", language: "ru", key: "v1:start" });
    await paidOrder(801, "v1a");
    await crm.dispatch(802, { type: "start", source: "vk_post", username: "v2", name: "В2", language: "ru", key: "v2:start" });
    await paidOrder(802, "v2a");
    await paidOrder(802, "v2b", 3);
    await paidOrder(803, "n1");
    await placePaidOrder(crm, 803, { key: "n2", payment: "stars" }); // not paid: no value
    await crm.dispatch(804, { type: "start", source: "vk_post", username: "v4", name: "В4", language: "ru", key: "v4:start" }); // never ordered
    const olga = await openCharts(crm);
    const chart = await chartFrom(crm, olga, "💎 Ценность клиента (LTV)");
    expect(chart.width).toBe(1200);
    expect(chart.size).toBeGreaterThan(15_000);
    expect(chart.size).toBeLessThan(1_000_000);
    // Paid: 890 (801), 890 + 2 670 (802), 890 (803); three buyers, two from vk_post.
    expect(chart.caption.replace(/\s/g, " ")).toBe(
      [
        "💎 Ценность клиента (сумма его покупок): покупателей 3, всего 5 340 ₽, в среднем 1 780 ₽",
        "Средняя ценность по источникам (ссылкам /start):",
        "• vk_post: 2 225 ₽ — покупателей 2, всего 4 450 ₽",
        "• без источника: 890 ₽ — покупателей 1, всего 890 ₽",
      ].join(" "),
    );
  });

  it("draws both with no customers at all, and says there were no orders", async () => {
    crm = await startOwnerHarness({ ownerIds: [100], store });
    const olga = await openCharts(crm);
    const weeks = await chartFrom(crm, olga, "👥 Новые и вернувшиеся по неделям");
    expect(weeks.size).toBeGreaterThan(10_000);
    expect(weeks.caption.split("\n")[1]).toBe("За 12 нед.: новых 0, вернулись 0, снова пришли 0, уснули 0");
    const ltv = await chartFrom(crm, olga, "💎 Ценность клиента (LTV)");
    expect(ltv.size).toBeGreaterThan(5_000);
    expect(ltv.caption).toBe("💎 Ценность клиента (сумма его покупок): покупателей 0, всего 0\u00a0₽, в среднем 0\u00a0₽\nЗаказов пока не было.");
  });
});
