import { afterEach, describe, expect, it } from "vitest";
import { defaultCampaignSettings, type CampaignSettings } from "../../../actors/campaignSettings.ts";
import { startShopHarness, shopToken, type ShopCustomer, type ShopHarness } from "./testing/shopHarness.ts";

/**
 * The campaigns and the news opt-out, end to end through the real grammY and the Bot API stand-in:
 * the win-back and the second cart reminder fire on the harness's clock, their effects send the
 * owner's text with the "Unsubscribe" button, and the customer unsubscribes and subscribes again.
 */

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
const defaults = defaultCampaignSettings({ cartReminderMinutes: 120, winBackDays: 14 });
const winBack = (text: string, extra: Partial<CampaignSettings["winBack"]> = {}): CampaignSettings => ({ ...defaults, winBack: { ...defaults.winBack, enabled: true, text, ...extra } });

let shop: ShopHarness;
afterEach(async () => {
  await shop.close();
});

/** Messages Telegram accepted in a customer's chat whose text is exactly `text`. */
const sentWith = (customer: ShopCustomer, text: string) =>
  shop.standIn.callsTo("sendMessage", shopToken).filter((call) => call.ok && Number(call.payload["chat_id"]) === customer.id && call.payload["text"] === text);

async function consented(customer: ShopCustomer, agree = "✅ Согласен"): Promise<void> {
  await customer.start();
  await customer.press(agree);
}

describe("the win-back", () => {
  it("reaches a dormant customer once, WINBACK_DELAY_DAYS later, with the owner's text, a catalog button and Unsubscribe", async () => {
    shop = await startShopHarness();
    await shop.campaigns.save(winBack("Мы скучаем! Загляните в каталог — там новинки."));
    const anna = shop.customer(1801);
    await consented(anna);
    await shop.advance(30 * day);
    await shop.advance(14 * day - minute);
    expect(sentWith(anna, "Мы скучаем! Загляните в каталог — там новинки.")).toEqual([]);
    await shop.advance(minute);
    expect(sentWith(anna, "Мы скучаем! Загляните в каталог — там новинки.")).toHaveLength(1);
    expect(anna.screen()).toEqual({ text: "Мы скучаем! Загляните в каталог — там новинки.", buttons: ["🛍 Каталог", "🔕 Отписаться"] });
    expect((await shop.store.events(1801, { types: ["winback_sent"] })).length).toBe(1);
    await shop.advance(60 * day);
    expect(sentWith(anna, "Мы скучаем! Загляните в каталог — там новинки.")).toHaveLength(1);

    await anna.press("🛍 Каталог");
    expect((await shop.store.events(1801, { types: ["reactivated"] })).length).toBe(1);
  });

  it("sends the text current at delivery, and nothing once the owner turned it off", async () => {
    shop = await startShopHarness();
    await shop.campaigns.save(winBack("Первый текст", { catalogButton: false }));
    const emma = shop.customer(1802, { first_name: "Emma", language_code: "en" });
    await consented(emma, "✅ I agree");
    await shop.advance(30 * day);
    await shop.campaigns.save(winBack("Second text", { catalogButton: false }));
    await shop.advance(14 * day);
    expect(sentWith(emma, "Первый текст")).toEqual([]);
    expect(emma.screen()).toEqual({ text: "Second text", buttons: ["🔕 Unsubscribe"] });

    const boris = shop.customer(1803);
    await consented(boris);
    await shop.advance(30 * day);
    await shop.campaigns.save({ ...defaults, winBack: { ...defaults.winBack, enabled: false, text: "Second text" } });
    await shop.advance(15 * day);
    expect(sentWith(boris, "Second text")).toEqual([]);
  });
});

