import { Api } from "grammy";
import { afterEach, describe, expect, it } from "vitest";
import { shopCommands } from "./shopCommands.ts";
import { startShopHarness, type ShopHarness } from "./testing/shopHarness.ts";
import { teaShop } from "./testing/teaShop.ts";

let shop: ShopHarness | undefined;
afterEach(async () => {
  await shop?.close();
  shop = undefined;
});

/**
 * What each command of the menu shows, by the start of its answer. A command the shop does not
 * have gets the help (as `/help` does); every other listed command must show its own screen. A
 * command in the menu without a row here fails the test.
 */
const shows: Readonly<Record<string, { readonly ru: RegExp; readonly en: RegExp }>> = {
  start: { ru: /^👋 Здравствуйте/, en: /^👋 Hello/ },
  catalog: { ru: /^🛍 Каталог/, en: /^🛍 Catalog/ },
  cart: { ru: /^🛒 Корзина/, en: /^🛒 Your cart/ },
  orders: { ru: /^📦 У вас пока нет заказов/, en: /^📦 You have no orders/ },
  privacy: { ru: /^🔒 Согласия/, en: /^🔒 No consent/ },
  mydata: { ru: /^👤 Что мы о вас храним/, en: /^👤 What we keep/ },
  forget: { ru: /^🗑 Удалить/, en: /^🗑 Erase/ },
  help: { ru: /^Команды: \/start/, en: /^Commands: \/start/ },
};

describe("the shop bot's command menu", () => {
  it("lists the same commands in Russian and English, /orders among them, and handles each one", async () => {
    shop = await startShopHarness({ storeCatalog: teaShop, payments: { methods: ["stars", "cash"], starPrice: 2, paymentMinutes: 60 } });
    await shopCommands(new Api(shop.shopToken, { apiRoot: shop.standIn.apiRoot }));
    const ru = shop.standIn.commands({ token: shop.shopToken });
    const en = shop.standIn.commands({ token: shop.shopToken, language_code: "en" });
    expect(ru.map((entry) => entry.command)).toContain("orders");
    expect(en.map((entry) => entry.command)).toEqual(ru.map((entry) => entry.command));
    const anna = shop.customer(950);
    const emma = shop.customer(951, { first_name: "Emma", language_code: "en" });
    for (const [customer, language] of [[anna, "ru"], [emma, "en"]] as const) {
      await customer.start();
      await customer.command("nosuchcommand");
      const help = customer.messages().at(-1)?.text ?? "";
      for (const { command } of language === "en" ? en : ru) {
        await customer.command(command);
        const text = customer.messages().at(-1)?.text ?? customer.messages().at(-1)?.caption ?? "";
        if (command === "help") expect(text).toBe(help);
        else expect(text, `/${command}`).not.toBe(help);
        expect(text, `/${command} in ${language}`).toMatch(shows[command]?.[language] ?? /no expected screen for this command/);
      }
    }
  });
});
