import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as updates from "../testing/telegramUpdates.ts";
import { startShopHarness, type ShopCustomer, type ShopHarness } from "./testing/shopHarness.ts";
import { smallShop, switchableCatalog } from "./testing/switchableCatalog.ts";

let shop: ShopHarness;
let switchable: ReturnType<typeof switchableCatalog>;
beforeEach(async () => {
  switchable = switchableCatalog(smallShop);
  shop = await startShopHarness({ catalog: switchable.catalog });
});
afterEach(async () => {
  await shop.close();
});

async function toSummary(customer: ShopCustomer): Promise<void> {
  await customer.start();
  await customer.pressData("s1.add.sencha");
  await customer.pressData("s1.co");
  await customer.send("+79991234567");
  await customer.send("Самовывоз");
}

describe("checkout", () => {
  it("cancels at every step, keeping the cart and placing nothing", async () => {
    const anna = shop.customer(701);
    await anna.start();
    await anna.pressData("s1.add.sencha");
    const cancels = [
      async () => {
        await anna.pressData("s1.co");
        await anna.send("✖️ Отмена");
      },
      async () => {
        await anna.pressData("s1.co");
        await anna.send("+79991234567");
        await anna.command("cancel");
      },
      async () => {
        await anna.pressData("s1.co");
        await anna.send("+79991234567");
        await anna.send("Самовывоз");
        await anna.press("✖️ Отмена");
      },
    ];
    for (const cancel of cancels) {
      await cancel();
      const texts = anna.messages().map((message) => message.text);
      expect(texts.at(-2)).toBe("Оформление отменено. Корзина сохранена.");
      expect(anna.screen().buttons).toContain("🛒 Корзина (1)");
      expect(anna.replyKeyboard()).toBeUndefined();
    }
    expect(await shop.store.orders(701)).toMatchObject({ items: [] });
    await anna.command("cart");
    expect(anna.screen().text).toContain("Сенча × 1");
  });

  it("creates exactly one order when confirm is pressed twice", async () => {
    const anna = shop.customer(702);
    await toSummary(anna);
    const summary = anna.last();
    await anna.pressOn(summary, "✅ Подтвердить заказ");
    const orderId = (await anna.lead())?.lastOrderId;
    await anna.deliver(updates.press(anna.from, summary, "✅ Подтвердить заказ"));
    expect(anna.toast()).toBe(`Заказ ${orderId} уже оформлен — повторно он не создаётся.`);
    expect((await shop.store.orders(702)).items).toHaveLength(1);
    expect(await anna.lead()).toMatchObject({ ordersCount: 1, stage: "customer" });
    expect(shop.notified).toHaveLength(1);
  });

  it("creates exactly one order when Telegram redelivers the confirming update", async () => {
    const anna = shop.customer(703);
    await toSummary(anna);
    const confirm = updates.press(anna.from, anna.last(), "✅ Подтвердить заказ");
    // As after a crash right after the order committed: the same update again, whose first reply may never have arrived.
    await anna.deliver(confirm);
    await anna.deliver(confirm);
    expect((await shop.store.orders(703)).items).toHaveLength(1);
    expect(await shop.store.events(703, { types: ["order_created"] })).toHaveLength(1);
    expect(anna.messages().filter((message) => message.text?.startsWith("✅ Заказ"))).toHaveLength(2);
    expect(shop.notified).toHaveLength(1);
  });

  it("checks the cart against the catalog again at confirmation", async () => {
    const anna = shop.customer(704);
    await toSummary(anna);
    switchable.replace({ ...smallShop, products: smallShop.products.map((product) => (product.id === "sencha" ? { ...product, price: 650 } : product)) });
    await anna.press("✅ Подтвердить заказ");
    expect((await shop.store.orders(704)).items[0]).toMatchObject({ total: 650, items: [{ productId: "sencha", price: 650, qty: 1 }] });

    const boris = shop.customer(705);
    await toSummary(boris);
    switchable.replace({ ...smallShop, products: smallShop.products.filter((product) => product.id !== "sencha") });
    await boris.press("✅ Подтвердить заказ");
    expect(boris.toast()).toBe("Корзина пуста — оформлять нечего. Добавьте что-нибудь из каталога.");
    expect((await shop.store.orders(705)).items).toEqual([]);
  });

  it("survives a restart mid-checkout with the cart and the step it was on", async () => {
    const anna = shop.customer(706);
    await anna.start();
    await anna.pressData("s1.add.sencha");
    await anna.pressData("s1.add.sencha");
    await anna.pressData("s1.co");
    await anna.send("+79991234567");
    await shop.restart();
    await anna.send("Доставка до двери");
    expect(anna.screen().text).toContain("Шаг 3 из 3");
    expect(anna.screen().text).toContain("Сенча × 2");
    await anna.press("✅ Подтвердить заказ");
    expect((await shop.store.orders(706)).items[0]).toMatchObject({ total: 1180, delivery: "Доставка до двери" });
  });

  it("lets the customer correct the phone and the delivery from the summary", async () => {
    const anna = shop.customer(707);
    await toSummary(anna);
    await anna.press("✏️ Телефон");
    await anna.send("+7 912 000 11 22");
    await anna.send("Курьером");
    expect(anna.screen().text).toContain("Телефон: +79120001122");
    await anna.press("✏️ Доставка");
    await anna.send("Почтой");
    expect(anna.screen().text).toContain("Доставка: Почтой");
    await anna.press("✅ Подтвердить заказ");
    expect((await shop.store.orders(707)).items[0]).toMatchObject({ phone: "+79120001122", delivery: "Почтой" });
  });
});
