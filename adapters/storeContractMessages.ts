import { expect, it } from "vitest";
import { formatMessagesForAi } from "../actors/conversation.ts";
import { at, type ContractHarness } from "./storeContract.ts";

/**
 * The message log: consent, direction, limits, counts and the AI context it is formatted into. Part of
 * the main store contract (storeContract.ts), against each store.
 */
export function messagesContract({ setup }: ContractHarness): void {
  it("starts with an empty messages table", async () => {
    const { store } = await setup();
    expect(await store.messages(1)).toEqual([]);
    expect(await store.messagesCount(1)).toBe(0);
  });

  it("logs a message of a consenting customer", async () => {
    const { store, runtime } = await setup();
    await runtime.dispatch(1, { type: "consent_given", version: "v1", key: "c" });
    const result = await runtime.logMessage(1, { direction: "in", type: "text", text: "Есть зелёный чай?", key: "m1" });
    expect(result).toMatchObject({ logged: true, duplicate: false });
    expect(await store.messages(1)).toEqual([
      { id: expect.any(Number), userId: 1, direction: "in", type: "text", text: "Есть зелёный чай?", at: at("2026-01-27T10:00:00Z") },
    ]);
    expect((await store.events(1, { types: ["message_in"] }))[0]?.payload).toEqual({ messageType: "text", chars: 17 });
  });

  it("refuses, and stores nothing, while the customer has not consented", async () => {
    const { store, runtime } = await setup();
    await runtime.dispatch(1, { type: "start", key: "s" });
    expect(await runtime.logMessage(1, { direction: "in", type: "text", text: "hello", key: "m1" })).toEqual({ logged: false, reason: "no_consent" });
    await runtime.dispatch(1, { type: "consent_given", version: "v1", key: "c" });
    await runtime.dispatch(1, { type: "consent_revoked", key: "r" });
    expect(await runtime.logMessage(1, { direction: "out", type: "ai_response", text: "hi", key: "m2" })).toEqual({ logged: false, reason: "no_consent" });
    expect(await store.messagesCount(1)).toBe(0);
    expect((await store.events(1)).map((event) => event.type)).toEqual(["start", "consent_given", "consent_revoked"]);
  });

  it("filters messages by direction and limits them to the newest", async () => {
    const { store, runtime, clock } = await setup();
    await runtime.dispatch(1, { type: "consent_given", version: "v1", key: "c" });
    for (let i = 0; i < 3; i++) {
      clock.advance(1_000);
      await runtime.logMessage(1, { direction: "in", type: "text", text: `q${i}`, key: `in${i}` });
      await runtime.logMessage(1, { direction: "out", type: "ai_response", text: `a${i}`, key: `out${i}` });
    }
    expect((await store.messages(1, { direction: "in" })).map((message) => message.text)).toEqual(["q0", "q1", "q2"]);
    expect((await store.messages(1, { direction: "out", limit: 2 })).map((message) => message.text)).toEqual(["a1", "a2"]);
    expect((await store.messages(1, { limit: 3 })).map((message) => message.text)).toEqual(["a1", "q2", "a2"]);
  });

  it("counts messages", async () => {
    const { store, runtime } = await setup();
    await runtime.dispatch(1, { type: "consent_given", version: "v1", key: "c" });
    await runtime.logMessage(1, { direction: "in", type: "text", text: "a", key: "m1" });
    await runtime.logMessage(1, { direction: "out", type: "ai_response", text: "b", key: "m2" });
    await runtime.logMessage(1, { direction: "in", type: "text", text: "c", key: "m3" });
    expect(await store.messagesCount(1)).toBe(3);
    expect(await store.messagesCount(1, { direction: "in" })).toBe(2);
  });

  it("knows whether a customer has consented", async () => {
    const { store, runtime } = await setup();
    expect(await store.hasConsent(1)).toBe(false);
    await runtime.dispatch(1, { type: "start", key: "s" });
    expect(await store.hasConsent(1)).toBe(false);
    await runtime.dispatch(1, { type: "consent_given", version: "2026-01", key: "c" });
    expect(await store.hasConsent(1)).toBe(true);
    expect((await store.lead(1))?.consentVersion).toBe("2026-01");
    await runtime.dispatch(1, { type: "consent_revoked", key: "r" });
    expect(await store.hasConsent(1)).toBe(false);
  });

  it("formats stored messages for an AI context", async () => {
    const { store, runtime, clock } = await setup();
    await runtime.dispatch(1, { type: "consent_given", version: "v1", key: "c" });
    await runtime.logMessage(1, { direction: "in", type: "text", text: "Сколько стоит пуэр?", key: "m1" });
    clock.advance(1_000);
    await runtime.logMessage(1, { direction: "out", type: "ai_response", text: "Пуэр стоит 990 ₽.", key: "m2" });
    clock.advance(1_000);
    await runtime.logMessage(1, { direction: "in", type: "text", text: "Беру!", key: "m3" });
    expect(formatMessagesForAi(await store.messages(1))).toEqual([
      { role: "user", content: "Сколько стоит пуэр?" },
      { role: "assistant", content: "Пуэр стоит 990 ₽." },
      { role: "user", content: "Беру!" },
    ]);
    expect(formatMessagesForAi(await store.messages(1), 25)).toEqual([
      { role: "assistant", content: "Пуэр стоит 990 ₽." },
      { role: "user", content: "Беру!" },
    ]);
  });

  it("keeps customers' messages apart", async () => {
    const { store, runtime } = await setup();
    await runtime.dispatch(1, { type: "consent_given", version: "v1", key: "c1" });
    await runtime.dispatch(2, { type: "consent_given", version: "v1", key: "c2" });
    await runtime.logMessage(1, { direction: "in", type: "text", text: "from one", key: "m1" });
    await runtime.logMessage(2, { direction: "in", type: "text", text: "from two", key: "m2" });
    expect((await store.messages(1)).map((message) => message.text)).toEqual(["from one"]);
    expect((await store.messages(2)).map((message) => message.text)).toEqual(["from two"]);
  });

  it("truncates a message to 2000 characters without splitting an emoji", async () => {
    const { store, runtime } = await setup();
    await runtime.dispatch(1, { type: "consent_given", version: "v1", key: "c" });
    await runtime.logMessage(1, { direction: "in", type: "text", text: "x".repeat(2500), key: "m1" });
    await runtime.logMessage(1, { direction: "in", type: "text", text: `${"y".repeat(1999)}😀tail`, key: "m2" });
    const [long, emoji] = await store.messages(1);
    expect(long?.text).toBe("x".repeat(2000));
    expect(emoji?.text).toBe("y".repeat(1999));
  });
}
