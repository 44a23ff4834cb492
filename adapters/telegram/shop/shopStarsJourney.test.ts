import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startShopHarness, type ShopHarness } from "./testing/shopHarness.ts";
import { teaShop } from "./testing/teaShop.ts";

let shop: ShopHarness;
beforeEach(async () => {
  shop = await startShopHarness({ storeCatalog: teaShop, owner: { ownerIds: [100] }, payments: { methods: ["stars", "cash"], starPrice: 2, paymentMinutes: 60 }, feedbackHours: 24 });
});
afterEach(async () => {
  await shop.close();
});

describe("a Stars order from the catalog to its rating, through both bots", () => {
  it("is paid with Stars, shipped and delivered by the owner from the owner bot, and the customer hears of each move in English", async () => {
    const emma = shop.customer(941, { first_name: "Emma", language_code: "en" });
    const olga = shop.ownerChat(100);
    await emma.start();
    await emma.press("🛍 Catalog");
    await emma.press("🍵 Чай");
    await emma.press(emma.screen().buttons.find((label) => label.startsWith("Те Гуань Инь")) ?? "?");
    await emma.press("🛒 Add to cart");
    await emma.pressData("s1.co");
    await emma.send("+447700900123");
    await emma.send("Pick-up");
    await emma.press("✅ Confirm the order");
    expect(emma.screen().buttons).toEqual(["⭐ Telegram Stars — 595 ⭐", "💵 On delivery", "✖️ Cancel"]);
    await emma.press("⭐ Telegram Stars — 595 ⭐");
    const orderId = /Order (SO-[0-9A-Z]+) is placed/.exec(emma.messages().find((message) => message.text?.startsWith("✅ Order"))?.text ?? "")?.[1] ?? "";
    expect(shop.lastInvoice(941)).toMatchObject({ title: `Order ${orderId}`, currency: "XTR", total_amount: 595, payload: orderId });
    expect(shop.store.catalogRows().products.find((product) => product.id === "oolong")?.stock).toBe(2);

    expect(await shop.pay(941)).toMatchObject({ outcome: "paid" });
    expect(emma.messages().at(-1)?.text).toBe(`💳 Order ${orderId} is paid. Thank you! We will tell you when it ships.`);
    const notice = olga.messages().find((message) => message.text?.includes(`Новый заказ ${orderId}`));
    expect(notice?.text).toContain("Статус: 💳 оплачен");
    expect(notice?.text).toContain("Оплата: ⭐ Telegram Stars (595 ⭐)");

    await olga.press("📦 Отправлен");
    await olga.send("Royal Mail RA123456789GB");
    await shop.drain();
    expect(emma.messages().at(-1)?.text).toBe(`🚚 Order ${orderId} has shipped. Tracking: Royal Mail RA123456789GB`);
    await olga.press("✅ Доставлен");
    await shop.drain();
    expect(emma.messages().at(-1)?.text).toBe(`📦 Order ${orderId} is delivered. Thank you for shopping with us!`);
    expect(await emma.lead()).toMatchObject({ stage: "customer", ordersCount: 1, lifetimeValue: 1190 });

    await shop.advance(24 * 3_600_000);
    expect(emma.screen()).toEqual({ text: `⭐ How was order ${orderId}? Rate it from 1 to 5:`, buttons: ["1 ⭐", "2 ⭐", "3 ⭐", "4 ⭐", "5 ⭐"] });
    await emma.press("4 ⭐");
    expect(emma.toast()).toBe("Thank you for your rating!");

    await emma.command("orders");
    expect(emma.screen().text).toContain(`${orderId} · 11/23/26, 1:00 PM\n📦 Delivered · RUB\u00a01,190\nТе Гуань Инь × 1`);
    await emma.press(`${orderId} · 📦 RUB\u00a01,190`);
    expect(emma.screen().text).toContain("Payment: ⭐ Telegram Stars (595 ⭐)");
    expect(emma.screen().text).toContain("Tracking: Royal Mail RA123456789GB");
    expect(emma.screen().buttons).toEqual(["◀️ My orders", "◀️ Menu"]);
    expect(await shop.store.order(orderId)).toMatchObject({ status: "delivered", rating: 4, payment: "stars", tracking: "Royal Mail RA123456789GB" });
  });
});
