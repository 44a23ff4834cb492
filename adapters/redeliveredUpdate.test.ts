import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Update, User } from "grammy/types";
import { afterEach, describe, expect, it } from "vitest";
import { startChatCompletionsStandIn, standInApiKey, type ChatCompletionsStandIn } from "./openai/testing/chatCompletionsStandIn.ts";
import { shopButtons } from "./telegram/shop/shopButtons.ts";
import { startBotApiStandIn, type BotApiStandIn } from "./telegram/testing/botApiStandIn.ts";
import * as updates from "./telegram/testing/telegramUpdates.ts";
import { freePort, startMain, until, type StartedMain } from "./testing/npmStart.ts";

/**
 * What Telegram does when a webhook's answer never came back: it posts the same update again. By
 * then the update's events are committed and the customer's state has moved on, so the update,
 * read again against that state, would be taken for another step. Through the real `npm start` in
 * webhook mode: each update is posted once, handled (200), and posted again.
 */

const token = "7031:AAH-redelivered-update-not-real_12";
const secret = "hook-secret-redelivered-update";

let dir: string;
let standIn: BotApiStandIn | undefined;
let openAi: ChatCompletionsStandIn | undefined;
let main: StartedMain | undefined;
afterEach(async () => {
  main?.kill("SIGKILL");
  await main?.exited;
  await standIn?.close();
  await openAi?.close();
  main = undefined;
  standIn = undefined;
  openAi = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** `npm start` with the shop bot on a webhook and the consultant on a local AI stand-in, and how a test talks to it. */
async function startProduct() {
  dir = mkdtempSync(join(tmpdir(), "redelivered-update-"));
  const api = await startBotApiStandIn({ botInfo: { username: "again_bot", first_name: "Лавка" } });
  standIn = api;
  const ai = await startChatCompletionsStandIn({ reply: "Советую шу пуэр." });
  openAi = ai;
  const port = await freePort();
  const started = startMain(
    { SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: api.apiRoot, WEBHOOK_URL: "https://shop.example.test/tg", PORT: String(port), WEBHOOK_SECRET: secret, DATABASE_PATH: join(dir, "crm.sqlite"), OPENAI_API_KEY: standInApiKey, OPENAI_BASE_URL: ai.baseURL },
    dir,
  );
  main = started;
  await until(() => started.output().includes('"event":"started"'), "the started line");
  /** Posts an update as Telegram does, and expects the 200 that tells Telegram it was handled. */
  const post = async (update: Update): Promise<void> => {
    api.observe(update);
    const headers = { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret };
    const response = await fetch(`http://127.0.0.1:${port}/shop`, { method: "POST", headers, body: JSON.stringify(update) });
    expect(response.status).toBe(200);
  };
  const press = (who: User, data: string): Promise<void> => {
    const message = api.viewedMessage(who.id, token);
    if (!message) throw new Error("no message to press on");
    return post(updates.callback(who, data, message));
  };
  const texts = (who: User): string[] => api.messages(who.id, token).map((message) => message.text ?? message.caption ?? "");
  return { api, ai, started, post, press, texts };
}

/** The stored events of a customer, by type and payload, read from the file once the process has stopped. */
function eventsOf(userId: number): { readonly type: string; readonly payload: Record<string, unknown> }[] {
  const db = new DatabaseSync(join(dir, "crm.sqlite"), { readOnly: true });
  const rows = db.prepare("SELECT type, payload FROM crm_events WHERE user_id = ? ORDER BY seq").all(userId);
  db.close();
  return rows.map((row) => ({ type: String(row["type"]), payload: JSON.parse(String(row["payload"])) as Record<string, unknown> }));
}

const deliveryPrompt = "🚚 Шаг 2 из 3. Напишите адрес доставки или комментарий к заказу (до 500 символов).";
const searchOrQuestion = (userId: number): string[] => eventsOf(userId).flatMap((event) => (event.type === "question_asked" || event.type === "search" ? [event.type] : []));

describe("an update Telegram posts again after it was handled, through npm start in webhook mode", () => {
  it("a typed phone posted again is not taken as the delivery address: the delivery prompt is shown again", async () => {
    const { started, post, press, texts } = await startProduct();
    const ira = updates.user(3101, { first_name: "Ира", language_code: "ru" });
    await post(updates.command(ira, "start"));
    await press(ira, shopButtons.encode("add", "kenya-aa"));
    await press(ira, shopButtons.encode("co"));
    const phone = updates.privateText(ira, "+7 999 111-22-33");
    await post(phone);
    await post(phone);
    expect(texts(ira).slice(-2)).toEqual([deliveryPrompt, deliveryPrompt]);
    await post(updates.privateText(ira, "Самовывоз"));
    expect(texts(ira).at(-1)).toContain("Самовывоз");
    expect(texts(ira).at(-1)).not.toContain("111-22-33");

    started.kill("SIGTERM");
    expect((await started.exited).code).toBe(0);
    expect(eventsOf(ira.id).filter((event) => event.type === "delivery_given").map((event) => event.payload)).toEqual([{ text: "Самовывоз" }]);
  }, 30_000);

  it("a question posted again, after the answer came and the customer left the consultant, is asked once and searched never", async () => {
    const { api, ai, started, post, press } = await startProduct();
    const oleg = updates.user(3102, { first_name: "Олег", language_code: "ru" });
    await post(updates.command(oleg, "start"));
    await press(oleg, shopButtons.encode("cons", true));
    await press(oleg, shopButtons.encode("ai"));
    const question = updates.privateText(oleg, "Что взять к десерту?");
    await post(question);
    await until(() => api.viewedMessage(oleg.id, token)?.text === "Советую шу пуэр.", "the consultant's answer");
    await press(oleg, shopButtons.encode("aix"));
    await post(question);
    expect(api.viewedMessage(oleg.id, token)?.text).toBe("Главное меню. Что посмотрим?");

    started.kill("SIGTERM");
    expect((await started.exited).code).toBe(0);
    expect(searchOrQuestion(oleg.id)).toEqual(["question_asked"]);
    expect(ai.requests).toHaveLength(1);
    expect(ai.requests[0]?.body?.messages.at(-1)?.content).toContain("Что взять к десерту?");
  }, 30_000);

  it("a search posted again, after the customer went to the consultant, is one search and no question", async () => {
    const { api, ai, started, post, press } = await startProduct();
    const vera = updates.user(3103, { first_name: "Вера", language_code: "ru" });
    await post(updates.command(vera, "start"));
    await press(vera, shopButtons.encode("cons", true));
    const search = updates.privateText(vera, "кения");
    await post(search);
    await press(vera, shopButtons.encode("ai"));
    await post(search);
    expect(api.viewedMessage(vera.id, token)?.text).toMatch(/^💬 Консультант\n/);

    started.kill("SIGTERM");
    expect((await started.exited).code).toBe(0);
    expect(searchOrQuestion(vera.id)).toEqual(["search"]);
    expect(ai.requests).toEqual([]);
  }, 30_000);
});
