import type { Update } from "grammy/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CustomerEventType } from "../../../machines/customer.types.ts";
import * as updates from "../testing/telegramUpdates.ts";
import { shopButtons } from "./shopButtons.ts";
import { startShopHarness, type ShopCustomer, type ShopHarness } from "./testing/shopHarness.ts";

/**
 * Telegram delivers an update again when its first handling committed but the answer never went
 * out (the process died, or the webhook's 200 was lost). By then the customer's state has moved on
 * from the one the update was read against; read again, a phone would become the delivery address,
 * a question a search, a search a question. An update already in the log changes nothing: the
 * customer is shown where they are now.
 */

let shop: ShopHarness;
beforeEach(async () => {
  shop = await startShopHarness();
});
afterEach(async () => {
  await shop.close();
});

const typesOf = async (userId: number): Promise<CustomerEventType[]> => {
  await shop.runtime.settled();
  return (await shop.store.events(userId)).map((event) => event.type);
};

/** The events of an update's first delivery, then the same update again: what the second one added. */
async function redelivered(customer: ShopCustomer, update: Update, between: () => Promise<void> = async () => undefined): Promise<CustomerEventType[]> {
  await customer.deliver(update);
  await between();
  const before = await typesOf(customer.id);
  await customer.deliver(update);
  return (await typesOf(customer.id)).slice(before.length);
}

async function toPhoneStep(customer: ShopCustomer): Promise<void> {
  await customer.start();
  await customer.press("✅ Согласен");
  await customer.pressData("s1.add.sencha");
  await customer.pressData("s1.co");
}

const phonePrompt = /^📞 Оформление заказа, шаг 1 из 3\.\n/;
const deliveryPrompt = "🚚 Шаг 2 из 3. Напишите адрес доставки или комментарий к заказу (до 500 символов).";

describe("a redelivered message changes nothing, whatever its first delivery led to", () => {
  it("a typed phone delivered again is not taken as the delivery address: the delivery prompt is shown again", async () => {
    const anna = shop.customer(2101);
    await toPhoneStep(anna);
    const phone = updates.privateText(anna.from, "+7 999 765-43-21");
    expect(await redelivered(anna, phone)).toEqual([]);
    expect((await shop.snapshotOf(2101)).value.checkout).toBe("delivery");
    expect(anna.last()?.text).toBe(deliveryPrompt);
    expect(anna.replyKeyboard()?.keyboard.flat().map((button) => (typeof button === "string" ? button : button.text))).toEqual(["✖️ Отмена"]);
    await anna.send("Самовывоз");
    expect(anna.last()?.text).toContain("Самовывоз");
    expect(anna.last()?.text).not.toContain("765-43-21");
  });

  it("a shared contact delivered again shows the delivery prompt, not a request for text", async () => {
    const anna = shop.customer(2102);
    await toPhoneStep(anna);
    expect(await redelivered(anna, updates.contact(anna.from, "+79997654322", anna.id))).toEqual([]);
    expect(anna.last()?.text).toBe(deliveryPrompt);
  });

  it("a delivery address delivered again once the order is placed is not a search: the menu is shown", async () => {
    const anna = shop.customer(2103);
    await toPhoneStep(anna);
    await anna.send("+79997654323");
    const address = updates.privateText(anna.from, "Кения, улица Пуэрная 5");
    expect(await redelivered(anna, address, () => anna.press("✅ Подтвердить заказ"))).toEqual([]);
    expect((await shop.store.events(2103, { types: ["delivery_given"] })).map((event) => event.payload)).toEqual([{ text: "Кения, улица Пуэрная 5" }]);
    expect(anna.screen()).toMatchObject({ text: "Главное меню. Что посмотрим?", buttons: expect.arrayContaining(["💬 Спросить консультанта"]) });
  });

  it("a delivery address delivered again at the summary shows the summary, without asking to use the buttons", async () => {
    const anna = shop.customer(2104);
    await toPhoneStep(anna);
    await anna.send("+79997654324");
    expect(await redelivered(anna, updates.privateText(anna.from, "Самовывоз"))).toEqual([]);
    expect(anna.last()?.text).toContain("📋 Шаг 3 из 3. Проверьте заказ");
    expect(anna.last()?.text).not.toContain("кнопками под сводкой");
    expect(anna.screen().buttons).toContain("✅ Подтвердить заказ");
  });

  it("a question delivered again after the customer left the consultant is asked once and not searched", async () => {
    const anna = shop.customer(2105);
    await anna.start();
    await anna.press("✅ Согласен");
    await anna.pressData("s1.ai");
    const question = updates.privateText(anna.from, "Что есть к десерту?");
    expect(await redelivered(anna, question, () => anna.press("◀️ Выйти из чата с консультантом"))).toEqual([]);
    expect((await typesOf(2105)).filter((type) => type === "question_asked" || type === "search")).toEqual(["question_asked"]);
    expect(shop.consultant.questions.map((asked) => asked.question)).toEqual(["Что есть к десерту?"]);
    expect(anna.screen().text).toBe("Главное меню. Что посмотрим?");
  });

  it("a question delivered again while the consultant listens shows the consultant", async () => {
    const anna = shop.customer(2106);
    await anna.start();
    await anna.press("✅ Согласен");
    await anna.pressData("s1.ai");
    expect(await redelivered(anna, updates.privateText(anna.from, "А чай?"))).toEqual([]);
    expect(shop.consultant.questions.map((asked) => asked.question)).toEqual(["А чай?"]);
    expect(anna.screen()).toEqual({ text: expect.stringMatching(/^💬 Консультант\n/), buttons: ["◀️ Выйти из чата с консультантом"] });
  });

  it("a question delivered again while the AI is still thinking says it is answering, and asks nothing more", async () => {
    await shop.close();
    shop = await startShopHarness({ drainAfterUpdates: false });
    const anna = shop.customer(2107);
    await anna.start();
    await anna.press("✅ Согласен");
    await anna.pressData("s1.ai");
    expect(await redelivered(anna, updates.privateText(anna.from, "А кофе?"))).toEqual([]);
    expect(anna.last()?.text).toBe("Консультант ещё отвечает на прошлый вопрос. Подождите немного.");
    await shop.drain();
    expect(shop.consultant.questions.map((asked) => asked.question)).toEqual(["А кофе?"]);
  });

  it("a search delivered again after the customer entered the consultant is one search, and no question", async () => {
    const anna = shop.customer(2108);
    await anna.start();
    await anna.press("✅ Согласен");
    const search = updates.privateText(anna.from, "кения");
    expect(await redelivered(anna, search, () => anna.pressData("s1.ai"))).toEqual([]);
    expect((await typesOf(2108)).filter((type) => type === "question_asked" || type === "search")).toEqual(["search"]);
    expect(shop.consultant.questions).toEqual([]);
    expect(anna.screen()).toMatchObject({ text: expect.stringMatching(/^💬 Консультант/), buttons: ["◀️ Выйти из чата с консультантом"] });
  });

  it("a search delivered again after the customer started a checkout is not taken as the phone", async () => {
    const anna = shop.customer(2109);
    await anna.start();
    await anna.pressData("s1.add.sencha");
    const search = updates.privateText(anna.from, "+79991112233");
    expect(await redelivered(anna, search, () => anna.pressData("s1.co"))).toEqual([]);
    expect((await shop.snapshotOf(2109)).value.checkout).toBe("phone");
    expect(anna.last()?.text).toMatch(phonePrompt);
  });

  it("a /cancel delivered again, after it cancelled the checkout, does not also leave the consultant", async () => {
    const anna = shop.customer(2110);
    await anna.start();
    await anna.press("✅ Согласен");
    await anna.pressData("s1.ai");
    await anna.pressData("s1.add.sencha");
    await anna.pressData("s1.co");
    const snapshot = await shop.snapshotOf(2110);
    expect([snapshot.value.checkout, snapshot.value.consultant]).toEqual(["phone", "listening"]);
    expect(await redelivered(anna, updates.command(anna.from, "cancel"))).toEqual([]);
    expect((await shop.snapshotOf(2110)).value.consultant).toBe("listening");
  });

  it("a message never applied before is handled as usual, an invalid phone typed twice included", async () => {
    const anna = shop.customer(2111);
    await toPhoneStep(anna);
    const invalid = updates.privateText(anna.from, "не скажу");
    expect(await redelivered(anna, invalid)).toEqual([]);
    expect(anna.last()?.text).toMatch(/^Не похоже на номер телефона/);
    await anna.send("+79997654325");
    expect(await typesOf(2111)).toContain("contact_shared");
  });
});

