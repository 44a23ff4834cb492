import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seedCustomers } from "./testing/crmScenario.ts";
import { pay, placePaidOrder } from "./testing/orderScenario.ts";
import { startOwnerHarness, type OwnerHarness } from "./testing/ownerHarness.ts";

let shop: OwnerHarness;
beforeEach(async () => {
  shop = await startOwnerHarness({ ownerIds: [100] });
});
afterEach(async () => {
  await shop.close();
});

/** Anna (501) with more events than one page holds, and a note and two tags from the owner. */
async function annaWithAHistory(): Promise<string> {
  const { annasOrder } = await seedCustomers(shop);
  const olga = shop.ownerChat(100);
  await olga.pressData("o1.card.501");
  await olga.press("📝 Заметка");
  await olga.send("Любит <b>крепкий</b> & тёмный");
  await olga.pressData("o1.card.501");
  return annasOrder;
}

describe("🕘 the journey on the client card", () => {
  it("shows every event with its date in TIME_ZONE, stage entries and the order with its status, and pages back and forth by seq", async () => {
    const annasOrder = await annaWithAHistory();
    const olga = shop.ownerChat(100);
    expect(olga.screen().buttons).toContain("🕘 Путь клиента");
    expect(olga.screen().buttons.at(-1)).not.toBe("🕘 Путь клиента");

    await olga.press("🕘 Путь клиента");
    const newest = olga.screen();
    expect(newest.text).toContain("🕘 Путь клиента — Анна Смирнова");
    expect(newest.text).toContain("23.11.2026, 13:02 📝 заметка: «Любит <b>крепкий</b> & тёмный»");
    expect(newest.text).toMatch(new RegExp(`23\\.11\\.2026, 13:00 🧾 заказ ${annasOrder} на 890.*· сейчас: .*новый`));
    expect(newest.text).not.toContain("этап «");
    expect(newest.text).toContain("❓ спросил консультанта: «Что посоветуете <к> десерту?»");
    expect(newest.text).not.toContain("нажал «Старт»");
    expect(newest.buttons).toEqual(["◀️ Раньше", "◀️ К карточке"]);

    await olga.press("◀️ Раньше");
    const older = olga.screen();
    expect(older.text).toContain("23.11.2026, 13:00 ▶️ нажал «Старт» · instagram_ads");
    expect(older.text).toContain("🆕 этап «новый»");
    expect(older.text).toContain("✅ этап «покупатель»");
    expect(older.buttons).toEqual(["Позже ▶️", "⏭ Сейчас", "◀️ К карточке"]);

    await olga.press("Позже ▶️");
    expect(olga.screen()).toEqual(newest);
    await olga.press("◀️ К карточке");
    expect(olga.screen().text).toContain("Анна Смирнова");
    expect(olga.screen().buttons).toContain("🕘 Путь клиента");
  });

  it("puts a stage entry right after the event that made it, and an order's moves at their own dates", async () => {
    const { annasOrder } = await seedCustomers(shop);
    shop.clock.advance(3_600_000);
    await shop.dispatch(502, { type: "add_to_cart", productId: "eth-yirgacheffe", qty: 2, key: "j:502:add" });
    shop.clock.advance(3_600_000);
    await shop.dispatch(502, { type: "catalog_view", key: "j:502:catalog" });
    const olga = shop.ownerChat(100);
    await olga.pressData("o1.jr.502.0.0");
    const lines = olga.screen().text.split("\n");
    const added = lines.findIndex((line) => line.includes("➕ добавил в корзину eth-yirgacheffe ×2"));
    expect(lines[added]).toMatch(/^23\.11\.2026, 14:0\d ➕/);
    expect(lines[added + 1]).toMatch(/^23\.11\.2026, 14:0\d 🛒 этап «корзина»$/);
    expect(lines[added + 2]).toMatch(/^23\.11\.2026, 15:0\d 🛍 смотрел каталог$/);

    const starsOrder = await placePaidOrder(shop, 601, { key: "j:601", payment: "stars" });
    shop.clock.advance(3_600_000);
    await pay(shop, starsOrder, { chargeId: "ch-601", amount: 445, currency: "XTR" });
    await olga.pressData("o1.jr.601.0.0");
    const paid = olga.screen().text.split("\n");
    const placed = paid.findIndex((line) => line.includes(`🧾 заказ ${starsOrder} на 890`));
    expect(paid[placed]).toMatch(/^23\.11\.2026, 15:0\d 🧾 заказ .* · сейчас: .*оплачен$/);
    expect(paid.slice(placed + 1).some((line) => /^23\.11\.2026, 16:0\d 💳 заказ .* оплачен$/.test(line))).toBe(true);
    expect(paid.some((line) => line.includes(`💰 заказ засчитан в выручку ${starsOrder}, 890`))).toBe(true);
    expect(annasOrder).not.toBe(starsOrder);
  });

  it("shows an erased customer's journey with only anonymous facts", async () => {
    const annasOrder = await annaWithAHistory();
    await shop.runtime.forget(501, "tg:9001:forget");
    const olga = shop.ownerChat(100);
    await olga.pressData("o1.card.501");
    await olga.press("🕘 Путь клиента");
    const newest = olga.screen().text;
    expect(newest).toContain("Клиент стёр свои данные: показаны только обезличенные факты.");
    expect(newest).toContain("🧹 стёр свои данные");
    expect(newest).toContain(`🧾 заказ ${annasOrder}`);
    await olga.press("◀️ Раньше");
    const everything = `${newest}\n${olga.screen().text}`;
    for (const personal of ["Анна", "anna_k", "Любит", "десерту", "instagram_ads", "+7999"]) expect(everything).not.toContain(personal);
    expect(everything).toContain("📝 заметка");
    expect(everything).toContain("▶️ нажал «Старт»");
  });

  it("refuses forged page buttons: an unknown customer, a cursor off either end, another customer's seq, malformed data", async () => {
    await annaWithAHistory();
    const olga = shop.ownerChat(100);
    await olga.press("🕘 Путь клиента");
    const newest = olga.screen();

    await olga.pressData("o1.jr.999999.0.0");
    expect(olga.toast()).toBe("Такого клиента нет.");
    expect(olga.screen().text).not.toContain("Путь клиента");

    for (const data of ["o1.jr.501.1.999999999", "o1.jr.501.0.1"]) {
      await olga.pressData(data);
      expect(olga.screen(), data).toEqual(newest);
    }
    await olga.pressData("o1.jr.501.1.0");
    expect(olga.screen().text).toContain("▶️ нажал «Старт»");

    const annasSeqs = (await shop.store.events(501)).map((event) => event.seq);
    await olga.pressData(`o1.jr.502.0.${Math.max(...annasSeqs) + 1}`);
    const boris = olga.screen().text;
    expect(boris).toContain("🕘 Путь клиента — Борис");
    expect(boris).toContain("🛍 смотрел каталог");
    expect(boris).not.toContain("instagram_ads");
    expect(boris).not.toContain("заказ");

    await olga.pressData("o1.jr.501.2.5");
    expect(olga.toast()).toMatch(/устарел/);
  });
});
