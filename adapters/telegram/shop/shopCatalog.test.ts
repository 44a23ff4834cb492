import { afterEach, describe, expect, it } from "vitest";
import * as updates from "../testing/telegramUpdates.ts";
import { startShopHarness, type ShopHarness } from "./testing/shopHarness.ts";
import { smallShop, switchableCatalog } from "./testing/switchableCatalog.ts";

let shop: ShopHarness;
afterEach(async () => {
  await shop.close();
});

describe("catalog and search", () => {
  it("pages through a category and back", async () => {
    shop = await startShopHarness();
    const anna = shop.customer(901);
    await anna.start();
    await anna.press("🛍 Каталог");
    await anna.press("☕ Кофе в зёрнах");
    const firstPage = anna.screen().buttons.filter((label) => label.includes("₽"));
    expect(firstPage).toHaveLength(6);
    await anna.press("▶️");
    expect(anna.screen().text).toMatch(/стр\. 2 из/);
    const secondPage = anna.screen().buttons.filter((label) => label.includes("₽"));
    expect(secondPage.length).toBeGreaterThan(0);
    expect(secondPage).not.toEqual(expect.arrayContaining(firstPage));
    await anna.press("◀️");
    expect(anna.screen().buttons.filter((label) => label.includes("₽"))).toEqual(firstPage);
  });

  it("finds products by free text, case-folded for Cyrillic, with result pages, and records the search", async () => {
    shop = await startShopHarness();
    const anna = shop.customer(902);
    await anna.start();
    await anna.press("🔍 Поиск");
    expect(anna.screen().text).toBe("🔍 Напишите, что ищете: название или слово из описания.");
    await anna.send("ЭФИОПИЯ");
    expect(anna.screen().text).toContain("Найдено по запросу «ЭФИОПИЯ»");
    expect(anna.screen().buttons.some((label) => label.startsWith("Эфиопия Иргачеффе"))).toBe(true);
    // No consent: the search is counted, its words are not kept.
    expect((await shop.store.events(902, { types: ["search"] })).map((event) => event.payload)).toEqual([{ results: 1 }]);
    expect((await anna.lead())?.stage).toBe("engaged");

    await anna.send("250");
    expect(anna.screen().buttons).toContain("▶️");
    await anna.press("▶️");
    expect(anna.screen().text).toMatch(/стр\. 2 из/);

    await anna.send("несуществующийтовар");
    expect(anna.screen().text).toBe("Ничего не нашлось по запросу «несуществующийтовар». Попробуйте другое слово или откройте каталог.");
  });

  it("shows a product's photo, and goes back to text when leaving it", async () => {
    shop = await startShopHarness({ catalog: switchableCatalog(smallShop).catalog });
    const anna = shop.customer(903);
    await anna.start();
    await anna.pressData("s1.prod.matcha");
    const card = anna.last();
    expect(card?.photo).toBeDefined();
    expect(card?.caption).toContain("Матча");
    expect(shop.standIn.callsTo("sendPhoto")[0]?.payload["photo"]).toBe("https://example.com/matcha.jpg");
    await anna.press("🛒 В корзину");
    expect(anna.last()?.caption).toContain("В корзине: 1 шт.");
    await anna.press("◀️ Назад");
    expect(anna.screen().text).toContain("Чай");
    expect(anna.messages().some((message) => message.message_id === card?.message_id)).toBe(false);
  });

  it("falls back to text when Telegram cannot fetch a product photo", async () => {
    shop = await startShopHarness({ catalog: switchableCatalog(smallShop).catalog });
    const anna = shop.customer(904);
    await anna.start();
    shop.standIn.failNext("sendPhoto", { error_code: 400, description: "Bad Request: wrong file identifier/HTTP URL specified" });
    await anna.pressData("s1.prod.matcha");
    expect(anna.screen().text).toContain("Матча");
    expect(anna.screen().buttons).toContain("🛒 В корзину");
    expect(shop.logLines.some((line) => line.event === "photo_failed")).toBe(true);
  });
});

describe("Telegram delivery", () => {
  it("processes one chat's updates one at a time, so concurrent presses both count", async () => {
    shop = await startShopHarness({ catalog: switchableCatalog(smallShop).catalog });
    const anna = shop.customer(905);
    await anna.start();
    await anna.pressData("s1.prod.sencha");
    const card = anna.last();
    await Promise.all([anna.pressOn(card, "🛒 В корзину"), anna.pressOn(card, "🛒 В корзину"), anna.pressOn(card, "🛒 В корзину")]);
    await anna.command("cart");
    expect(anna.screen().text).toContain("Сенча × 3");
    expect(await shop.store.events(905, { types: ["add_to_cart"] })).toHaveLength(3);
  });

  it("counts a redelivered update once, in the funnel and in the cart", async () => {
    shop = await startShopHarness({ catalog: switchableCatalog(smallShop).catalog });
    const anna = shop.customer(906);
    const start = updates.command(anna.from, "start", "ads");
    await anna.deliver(start);
    await anna.deliver(start);
    await anna.pressData("s1.prod.sencha");
    const add = updates.press(anna.from, anna.last(), "🛒 В корзину");
    await anna.deliver(add);
    await anna.deliver(add);
    await anna.command("cart");
    expect(anna.screen().text).toContain("Сенча × 1");
    expect((await shop.store.events(906)).map((event) => event.type)).toEqual(["start", "product_view", "add_to_cart"]);
  });
});
