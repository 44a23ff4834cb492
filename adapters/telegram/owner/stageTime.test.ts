import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { annasCoffee, placeOrder } from "./testing/crmScenario.ts";
import { startOwnerHarness, type OwnerHarness } from "./testing/ownerHarness.ts";

let shop: OwnerHarness;
beforeEach(async () => {
  shop = await startOwnerHarness({ ownerIds: [100] });
});
afterEach(async () => {
  await shop.close();
});

const hour = 3_600_000;

describe("⏱ time in stage on the funnel screen", () => {
  it("shows the median and p90 time in each stage, the time to the first order and the conversions within 7 and 30 days", async () => {
    await shop.dispatch(701, { type: "start", name: "Анна", language: "ru", key: "s:701:start" });
    shop.clock.advance(2 * hour);
    await shop.dispatch(701, { type: "catalog_view", key: "s:701:catalog" });
    shop.clock.advance(3 * 24 * hour);
    await placeOrder(shop, 701, { items: [annasCoffee], phone: "+79990000000", delivery: "Москва", key: "s:701" });
    await shop.dispatch(702, { type: "start", name: "Борис", language: "ru", key: "s:702:start" });

    const olga = shop.ownerChat(100);
    await olga.command("start");
    await olga.press("📊 CRM");
    await olga.press("📈 Воронка");
    const text = olga.screen().text;
    expect(text).toContain("⏱ Время на этапе (медиана · p90, сколько ушли дальше)");
    expect(text).toMatch(/🆕 новый: 1,5 ч · 1,9 ч \(1\)/);
    expect(text).toMatch(/👀 интересуется: 2,5 дн\. · 2,9 дн\. \(1\)/);
    expect(text).toContain("📝 оформляет: 0 мин · 0 мин (1)");
    expect(text).toContain("✅ покупатель: —");
    expect(text).toMatch(/🛍 От «новый» до первого заказа: 4 дн\. · 4,8 дн\. \(1\)/);
    expect(text).toMatch(/🎯 Первый заказ за 7 дней: 1 из 2 \(50\s?%\); за 30 дней: 1 из 2 \(50\s?%\)/);
  });
});
