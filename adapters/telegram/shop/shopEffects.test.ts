import { Api } from "grammy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AiPort } from "../../../actors/ai.port.ts";
import type { EffectOutcome, EffectRequest } from "../../../actors/effects.port.ts";
import type { LogFields } from "../../../actors/log.port.ts";
import type { CustomerEffectParams } from "../../../machines/customer.types.ts";
import { createOpenAiPort } from "../../openai/openaiAi.ts";
import { standInApiKey, startChatCompletionsStandIn, type ChatCompletionsStandIn } from "../../openai/testing/chatCompletionsStandIn.ts";
import { startBotApiStandIn, type BotApiStandIn } from "../testing/botApiStandIn.ts";
import { createShopEffects, type ShopEffectsOptions } from "./shopEffects.ts";
import { shopBotInfo, shopToken } from "./testing/shopHarness.ts";
import { smallShop, switchableCatalog } from "./testing/switchableCatalog.ts";

/**
 * The shop's effect handlers against real parts: grammY's Api over HTTP to the Bot API stand-in,
 * and the OpenAI adapter over HTTP to the chat-completions stand-in. Each answer is what the effect
 * worker does next: done (with the event for the customer), retry (and when), or drop.
 */

let telegram: BotApiStandIn;
let openai: ChatCompletionsStandIn;
const logged: { event: string; fields: LogFields }[] = [];

beforeEach(async () => {
  telegram = await startBotApiStandIn({ botInfo: shopBotInfo });
  openai = await startChatCompletionsStandIn();
  logged.length = 0;
});
afterEach(async () => {
  await telegram.close();
  await openai.close();
});

const record = (event: string, fields: LogFields = {}): void => void logged.push({ event, fields });

function effects(options: Partial<ShopEffectsOptions> = {}) {
  return createShopEffects({
    api: new Api(shopToken, { apiRoot: telegram.apiRoot }),
    catalog: switchableCatalog(smallShop).catalog,
    ai: createOpenAiPort({ apiKey: standInApiKey, baseURL: openai.baseURL, maxRetries: 0 }),
    aiTimeoutMs: 2_000,
    log: { info: record, warn: record, error: record },
    ...options,
  });
}

function request<T extends keyof CustomerEffectParams>(type: T, params: CustomerEffectParams[T], actor = "customer:42"): EffectRequest<T, CustomerEffectParams[T]> {
  return { key: `e:${actor}:7:0`, actor, type, params, attempt: 1 };
}

const live = (): AbortSignal => new AbortController().signal;
const sencha = { lines: [{ productId: "sencha", qty: 2 }], language: "ru" } as const;

describe("sendCartReminder", () => {
  it("sends what is in the cart at today's prices, with the button back to it, and replies reminder_sent", async () => {
    const outcome = await effects().sendCartReminder(request("sendCartReminder", { lines: [...sencha.lines, { productId: "gone", qty: 1 }], language: "ru" }), live());
    expect(outcome).toEqual({ outcome: "done", reply: { type: "reminder_sent" } });
    const [message] = telegram.messages(42, shopToken);
    expect(message?.text).toMatch(/^🛒 Вы оставили товары в корзине\n\nСенча × 2 = 1\s180\s₽\n\nИтого: 1\s180\s₽/);
    expect(telegram.buttonsOf(message)).toMatchObject([{ text: "🛒 Открыть корзину", callback_data: "s1.cart" }, { text: "🔕 Отписаться", callback_data: "s1.unsub" }]);
  });

  it("sends nothing, and is done, when nothing in the cart is for sale any more", async () => {
    const outcome = await effects().sendCartReminder(request("sendCartReminder", { lines: [{ productId: "gone", qty: 1 }, { productId: "gyokuro", qty: 1 }], language: "en" }), live());
    expect(outcome).toEqual({ outcome: "done" });
    expect(telegram.callsTo("sendMessage")).toEqual([]);
  });

  it("turns each answer of Telegram into the worker's next step", async () => {
    const handlers = effects();
    const send = (): Promise<EffectOutcome> => handlers.sendCartReminder(request("sendCartReminder", sencha), live());
    telegram.failNext("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 7", parameters: { retry_after: 7 } });
    expect(await send()).toMatchObject({ outcome: "retry", afterMs: 7_000 });
    telegram.failNext("sendMessage", { error_code: 502, description: "Bad Gateway" });
    expect(await send()).toMatchObject({ outcome: "retry", reason: "502 Bad Gateway" });
    telegram.failNext("sendMessage", "disconnect");
    expect(await send()).toMatchObject({ outcome: "retry", reason: expect.stringMatching(/^network: /) });
    telegram.failNext("sendMessage", { error_code: 400, description: "Bad Request: chat not found" });
    expect(await send()).toEqual({ outcome: "drop", reason: "400 Bad Request: chat not found" });
    telegram.block(42, shopToken);
    expect(await send()).toEqual({ outcome: "done", reply: { type: "blocked" } });
    expect(telegram.messages(42, shopToken)).toEqual([]);
    expect(await handlers.sendCartReminder(request("sendCartReminder", sencha, "owner:1"), live())).toMatchObject({ outcome: "drop" });
  });
});