describe("a redelivered button press", () => {
  it("“✏️ Телефон” pressed again shows the phone step it led to, not “this checkout is finished”", async () => {
    const anna = shop.customer(2120);
    await toPhoneStep(anna);
    await anna.send("+79997654326");
    await anna.send("Самовывоз");
    const phonePrompts = () => anna.messages().filter((message) => phonePrompt.test(message.text ?? "")).length;
    const edit = updates.press(anna.from, anna.last(), "✏️ Телефон");
    // Its first answer never reached the customer, and the button's query is too old to answer by now.
    expect(await redelivered(anna, edit, async () => expect(phonePrompts()).toBe(2))).toEqual([]);
    expect(phonePrompts()).toBe(3);
    expect(shop.standIn.callsTo("answerCallbackQuery").at(-1)?.payload["text"]).toBeUndefined();
  });

  it("consenting, adding to the cart and checking out pressed again change nothing and show the screens they led to", async () => {
    const anna = shop.customer(2121);
    await anna.start();
    expect(await redelivered(anna, updates.callback(anna.from, shopButtons.encode("cons", true), anna.last() ?? failNoMessage()))).toEqual([]);
    expect(anna.screen().buttons).not.toContain("✅ Согласен");
    await anna.pressData(shopButtons.encode("prod", "sencha"));
    expect(await redelivered(anna, updates.callback(anna.from, shopButtons.encode("add", "sencha"), anna.last() ?? failNoMessage()))).toEqual([]);
    expect((await shop.snapshotOf(2121)).context.cart.lines).toEqual([expect.objectContaining({ productId: "sencha", qty: 1 })]);
    expect(await redelivered(anna, updates.callback(anna.from, shopButtons.encode("co"), anna.last() ?? failNoMessage()))).toEqual([]);
    expect(anna.last()?.text).toMatch(phonePrompt);
  });
});

function failNoMessage(): never {
  throw new Error("no message to press on");
}
