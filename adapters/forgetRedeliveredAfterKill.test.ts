import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Update } from "grammy/types";
import { afterEach, describe, expect, it } from "vitest";
import { shopButtons } from "./telegram/shop/shopButtons.ts";
import { startBotApiStandIn, type BotApiStandIn } from "./telegram/testing/botApiStandIn.ts";
import * as updates from "./telegram/testing/telegramUpdates.ts";
import { killAtWalTruncateArgs } from "./testing/killAtWalTruncate.ts";
import { freePort, startMain, until, type StartedMain } from "./testing/npmStart.ts";

/**
 * `/forget` when the process dies between the erasure's commit and the WAL truncate that follows
 * it, and Telegram then delivers the same update again (a webhook that got no answer): the second
 * process finds the erasure already in the log and answers "done", so by then no byte of the
 * customer may be left in crm.sqlite or its WAL, although that process erased nothing itself.
 */

const token = "7071:AAH-forget-redelivered-not-real_12";
const secret = "hook-secret-forget-redelivered";
const pii = { name: "Евдокия", username: "evdokia_secret_handle", phone: "+79997651231", address: "Переулок Потаённый 21" };
const eva = updates.user(1310, { first_name: pii.name, username: pii.username, language_code: "ru" });

let dir: string;
let standIn: BotApiStandIn | undefined;
let main: StartedMain | undefined;
afterEach(async () => {
  main?.kill("SIGKILL");
  await main?.exited;
  await standIn?.close();
  main = undefined;
  standIn = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function onDisk(path: string): string[] {
  const files = [path, `${path}-wal`].filter((file) => existsSync(file)).map((file) => readFileSync(file));
  return Object.values(pii).filter((value) => files.some((bytes) => bytes.includes(Buffer.from(value, "utf8"))));
}

describe("/forget redelivered after a SIGKILL between its commit and the WAL truncate, through npm start", () => {
  it("answers only once no byte of the customer is left in crm.sqlite or its WAL", async () => {
    dir = mkdtempSync(join(tmpdir(), "forget-redelivered-"));
    const path = join(dir, "crm.sqlite");
    const api = await startBotApiStandIn({ botInfo: { username: "forget_again_bot", first_name: "Лавка" } });
    standIn = api;
    const port = await freePort();
    const start = (kill: boolean): StartedMain =>
      (main = startMain(
        { SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: api.apiRoot, WEBHOOK_URL: "https://shop.example.test/tg", PORT: String(port), WEBHOOK_SECRET: secret, DATABASE_PATH: path, ...(kill ? { SHOP_CRM_TEST_KILL_AT_WAL_TRUNCATE: "1" } : {}) },
        dir,
        { nodeArgs: killAtWalTruncateArgs },
      ));
    /** Posts an update as Telegram would; the status, or null when the process died before answering. */
    const post = async (update: Update): Promise<number | null> => {
      api.observe(update);
      const headers = { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret };
      return fetch(`http://127.0.0.1:${port}/shop`, { method: "POST", headers, body: JSON.stringify(update) }).then((response) => response.status, () => null);
    };
    const shown = () => api.lastMessage(eva.id, token);
    const press = (data: string): Update => {
      const message = shown();
      if (!message) throw new Error("no message to press on");
      return updates.callback(eva, data, message);
    };

    const first = start(true);
    await until(() => first.output().includes('"event":"started"'), "the started line");
    expect(await post(updates.command(eva, "start"))).toBe(200);
    expect(await post(press(shopButtons.encode("cons", true)))).toBe(200);
    expect(await post(press(shopButtons.encode("add", "kenya-aa")))).toBe(200);
    expect(await post(press(shopButtons.encode("co")))).toBe(200);
    expect(await post(updates.privateText(eva, pii.phone))).toBe(200);
    expect(await post(updates.privateText(eva, pii.address))).toBe(200);
    const confirm = api.buttonsOf(shown()).find((button) => button.callback_data?.startsWith("s1.ok."))?.callback_data ?? "no confirm button";
    expect(await post(press(confirm))).toBe(200);
    expect(await post(updates.command(eva, "forget"))).toBe(200);

    // The erasure commits, and the process dies at the truncate that would have cleared the files.
    const erase = press(shopButtons.encode("forget", true));
    expect(await post(erase)).toBeNull();
    expect((await first.exited).signal).toBe("SIGKILL");
    expect(api.calls.some((call) => String(call.payload["text"] ?? "").startsWith("Готово. Удалено"))).toBe(false);
    expect(onDisk(path).sort()).toEqual(Object.values(pii).sort());

    // Telegram delivers the unanswered update again, to the restarted process.
    const second = start(false);
    await until(() => second.output().includes('"event":"started"'), "the started line after the restart");
    expect(await post(erase)).toBe(200);
    expect(api.calls.filter((call) => String(call.payload["text"] ?? "").startsWith("Готово. Удалено"))).toHaveLength(1);
    expect(onDisk(path)).toEqual([]);
    second.kill("SIGKILL");
    await second.exited;
    expect(onDisk(path)).toEqual([]);
  });
});
