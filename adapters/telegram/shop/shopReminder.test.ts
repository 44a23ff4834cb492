import { afterEach, describe, expect, it } from "vitest";
import { startShopHarness, shopToken, type ShopCustomer, type ShopHarness } from "./testing/shopHarness.ts";
import { smallShop, switchableCatalog } from "./testing/switchableCatalog.ts";

/**
 * The abandoned-cart reminder, end to end: the customer machine's timer fires on the harness's
 * clock, its `sendCartReminder` effect goes through the shop's handler and the real grammY to the
 * Bot API stand-in, and `reminder_sent` comes back to the customer's log.
 */

const minute = 60_000;
const hour = 60 * minute;
const reminderTimer = "xstate.after.cartReminder.customer.cart.filled.shopping.waiting";

let shop: ShopHarness;
let switchable: ReturnType<typeof switchableCatalog>;
afterEach(async () => {
  await shop.close();
});

async function harness(options: Parameters<typeof startShopHarness>[0] = {}): Promise<ShopHarness> {
  switchable = switchableCatalog(smallShop);
  shop = await startShopHarness({ catalog: switchable.catalog, ...options });
  return shop;
}

/** The reminders Telegram accepted for a customer, in order. */
const reminders = (customer: ShopCustomer) =>
  shop.standIn
    .callsTo("sendMessage", shopToken)
    .filter((call) => call.ok && Number(call.payload["chat_id"]) === customer.id && /^🛒 <b>(Вы оставили|You left)/.test(String(call.payload["text"])))
    .map((call) => ({ text: String(call.payload["text"]) }));

/** The reminder message as the customer sees it, with its buttons. */
const reminderMessage = (customer: ShopCustomer, button: string) => customer.messages().find((message) => shop.standIn.buttonsOf(message).some((b) => b.text === button));

const reminderEvents = async (userId: number) => {
  await shop.runtime.settled();
  return shop.store.events(userId, { types: ["reminder_sent"] });
};

const reminderArmed = (userId: number): boolean => shop.store.timersOf(`customer:${userId}`).some((timer) => timer.sendId === reminderTimer);

async function consentedWithSencha(customer: ShopCustomer, agree = "✅ Согласен"): Promise<void> {
  await customer.start();
  await customer.press(agree);
  await customer.pressData("s1.add.sencha");
}