describe("Unsubscribe and /subscribe", () => {
  it("unsubscribes from the button under a campaign message, stops the next win-back, shows in /mydata, and /subscribe undoes it", async () => {
    shop = await startShopHarness();
    await shop.campaigns.save(winBack("Возвращайтесь"));
    const anna = shop.customer(1804);
    await consented(anna);
    await shop.advance(30 * day);
    await shop.advance(14 * day);
    await anna.press("🔕 Отписаться");
    expect(anna.toast()).toBe("Вы отписались");
    expect(anna.screen().text).toMatch(/^🔕 Вы отписались от новостей и напоминаний магазина\..*\n\nПередумаете — отправьте \/subscribe\.$/s);
    expect(await anna.lead()).toMatchObject({ unsubscribedAt: shop.clock.now(), dormantSince: expect.any(Number) });
    // Pressing it is no act of the customer: it reactivates no one.
    expect(await shop.store.events(1804, { types: ["reactivated"] })).toEqual([]);

    await anna.press("🔕 Отписаться");
    expect(await shop.store.events(1804, { types: ["unsubscribed"] })).toHaveLength(1);

    await anna.command("mydata");
    expect(anna.screen().text).toMatch(/Новости: отписались .*\/subscribe/);

    await anna.start();
    await shop.advance(30 * day);
    await shop.advance(14 * day);
    expect(sentWith(anna, "Возвращайтесь")).toHaveLength(1);

    await anna.command("subscribe");
    expect(anna.screen().text).toBe("🔔 Вы снова подписаны на новости магазина.");
    expect(await anna.lead()).toMatchObject({ unsubscribedAt: null });
    await anna.command("subscribe");
    expect(anna.screen().text).toBe("🔔 Вы и так подписаны на новости магазина.");
    expect(await shop.store.events(1804, { types: ["subscribed"] })).toHaveLength(1);
    await anna.command("mydata");
    expect(anna.screen().text).toContain("Новости: подписаны");
  });

  it("puts Unsubscribe under the first cart reminder, and an unsubscribed customer's next cart is not reminded", async () => {
    shop = await startShopHarness();
    const anna = shop.customer(1808);
    await consented(anna);
    await anna.pressData("s1.add.sencha");
    await shop.advance(2 * hour);
    expect(anna.screen().buttons).toEqual(["🛒 Открыть корзину", "🔕 Отписаться"]);
    await anna.press("🔕 Отписаться");
    await anna.pressData("s1.add.puer");
    await anna.pressData("s1.co");
    await anna.pressData("s1.cancel");
    await shop.advance(3 * day);
    expect(await shop.store.events(1808, { types: ["reminder_sent"] })).toHaveLength(1);
    const later = shop.customer(1809);
    await consented(later);
    await later.pressData("s1.unsub");
    await later.pressData("s1.add.sencha");
    await shop.advance(3 * day);
    expect(await shop.store.events(1809, { types: ["reminder_sent"] })).toEqual([]);
    expect((await shop.snapshotOf(1809)).value.cart).toEqual({ filled: { shopping: "skipped" } });
  });

  it("records nothing for someone the shop has never seen who presses a forged Unsubscribe", async () => {
    shop = await startShopHarness();
    const stranger = shop.customer(1810);
    await stranger.command("subscribe");
    expect(stranger.screen().text).toBe("🔔 Вы и так подписаны на новости магазина.");
    await stranger.pressData("s1.unsub");
    expect(stranger.screen().text).toMatch(/^🔕 Вы отписались/);
    expect(await shop.store.events(1810)).toEqual([]);
    expect(await shop.store.lead(1810)).toBeNull();
  });

  it("answers in English", async () => {
    shop = await startShopHarness();
    const emma = shop.customer(1805, { first_name: "Emma", language_code: "en" });
    await consented(emma, "✅ I agree");
    await emma.command("subscribe");
    expect(emma.screen().text).toBe("🔔 You are already subscribed to the shop's news.");
    await emma.pressData("s1.unsub");
    expect(emma.screen().text).toMatch(/^🔕 You have unsubscribed from the shop's news and reminders\./);
    await emma.command("subscribe");
    expect(emma.screen().text).toBe("🔔 You are subscribed to the shop's news again.");
  });
});

describe("the second cart reminder", () => {
  it("is off by default, and when the owner turns it on comes once after the first, with the cart button and Unsubscribe", async () => {
    shop = await startShopHarness();
    const anna = shop.customer(1806);
    await consented(anna);
    await anna.pressData("s1.add.sencha");
    await shop.advance(3 * day);
    expect(await shop.store.events(1806, { types: ["reminder_sent"] })).toHaveLength(1);
    expect(await shop.store.events(1806, { types: ["second_reminder_sent"] })).toEqual([]);

    await shop.campaigns.save({ ...defaults, secondReminder: { enabled: true, text: "Корзина всё ещё ждёт вас", hours: 24 } });
    const boris = shop.customer(1807);
    await consented(boris);
    await boris.pressData("s1.add.sencha");
    await shop.advance(2 * hour);
    await shop.advance(24 * hour - minute);
    expect(sentWith(boris, "Корзина всё ещё ждёт вас")).toEqual([]);
    await shop.advance(minute);
    expect(boris.screen()).toEqual({ text: "Корзина всё ещё ждёт вас", buttons: ["🛒 Открыть корзину", "🔕 Отписаться"] });
    await shop.advance(5 * day);
    expect(sentWith(boris, "Корзина всё ещё ждёт вас")).toHaveLength(1);
    expect(await shop.store.events(1807, { types: ["second_reminder_sent"] })).toHaveLength(1);
    await boris.press("🛒 Открыть корзину");
    expect(boris.screen().text).toContain("Сенча");
  });
});
