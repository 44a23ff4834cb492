import { afterEach, describe, expect, it } from "vitest";
import * as updates from "../testing/telegramUpdates.ts";
import { startShopHarness, shopToken, type ShopHarness } from "./testing/shopHarness.ts";
import { smallShop, switchableCatalog } from "./testing/switchableCatalog.ts";

let shop: ShopHarness;
afterEach(async () => {
  await shop.close();
});

async function smallShopHarness(options: Parameters<typeof startShopHarness>[0] = {}) {
  const switchable = switchableCatalog(smallShop);
  shop = await startShopHarness({ ...options, catalog: switchable.catalog });
  return switchable;
}

/** Every event type stored for a customer, in order. */
async function eventTypes(userId: number): Promise<string[]> {
  await shop.runtime.settled();
  return (await shop.store.events(userId)).map((event) => event.type);
}

describe("bad input gets a clear answer and changes nothing", () => {
  it("answers malformed and forged callback data as out of date, and shows the menu", async () => {
    await smallShopHarness();
    const anna = shop.customer(601);
    await anna.start();
    const before = await eventTypes(601);
    for (const data of ["garbage", "s0.cart", "s1.zap", "s1.cat", "s1.inc.sencha.x", "s1.ok.a.b", `s1.add.${"x".repeat(40)}`, "s1.__proto__"]) {
      await anna.pressData(data);
      expect(anna.toast(), data).toBe("Эта кнопка устарела. Вот актуальное меню.");
      expect(anna.screen().text).toBe("Эта кнопка устарела. Вот актуальное меню.");
      expect(anna.screen().buttons).toContain("🛍 Каталог");
    }
    expect(await eventTypes(601)).toEqual(before);
    expect(shop.logLines.filter((line) => line.level === "error")).toEqual([]);
  });

  it("handles a button of a product that has left the catalog, and drops it from the cart", async () => {
    const switchable = await smallShopHarness();
    const anna = shop.customer(602);
    await anna.start();
    await anna.press("🛍 Каталог");
    await anna.press("🍵 Чай");
    await anna.press(anna.screen().buttons.find((label) => label.startsWith("Сенча")) ?? "");
    await anna.press("🛒 В корзину");
    const card = anna.last();
    switchable.replace({ ...smallShop, products: smallShop.products.filter((product) => product.id !== "sencha") });

    await anna.pressOn(card, "🛒 В корзину");
    expect(anna.toast()).toBe("Этого товара больше нет в каталоге. Вот актуальный каталог.");
    expect(anna.screen().text).toContain("Этого товара больше нет в каталоге");
    expect(anna.screen().buttons).toContain("🍵 Чай");
    expect(await shop.store.events(602, { types: ["add_to_cart"] })).toHaveLength(1);

    await anna.command("cart");
    expect(anna.screen().text).toContain("Товара больше нет в каталоге — он убран из корзины.");
    expect(anna.screen().text).toContain("Корзина пуста");
  });

  it("refuses more than the stock and a sold-out product, with the reason", async () => {
    await smallShopHarness();
    const anna = shop.customer(603);
    await anna.start();
    await anna.press("🛍 Каталог");
    await anna.press("🍵 Чай");
    await anna.press(anna.screen().buttons.find((label) => label.startsWith("Шу пуэр")) ?? "");
    expect(anna.screen().text).toContain("Осталось: 1 шт.");
    await anna.press("🛒 В корзину");
    await anna.press("🛒 В корзину");
    expect(anna.toast()).toBe("Больше 1 шт. заказать нельзя.");
    expect(anna.screen().text).toContain("В корзине: 1 шт.");

    await anna.press("◀️ Назад");
    await anna.press(anna.screen().buttons.find((label) => label.startsWith("Гёкуро")) ?? "");
    expect(anna.screen().text).toContain("⚠️ Нет в наличии");
    expect(anna.screen().buttons).not.toContain("🛒 В корзину");
    await anna.pressData("s1.add.gyokuro");
    expect(anna.toast()).toBe("«Гёкуро» закончился.");
    expect((await shop.store.events(603, { types: ["add_to_cart"] })).length).toBe(1);
  });

  it("refuses a press on a stale cart message and shows the current cart", async () => {
    await smallShopHarness();
    const anna = shop.customer(604);
    await anna.start();
    await anna.pressData("s1.add.sencha");
    await anna.command("cart");
    const oldCart = anna.last();
    await anna.command("cart");
    await anna.press("+");
    expect(anna.screen().text).toContain("Сенча × 2");

    await anna.pressOn(oldCart, "−");
    expect(anna.toast()).toBe("Корзина изменилась — вот актуальная.");
    expect(anna.screen().text).toContain("Сенча × 2");
  });

  it("does not start a checkout of an empty cart", async () => {
    await smallShopHarness();
    const anna = shop.customer(605);
    await anna.start();
    await anna.pressData("s1.co");
    expect(anna.toast()).toBe("Корзина пуста — оформлять нечего. Добавьте что-нибудь из каталога.");
    expect(anna.screen().text).toContain("Корзина пуста");
    expect(await eventTypes(605)).not.toContain("checkout_started");
  });

  it("asks again for an invalid phone, someone else's contact or a sticker, then takes a typed one", async () => {
    await smallShopHarness();
    const anna = shop.customer(606);
    await anna.start();
    await anna.pressData("s1.add.sencha");
    await anna.pressData("s1.co");
    for (const step of [() => anna.send("позвоните мне"), () => anna.send("12345"), () => anna.shareContact("+79990001122", 999), () => anna.sticker()]) {
      await step();
      expect(anna.screen().text).toContain("Не похоже на номер телефона");
      expect(anna.replyKeyboard()?.keyboard.flat().some((button) => typeof button !== "string" && "request_contact" in button && button.request_contact)).toBe(true);
    }
    expect((await anna.lead())?.phone).toBeNull();
    await anna.send("+7 (999) 123-45-67");
    expect(anna.screen().text).toContain("Шаг 2 из 3");
    expect((await anna.lead())?.phone).toBe("+79991234567");
  });

  it("answers 10,000 characters of text clearly wherever it arrives", async () => {
    await smallShopHarness();
    const anna = shop.customer(607);
    const huge = "чай ".repeat(2_500);
    await anna.start();
    await anna.press("✅ Согласен");
    await anna.send(huge);
    expect(anna.screen().text.length).toBeLessThan(4_096);
    const [search] = await shop.store.events(607, { types: ["search"] });
    expect(String(search?.payload["query"])).toMatch(/^(чай ){49}чай…$/);

    await anna.pressData("s1.add.sencha");
    await anna.pressData("s1.co");
    await anna.send(huge);
    expect(anna.screen().text).toContain("Не похоже на номер телефона");
    await anna.send("+79991234567");
    await anna.send(huge);
    expect(anna.screen().text).toBe("Слишком длинно: не больше 500 символов. Сократите, пожалуйста.");
  });

  it("keeps emoji, RTL, zero-width and HTML-like text intact and escaped", async () => {
    await smallShopHarness();
    const anna = shop.customer(608, { first_name: "<b>Ан‮на</b> 👩‍💻" });
    await anna.start();
    expect(anna.messages()[0]?.text).toContain("Здравствуйте, <b>Ан‮на</b> 👩‍💻!");
    await anna.send("​се​нча 🍵 مرحبا");
    expect(anna.screen().text).toContain("مرحبا");
    await anna.pressData("s1.add.sencha");
    await anna.pressData("s1.co");
    await anna.send("+79991234567");
    const delivery = "ул. <Ленина> & Co, 5 🏠 שלום ‏‎";
    await anna.send(delivery);
    expect(anna.screen().text).toContain(`Доставка: ${delivery}`);
    await anna.press("✅ Подтвердить заказ");
    expect((await shop.store.orders(608)).items[0]?.delivery).toBe(delivery);
    expect(shop.logLines.filter((line) => line.level === "error")).toEqual([]);
  });

  it("asks for text when a sticker or a photo arrives where text is expected", async () => {
    await smallShopHarness();
    const anna = shop.customer(609);
    await anna.start();
    await anna.photo();
    expect(anna.screen().text).toBe("Я понимаю текст и кнопки. Вот меню:");
    await anna.pressData("s1.add.sencha");
    await anna.pressData("s1.co");
    await anna.send("+79991234567");
    await anna.sticker();
    expect(anna.screen().text).toBe("Здесь нужен текст. Напишите адрес доставки или комментарий текстом.");
    await anna.send("Самовывоз");
    expect(anna.screen().text).toContain("Шаг 3 из 3");
  });

  it("stays silent in groups and channels but for a pointer to the private chat, and records nothing", async () => {
    await smallShopHarness();
    const anna = updates.user(610, { first_name: "Анна" });
    await shop.deliver(updates.groupText(anna, "/start", { id: -100_610 }));
    await shop.deliver(updates.groupText(anna, "покажи каталог", { id: -100_610 }));
    await shop.deliver(updates.channelPost("новый пост", { id: -100_611 }));
    const sent = shop.standIn.messages(-100_610, shopToken);
    expect(sent.map((message) => message.text)).toEqual(["Я работаю только в личных сообщениях. Напишите мне напрямую."]);
    expect(shop.standIn.buttonsOf(sent[0])[0]?.url).toBe("https://t.me/coffee_shop_bot?start=group");
    expect(shop.standIn.messages(-100_611, shopToken)).toEqual([]);
    expect(await shop.store.lead(610)).toBeNull();
  });

  it("delivers a reply once through a Telegram 429, after the retry_after", async () => {
    await smallShopHarness();
    const anna = shop.customer(611);
    shop.standIn.failNext("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } });
    await anna.start();
    expect(shop.standIn.callsTo("sendMessage", shopToken).filter((call) => call.ok === false)).toHaveLength(1);
    expect(anna.messages().filter((message) => message.text?.startsWith("👋"))).toHaveLength(1);
  });

  it("says something went wrong, without details, when the store fails", async () => {
    await smallShopHarness();
    const anna = shop.customer(612);
    await anna.start();
    await shop.runtime.close();
    await anna.press("🛍 Каталог");
    expect(anna.screen().text).toBe("⚠️ Что-то пошло не так. Ничего не потеряно — попробуйте ещё раз.");
    await anna.pressData("s1.add.sencha");
    expect(anna.toast()).toBe("⚠️ Что-то пошло не так. Ничего не потеряно — попробуйте ещё раз.");
    const failure = shop.logLines.find((line) => line.event === "update_failed");
    expect(failure?.fields).toMatchObject({ bot: "shop", error: "Error" });
    expect(JSON.stringify(shop.logLines)).not.toContain(shopToken);
  });
});
