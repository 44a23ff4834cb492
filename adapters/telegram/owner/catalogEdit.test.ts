import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import * as updates from "../testing/telegramUpdates.ts";
import { startCatalogHarness, type CatalogHarness } from "./testing/catalogHarness.ts";

let shop: CatalogHarness;
afterEach(async () => {
  await shop.close();
});

type OwnerChat = ReturnType<CatalogHarness["ownerChat"]>;

/** What a screen says with every kind of space (money's no-break ones) as a plain space. */
const plain = (chat: { screen(): { text: string } }): string => chat.screen().text.replace(/\s/gu, (space) => (space === "\n" ? space : " "));

/** The label of the first button on the owner's screen that starts with `prefix`. */
function buttonStarting(chat: OwnerChat, prefix: string): string {
  const label = chat.screen().buttons.find((text) => text.startsWith(prefix));
  if (!label) throw new Error(`no button starting with ${prefix}: ${JSON.stringify(chat.screen().buttons)}`);
  return label;
}

async function openProduct(olga: OwnerChat, shelf: string, product: string): Promise<void> {
  await olga.command("start");
  await olga.press("🛍 Каталог");
  await olga.press(buttonStarting(olga, shelf));
  await olga.press(buttonStarting(olga, product));
}

const productOf = (harness: CatalogHarness, id: string) => harness.store.catalogRows().products.find((product) => product.id === id);