describe("askConsultant", () => {
  const ask = (text = "Что посоветуете?") => request("askConsultant", { question: text, language: "ru" });

  it("asks the AI with the catalog and replies with its answer", async () => {
    openai.setReply("Возьмите сенчу.");
    expect(await effects().askConsultant(ask(), live())).toEqual({ outcome: "done", reply: { type: "consultant_answered", text: "Возьмите сенчу." } });
    expect(JSON.stringify(openai.requests[0]?.body)).toContain("Сенча");
  });

  it("clips a long answer to 4,000 characters and drops control characters", async () => {
    openai.setReply(`\u0007${"а".repeat(5_000)}`);
    const outcome = await effects().askConsultant(ask(), live());
    const text = outcome.outcome === "done" ? String(outcome.reply?.["text"]) : "";
    expect([...text]).toHaveLength(4_000);
    expect(text.startsWith("аа")).toBe(true);
  });

  it("replies consultant_failed with timeout when the AI takes longer than its limit", async () => {
    openai.hangNext(5_000);
    expect(await effects({ aiTimeoutMs: 200 }).askConsultant(ask(), live())).toEqual({ outcome: "done", reply: { type: "consultant_failed", reason: "timeout" } });
  });

  it("replies consultant_failed, and neither the reply nor the log holds the key, when the AI refuses it", async () => {
    const wrongKey = "sk-proj-wrong0123456789abcdefSECRET";
    const outcome = await effects({ ai: createOpenAiPort({ apiKey: wrongKey, baseURL: openai.baseURL, maxRetries: 0 }) }).askConsultant(ask(), live());
    expect(outcome).toEqual({ outcome: "done", reply: { type: "consultant_failed", reason: "failed" } });
    expect(logged.find((line) => line.event === "consultant_failed")?.fields).toMatchObject({ reason: "rejected" });
    expect(JSON.stringify({ outcome, logged })).not.toContain("SECRET");
  });

  it("never throws what an AI port throws, and tries again when the worker stopped the attempt", async () => {
    const throwing: AiPort = {
      consult: () => Promise.reject(new Error(`upstream said: key ${standInApiKey}`)),
      summarize: () => Promise.reject(new Error("unused")),
    };
    const outcome = await effects({ ai: throwing }).askConsultant(ask(), live());
    expect(outcome).toEqual({ outcome: "done", reply: { type: "consultant_failed", reason: "failed" } });
    expect(JSON.stringify(logged)).not.toContain(standInApiKey);

    const stopped = new AbortController();
    stopped.abort(new Error("the worker is stopping"));
    expect(await effects({ ai: throwing }).askConsultant(ask(), stopped.signal)).toMatchObject({ outcome: "retry" });
    expect(await effects({ ai: null }).askConsultant(ask(), live())).toEqual({ outcome: "done", reply: { type: "consultant_failed", reason: "failed" } });
  });
});

describe("the consultant's messages", () => {
  it("sends the answer and the failures in the customer's language, with the way out of the consultant", async () => {
    const handlers = effects();
    expect(await handlers.sendConsultantAnswer(request("sendConsultantAnswer", { text: "Try <sencha> & co", language: "en" }), live())).toEqual({ outcome: "done" });
    expect(await handlers.sendConsultantFailure(request("sendConsultantFailure", { reason: "timeout", language: "en" }), live())).toEqual({ outcome: "done" });
    expect(await handlers.sendConsultantFailure(request("sendConsultantFailure", { reason: "failed", language: "ru" }), live())).toEqual({ outcome: "done" });
    const messages = telegram.messages(42, shopToken);
    expect(messages.map((message) => message.text)).toEqual([
      "Try <sencha> & co",
      "The consultant is taking too long. Please try again a little later.",
      "Консультант сейчас не смог ответить. Попробуйте ещё раз чуть позже.",
    ]);
    expect(messages.map((message) => telegram.buttonsOf(message).map((button) => button.text))).toEqual([["◀️ Leave the consultant"], ["◀️ Leave the consultant"], ["◀️ Выйти из чата с консультантом"]]);
  });
});
