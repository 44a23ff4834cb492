import { afterEach, describe, expect, it } from "vitest";
import { startShopHarness, type ShopCustomer, type ShopHarness, type ShopHarnessOptions } from "./testing/shopHarness.ts";
import { teaShop } from "./testing/teaShop.ts";

let shop: ShopHarness | undefined;
afterEach(async () => {
  await shop?.close();
  shop = undefined;
});

async function start(options: ShopHarnessOptions = {}): Promise<ShopHarness> {
  shop = await startShopHarness({ storeCatalog: teaShop, payments: { methods: ["stars", "cash"], starPrice: 2, paymentMinutes: 60 }, ...options });
  return shop;
}

/** A cart of `product`, the checkout, "confirm" and the payment method; the order's id. */
async function placeOrder(customer: ShopCustomer, product: string, method: string): Promise<string> {
  await customer.start();
  await customer.pressData(`s1.add.${product}`);
  await customer.pressData("s1.co");
  await customer.send("+79991234567");
  await customer.send("Самовывоз");
  await customer.press("✅ Подтвердить заказ");
  await customer.press(method);
  const placed = customer.messages().findLast((message) => message.text?.startsWith("✅ Заказ"));
  const orderId = /Заказ (SO-[0-9A-Z]+)/.exec(placed?.text ?? "")?.[1];
  if (!orderId) throw new Error(`no order placed: ${JSON.stringify(customer.messages().map((message) => message.text))}`);
  return orderId;
}

const texts = (customer: ShopCustomer): string[] => customer.messages().map((message) => message.text ?? "");
const cash = "💵 При получении";
const stockOf = (shop: ShopHarness, productId: string): number | null | undefined => shop.store.catalogRows().products.find((product) => product.id === productId)?.stock;