describe("the owner edits a product", () => {
  it("changes a price that the shop shows at once, as an edit with who and when, leaving a placed order's total", async () => {
    shop = await startCatalogHarness();
    const anna = shop.customer(701);
    await anna.command("start");
    await anna.pressData("s1.add.sencha");
    await anna.pressData("s1.co");
    await anna.send("+79991234567");
    await anna.send("Самовывоз");
    await anna.press("✅ Подтвердить заказ");
    const [placed] = (await shop.store.orders(701)).items;
    expect(placed).toMatchObject({ total: 590, items: [{ productId: "sencha", price: 590, qty: 1 }] });

    const olga = shop.ownerChat(100);
    await openProduct(olga, "🍵 Чай", "👁 Сенча");
    expect(plain(olga)).toContain("Цена: 590 ₽");
    await olga.press("💰 Цена");
    expect(plain(olga)).toContain("Новая цена товара «Сенча», сейчас 590 ₽");
    await olga.send("640");
    expect(plain(olga)).toBe("Цена «Сенча»: 590 ₽ → 640 ₽. Сохранить?");
    expect(olga.screen().buttons).toEqual(["✅ Сохранить", "✖️ Отмена"]);
    await olga.press("✅ Сохранить");
    expect(olga.screen().text).toMatch(/^✅ Сохранено\.\n\n👁 Сенча/);
    expect(plain(olga)).toContain("Цена: 640 ₽");

    expect(shop.catalog.product("sencha")?.price).toBe(640);
    await anna.pressData("s1.prod.sencha");
    expect(plain(anna)).toContain("Цена: 640 ₽");
    expect(await shop.store.order(placed?.orderId ?? "")).toMatchObject({ total: 590, items: [{ price: 590 }] });
    const [edit] = (await shop.store.catalogEdits({ limit: 1 })).items;
    expect(edit).toMatchObject({ by: { kind: "owner", id: 100 }, at: shop.clock.now(), change: { type: "price_set", productId: "sencha", price: 640 } });
  });

  it("refuses a bad price and says why, keeps asking, and a cancel changes nothing", async () => {
    shop = await startCatalogHarness();
    const olga = shop.ownerChat(100);
    await openProduct(olga, "🍵 Чай", "👁 Сенча");
    await olga.press("💰 Цена");
    await olga.send("10.999");
    expect(olga.screen().text).toMatch(/^Не больше 2 знаков после запятой: 10,005 → 10,01\.\n\n💰 Новая цена/);
    await olga.send("-5");
    expect(olga.screen().text).toMatch(/^Цена должна быть больше нуля\./);
    await olga.send("700");
    await olga.press("✖️ Отмена");
    expect(olga.screen().text).toMatch(/^Изменение отменено\.\n\n👁 Сенча/);
    await olga.send("800");
    expect(productOf(shop, "sencha")?.price).toBe(590);
    expect((await shop.store.catalogEdits()).items.every((edit) => edit.by.kind === "seed")).toBe(true);
  });

  it("sets the stock, and '-' stops counting it", async () => {
    shop = await startCatalogHarness();
    const olga = shop.ownerChat(100);
    await openProduct(olga, "🍵 Чай", "👁 Сенча");
    await olga.press("📦 Остаток");
    await olga.send("1.5");
    expect(olga.screen().text).toMatch(/^Остаток — целое число/);
    await olga.send("12");
    await olga.press("✅ Сохранить");
    expect(productOf(shop, "sencha")?.stock).toBe(12);
    expect(shop.catalog.product("sencha")?.stock).toBe(12);
    await olga.press("📦 Остаток");
    await olga.send("-");
    expect(olga.screen().text).toBe("Остаток «Сенча»: 12 → не учитывается. Сохранить?");
    await olga.press("✅ Сохранить");
    expect(productOf(shop, "sencha")).not.toHaveProperty("stock");
  });

  it("takes a sent photo's largest size, kept as a file that the shop bot uploads", async () => {
    shop = await startCatalogHarness();
    const olga = shop.ownerChat(100);
    await openProduct(olga, "🍵 Чай", "👁 Сенча");
    await olga.press("📷 Фото");
    const picture = new Uint8Array(4_000).map((_, i) => i % 251);
    const { large } = await olga.sendPhoto(picture);
    expect(olga.screen().text).toBe("Фото «Сенча»: нет → новое фото. Сохранить?");
    await olga.press("✅ Сохранить");
    expect(olga.screen().text).toContain("Фото: есть");
    expect(shop.files.getFileCalls.map((call) => call.file_id)).toEqual([large.file_id]);
    const photo = productOf(shop, "sencha")?.photo ?? "";
    expect(photo.startsWith(join(shop.dir, "photos"))).toBe(true);
    expect(readFileSync(photo)).toEqual(Buffer.from(picture));

    const anna = shop.customer(702);
    await anna.command("start");
    await anna.pressData("s1.prod.sencha");
    expect(shop.standIn.callsTo("sendPhoto").at(-1)?.files).toHaveLength(1);
  });

  it("refuses a photo Telegram cannot give, and a text where a photo is asked; nothing is saved", async () => {
    shop = await startCatalogHarness();
    const olga = shop.ownerChat(100);
    await openProduct(olga, "☕ Кофе", "👁 Кения");
    await olga.press("📷 Фото");
    await olga.send("a cat");
    expect(olga.screen().text).toMatch(/^Нужна фотография/);
    await olga.deliver(updates.photo(olga.from));
    expect(olga.screen().text).toBe("Фото «Кения AA»: есть → новое фото. Сохранить?");
    await olga.press("✅ Сохранить");
    expect(olga.screen().text).toMatch(/^Не сохранено: не удалось скачать фото из Telegram/);
    expect(productOf(shop, "kenya")?.photo).toBe("https://example.com/kenya.jpg");
    expect(existsSync(join(shop.dir, "photos"))).toBe(false);
    await olga.send("-");
    await olga.press("✅ Сохранить");
    expect(productOf(shop, "kenya")).not.toHaveProperty("photo");
  });

  it("hides a product, which the shop then neither lists nor sells, and shows it again", async () => {
    shop = await startCatalogHarness();
    const olga = shop.ownerChat(100);
    await openProduct(olga, "🍵 Чай", "👁 Сенча");
    await olga.press("🙈 Скрыть");
    expect(olga.screen().text).toMatch(/^🙈 Товар скрыт/);
    expect(shop.catalog.product("sencha")).toBeUndefined();
    const anna = shop.customer(703);
    await anna.command("start");
    await anna.pressData("s1.cat.tea.0");
    expect(anna.screen().buttons.some((label) => label.includes("Сенча"))).toBe(false);
    await anna.pressData("s1.add.sencha");
    expect(anna.screen().text).toContain("Этого товара больше нет в каталоге.");
    await olga.press("👁 Показать");
    expect(shop.catalog.product("sencha")?.title).toBe("Сенча");
    expect((await shop.store.catalogEdits({ limit: 2 })).items.map((edit) => edit.change)).toEqual([
      { type: "product_hidden", productId: "sencha", hidden: false },
      { type: "product_hidden", productId: "sencha", hidden: true },
    ]);
  });

  it("resumes an edit that waits for its value after a restart", async () => {
    shop = await startCatalogHarness();
    const olga = shop.ownerChat(100);
    await openProduct(olga, "🍵 Чай", "👁 Шу пуэр");
    await olga.press("✏️ Название");
    await shop.restart();
    await olga.send("Шу пуэр «Гунтин», 357 г");
    await olga.press("✅ Сохранить");
    expect(shop.catalog.product("puer")?.title).toBe("Шу пуэр «Гунтин», 357 г");
    expect(olga.screen().text).toContain("👁 <b>Шу пуэр «Гунтин», 357 г</b>".replace(/<\/?b>/g, ""));
  });
});

