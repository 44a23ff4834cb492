import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startBotApiStandIn, type BotApiStandIn } from "../telegram/testing/botApiStandIn.ts";
import * as updates from "../telegram/testing/telegramUpdates.ts";
import { freePorts, killAll, logLines, startMain, until, type StartedMain } from "../testing/npmStart.ts";
import { freshDatabase } from "./testing/freshDatabase.ts";

/**
 * Two `npm start` on one PostgreSQL database in webhook mode: both take the shop bot's webhook, the
 * leader polls the owner bot. The owner's price change, made in the leader, is what a customer
 * served by the other process sees at once (the catalog's news over NOTIFY), and /health of each
 * says how each bot reaches the deployment.
 */

const token = "7071:AAH-webhook-pg-shop-token-not-real_1";
const ownerToken = "7073:AAH-webhook-pg-owner-token-not-real";
const ownerId = 100;
const webhookBase = "https://shop.example.test/tg";

let dir: string;
let standIn: BotApiStandIn | undefined;
const mains: StartedMain[] = [];
afterEach(async () => {
  await killAll(mains);
  await standIn?.close();
  standIn = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Presses the first button starting with `prefix` on the message `chatId` is looking at in `bot`'s chat. */
function pressStarting(live: BotApiStandIn, bot: string, from: ReturnType<typeof updates.user>, prefix: string): void {
  const message = live.viewedMessage(from.id, bot);
  const button = live.buttonsOf(message).find((candidate) => candidate.text.startsWith(prefix));
  if (!button) throw new Error(`no button starting with ${prefix}: ${JSON.stringify(live.buttonsOf(message).map((candidate) => candidate.text))}`);
  live.pushUpdate(updates.press(from, message, button.text), { token: bot });
}

/** The text and the buttons' labels of the message the person is looking at, every space a plain one. */
function viewedText(live: BotApiStandIn, bot: string, chatId: number): string {
  const message = live.viewedMessage(chatId, bot);
  const text = [message?.text ?? message?.caption ?? "", ...live.buttonsOf(message).map((button) => button.text)].join("\n");
  return text.replace(/\s/gu, (space) => (space === "\n" ? space : " "));
}

describe("several npm start on one PostgreSQL database (webhooks)", () => {
  it("serves the shop's webhook in every process, the owner bot from the leader, and a price the owner changed to a customer on the other process", async () => {
    dir = mkdtempSync(join(tmpdir(), "pg-webhook-"));
    standIn = await startBotApiStandIn({ bots: { [token]: { username: "hook_pg_shop_bot" }, [ownerToken]: { username: "hook_pg_crm_bot" } } });
    const live = standIn;
    const url = await freshDatabase("webhook_processes");
    const ports = await freePorts(2);
    const env = { SHOP_BOT_TOKEN: token, OWNER_BOT_TOKEN: ownerToken, OWNER_IDS: String(ownerId), TELEGRAM_API_ROOT: live.apiRoot, STORE: "postgres", DATABASE_URL: url, WEBHOOK_URL: webhookBase };
    const leader = startMain({ ...env, PORT: String(ports[0]) }, dir);
    mains.push(leader);
    await until(() => leader.output().includes('"event":"leading"'), "the first process to lead", 30_000);
    const follower = startMain({ ...env, PORT: String(ports[1]) }, dir);
    mains.push(follower);
    await until(() => follower.output().includes('"event":"started"'), "the second process to start", 30_000);
    expect(logLines(follower.output(), "started")[0]).toMatchObject({ store: "postgres", mode: `webhook on port ${ports[1]}, long polling (by the leader)` });
    // Telegram's posts reach the follower only: the customer is served there.
    live.routeWebhook(`${webhookBase}/shop`, `http://127.0.0.1:${ports[1]}/shop`);

    const followerHealth = (await (await fetch(`http://127.0.0.1:${ports[1]}/health`)).json()) as Record<string, unknown>;
    expect(followerHealth["process"]).toMatchObject({ leader: false });
    expect(followerHealth["bots"]).toMatchObject([{ bot: "shop", mode: "webhook", running: true }, { bot: "owner", mode: "long polling by the leader", running: true }]);
    const leaderHealth = (await (await fetch(`http://127.0.0.1:${ports[0]}/health`)).json()) as Record<string, unknown>;
    expect(leaderHealth["process"]).toMatchObject({ leader: true });
    expect(leaderHealth["bots"]).toMatchObject([{ bot: "shop", mode: "webhook", running: true }, { bot: "owner", mode: "long polling", running: true }]);

    const anna = updates.user(701, { first_name: "Анна" });
    live.pushUpdate(updates.command(anna, "start"), { token });
    await until(() => live.messageWithButton(701, token, "✅ Согласен") !== undefined, "the greeting");
    live.pushUpdate(updates.press(anna, live.messageWithButton(701, token, "✅ Согласен"), "✅ Согласен"), { token });
    await until(() => live.messageWithButton(701, token, "🛍 Каталог") !== undefined, "the menu");
    const shopStep = async (prefix: string, shows: string): Promise<void> => {
      pressStarting(live, token, anna, prefix);
      await until(() => viewedText(live, token, 701).includes(shows), `the shop to show ${shows}`);
    };
    await shopStep("🛍 Каталог", "🍵");
    await shopStep("🍵", "Сенча");
    await shopStep("Сенча", "Цена: 590 ₽");

    const olga = updates.user(ownerId, { first_name: "Ольга" });
    const ownerStep = async (prefix: string, shows: string): Promise<void> => {
      pressStarting(live, ownerToken, olga, prefix);
      await until(() => viewedText(live, ownerToken, ownerId).includes(shows), `the owner bot to show ${shows}`);
    };
    live.pushUpdate(updates.command(olga, "start"), { token: ownerToken });
    await until(() => live.messageWithButton(ownerId, ownerToken, "🛍 Каталог") !== undefined, "the owner's menu");
    await ownerStep("🛍 Каталог", "🍵 Чай");
    await ownerStep("🍵 Чай", "👁 Сенча");
    await ownerStep("👁 Сенча", "Цена: 590 ₽");
    await ownerStep("💰 Цена", "Новая цена");
    live.pushUpdate(updates.privateText(olga, "640"), { token: ownerToken });
    await until(() => viewedText(live, ownerToken, ownerId).includes("590 ₽ → 640 ₽"), "the confirmation");
    await ownerStep("✅ Сохранить", "Цена: 640 ₽");

    // The follower built its catalog at 590 ₽; the leader's edit reaches it by NOTIFY.
    pressStarting(live, token, anna, "◀️ Назад");
    await until(() => live.buttonsOf(live.viewedMessage(701, token)).some((button) => button.text.startsWith("Сенча")), "the shelf again");
    await shopStep("Сенча", "Цена: 640 ₽");
    expect(live.webhookDeliveries.every((delivery) => delivery.status === 200)).toBe(true);
    for (const main of [leader, follower]) for (const line of main.output().split("\n").filter((text) => text.trim() !== "")) expect(() => JSON.parse(line) as unknown).not.toThrow();
  }, 120_000);
});
