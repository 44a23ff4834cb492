import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startShopHarness, type ShopCustomer, type ShopHarness } from "./testing/shopHarness.ts";

let shop: ShopHarness;
beforeEach(async () => {
  shop = await startShopHarness();
});
afterEach(async () => {
  await shop.close();
});

/** The label of the first button that starts with `prefix`, e.g. a product's "title — price". */
function buttonStarting(customer: ShopCustomer, prefix: string): string {
  const label = customer.screen().buttons.find((text) => text.startsWith(prefix));
  if (!label) throw new Error(`no button starting with ${prefix}: ${JSON.stringify(customer.screen().buttons)}`);
  return label;
}

async function buyEthiopia(customer: ShopCustomer, options: { readonly plusOne: boolean }): Promise<string> {
  await customer.press("🛍 Каталог");
  await customer.press("☕ Кофе в зёрнах");
  await customer.press(buttonStarting(customer, "Эфиопия Иргачеффе"));
  await customer.press("🛒 В корзину");
  await customer.press(buttonStarting(customer, "🛒 Корзина"));
  if (options.plusOne) await customer.press("+");
  await customer.press("✅ Оформить заказ");
  await customer.shareContact("79991234567");
  await customer.send("Москва, Тверская 1, кв. 5. Позвоните за час.");
  await customer.press("✅ Подтвердить заказ");
  const placed = customer.messages().findLast((message) => message.text?.startsWith("✅ Заказ"));
  const orderId = /Заказ (SO-[0-9A-Z]+)/.exec(placed?.text ?? "")?.[1];
  if (!orderId) throw new Error("no order confirmation");
  return orderId;
}

