import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { startBotApiStandIn, testBotInfo, type BotApiStandIn } from "./telegram/testing/botApiStandIn.ts";
import * as updates from "./telegram/testing/telegramUpdates.ts";
import { freePort, startMain, until, type StartedMain } from "./testing/npmStart.ts";

const token = "7012:AAH-webhook-test-token-not-real_1234";
const ownerToken = "7014:AAH-owner-webhook-test-token-not-real";
const secret = "hook-secret-0123456789";
const ownerBot = testBotInfo({ id: 7014, first_name: "CRM", username: "hook_crm_bot" });

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

/** What grammY, the runner and Node print when an error escapes; the start-up links on stderr are fine. */
const unstructured = /No error handler|ERROR ERROR|Error in middleware|BotError|GrammyError|\n\s+at /;

/** The log as JSON objects; a line that is not one fails the test (no unstructured output). */
function logOf(output: string): Array<Record<string, unknown>> {
  return output
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * Makes every later event insert fail, from outside the running process: a trigger added to its
 * SQLite file through a second connection, as a disk or a schema fault would. Returns its removal.
 */
function breakTheStore(path: string): () => void {
  const db = new DatabaseSync(path);
  db.exec("CREATE TRIGGER test_store_fault BEFORE INSERT ON crm_events BEGIN SELECT RAISE(ABORT, 'the disk refused the write'); END;");
  db.close();
  return () => {
    const again = new DatabaseSync(path);
    again.exec("DROP TRIGGER test_store_fault");
    again.close();
  };
}

function startEntries(env: Record<string, string>): StartedMain {
  dir = mkdtempSync(join(tmpdir(), "webhook-"));
  return startMain({ SHOP_BOT_TOKEN: token, OWNER_BOT_TOKEN: ownerToken, OWNER_IDS: "100", DATABASE_PATH: join(dir, "crm.sqlite"), ...env }, dir);
}

describe("webhook answers", () => {
  it("answers 200 to handled, malformed and blocked-stranger updates, and 500 only when the store fails, so Telegram redelivers that one", async () => {
    standIn = await startBotApiStandIn({ botInfo: { username: "hook_bot", first_name: "Хук" } });
    const port = await freePort();
    main = startEntries({ TELEGRAM_API_ROOT: standIn.apiRoot, WEBHOOK_URL: "https://shop.example.test/tg", PORT: String(port), WEBHOOK_SECRET: secret });
    const running = main;
    await until(() => running.output().includes('"event":"started"'), "the started line");
    const post = async (path: string, body: string): Promise<number> =>
      (await fetch(`http://127.0.0.1:${port}${path}`, { method: "POST", headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret }, body })).status;

    const handled = updates.command(updates.user(43, { first_name: "Вебхук" }), "start");
    expect(await post("/shop", JSON.stringify(handled))).toBe(200);
    expect(standIn.messages(43, token)[0]?.text).toContain("Здравствуйте, Вебхук!");

    const stranger = updates.user(666, { first_name: "Мэллори" });
    standIn.block(666, ownerToken);
    const kicked = updates.botBlocked(stranger, ownerBot);
    const refused = updates.command(stranger, "crm");
    expect(await post("/owner", JSON.stringify(kicked))).toBe(200);
    expect(await post("/owner", JSON.stringify(refused))).toBe(200);

    const nullChat = updates.privateText(updates.user(44), "чай");
    Object.assign(nullChat.message?.chat ?? {}, { id: null });
    expect(await post("/shop", JSON.stringify(nullChat))).toBe(200);
    expect(await post("/shop", "{ this is not json")).toBe(200);
    expect(await post("/owner", "[1, 2]")).toBe(200);

    const restore = breakTheStore(join(dir, "crm.sqlite"));
    const lost = updates.command(updates.user(47, { first_name: "Лена" }), "start");
    expect(await post("/shop", JSON.stringify(lost))).toBe(500);
    expect(standIn.messages(47, token).map((message) => message.text)).toEqual(["⚠️ Что-то пошло не так. Ничего не потеряно — попробуйте ещё раз."]);
    restore();
    expect(await post("/shop", JSON.stringify(lost))).toBe(200);

    running.kill("SIGTERM");
    const { code, stdout, stderr } = await running.exited;
    expect(code).toBe(0);
    expect(stderr).not.toMatch(unstructured);
    const log = logOf(stdout);
    const linesOf = (updateId: number) => log.filter((line) => line["updateId"] === updateId).map((line) => line["event"]);
    expect(linesOf(kicked.update_id)).toEqual(["update"]);
    expect(linesOf(refused.update_id)).toEqual(["owner_refused", "update"]);
    expect(log.find((line) => line["event"] === "owner_refused")).toMatchObject({ blocked: true, answered: false });
    expect(log.filter((line) => line["event"] === "update_dropped").map((line) => [line["bot"], line["reason"], line["updateId"]])).toEqual([
      ["shop", "bad_chat", nullChat.update_id],
      ["shop", "not_json", null],
      ["owner", "not_an_object", null],
    ]);
    expect(log.filter((line) => line["event"] === "update_failed")).toEqual([expect.objectContaining({ bot: "shop", updateId: lost.update_id, error: "CommitFailed", stored: false })]);
    const db = new DatabaseSync(join(dir, "crm.sqlite"));
    expect(db.prepare("SELECT count(*) AS n FROM crm_events WHERE user_id = 47 AND type = 'start'").get()?.["n"]).toBe(1);
    db.close();
  }, 30_000);

  it("in long polling, logs a store failure as one line and goes on with the next update", async () => {
    standIn = await startBotApiStandIn({ botInfo: { username: "poll_bot", first_name: "Пул" } });
    main = startEntries({ TELEGRAM_API_ROOT: standIn.apiRoot });
    const running = main;
    await until(() => running.output().includes('"event":"started"'), "the started line");
    const restore = breakTheStore(join(dir, "crm.sqlite"));
    standIn.pushUpdate(updates.command(updates.user(48, { first_name: "Ира" }), "start"), { token });
    await until(() => running.output().includes('"event":"update_failed"'), "the failure logged");
    restore();
    standIn.pushUpdate(updates.command(updates.user(49, { first_name: "Олег" }), "start"), { token });
    await until(() => (standIn?.messages(49, token).length ?? 0) >= 1, "the next update answered");

    running.kill("SIGTERM");
    const { code, stdout, stderr } = await running.exited;
    expect(code).toBe(0);
    expect(stderr).not.toMatch(unstructured);
    expect(logOf(stdout).filter((line) => line["event"] === "update_failed")).toEqual([expect.objectContaining({ error: "CommitFailed", stored: false })]);
  }, 30_000);
});
