import { afterEach, describe, expect, it } from "vitest";
import { startShopHarness, shopToken, type ShopHarness } from "../shop/testing/shopHarness.ts";

/**
 * 📣 Campaigns in the owner bot, through the real grammY and the Bot API stand-in: the owner sets the
 * win-back's text, delay and switch, bad input is refused with a clear message, the settings survive
 * a restart, and the customer machine of the same process uses them at once.
 */

const day = 24 * 60 * 60_000;
let shop: ShopHarness;
afterEach(async () => {
  await shop.close();
});

describe("📣 Campaigns", () => {
  it("sets the win-back's text and delay, refuses bad input, turns it on, and a dormant customer gets it", async () => {
    shop = await startShopHarness({ owner: { ownerIds: [100] } });
    const olga = shop.ownerChat(100);
    await olga.command("crm");
    await olga.press("📣 Кампании");
    expect(olga.screen().text).toContain("🛒 Напоминание о корзине: через 120 мин");
    expect(olga.screen().text).toContain("💤 Возвращение уснувших: выкл, через 14 дн после засыпания");
    expect(olga.screen().text).toContain("(текст не задан)");

    // A campaign without its text cannot be turned on.
    await olga.pressData("o1.cmpt.1");
    expect(olga.toast()).toBe("Сначала задайте текст кампании.");
    expect(shop.campaigns.current().winBack.enabled).toBe(false);

    await olga.press("✏️ Возвращение: текст");
    expect(olga.screen().text).toMatch(/^✏️ Пришлите текст письма уснувшим клиентам \(до 4096 символов\)/);
    await olga.send("   ");
    expect(olga.screen().text).toMatch(/^⚠️ Текст пустой\.\n\n✏️ Пришлите текст/);
    await olga.send("я".repeat(4097));
    expect(olga.screen().text).toMatch(/^⚠️ Слишком длинный текст: 4097 символов, можно до 4096\./);
    expect(shop.campaigns.current().winBack.text).toBe("");
    await olga.send("Мы скучаем — заходите за новинками!");
    expect(olga.screen().text).toMatch(/^✅ Сохранено\.\n\n📣 Автоматические кампании/);
    expect(olga.screen().text).toContain("«Мы скучаем — заходите за новинками!»");

    await olga.press("⏱ Возвращение: задержка");
    for (const bad of ["0", "366", "abc", "2.5", "-1"]) {
      await olga.send(bad);
      expect(olga.screen().text, bad).toMatch(/^⚠️ Нужно целое число от 1 до 365\./);
    }
    await olga.send("7");
    expect(olga.screen().text).toContain("через 7 дн после засыпания");

    await olga.pressData("o1.cmpt.1");
    expect(olga.screen().text).toContain("💤 Возвращение уснувших: вкл, через 7 дн");
    expect(shop.campaigns.current().winBack).toMatchObject({ enabled: true, days: 7, text: "Мы скучаем — заходите за новинками!" });

    await shop.restart();
    expect(shop.campaigns.current().winBack).toMatchObject({ enabled: true, days: 7 });
    const anna = shop.customer(1901);
    await anna.start();
    await anna.press("✅ Согласен");
    await shop.advance(30 * day);
    await shop.advance(7 * day);
    const sent = shop.standIn.callsTo("sendMessage", shopToken).filter((call) => call.ok && call.payload["text"] === "Мы скучаем — заходите за новинками!");
    expect(sent.map((call) => Number(call.payload["chat_id"]))).toEqual([1901]);
  });

  it("cancels a setting being typed: the next text is a search, not the campaign's", async () => {
    shop = await startShopHarness({ owner: { ownerIds: [100] } });
    const olga = shop.ownerChat(100);
    await olga.command("crm");
    await olga.press("📣 Кампании");
    await olga.press("⏱ Напоминание: задержка");
    await olga.send("1");
    expect(olga.screen().text).toMatch(/^⚠️ Нужно целое число от 5 до 10080\./);
    await olga.press("✖️ Отмена");
    expect(olga.screen().text).toMatch(/^Изменение отменено\.\n\n📣 Автоматические кампании/);
    await olga.send("45");
    expect(shop.campaigns.current().cartReminderMinutes).toBe(120);

    await olga.command("crm");
    await olga.press("📣 Кампании");
    await olga.press("⏱ Напоминание: задержка");
    await olga.send("45");
    expect(shop.campaigns.current().cartReminderMinutes).toBe(45);
    expect(olga.screen().text).toContain("🛒 Напоминание о корзине: через 45 мин");
  });

  it("speaks English to an English-speaking owner, and turns the second reminder on and off", async () => {
    shop = await startShopHarness({ owner: { ownerIds: [100] } });
    const emma = shop.ownerChat(100, { first_name: "Emma", language_code: "en" });
    await emma.command("crm");
    await emma.press("📣 Campaigns");
    expect(emma.screen().text).toContain("🛒 Second reminder: off, 24 h after the first");
    await emma.press("✏️ Second: text");
    await emma.send("");
    await emma.send("Your cart misses you");
    await emma.pressData("o1.cmpt.0");
    expect(emma.screen().text).toContain("🛒 Second reminder: on, 24 h after the first");
    expect(shop.campaigns.current().secondReminder).toMatchObject({ enabled: true, text: "Your cart misses you" });
    await emma.pressData("o1.cmpt.0");
    expect(shop.campaigns.current().secondReminder.enabled).toBe(false);
    await emma.pressData("o1.cmpt.2");
    expect(shop.campaigns.current().winBack.catalogButton).toBe(false);
    expect(emma.screen().text).toContain("catalog button: off");

    // Buttons no screen ever showed change nothing and show the screen again.
    const before = await shop.store.readSession("owner:campaigns");
    await emma.pressData("o1.cmpt.7");
    await emma.pressData("o1.cmpe.9");
    expect(await shop.store.readSession("owner:campaigns")).toBe(before);
    expect(emma.screen().text).toContain("📣 Automatic campaigns");
    await emma.send("12");
    expect(shop.campaigns.current().cartReminderMinutes).toBe(120);
  });

  it("shows what each campaign earned on the funnel, in the day's report and its morning push, and each campaign message on the client's card", async () => {
    shop = await startShopHarness({ owner: { ownerIds: [100] } });
    await shop.campaigns.save({ ...shop.campaigns.current(), winBack: { ...shop.campaigns.current().winBack, enabled: true, text: "Возвращайтесь" } });
    const boris = shop.customer(1912);
    await boris.start();
    await boris.press("✅ Согласен");
    await shop.advance(30 * day);
    await shop.advance(14 * day);
    await boris.press("🛍 Каталог");

    const anna = shop.customer(1911);
    await anna.start();
    await anna.press("✅ Согласен");
    await anna.pressData("s1.add.sencha");
    await shop.advance(2 * 60 * 60_000);
    await shop.runtime.dispatch(1911, { type: "order_created", orderId: "SO-T1", total: 590, currency: "RUB", key: "test:order" });
    await shop.runtime.settled();

    const olga = shop.ownerChat(100);
    await olga.command("crm");
    await olga.press("📈 Воронка");
    const funnel = olga.screen().text;
    expect(funnel).toContain("📣 Кампании за 30 дней");
    expect(funnel).toMatch(/🛒 Напоминание: отправлено 1, вернули корзин 1, заказов 1, выручка 0\s₽/);
    expect(funnel).toMatch(/🛒 Второе напоминание: отправлено 0, вернули корзин 0, заказов 0, выручка 0\s₽/);
    expect(funnel).toMatch(/💤 Возвращение: отправлено 1, вернулись 1, заказов 0, выручка 0\s₽/);

    await olga.command("crm");
    await olga.press("📅 Отчёт за день");
    expect(olga.screen().text).toMatch(/📣 Кампании\n🛒 Напоминание: отправлено 1, вернули корзин 1/);
    await shop.owner.sendDailyReport(100, new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Moscow" }).format(shop.clock.now()));
    expect(olga.screen().text).toMatch(/📣 Кампании\n🛒 Напоминание: отправлено 1/);

    await olga.pressData("o1.card.1911");
    expect(olga.screen().text).toMatch(/📣 Кампании:\n• 🛒 напоминание о корзине — /);
    await olga.pressData("o1.card.1912");
    expect(olga.screen().text).toMatch(/📣 Кампании:\n• 💤 возвращение — /);
    await boris.pressData("s1.unsub");
    await olga.pressData("o1.card.1912");
    expect(olga.screen().text).toMatch(/🔕 отписался от новостей /);
  });
});
