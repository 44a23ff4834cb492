import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startChatCompletionsStandIn, standInApiKey, type ChatCompletionsStandIn } from "./openai/testing/chatCompletionsStandIn.ts";
import { startBotApiStandIn, type BotApiStandIn } from "./telegram/testing/botApiStandIn.ts";
import * as updates from "./telegram/testing/telegramUpdates.ts";
import { freePort, startMain, until } from "./testing/npmStart.ts";

const token = "7002:AAH-main-test-token-not-real_1234";
const ownerToken = "7004:AAH-owner-main-test-token-not-real";

let dir: string;
let standIn: BotApiStandIn | undefined;
let openAi: ChatCompletionsStandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  await openAi?.close();
  standIn = undefined;
  openAi = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe("npm start", () => {
  it("says exactly what to set when there is no token", async () => {
    dir = mkdtempSync(join(tmpdir(), "main-"));
    const { code, stderr } = await startMain({}, dir).exited;
    expect(code).toBe(1);
    expect(stderr).toContain("Set SHOP_BOT_TOKEN");
    expect(stderr).toContain("npm run demo");
  });

  it("refuses an owner bot without owners", async () => {
    dir = mkdtempSync(join(tmpdir(), "main-"));
    const { code, stderr } = await startMain({ SHOP_BOT_TOKEN: token, OWNER_BOT_TOKEN: ownerToken, OWNER_IDS: "" }, dir).exited;
    expect(code).toBe(1);
    expect(stderr).toContain("OWNER_IDS: expected Telegram user ids of the owners, comma-separated, e.g. 123456789,987654321; it is required with OWNER_BOT_TOKEN");
    const bad = await startMain({ SHOP_BOT_TOKEN: token, OWNER_IDS: "@olga", SESSION_STORAGE: "redis" }, dir).exited;
    expect(bad.stderr).toContain('SESSION_STORAGE: expected store (the CRM\'s own database) or free (@grammyjs/storage-free), got "redis"');
    expect(bad.stderr).not.toContain(ownerToken);
  });

  it("asks for both Sheets settings, and explains a bad service account key without printing it", async () => {
    dir = mkdtempSync(join(tmpdir(), "main-"));
    const half = await startMain({ SHOP_BOT_TOKEN: token, GOOGLE_SHEETS_ID: "1AbC" }, dir).exited;
    expect(half.code).toBe(1);
    expect(half.stderr).toContain("GOOGLE_SERVICE_ACCOUNT: expected a service account's JSON key, inline or as a file path; the Sheets mirror needs both GOOGLE_SHEETS_ID and GOOGLE_SERVICE_ACCOUNT");
    const bad = await startMain({ SHOP_BOT_TOKEN: token, GOOGLE_SHEETS_ID: "1AbC", GOOGLE_SERVICE_ACCOUNT: '{"private_key":"-----BEGIN SECRET-----"}' }, dir).exited;
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("GOOGLE_SERVICE_ACCOUNT has no client_email and private_key");
    expect(bad.stderr).not.toContain("BEGIN SECRET");
  });

  it("serves both bots by webhook with a secret, and answers GET /health", async () => {
    dir = mkdtempSync(join(tmpdir(), "main-"));
    standIn = await startBotApiStandIn({ botInfo: { username: "hook_bot", first_name: "Хук" } });
    const port = await freePort();
    const secret = "hook-secret-0123456789";
    const main = startMain(
      { SHOP_BOT_TOKEN: token, OWNER_BOT_TOKEN: ownerToken, OWNER_IDS: "100", TELEGRAM_API_ROOT: standIn.apiRoot, WEBHOOK_URL: "https://shop.example.test/tg", PORT: String(port), WEBHOOK_SECRET: secret, DATABASE_PATH: join(dir, "crm.sqlite") },
      dir,
    );
    await until(() => main.output().includes('"event":"started"'), "the started line");
    expect(standIn.callsTo("setWebhook", token)[0]?.payload).toMatchObject({ url: "https://shop.example.test/tg/shop", secret_token: secret });
    expect(standIn.callsTo("setWebhook", ownerToken)[0]?.payload).toMatchObject({ url: "https://shop.example.test/tg/owner", secret_token: secret });

    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, mode: "webhook", store: "sqlite" });

    const update = updates.command(updates.user(43, { first_name: "Вебхук" }), "start");
    standIn.observe(update);
    const forged = await fetch(`http://127.0.0.1:${port}/shop`, { method: "POST", headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": "wrong" }, body: JSON.stringify(update) });
    expect(forged.status).toBe(401);
    expect(standIn.messages(43, token)).toEqual([]);
    const posted = await fetch(`http://127.0.0.1:${port}/shop`, { method: "POST", headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret }, body: JSON.stringify(update) });
    expect(posted.status).toBe(200);
    expect(standIn.messages(43, token)[0]?.text).toContain("Здравствуйте, Вебхук!");

    main.kill("SIGTERM");
    const { code, stdout } = await main.exited;
    expect(code).toBe(0);
    expect(stdout).not.toContain(secret);
  });

  it("finishes an update in flight on SIGTERM before closing the store", async () => {
    dir = mkdtempSync(join(tmpdir(), "main-"));
    standIn = await startBotApiStandIn({ botInfo: { username: "slow_bot", first_name: "Медленный" } });
    const main = startMain({ SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: standIn.apiRoot, DATABASE_PATH: join(dir, "crm.sqlite") }, dir);
    await until(() => main.output().includes('"event":"started"'), "the started line");
    standIn.hangNext("sendMessage", 1_500);
    standIn.pushUpdate(updates.command(updates.user(45, { first_name: "Тимур" }), "start"), { token });
    await until(() => standIn?.calls.some((call) => call.method === "sendMessage" && Number(call.payload["chat_id"]) === 45) ?? false, "the reply to start");
    main.kill("SIGTERM");
    const { code, stdout } = await main.exited;
    expect(code).toBe(0);
    expect(stdout).not.toContain("update_failed");
    const lines = stdout.split("\n").filter((line) => line.includes('"event":"update"'));
    expect(lines.at(-1)).toContain('"outcome":"ok"');
    expect(stdout.indexOf('"event":"update"')).toBeLessThan(stdout.indexOf('"event":"stopped"'));
  });

  it("runs on the JSON store with STORE=json", async () => {
    dir = mkdtempSync(join(tmpdir(), "main-"));
    standIn = await startBotApiStandIn({ botInfo: { username: "json_bot", first_name: "Джейсон" } });
    const main = startMain({ SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: standIn.apiRoot, STORE: "json", JSON_STORE_DIR: join(dir, "json") }, dir);
    await until(() => main.output().includes('"event":"started"'), "the started line");
    expect(main.output()).toContain('"store":"json"');
    standIn.pushUpdate(updates.command(updates.user(44, { first_name: "Жанна" }), "start", "json_test"), { token });
    await until(() => (standIn?.messages(44, token).length ?? 0) >= 1, "the greeting");
    main.kill("SIGTERM");
    expect((await main.exited).code).toBe(0);
    const events = readFileSync(join(dir, "json", "events.jsonl"), "utf8");
    expect(events).toContain("json_test");
  });

  it("reports every invalid setting on its own line, and never prints a secret", async () => {
    dir = mkdtempSync(join(tmpdir(), "main-"));
    const { code, stderr } = await startMain({ SHOP_BOT_TOKEN: "not-a-token-secret-value", STORE: "mongo", CONSULTANT_MAX_QUESTIONS: "many", TIME_ZONE: "Mars/Olympus" }, dir).exited;
    expect(code).toBe(1);
    expect(stderr).toContain('STORE: expected sqlite, json or postgres, got "mongo"');
    expect(stderr).toContain('CONSULTANT_MAX_QUESTIONS: expected a whole number of questions per customer per window, got "many"');
    expect(stderr).not.toContain("not-a-token-secret-value");
    const second = await startMain({ SHOP_BOT_TOKEN: "not-a-token-secret-value", TIME_ZONE: "Mars/Olympus" }, dir).exited;
    expect(second.stderr).toContain('TIME_ZONE: expected an IANA time zone such as Europe/Moscow, got "Mars/Olympus"');
    expect(second.stderr).toContain("SHOP_BOT_TOKEN: expected the shop bot's token from @BotFather");
    expect(second.stderr).not.toContain("not-a-token-secret-value");
  });

  it("reports every config problem at once: a bad STORE hides neither a range check nor a missing OWNER_IDS", async () => {
    dir = mkdtempSync(join(tmpdir(), "main-"));
    const { code, stderr } = await startMain({ SHOP_BOT_TOKEN: token, OWNER_BOT_TOKEN: ownerToken, STORE: "mongo", REPORT_HOUR: "99", TELEGRAM_CONNECT_ATTEMPTS: "0" }, dir).exited;
    expect(code).toBe(1);
    expect(stderr.split("\n").filter((line) => line.startsWith("  "))).toEqual([
      '  STORE: expected sqlite, json or postgres, got "mongo"',
      "  TELEGRAM_CONNECT_ATTEMPTS: expected a whole number (at least 1) of attempts to reach Telegram at start; unset: keep trying, got 0",
      "  OWNER_IDS: expected Telegram user ids of the owners, comma-separated, e.g. 123456789,987654321; it is required with OWNER_BOT_TOKEN, or nobody could get in",
      "  REPORT_HOUR: expected the hour (0–23, in TIME_ZONE) of the daily report push, got 99",
    ]);
  });

  it("refuses one token for both bots, without printing it", async () => {
    dir = mkdtempSync(join(tmpdir(), "main-"));
    const { code, stdout, stderr } = await startMain({ SHOP_BOT_TOKEN: token, OWNER_BOT_TOKEN: token, OWNER_IDS: "100" }, dir).exited;
    expect(code).toBe(1);
    expect(stderr).toContain("OWNER_BOT_TOKEN: expected a second bot's token; it is the same as SHOP_BOT_TOKEN, and two pollers of one bot would fight.");
    expect(stdout + stderr).not.toContain(token);
  });

  it("prints each bot's t.me link after it starts, besides the JSON started line", async () => {
    dir = mkdtempSync(join(tmpdir(), "main-"));
    standIn = await startBotApiStandIn({ bots: { [token]: { username: "lavka_shop_bot" }, [ownerToken]: { username: "lavka_crm_bot" } } });
    const both = startMain({ SHOP_BOT_TOKEN: token, OWNER_BOT_TOKEN: ownerToken, OWNER_IDS: "100", TELEGRAM_API_ROOT: standIn.apiRoot, DATABASE_PATH: join(dir, "crm.sqlite") }, dir);
    await until(() => both.errors().includes("Owner bot:"), "the links");
    expect(both.output()).toContain('"event":"started"');
    expect(both.errors()).toBe("Shop bot: https://t.me/lavka_shop_bot\nOwner bot: https://t.me/lavka_crm_bot\n");
    both.kill("SIGTERM");
    expect((await both.exited).code).toBe(0);

    const shopOnly = startMain({ SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: standIn.apiRoot, DATABASE_PATH: join(dir, "crm.sqlite") }, dir);
    await until(() => shopOnly.errors().includes("Owner bot:"), "the links");
    expect(shopOnly.errors()).toBe("Shop bot: https://t.me/lavka_shop_bot\nOwner bot: off (set OWNER_BOT_TOKEN and OWNER_IDS to turn it on)\n");
    shopOnly.kill("SIGTERM");
    expect((await shopOnly.exited).code).toBe(0);
  });

  it("serves customers by long polling, then shuts down gracefully on SIGTERM", async () => {
    dir = mkdtempSync(join(tmpdir(), "main-"));
    standIn = await startBotApiStandIn({ botInfo: { username: "main_test_bot", first_name: "Лавка" } });
    openAi = await startChatCompletionsStandIn({ reply: "Советую Кению AA: яркая и ягодная." });
    const main = startMain(
      {
        SHOP_BOT_TOKEN: token,
        OWNER_BOT_TOKEN: ownerToken,
        OWNER_IDS: "100, 101",
        TELEGRAM_API_ROOT: standIn.apiRoot,
        OPENAI_API_KEY: standInApiKey,
        OPENAI_BASE_URL: openAi.baseURL,
        DATABASE_PATH: join(dir, "crm.sqlite"),
        REPORT_HOUR: "23",
        TIME_ZONE: "Pacific/Kiritimati",
      },
      dir,
    );
    await until(() => main.output().includes('"event":"started"'), "the started line");
    expect(standIn.commands({ token }).map((command) => command.command)).toContain("forget");
    expect(standIn.commands({ token, language_code: "en" }).find((command) => command.command === "forget")?.description).toBe("Erase my data");

    const anna = updates.user(42, { first_name: "Анна" });
    standIn.pushUpdate(updates.command(anna, "start", "main_test"), { token });
    await until(() => (standIn?.messages(42, token).length ?? 0) >= 1, "the greeting");
    expect(standIn.messages(42, token)[0]?.text).toContain("Здравствуйте, Анна! Это магазин Лавка.");

    // The consultant answers through the OpenAI adapter, over HTTP, once Anna has consented (it keeps her question).
    const consent = standIn.pushUpdate(updates.press(anna, standIn.messages(42, token)[0], "✅ Согласен"), { token });
    await until(() => main.output().includes(`"updateId":${consent.update_id},`), "the consent");
    standIn.pushUpdate(updates.press(anna, standIn.messageWithButton(42, token, "💬 Спросить консультанта"), "💬 Спросить консультанта"), { token });
    await until(() => standIn?.messages(42, token).some((message) => message.text?.startsWith("💬 Консультант")) ?? false, "the consultant");
    standIn.pushUpdate(updates.privateText(anna, "Какой кофе ягодный?"), { token });
    await until(() => standIn?.messages(42, token).some((message) => message.text === "Советую Кению AA: яркая и ягодная.") ?? false, "the consultant's answer");
    expect(JSON.stringify(openAi.requests[0]?.body)).toContain("Какой кофе ягодный?");

    // The owner bot runs in the same process, on the same store.
    expect(standIn.commands({ token: ownerToken }).map((command) => command.command)).toEqual(["start", "crm", "catalog", "import", "cancel"]);
    standIn.pushUpdate(updates.command(updates.user(100, { first_name: "Ольга" }), "crm"), { token: ownerToken });
    standIn.pushUpdate(updates.command(updates.user(7, { first_name: "Мэллори" }), "crm"), { token: ownerToken });
    // Between 09:00 and 10:00 UTC it is past REPORT_HOUR in Kiritimati: the morning push may come first.
    await until(() => (standIn?.messages(100, ownerToken).some((message) => message.text === "📊 CRM") ?? false) && (standIn?.messages(7, ownerToken).length ?? 0) >= 1, "the owner's CRM menu and the refusal");
    expect(standIn.messages(100, ownerToken).filter((message) => !message.text?.startsWith("📅 Отчёт за")).map((message) => message.text)).toEqual(["📊 CRM"]);
    expect(standIn.messages(7, ownerToken)[0]?.text).toContain("Доступа у вас нет");

    main.kill("SIGTERM");
    const { code, stdout } = await main.exited;
    expect(code).toBe(0);
    expect(stdout).toContain('"event":"stopped"');
    expect(stdout).toContain('"event":"update"');
    expect(stdout).not.toContain(token);
    expect(stdout).not.toContain(ownerToken);
    expect(stdout).not.toContain(standInApiKey);
    expect(stdout).not.toContain("ягодный");
    expect(stdout).not.toContain("Анна");
  });
});