describe("my orders", () => {
  it("lists every order with its status, items, total and date, newest first, in pages, from the menu and /orders", async () => {
    const shop = await start();
    const anna = shop.customer(921);
    const ids: string[] = [];
    for (let n = 0; n < 6; n++) {
      ids.push(await placeOrder(anna, "sencha", n % 2 === 0 ? cash : "⭐ Telegram Stars — 295 ⭐"));
      await shop.advance(60_000);
    }
    await anna.press("📦 Мои заказы");
    const first = anna.screen();
    expect(first.text.startsWith("📦 Мои заказы — стр. 1")).toBe(true);
    expect(first.text).toContain(`${ids[5]} · 23.11.2026, 13:05\n⏳ Ждёт оплаты · 590\u00a0₽\nСенча × 1`);
    expect(first.text).toContain(`${ids[4]} · 23.11.2026, 13:04\n🆕 Оформлен · 590\u00a0₽\nСенча × 1`);
    expect(first.text).not.toContain(ids[0] ?? "?");
    expect(first.buttons).toEqual([...ids.slice(1).reverse().map((id, n) => `${id} · ${n % 2 === 0 ? "⏳" : "🆕"} 590\u00a0₽`), "▶️", "◀️ Меню"]);
    await anna.press("▶️");
    expect(anna.screen().text).toContain("стр. 2");
    expect(anna.screen().buttons).toEqual([`${ids[0]} · 🆕 590\u00a0₽`, "◀️", "◀️ Меню"]);

    await anna.command("orders");
    expect(anna.screen().text).toContain(ids[5]);
    const bob = shop.customer(922);
    await bob.start();
    await bob.command("orders");
    expect(bob.screen()).toEqual({ text: "📦 У вас пока нет заказов. Загляните в каталог!", buttons: ["🛍 Каталог", "◀️ Меню"] });
  });

  it("cancels an order not yet shipped after a confirmation, releasing its stock, and refuses once it is shipped", async () => {
    const shop = await start();
    const anna = shop.customer(923);
    const orderId = await placeOrder(anna, "puer", cash);
    expect(stockOf(shop, "puer")).toBe(0);
    await anna.press("📦 Мои заказы");
    await anna.press(`${orderId} · 🆕 990\u00a0₽`);
    expect(anna.screen().text).toMatch(new RegExp(`📦 Заказ ${orderId} от 23\\.11\\.2026, 13:00\\nСтатус: 🆕 Оформлен\\nОплата: 💵 При получении\\n\\nШу пуэр × 1 = 990\\s₽\\n\\nИтого: 990\\s₽`));
    expect(anna.screen().buttons).toEqual(["❌ Отменить заказ", "◀️ Мои заказы", "◀️ Меню"]);
    await anna.press("❌ Отменить заказ");
    expect(anna.screen()).toEqual({ text: `Отменить заказ ${orderId}?`, buttons: ["Да, отменить", "Нет, оставить"] });
    await anna.press("Нет, оставить");
    expect(await shop.store.order(orderId)).toMatchObject({ status: "placed" });
    await anna.press("❌ Отменить заказ");
    const ask = anna.last();
    await anna.press("Да, отменить");
    expect(anna.toast()).toBe("Заказ отменён.");
    expect(await shop.store.order(orderId)).toMatchObject({ status: "cancelled" });
    expect(stockOf(shop, "puer")).toBe(1);
    expect(texts(anna)).toContain(`❌ Заказ ${orderId} отменён: по вашей просьбе.`);
    // Pressed again (a second tap, or Telegram delivering it again): nothing more is released.
    await anna.pressOn(ask, "Да, отменить");
    expect(stockOf(shop, "puer")).toBe(1);
    expect(texts(anna).filter((text) => text.includes("отменён: по вашей просьбе"))).toHaveLength(1);

    const shipped = await placeOrder(anna, "oolong", cash);
    await shop.orders.send(shipped, { type: "shipped", by: "owner", tracking: "RA123", key: "test:ship" });
    await shop.drain();
    expect(texts(anna).at(-1)).toBe(`🚚 Заказ ${shipped} отправлен. Трек-номер: RA123`);
    await anna.press(`📦 Заказ ${shipped}`);
    expect(anna.screen().text).toContain("Трек-номер: RA123");
    expect(anna.screen().buttons).toEqual(["◀️ Мои заказы", "◀️ Меню"]);
    await anna.pressData(`s1.ocy.${shipped}`);
    expect(anna.toast()).toBe("Этот заказ уже нельзя отменить — он 🚚 Отправлен.");
    expect(await shop.store.order(shipped)).toMatchObject({ status: "shipped" });
  });

  it("sends the invoice of an unpaid order again from its card, and that invoice pays it", async () => {
    const shop = await start();
    const anna = shop.customer(924);
    const orderId = await placeOrder(anna, "sencha", "⭐ Telegram Stars — 295 ⭐");
    await anna.press("📦 Мои заказы");
    await anna.press(`${orderId} · ⏳ 590\u00a0₽`);
    expect(anna.screen().text).toContain("Оплата: ⭐ Telegram Stars (295 ⭐)");
    expect(anna.screen().buttons).toEqual(["💳 Оплатить", "❌ Отменить заказ", "◀️ Мои заказы", "◀️ Меню"]);
    await anna.press("💳 Оплатить");
    expect(anna.toast()).toBe("Счёт отправлен — он ниже.");
    const invoices = shop.standIn.payments.invoices.filter((invoice) => invoice.payload === orderId);
    expect(invoices.map((invoice) => invoice.total_amount)).toEqual([295, 295]);
    expect(await shop.pay(924, { messageId: invoices[1]?.messageId ?? 0 })).toMatchObject({ outcome: "paid" });
    expect(await shop.store.order(orderId)).toMatchObject({ status: "paid" });

    await anna.pressData(`s1.opay.${orderId}`);
    expect(anna.toast()).toBe("Этот заказ не ждёт оплаты — он 💳 Оплачен.");
    await anna.pressData(`s1.oc.${orderId}`);
    expect(anna.screen().text).toBe(`Отменить заказ ${orderId}? Он оплачен — деньги вернутся вам.`);
    await anna.press("Да, отменить");
    expect(texts(anna)).toContain(`↩️ Заказ ${orderId} отменён (по вашей просьбе). Деньги вернутся вам — возврат уже оформляется.`);
    expect(texts(anna).at(-1)).toBe(`↩️ Деньги за заказ ${orderId} возвращены.`);
    expect(await shop.store.order(orderId)).toMatchObject({ status: "refunded" });
    expect(shop.standIn.payments.starBalance(924)).toBe(100_000);
  });

  it("asks for a rating once after delivery, takes one to five stars once, and keeps other people's orders to themselves", async () => {
    const shop = await start({ feedbackHours: 24 });
    const anna = shop.customer(925);
    const orderId = await placeOrder(anna, "sencha", cash);
    for (const move of ["shipped", "delivered"] as const) await shop.orders.send(orderId, { type: move, by: "owner", key: `test:${move}` });
    await shop.drain();
    expect(texts(anna).at(-1)).toBe(`📦 Заказ ${orderId} доставлен. Спасибо за покупку!`);
    await shop.advance(24 * 3_600_000);
    expect(anna.screen()).toEqual({ text: `⭐ Как вам заказ ${orderId}? Оцените от 1 до 5:`, buttons: ["1 ⭐", "2 ⭐", "3 ⭐", "4 ⭐", "5 ⭐"] });
    await anna.press("5 ⭐");
    expect(anna.toast()).toBe("Спасибо за оценку!");
    expect(anna.screen().buttons).toEqual([]);
    expect(await shop.store.order(orderId)).toMatchObject({ rating: 5 });
    await shop.advance(48 * 3_600_000);
    expect(texts(anna).filter((text) => text.startsWith("⭐ Как вам заказ"))).toHaveLength(1);

    const mallory = shop.customer(926);
    await mallory.start();
    await mallory.pressData(`s1.ord.${orderId}`);
    expect(mallory.toast()).toBe("Такого заказа нет.");
    for (const data of [`s1.ocy.${orderId}`, `s1.opay.${orderId}`, `s1.rate.${orderId}.1`, `s1.rp.${orderId}`]) {
      await mallory.pressData(data);
      expect(mallory.toast(), data).toBe("Такого заказа нет.");
    }
    expect(await shop.store.order(orderId)).toMatchObject({ status: "delivered", rating: 5 });
    await anna.pressData(`s1.rate.${orderId}.1`);
    expect(anna.toast()).toBe("Этот заказ уже оценён.");
    expect(await shop.store.order(orderId)).toMatchObject({ rating: 5 });
  });

  it("tells the customers who lost the last unit to another at the same moment that it is sold out, and keeps their carts", async () => {
    const shop = await start();
    const customers = [921, 922, 923, 924].map((id) => shop.customer(id));
    for (const customer of customers) {
      await customer.start();
      await customer.pressData("s1.add.puer");
      await customer.pressData("s1.co");
      await customer.send("+79991234567");
      await customer.send("Самовывоз");
      await customer.press("✅ Подтвердить заказ");
    }
    // All press at once: each sees one unit left when it prices the cart; the store reserves it once.
    await Promise.all(customers.map((customer) => customer.press(cash)));
    const placed: ShopCustomer[] = [];
    for (const customer of customers) if ((await shop.store.orders(customer.id)).items.length > 0) placed.push(customer);
    expect(placed).toHaveLength(1);
    expect(stockOf(shop, "puer")).toBe(0);
    for (const customer of customers.filter((one) => !placed.includes(one))) {
      expect(customer.toast()).toBe("«Шу пуэр» закончился — заказ не оформлен. Корзина сохранена.");
      expect(texts(customer).at(-1)).toBe("«Шу пуэр» закончился — заказ не оформлен. Корзина сохранена.");
      expect((await shop.snapshotOf(customer.id)).context.cart.lines).toEqual([{ productId: "puer", qty: 1 }]);
      expect(await customer.lead()).toMatchObject({ ordersCount: 0 });
    }
    expect(shop.logLines.filter((line) => line.event === "order_short")).toHaveLength(3);
  });
});
