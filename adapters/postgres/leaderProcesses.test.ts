import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { startBotApiStandIn, type BotApiStandIn } from "../telegram/testing/botApiStandIn.ts";
import * as updates from "../telegram/testing/telegramUpdates.ts";
import { freePorts, killAll, logLines, startMain, until, type StartedMain } from "../testing/npmStart.ts";
import { freshDatabase } from "./testing/freshDatabase.ts";

/**
 * Several `npm start` on one PostgreSQL database in long polling: exactly one of them (the leader)
 * polls each bot, runs the owner's side and says so on /health; the others fire timers and deliver
 * effects. When the leader is SIGKILLed, another takes over polling within seconds, and nothing a
 * customer was answered is lost.
 */

const token = "7061:AAH-leader-shop-token-not-real_1234";
const ownerToken = "7063:AAH-leader-owner-token-not-real_12";
const ownerId = 100;

let dir: string;
let standIn: BotApiStandIn | undefined;
const mains: StartedMain[] = [];
afterEach(async () => {
  await killAll(mains);
  await standIn?.close();
  standIn = undefined;
  rmSync(dir, { recursive: true, force: true });
});

interface Health {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function health(port: number): Promise<Health> {
  const answer = await fetch(`http://127.0.0.1:${port}/health`);
  return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
}

const leads = (body: Record<string, unknown>): boolean => (body["process"] as { leader?: boolean } | undefined)?.leader === true;

/** Every stdout line is a JSON log line, and stderr holds only the start-up links: no stack, no unstructured output. */
function expectOnlyLogLines(main: StartedMain): void {
  for (const line of main.output().split("\n").filter((text) => text.trim() !== "")) expect(() => JSON.parse(line) as unknown).not.toThrow();
  expect(main.errors()).not.toMatch(/\n\s+at |Error:/);
}

describe("several npm start on one PostgreSQL database (long polling)", () => {
  it("polls through one leader, hands over to another process when the leader is SIGKILLed, and loses nothing a customer was answered", async () => {
    dir = mkdtempSync(join(tmpdir(), "pg-leader-"));
    standIn = await startBotApiStandIn({ bots: { [token]: { username: "leader_shop_bot" }, [ownerToken]: { username: "leader_crm_bot" } } });
    const live = standIn;
    const url = await freshDatabase("leader_processes");
    const ports = await freePorts(2);
    const env = { SHOP_BOT_TOKEN: token, OWNER_BOT_TOKEN: ownerToken, OWNER_IDS: String(ownerId), TELEGRAM_API_ROOT: live.apiRoot, STORE: "postgres", DATABASE_URL: url };
    const start = (port: number): StartedMain => {
      const main = startMain({ ...env, HEALTH_PORT: String(port) }, dir);
      mains.push(main);
      return main;
    };
    const first = start(ports[0] ?? 0);
    await until(() => first.output().includes('"event":"leading"'), "the first process to lead", 30_000);
    const second = start(ports[1] ?? 0);
    await until(() => second.output().includes('"event":"started"'), "the second process to start", 30_000);

    const [one, two] = [await health(ports[0] ?? 0), await health(ports[1] ?? 0)];
    expect([one.status, two.status]).toEqual([200, 200]);
    expect([leads(one.body), leads(two.body)]).toEqual([true, false]);
    expect(one.body["bots"]).toMatchObject([{ bot: "shop", mode: "long polling", running: true }, { bot: "owner", mode: "long polling", running: true }]);
    expect(two.body["bots"]).toMatchObject([{ bot: "shop", mode: "long polling by the leader", running: true }, { bot: "owner", mode: "long polling by the leader", running: true }]);
    expect(logLines(second.output(), "leading")).toEqual([]);

    const anna = updates.user(61, { first_name: "Анна" });
    live.pushUpdate(updates.command(anna, "start"), { token });
    await until(() => live.messages(61, token).length >= 1, "the greeting");
    live.pushUpdate(updates.press(anna, live.messages(61, token)[0], "✅ Согласен"), { token });
    await until(() => live.messageWithButton(61, token, "🛍 Каталог") !== undefined, "the menu after consent");

    first.kill("SIGKILL");
    await first.exited;
    await until(() => second.output().includes('"event":"leading"'), "the second process to take over", 15_000);
    expect(leads((await health(ports[1] ?? 0)).body)).toBe(true);

    // The customer goes on where they were, answered by the new leader; the owner's bot answers too.
    live.pushUpdate(updates.press(anna, live.messageWithButton(61, token, "🛍 Каталог"), "🛍 Каталог"), { token });
    await until(() => live.messages(61, token).some((message) => message.text?.includes("Каталог") === true && message.reply_markup !== undefined && message !== live.messages(61, token)[0]), "the catalog from the new leader");
    const owner = updates.user(ownerId, { first_name: "Ольга" });
    // The new leader's clock sends the morning report once (the first leader may have sent it already).
    await until(() => live.messages(ownerId, ownerToken).some((message) => message.text?.startsWith("📅 Отчёт") === true), "the daily report");
    const reports = () => live.messages(ownerId, ownerToken).filter((message) => message.text?.startsWith("📅 Отчёт") === true);
    live.pushUpdate(updates.command(owner, "start"), { token: ownerToken });
    await until(() => live.messages(ownerId, ownerToken).some((message) => !message.text?.startsWith("📅") && message.reply_markup !== undefined), "the owner bot's menu");
    expect(reports()).toHaveLength(1);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const { rows } = await db.query("SELECT type FROM crm_events WHERE user_id = 61 ORDER BY seq");
      expect(rows.map((row: { type: string }) => row.type)).toContain("consent_given");
    } finally {
      await db.end();
    }
    expectOnlyLogLines(second);
    expectOnlyLogLines(first);
  }, 120_000);
});