describe("the abandoned-cart reminder", () => {
  it("comes once, CART_REMINDER_MINUTES after the last change, with the cart and a button that opens it", async () => {
    await harness();
    const anna = shop.customer(1701);
    await consentedWithSencha(anna);
    await shop.advance(30 * minute);
    await anna.pressData("s1.add.sencha");
    await shop.advance(119 * minute);
    expect(reminders(anna)).toEqual([]);

    await shop.advance(minute);
    expect(reminders(anna)).toHaveLength(1);
    const shown = reminderMessage(anna, "🛒 Открыть корзину");
    expect(shown?.text).toMatch(/^🛒 Вы оставили товары в корзине\n\nСенча × 2 = 1\s180\s₽\n\nИтого: 1\s180\s₽\n\nОформить заказ можно в пару нажатий\.$/);
    expect(await reminderEvents(1701)).toHaveLength(1);
    expect(await anna.lead()).toMatchObject({ remindersSent: 1, lastReminderAt: shop.clock.now() });

    await anna.pressOn(shown, "🛒 Открыть корзину");
    expect(anna.screen().text).toContain("Сенча × 2");
    expect(anna.screen().buttons).toContain("✅ Оформить заказ");

    await anna.pressData("s1.add.puer");
    await shop.advance(24 * hour);
    expect(reminders(anna)).toHaveLength(1);
    expect(await reminderEvents(1701)).toHaveLength(1);
  });

  it("speaks the customer's language", async () => {
    await harness();
    const emma = shop.customer(1702, { first_name: "Emma", language_code: "en" });
    await consentedWithSencha(emma, "✅ I agree");
    await shop.advance(2 * hour);
    const reminder = reminderMessage(emma, "🛒 Open the cart");
    expect(reminder?.text).toMatch(/^🛒 You left something in your cart\n\nСенча × 1 = RUB\s590\n\nTotal: RUB\s590\n/);
  });

  it("is cancelled by a checkout, and counts afresh when the checkout is cancelled", async () => {
    await harness();
    const anna = shop.customer(1703);
    await consentedWithSencha(anna);
    await shop.advance(hour);
    await anna.pressData("s1.co");
    expect(reminderArmed(1703)).toBe(false);
    await shop.advance(3 * hour);
    expect(reminders(anna)).toEqual([]);

    await anna.send("✖️ Отмена");
    await shop.advance(2 * hour - 1);
    expect(reminders(anna)).toEqual([]);
    await shop.advance(1);
    expect(reminders(anna)).toHaveLength(1);
  });

  it("is cancelled by an order, by emptying the cart, and by /forget", async () => {
    await harness();
    const ordering = shop.customer(1704);
    await consentedWithSencha(ordering);
    await ordering.pressData("s1.co");
    await ordering.send("+79991234567");
    await ordering.send("Самовывоз");
    await ordering.press("✅ Подтвердить заказ");

    const emptying = shop.customer(1705);
    await consentedWithSencha(emptying);
    await emptying.command("cart");
    await emptying.press("✕");

    const forgetting = shop.customer(1706);
    await consentedWithSencha(forgetting);
    await forgetting.command("forget");
    await forgetting.press("Да, удалить всё");

    for (const id of [1704, 1705, 1706]) expect(reminderArmed(id), String(id)).toBe(false);
    await shop.advance(6 * hour);
    for (const customer of [ordering, emptying, forgetting]) expect(reminders(customer), String(customer.id)).toEqual([]);
    for (const id of [1704, 1705, 1706]) expect(await reminderEvents(id), String(id)).toEqual([]);
  });

  it("is never sent without consent to the current terms", async () => {
    await harness({ consentVersion: "2026-01" });
    const declined = shop.customer(1707);
    await declined.start();
    await declined.press("Не сейчас");
    await declined.pressData("s1.add.sencha");
    const outdated = shop.customer(1708);
    await outdated.start();
    await outdated.press("✅ Согласен");
    await shop.restart({ consentVersion: "2026-06" });
    await outdated.pressData("s1.add.sencha");

    await shop.advance(6 * hour);
    expect(reminders(declined)).toEqual([]);
    expect(reminders(outdated)).toEqual([]);
    expect(await reminderEvents(1707)).toEqual([]);
    expect(await reminderEvents(1708)).toEqual([]);
    expect((await shop.snapshotOf(1708)).value.cart).toEqual({ filled: { shopping: "skipped" } });
  });

  it("waits for the morning when it falls due between 22:00 and 09:00 in TIME_ZONE", async () => {
    // 21:30 in Moscow: due at 23:30, sent at 09:00 the next morning.
    await harness({ startAt: Date.parse("2026-11-23T18:30:00Z") });
    const anna = shop.customer(1709);
    await consentedWithSencha(anna);
    await shop.advance(2 * hour);
    expect(reminders(anna)).toEqual([]);
    shop.clock.set(Date.parse("2026-11-24T05:59:59Z"));
    await shop.advance(0);
    expect(reminders(anna)).toEqual([]);
    await shop.advance(1_000);
    expect(reminders(anna)).toHaveLength(1);
    expect((await reminderEvents(1709))[0]?.at).toBe(Date.parse("2026-11-24T06:00:00Z"));
  });

  it("records a customer who blocked the bot, and does not try again", async () => {
    await harness();
    const anna = shop.customer(1710);
    await consentedWithSencha(anna);
    shop.standIn.block(1710, shopToken);
    await shop.advance(2 * hour);
    const calls = shop.standIn.callsTo("sendMessage", shopToken).filter((call) => Number(call.payload["chat_id"]) === 1710 && call.ok === false);
    expect(calls).toHaveLength(1);
    expect(await reminderEvents(1710)).toEqual([]);
    expect((await anna.lead())?.blockedAt).toBe(shop.clock.now());
    expect(shop.store.effectsOf("customer:1710")).toEqual([]);
    await shop.advance(hour);
    expect(shop.standIn.callsTo("sendMessage", shopToken).filter((call) => Number(call.payload["chat_id"]) === 1710 && call.ok === false)).toHaveLength(1);
  });

  it("waits as long as Telegram's 429 says, then arrives once", async () => {
    await harness();
    const anna = shop.customer(1711);
    await consentedWithSencha(anna);
    shop.standIn.failNext("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 30", parameters: { retry_after: 30 } });
    await shop.advance(2 * hour);
    expect(reminders(anna)).toEqual([]);
    expect(shop.store.effectsOf("customer:1711")).toMatchObject([{ type: "sendCartReminder", status: "pending", attempts: 1, nextAt: shop.clock.now() + 30_000 }]);
    await shop.advance(29_999);
    expect(reminders(anna)).toEqual([]);
    await shop.advance(1);
    expect(reminders(anna)).toHaveLength(1);
    expect(await reminderEvents(1711)).toHaveLength(1);
  });

  it("is retried after a Telegram 500 or a dropped connection", async () => {
    await harness();
    const anna = shop.customer(1712);
    await consentedWithSencha(anna);
    shop.standIn.failNext("sendMessage", { error_code: 500, description: "Internal Server Error" });
    await shop.advance(2 * hour);
    expect(reminders(anna)).toEqual([]);
    shop.standIn.failNext("sendMessage", "disconnect");
    await shop.advance(2_000);
    expect(reminders(anna)).toEqual([]);
    await shop.advance(10_000);
    expect(reminders(anna)).toHaveLength(1);
    expect(await reminderEvents(1712)).toHaveLength(1);
  });

  it("is not sent when nothing in the cart is for sale any more", async () => {
    await harness();
    const anna = shop.customer(1713);
    await consentedWithSencha(anna);
    switchable.replace({ ...smallShop, products: smallShop.products.filter((product) => product.id !== "sencha") });
    await shop.advance(2 * hour);
    expect(reminders(anna)).toEqual([]);
    expect(await reminderEvents(1713)).toEqual([]);
    expect(shop.store.effectsOf("customer:1713")).toEqual([]);
  });
});
