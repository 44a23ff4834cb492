import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Update } from "grammy/types";
import { afterEach, describe, expect, it } from "vitest";
import { startBotApiStandIn, type BotApiStandIn } from "./telegram/testing/botApiStandIn.ts";
import * as updates from "./telegram/testing/telegramUpdates.ts";
import { startMain, until } from "./testing/npmStart.ts";

const token = "7012:AAH-broadcast-main-test-token-not-real";
const ownerToken = "7014:AAH-broadcast-owner-test-token-not-real";

let dir: string;
let standIn: BotApiStandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe("npm start with broadcasts", () => {
  it("lets the owner compose, preview and send a broadcast from 📣, which reaches the customer through the shop bot, and reports", async () => {
    dir = mkdtempSync(join(tmpdir(), "main-broadcast-"));
    const api = await startBotApiStandIn({ botInfo: { username: "broadcast_test_bot", first_name: "Лавка" } });
    standIn = api;
    const main = startMain({ SHOP_BOT_TOKEN: token, OWNER_BOT_TOKEN: ownerToken, OWNER_IDS: "100", TELEGRAM_API_ROOT: api.apiRoot, DATABASE_PATH: join(dir, "crm.sqlite") }, dir);
    await until(() => main.output().includes('"event":"started"'), "the started line");

    const anna = updates.user(42, { first_name: "Анна" });
    api.pushUpdate(updates.command(anna, "start"), { token });
    await until(() => api.messages(42, token).length >= 1, "the greeting");

    const olga = updates.user(100, { first_name: "Ольга" });
    const owner = (update: Update) => api.pushUpdate(update, { token: ownerToken });
    /** Presses a button of the owner's chat and waits until the press is answered. */
    const press = async (label: string) => {
      const pressed = owner(updates.press(olga, api.messageWithButton(100, ownerToken, label), label));
      const id = pressed.callback_query?.id;
      await until(() => api.callbackAnswers.some((answer) => answer.token === ownerToken && answer.callback_query_id === id), `the press of ${label}`);
    };
    const seen = (text: string) => until(() => api.messages(100, ownerToken).some((message) => (message.text ?? "").includes(text)), text);

    owner(updates.command(olga, "start"));
    await seen("Панель владельца");
    await press("📣 Рассылки");
    await press("✍️ Новая рассылка");
    await seen("Пришлите сообщение");
    const message = updates.privateText(olga, "Новый урожай уже в магазине");
    owner({ ...message, message: { ...(message.message as NonNullable<Update["message"]>), entities: [{ type: "bold", offset: 0, length: 12 }] } });
    await seen("Добавить под сообщением кнопку?");
    await press("Без кнопки");
    await press("👥 Все подписчики (1)");
    await seen("получателей: 1");
    await press("🚀 Отправить сейчас");

    await until(() => api.messages(42, token).some((got) => got.text === "Новый урожай уже в магазине"), "the broadcast at the customer");
    const got = api.messages(42, token).find((message) => message.text === "Новый урожай уже в магазине");
    expect(got?.entities).toEqual([{ type: "bold", offset: 0, length: 12 }]);
    expect(api.buttonsOf(got).map((button) => button.text)).toEqual(["🔕 Отписаться"]);
    await seen("Доставлено: 1 из 1");

    main.kill("SIGTERM");
    const { code, stdout } = await main.exited;
    expect(code).toBe(0);
    expect(stdout).not.toContain(token);
    expect(stdout).not.toContain(ownerToken);
  });
});