describe("the owner edits categories", () => {
  it("adds a category and a product in it (hidden until shown), renames it and moves it first", async () => {
    shop = await startCatalogHarness();
    const olga = shop.ownerChat(100);
    await olga.command("start");
    await olga.press("🛍 Каталог");
    await olga.press("➕ Категория");
    await olga.send("Cocoa");
    await olga.press("✅ Сохранить");
    expect(olga.screen().buttons.slice(0, 3)).toEqual(["🍵 Чай (2)", "☕ Кофе (1)", "Cocoa (0)"]);
    expect(shop.catalog.categories().map((category) => category.id)).toEqual(["tea", "coffee"]);

    await olga.press("Cocoa (0)");
    await olga.press("➕ Товар");
    await olga.send("sencha");
    expect(olga.screen().text).toMatch(/^Такой код уже есть у другого товара/);
    await olga.send("cacao");
    await olga.send("Какао-бобы");
    await olga.send("400");
    expect(plain(olga)).toContain("Новый товар «Какао-бобы» (cacao) в «Cocoa» за 400 ₽");
    await olga.press("✅ Сохранить");
    const cacao = buttonStarting(olga, "🙈 Какао-бобы · 400");
    expect(shop.catalog.product("cacao")).toBeUndefined();
    await olga.press(cacao);
    await olga.press("👁 Показать");
    expect(shop.catalog.categories().map((category) => category.id)).toEqual(["tea", "coffee", "cocoa"]);

    await olga.press("◀️ К категории");
    await olga.press("✏️ Переименовать");
    await olga.send("Какао и шоколад");
    expect(olga.screen().text).toBe("Название категории «Cocoa»: Cocoa → Какао и шоколад. Сохранить?");
    await olga.press("✅ Сохранить");
    await olga.press("⬆️ Выше");
    expect(olga.screen().text).toMatch(/^Категория теперь 2-я из 3\./);
    await olga.press("⬆️ Выше");
    await olga.press("⬆️ Выше");
    expect(olga.screen().text).toMatch(/^Категория и так первая\./);
    expect(shop.catalog.categories().map((category) => `${category.id}:${category.title}`)).toEqual(["cocoa:Какао и шоколад", "tea:Чай", "coffee:Кофе"]);
    const anna = shop.customer(704);
    await anna.command("start");
    await anna.pressData("s1.cats");
    expect(anna.screen().buttons.slice(0, 3)).toEqual(["• Какао и шоколад", "🍵 Чай", "☕ Кофе"]);
  });
});
