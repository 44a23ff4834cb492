import { writeFileSync } from "node:fs";
import * as updates from "../testing/telegramUpdates.ts";
import { afterEach, describe, expect, it } from "vitest";
import { startCatalogHarness, teaShop, type CatalogHarness } from "./testing/catalogHarness.ts";

let shop: CatalogHarness;
afterEach(async () => {
  await shop.close();
});

const plain = (chat: { screen(): { text: string } }): string => chat.screen().text.replace(/[^\S\n]/gu, " ");

const prices = ["id,category,title,price,stock,hidden", "sencha,tea,Сенча,640,5,", "puer,tea,Шу пуэр,990,,да", "matcha,tea,Матча,1290,10,", "kenya,coffee,Кения AA,1200,,"].join("\n");

describe("the owner imports a file", () => {
  it("previews a CSV, applies it on ✅ in one go, and the shop shows it without a restart", async () => {
    shop = await startCatalogHarness();
    const olga = shop.ownerChat(100);
    await olga.sendDocument("prices.csv", prices, { mime: "text/csv" });
    expect(plain(olga)).toBe(
      ["📥 prices.csv: вот что изменится.", "", "Новых: 1, изменённых: 1, скрыть: 1, показать: 0, без изменений: 1.", "", "Применить? Всё применится разом; заказы, которые уже оформлены, не изменятся."].join("\n"),
    );
    expect(olga.screen().buttons).toEqual(["✅ Применить", "✖️ Отмена"]);
    expect(shop.catalog.product("matcha")).toBeUndefined();
    const before = (await shop.store.catalogEdits()).items.length;

    const apply = updates.press(olga.from, olga.last(), "✅ Применить");
    await olga.deliver(apply);
    expect(plain(olga)).toMatch(/^✅ Импорт применён\.\nНовых: 1, изменённых: 1, скрыть: 1/);
    expect(shop.catalog.product("matcha")).toMatchObject({ title: "Матча", price: 1290, stock: 10 });
    expect(shop.catalog.product("sencha")?.price).toBe(640);
    expect(shop.catalog.product("puer")).toBeUndefined();
    const edits = (await shop.store.catalogEdits()).items;
    expect(edits.length - before).toBe(3);
    expect(edits.slice(0, 3).map((edit) => edit.by)).toEqual(Array(3).fill({ kind: "import", file: "prices.csv", ownerId: 100 }));

    await olga.deliver(apply);
    expect((await shop.store.catalogEdits()).items).toHaveLength(edits.length);
  });

  it("names every malformed row with its row and column, and applies nothing", async () => {
    shop = await startCatalogHarness();
    const olga = shop.ownerChat(100);
    const before = shop.store.catalogRows();
    await olga.sendDocument("prices.csv", ["id,category,title,price,stock", "sencha,tea,Сенча,abc,5", "matcha,tea,Матча,1290,-2", "sencha,tea,Сенча,590,", "p 1,Какао,,10,"].join("\n"));
    expect(plain(olga)).toBe(
      [
        "⛔️ prices.csv: ничего не изменено, ошибок: 6.",
        "",
        "• Строка 2, столбец price: Цена — это число, например 1290 или 99,90.",
        "• Строка 3, столбец stock: Остаток не может быть меньше нуля.",
        "• Строка 4, столбец id: код «sencha» повторяется (первый раз: строка 2).",
        "• Строка 5, столбец id: Код — это от 1 до 24 латинских букв, цифр, _ или - (например, puer-2016).",
        "• Строка 5, столбец category: нет категории «Какао» (есть: tea, coffee). Новая категория в CSV — это её код латиницей.",
        "• Строка 5, столбец title: нужно значение.",
        "",
        "Исправьте файл и пришлите его снова: пока есть ошибки, ничего не применяется.",
      ].join("\n"),
    );
    expect(shop.store.catalogRows()).toEqual(before);
  });

  it("names JSON problems by their path", async () => {
    shop = await startCatalogHarness();
    const olga = shop.ownerChat(100, { language_code: "en" });
    const file = { products: [{ id: "sencha", categoryId: "tea", title: "Sencha", description: "", price: "590", currency: "RUB", stok: 3 }] };
    await olga.sendDocument("catalog.json", JSON.stringify(file));
    expect(plain(olga)).toContain("• products[0].stok: unknown field “stok” (a typo?).\n• products[0].price: a number without quotes is needed, this is \"590\".");
  });

  it("refuses a file too large without fetching it, and a spreadsheet or a picture clearly", async () => {
    shop = await startCatalogHarness();
    const olga = shop.ownerChat(100);
    await olga.sendDocument("big.csv", "id,category,title,price\n", { size: 5 * 1024 * 1024 });
    expect(plain(olga)).toContain("• файл больше 1 МБ: разделите его на части.");
    expect(shop.files.getFileCalls).toEqual([]);
    await olga.sendDocument("prices.xlsx", Uint8Array.of(0x50, 0x4b, 3, 4, 0, 0), { mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" });
    expect(plain(olga)).toContain("• это не CSV и не JSON. Таблицу Excel сохраните как «CSV UTF-8» (Файл → Сохранить как).");
    await olga.sendDocument("photo.dat", Uint8Array.of(0xff, 0xd8, 0xff, 0, 1, 2));
    expect(plain(olga)).toContain("• это не CSV и не JSON.");
    expect(shop.catalog.categories().map((category) => category.id)).toEqual(["tea", "coffee"]);
  });

  it("shows the preview again, applying nothing, when the catalog changed since the owner saw it", async () => {
    shop = await startCatalogHarness();
    const olga = shop.ownerChat(100);
    await olga.sendDocument("prices.csv", prices);
    await shop.store.transact((tx) => tx.applyCatalogEdit({ by: { kind: "owner", id: 101 }, at: 1, change: { type: "price_set", productId: "sencha", price: 640 } }));
    await olga.press("✅ Применить");
    expect(plain(olga)).toMatch(/^⚠️ Пока вы смотрели, каталог изменился\. prices\.csv теперь изменит вот что:\n\nНовых: 1, изменённых: 0, скрыть: 1, показать: 0, без изменений: 2\./);
    expect(shop.catalog.product("matcha")).toBeUndefined();
    await olga.press("✅ Применить");
    expect(shop.catalog.product("matcha")?.title).toBe("Матча");
  });

  it("cancels a preview, changing nothing", async () => {
    shop = await startCatalogHarness();
    const olga = shop.ownerChat(100);
    await olga.sendDocument("prices.csv", prices);
    const preview = olga.last();
    await olga.press("✖️ Отмена");
    expect(plain(olga)).toMatch(/^Импорт отменён, ничего не изменено\./);
    await olga.pressOn(preview, "✅ Применить");
    expect(plain(olga)).toMatch(/^Нечего применять/);
    expect(shop.catalog.product("matcha")).toBeUndefined();
  });

  it("imports CATALOG_PATH again on demand, previewed like a file", async () => {
    shop = await startCatalogHarness();
    const olga = shop.ownerChat(100);
    writeFileSync(shop.seedPath, JSON.stringify({ ...teaShop, products: teaShop.products.map((product) => (product.id === "puer" ? { ...product, price: 1090 } : product)) }));
    await olga.command("start");
    await olga.press("🛍 Каталог");
    await olga.press("📥 Импорт");
    await olga.press("🔄 Загрузить catalog.json");
    expect(plain(olga)).toContain("Новых: 0, изменённых: 1, скрыть: 0, показать: 0, без изменений: 2.");
    await olga.press("✅ Применить");
    expect(shop.catalog.product("puer")?.price).toBe(1090);
    expect((await shop.store.catalogEdits({ limit: 1 })).items[0]).toMatchObject({ by: { kind: "import", file: "catalog.json", ownerId: 100 }, change: { type: "price_set", productId: "puer", price: 1090 } });
  });
});
