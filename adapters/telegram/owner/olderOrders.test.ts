import { afterEach, describe, expect, it } from "vitest";
import { ownerButtons } from "./ownerButtons.ts";
import { annasCoffee, placeOrder } from "./testing/crmScenario.ts";
import { startOwnerHarness, type OwnerHarness } from "./testing/ownerHarness.ts";
import { ownerScreens, placePaidOrder } from "./testing/orderScenario.ts";

let shop: OwnerHarness;
afterEach(async () => {
  await shop.close();
});

const older = "ℹ️ Этот заказ оформлен до того, как бот начал вести заказы";

describe("an order placed before orders were actors", () => {
  it("says so on its card, offers no moves, refuses a forged one with the same words, and counts as revenue at once", async () => {
    shop = await startOwnerHarness({ ownerIds: [100] });
    const screens = ownerScreens(shop);
    // An order_created without a payment method, as the shop wrote them before orders were actors: a row with no actor.
    await shop.dispatch(501, { type: "start", name: "Анна Смирнова", username: "anna_k", language: "ru", key: "old:start" });
    const oldOrder = await placeOrder(shop, 501, { items: [annasCoffee], phone: "+79991234567", delivery: "Москва, Тверская 1", key: "old" });
    const newOrder = await placePaidOrder(shop, 502, { key: "new", items: [{ ...annasCoffee, price: 100 }] });
    const olga = shop.ownerChat(100);

    await olga.command("start");
    await olga.press("🧾 Заказы");
    // Both are placed and paid on delivery; only the older one has brought money in (as the lifetime value says).
    expect(olga.screen().text).toMatch(/Сегодня: 2 · выручка 890\s₽ · средний чек 890\s₽\n {3}🆕 2\n/);
    expect((await shop.store.lead(501))?.lifetimeValue).toBe(890);

    await screens.openFromList(olga, "🆕 Новые", oldOrder);
    const card = olga.screen();
    expect(card.text).toContain(`🧾 Заказ ${oldOrder} на 890`);
    expect(card.text).toContain("Статус: 🆕 новый");
    expect(card.text).toMatch(new RegExp(`\\n\\n${older}: у него нет истории и здесь нет действий \\(оплачен, отправлен, отмена\\), а в выручке он учтён с момента оформления, как тогда учитывались все заказы\\.$`));
    expect(card.buttons).toEqual(["👤 Клиент", "◀️ Назад"]);

    // An act's button of an older release, or a forged one: nothing is sent, and the card says why.
    await olga.pressData(ownerButtons.encode("oa", oldOrder, "paid", 0, 0));
    expect(olga.screen().text).toContain(older);
    expect(olga.screen().buttons).toEqual(["👤 Клиент", "◀️ Назад"]);
    expect(await shop.store.order(oldOrder)).toMatchObject({ status: "placed", paidAt: null });

    // An order with its actor is moved as ever, and the note is not on its card.
    await screens.openFromList(olga, "🆕 Новые", newOrder);
    expect(olga.screen().text).not.toContain(older);
    expect(olga.screen().buttons).toEqual(["💵 Оплачен", "📦 Отправлен", "✖️ Отменить", "👤 Клиент", "◀️ Назад"]);
  });

  it("says so in English to an English-speaking owner", async () => {
    shop = await startOwnerHarness({ ownerIds: [200] });
    await shop.dispatch(501, { type: "start", name: "Anna", language: "en", key: "old:start" });
    const oldOrder = await placeOrder(shop, 501, { items: [annasCoffee], phone: "+79991234567", delivery: "Pickup", key: "old" });
    const emma = shop.ownerChat(200, { first_name: "Emma", language_code: "en" });
    await emma.command("start");
    await emma.press(emma.screen().buttons.find((label) => label.startsWith("🧾")) ?? "🧾 Orders");
    await emma.press(emma.screen().buttons.find((label) => label.startsWith("🆕")) ?? "🆕 New");
    await emma.press(emma.screen().buttons.find((label) => label.includes(oldOrder)) ?? oldOrder);
    expect(emma.screen().text).toContain("ℹ️ This order was placed before the bot handled orders: it has no history and no moves here");
    expect(emma.screen().buttons).toEqual(["👤 Customer", "◀️ Back"]);
  });
});
