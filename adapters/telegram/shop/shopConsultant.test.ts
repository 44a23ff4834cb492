import { afterEach, describe, expect, it } from "vitest";
import * as updates from "../testing/telegramUpdates.ts";
import { startShopHarness, type ShopCustomer, type ShopHarness } from "./testing/shopHarness.ts";

/**
 * The consultant through the customer actor: a question is an event, the AI is asked by the
 * `askConsultant` effect, and its answer (or failure) reaches the chat through another effect.
 * These tests drain the effects themselves, to see each step.
 */

let shop: ShopHarness;
afterEach(async () => {
  await shop.close();
});

const typesOf = async (userId: number): Promise<string[]> => {
  await shop.runtime.settled();
  return (await shop.store.events(userId)).map((event) => event.type);
};

async function inConsultant(customer: ShopCustomer): Promise<void> {
  await customer.start();
  await customer.press("✅ Согласен");
  await customer.pressData("s1.ai");
  await shop.drain();
}

describe("the consultant, through effects", () => {
  it("answers after the handler returned: the question is committed first, the AI is asked by an effect", async () => {
    shop = await startShopHarness({ drainAfterUpdates: false });
    const anna = shop.customer(1801);
    await inConsultant(anna);
    await anna.send("Что есть к десерту?");
    expect(anna.screen().text).toContain("Консультант");
    expect(shop.consultant.questions).toEqual([]);
    expect(shop.store.effectsOf("customer:1801").map((effect) => effect.type)).toEqual(["askConsultant"]);
    expect((await shop.snapshotOf(1801)).value.consultant).toBe("thinking");
    expect(shop.standIn.callsTo("sendChatAction").map((call) => call.payload["action"])).toEqual(["typing"]);

    await shop.drain();
    expect(shop.consultant.questions.map((asked) => asked.question)).toEqual(["Что есть к десерту?"]);
    expect(anna.screen().text).toMatch(/^Из нашего каталога: /);
    expect(anna.screen().buttons).toEqual(["◀️ Выйти из чата с консультантом"]);
    expect(await typesOf(1801)).toEqual(expect.arrayContaining(["question_asked", "consultant_answered"]));
    expect((await shop.store.messages(1801)).map((message) => message.direction)).toEqual(["in", "out"]);
    expect((await shop.snapshotOf(1801)).value.consultant).toBe("listening");
  });

  it("takes one question at a time: another while the AI is thinking is not asked", async () => {
    shop = await startShopHarness({ drainAfterUpdates: false });
    const anna = shop.customer(1802);
    await inConsultant(anna);
    await anna.send("Первый вопрос");
    await anna.send("Второй вопрос");
    expect(anna.screen().text).toBe("Консультант ещё отвечает на прошлый вопрос. Подождите немного.");
    await shop.drain();
    expect(shop.consultant.questions.map((asked) => asked.question)).toEqual(["Первый вопрос"]);
    expect((await typesOf(1802)).filter((type) => type === "question_asked")).toHaveLength(1);
  });

  it("says it took too long when the machine's timeout comes first, and never sends the late answer", async () => {
    shop = await startShopHarness({ drainAfterUpdates: false, consultant: { timeoutMs: 60_000 } });
    const anna = shop.customer(1803);
    await inConsultant(anna);
    await anna.send("Что выбрать в подарок?");
    await shop.advance(60_000);
    const replies = anna.messages().filter((message) => message.text?.startsWith("Из нашего каталога") || message.text?.startsWith("Консультант отвечает слишком долго"));
    expect(replies.map((message) => message.text)).toEqual(["Консультант отвечает слишком долго. Попробуйте ещё раз чуть позже."]);
    expect((await shop.store.messages(1803)).map((message) => message.direction)).toEqual(["in"]);
    expect((await shop.snapshotOf(1803)).value.consultant).toBe("listening");
  });

  it("asks a redelivered question once", async () => {
    shop = await startShopHarness();
    const anna = shop.customer(1804);
    await inConsultant(anna);
    const question = updates.privateText(anna.from, "А улун есть?");
    await anna.deliver(question);
    await anna.deliver(question);
    expect(shop.consultant.questions).toHaveLength(1);
    expect(anna.messages().filter((message) => message.text?.startsWith("Из нашего каталога"))).toHaveLength(1);
  });

  it("is left by /menu, and free text is a search again", async () => {
    shop = await startShopHarness();
    const anna = shop.customer(1805);
    await inConsultant(anna);
    await anna.command("menu");
    expect((await shop.snapshotOf(1805)).value.consultant).toBe("off");
    await anna.send("сенча");
    expect(anna.screen().text).toContain("Найдено по запросу «сенча»");
    expect(shop.consultant.questions).toEqual([]);
  });
});