describe("a customer's journey over HTTP", () => {
  it("goes from /start with a source to an order, moving the funnel at every step", async () => {
    const anna = shop.customer(501);

    await anna.start("instagram_ads");
    // One message: the greeting, the consent question with its two buttons, and the menu.
    expect(anna.messages()).toHaveLength(1);
    expect(anna.screen().text).toContain("Здравствуйте, Анна! Это магазин Кофейня.");
    expect(anna.screen().text).toContain("Можно мы будем сохранять переписку с ботом");
    expect(anna.screen().buttons).toEqual(["✅ Согласен", "Не сейчас", "🛍 Каталог", "🔍 Поиск", "🛒 Корзина", "💬 Спросить консультанта", "📦 Мои заказы", "👤 Мои данные"]);
    expect(await anna.lead()).toMatchObject({ stage: "new", source: "instagram_ads", username: "customer501", name: "Анна" });

    await anna.press("🛍 Каталог");
    expect(anna.screen().text).toContain("Каталог");
    expect(anna.screen().buttons).toEqual(["☕ Кофе в зёрнах", "🍵 Чай", "🫖 Для заваривания", "🍪 К чаю и кофе", "◀️ Меню"]);
    expect((await anna.lead())?.stage).toBe("engaged");

    await anna.press("☕ Кофе в зёрнах");
    expect(anna.screen().text).toMatch(/^☕ Кофе в зёрнах — стр\. 1 из \d/);
    expect(anna.screen().buttons).toContain("▶️");

    await anna.press(buttonStarting(anna, "Эфиопия Иргачеффе"));
    expect(anna.screen().text).toContain("Эфиопия Иргачеффе, 250 г");
    expect(anna.screen().text).toMatch(/Цена: 890\s₽/);
    expect(anna.screen().buttons).toEqual(["🛒 В корзину", "◀️ Назад", "🛒 Корзина"]);
    expect((await anna.lead())?.stage).toBe("engaged");

    await anna.press("🛒 В корзину");
    expect(anna.toast()).toBe("Добавлено: Эфиопия Иргачеффе, 250 г (1 шт. в корзине)");
    expect(anna.screen().text).toContain("В корзине: 1 шт.");
    expect((await anna.lead())?.stage).toBe("cart");

    await anna.press("🛒 Корзина (1)");
    expect(anna.screen().text).toMatch(/Эфиопия Иргачеффе, 250 г × 1 = 890\s₽/);
    await anna.press("+");
    expect(anna.screen().text).toMatch(/× 2 = 1\s780\s₽/);
    expect(anna.screen().text).toMatch(/Итого: 1\s780\s₽/);
    expect(await shop.store.events(501, { types: ["add_to_cart"] })).toHaveLength(2);

    await anna.press("✅ Оформить заказ");
    expect(anna.screen().text).toContain("шаг 1 из 3");
    expect(anna.replyKeyboard()?.keyboard.flat().find((button) => typeof button !== "string" && "request_contact" in button && button.request_contact)).toBeDefined();
    expect((await anna.lead())?.stage).toBe("checkout");

    await anna.shareContact("79991234567");
    expect(anna.screen().text).toContain("Шаг 2 из 3");
    expect((await anna.lead())?.phone).toBe("+79991234567");

    await anna.send("Москва, Тверская 1, кв. 5. Позвоните за час.");
    expect(anna.screen().text).toContain("Шаг 3 из 3");
    expect(anna.screen().text).toMatch(/Итого: 1\s780\s₽/);
    expect(anna.screen().text).toContain("Телефон: +79991234567");
    expect(anna.screen().text).toContain("Доставка: Москва, Тверская 1, кв. 5. Позвоните за час.");
    expect(anna.screen().buttons).toEqual(["✅ Подтвердить заказ", "✏️ Телефон", "✏️ Доставка", "✖️ Отмена"]);

    await anna.press("✅ Подтвердить заказ");
    const placed = anna.messages().find((message) => message.text?.startsWith("✅ Заказ"));
    expect(placed?.text).toMatch(/✅ Заказ SO-[0-9A-Z]+ оформлен!\nСумма: 1\s780\s₽\. Мы свяжемся с вами по номеру \+79991234567\./);
    expect(anna.screen().buttons).toContain("🛒 Корзина");
    const lead = await anna.lead();
    // A customer from the first confirmed order; the money counts once a cash order is paid or delivered.
    expect(lead).toMatchObject({ stage: "customer", ordersCount: 1, lifetimeValue: 0 });
    expect(lead?.stageEnteredAt).toHaveProperty("checkout");
    const orders = await shop.store.orders(501);
    expect(orders.items).toHaveLength(1);
    expect(orders.items[0]).toMatchObject({
      total: 1780,
      currency: "RUB",
      phone: "+79991234567",
      items: [{ productId: "eth-yirgacheffe", title: "Эфиопия Иргачеффе, 250 г", price: 890, qty: 2 }],
    });
    expect(shop.notified.map((order) => order.orderId)).toEqual([lead?.lastOrderId]);
    expect(orders.items[0]).toMatchObject({ status: "placed", payment: "cash", invoice: null });
  });

  it("makes the lead a repeat customer with a second order", async () => {
    const boris = shop.customer(502, { first_name: "Борис" });
    await boris.start();
    const first = await buyEthiopia(boris, { plusOne: false });
    expect((await boris.lead())?.stage).toBe("customer");
    const second = await buyEthiopia(boris, { plusOne: true });
    expect(second).not.toBe(first);
    expect(await boris.lead()).toMatchObject({ stage: "repeat", ordersCount: 2, lifetimeValue: 0, lastOrderId: second });
    expect(shop.notified).toHaveLength(2);
    for (const [orderId, move] of [first, second].flatMap((id) => [[id, "shipped"], [id, "delivered"]] as const)) {
      expect(await shop.orders.send(orderId, { type: move, by: "owner", key: `test:${orderId}:${move}` })).toMatchObject({ kind: "applied", status: move });
    }
    await shop.drain();
    expect(await boris.lead()).toMatchObject({ ordersCount: 2, lifetimeValue: 890 + 1780 });
    expect(boris.messages().filter((message) => message.text?.startsWith("📦 Заказ")).map((message) => message.text)).toEqual([
      `📦 Заказ ${first} доставлен. Спасибо за покупку!`,
      `📦 Заказ ${second} доставлен. Спасибо за покупку!`,
    ]);
  });

  it("speaks English to an English-speaking Telegram client", async () => {
    const emma = shop.customer(503, { first_name: "Emma", language_code: "en-GB" });
    await emma.start();
    expect(emma.messages()[0]?.text).toContain("Hello, Emma! Welcome to Кофейня.");
    expect(emma.screen().buttons.slice(0, 2)).toEqual(["✅ I agree", "Not now"]);
    await emma.press("🛍 Catalog");
    expect(emma.screen().text).toContain("Choose a category");
  });
});
