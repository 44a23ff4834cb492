import { spawnSync } from "node:child_process";
import { DatabaseSync } from "node:sqlite";
import { mkdtempSync, renameSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";
import { startChatCompletionsStandIn, standInApiKey, type ChatCompletionsStandIn } from "./openai/testing/chatCompletionsStandIn.ts";
import { openSqliteStore } from "./sqlite/sqliteStore.ts";
import { startBotApiStandIn, type BotApiStandIn } from "./telegram/testing/botApiStandIn.ts";
import * as updates from "./telegram/testing/telegramUpdates.ts";
import { freePort, logLines, startMain, until, type StartedMain } from "./testing/npmStart.ts";

const token = "7052:AAH-health-test-token-not-real_7788";
const ownerToken = "7054:AAH-health-owner-token-not-real_77";

let dir: string;
let standIn: BotApiStandIn | undefined;
let openAi: ChatCompletionsStandIn | undefined;
const mains: StartedMain[] = [];
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  for (const main of mains.splice(0)) {
    main.kill("SIGKILL");
    await main.exited;
  }
  await standIn?.close();
  await openAi?.close();
  standIn = undefined;
  openAi = undefined;
  rmSync(dir, { recursive: true, force: true });
});

interface Health {
  readonly status: number;
  readonly body: {
    readonly ok: boolean;
    readonly problems: readonly string[];
    readonly [field: string]: unknown;
  };
}

const probePath = new URL("./healthProbe.ts", import.meta.url).pathname;

/** The container's HEALTHCHECK command, run as Docker runs it: its exit code and its one line. */
function probe(port: number): { readonly code: number | null; readonly line: string } {
  const run = spawnSync(process.execPath, [probePath], { cwd: dir, env: { PATH: process.env["PATH"] ?? "", HEALTH_PORT: String(port) }, encoding: "utf8", timeout: 30_000 });
  return { code: run.status, line: run.stdout.trim() };
}

async function health(port: number): Promise<Health> {
  const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(20_000) });
  return { status: response.status, body: (await response.json()) as Health["body"] };
}

/** Polls /health until `check` holds for an answer; fails naming `what` with the last answer. */
async function healthUntil(port: number, check: (answer: Health) => boolean, what: string): Promise<Health> {
  let last: Health | undefined;
  for (let round = 0; round < 120 && !(last && check(last)); round++) {
    last = await health(port);
    if (!check(last)) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (!last || !check(last)) throw new Error(`timed out waiting for ${what}; last answer ${JSON.stringify(last)}`);
  return last;
}

/** `npm start` in long polling with /health on a port of its own, once it has started. */
async function startPolling(env: Record<string, string> = {}): Promise<{ main: StartedMain; port: number; database: string }> {
  standIn ??= await startBotApiStandIn({ bots: { [token]: { username: "health_shop_bot" }, [ownerToken]: { username: "health_crm_bot" } } });
  const port = await freePort();
  const database = join(dir, "data", "crm.sqlite");
  const main = startMain({ SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: standIn.apiRoot, DATABASE_PATH: database, HEALTH_PORT: String(port), ...env }, dir);
  mains.push(main);
  await until(() => main.output().includes('"event":"started"'), "the started line", 30_000);
  return { main, port, database };
}

describe("GET /health tells the truth (npm start)", () => {
  it("answers 200 on HEALTH_PORT in long polling, naming the bots it polls, its store and queues; only /health is served there", async () => {
    dir = mkdtempSync(join(tmpdir(), "health-"));
    const { main, port } = await startPolling({ OWNER_BOT_TOKEN: ownerToken, OWNER_IDS: "100" });
    const { status, body } = await health(port);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      ok: true,
      problems: [],
      store: "sqlite",
      mode: "long polling",
      database: { ok: true },
      timers: { oldestDue: null },
      effects: { pending: 0, failed: 0, oldestDue: null },
      mirror: "off",
      stuckAfterSeconds: 300,
      bots: [
        { bot: "shop", username: "health_shop_bot", mode: "long polling", running: true },
        { bot: "owner", username: "health_crm_bot", mode: "long polling", running: true },
      ],
    });
    expect(body["process"]).toMatchObject({ pid: main.pid });
    const posted = await fetch(`http://127.0.0.1:${port}/shop`, { method: "POST", body: "{}" });
    expect(posted.status).toBe(404);
    expect(probe(port)).toEqual({ code: 0, line: `healthy: http://127.0.0.1:${port}/health` });
    main.kill("SIGTERM");
    const { code, stdout } = await main.exited;
    expect(code).toBe(0);
    expect(stdout).toContain('"event":"stopped"');
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    expect(probe(port)).toEqual({ code: 1, line: `no answer from http://127.0.0.1:${port}/health: fetch failed` });
  });

  it("answers 503 naming the effect while a delivery hangs past HEALTH_STUCK_SECONDS, and 200 again once it is delivered", async () => {
    dir = mkdtempSync(join(tmpdir(), "health-"));
    openAi = await startChatCompletionsStandIn({ reply: "Кения AA." });
    const { port } = await startPolling({ OPENAI_API_KEY: standInApiKey, OPENAI_BASE_URL: openAi.baseURL, HEALTH_STUCK_SECONDS: "1" });
    const live = standIn;
    if (!live) throw new Error("no stand-in");
    const anna = updates.user(61, { first_name: "Анна" });
    live.pushUpdate(updates.command(anna, "start"), { token });
    await until(() => live.messages(61, token).length >= 1, "the greeting");
    live.pushUpdate(updates.press(anna, live.messages(61, token)[0], "✅ Согласен"), { token });
    await until(() => live.messageWithButton(61, token, "💬 Спросить консультанта") !== undefined, "the menu after consent");
    live.pushUpdate(updates.press(anna, live.messageWithButton(61, token, "💬 Спросить консультанта"), "💬 Спросить консультанта"), { token });
    await until(() => live.messages(61, token).some((message) => message.text?.startsWith("💬 Консультант")), "the consultant");
    // With HEALTH_STUCK_SECONDS=1 a loaded machine may show the greeting's own effect as waiting for a moment: healthy once it is done.
    const calm = await healthUntil(port, (answer) => answer.status === 200 && (answer.body["effects"] as { pending?: number } | undefined)?.pending === 0, "a 200 before the hang");
    expect(calm.body.problems).toEqual([]);

    openAi.hangNext(4_000);
    live.pushUpdate(updates.privateText(anna, "Какой кофе ягодный?"), { token });
    const stuck = await healthUntil(port, (answer) => answer.status === 503, "a 503 while the consultant's answer hangs");
    expect(stuck.body.ok).toBe(false);
    expect(stuck.body.problems).toEqual([expect.stringMatching(/^effects: a askConsultant effect has waited \d+ s to be delivered \(1 attempts so far; stuck after 1 s\)$/)]);
    expect(stuck.body["effects"]).toMatchObject({ pending: 1, oldestDue: { type: "askConsultant", attempts: 1 } });
    expect(JSON.stringify(stuck.body)).not.toContain("ягодный");
    expect(JSON.stringify(stuck.body)).not.toContain("61");

    await until(() => live.messages(61, token).some((message) => message.text === "Кения AA."), "the answer, late", 30_000);
    // The answer's message is sent by an effect of its own (sendConsultantAnswer), completed just after the send.
    const settled = (answer: { status: number; body: Record<string, unknown> }): boolean => answer.status === 200 && (answer.body["effects"] as { pending?: number } | undefined)?.pending === 0;
    const healed = await healthUntil(port, settled, "a 200 once delivered, no effect pending");
    expect(healed.body).toMatchObject({ ok: true, effects: { pending: 0, oldestDue: null } });
  });

  it("answers 503 naming the timer's kind when a due timer cannot fire (a kind of actor this version does not run)", async () => {
    dir = mkdtempSync(join(tmpdir(), "health-"));
    // A store left by a newer version, with a timer of an actor kind this one has no runtime for, due an hour ago.
    const seeded = openSqliteStore({ path: join(dir, "data", "crm.sqlite") });
    const dueAt = Date.now() - 3_600_000;
    await seeded.transact((tx) => tx.setTimer({ actor: "loyalty:7", sendId: "xstate.after.expire", dueAt, event: '{"type":"expire"}', key: `t:loyalty:7:1:xstate.after.expire` }));
    await seeded.close();
    const { main, port } = await startPolling({ HEALTH_STUCK_SECONDS: "1" });
    const stuck = await healthUntil(port, (answer) => answer.status === 503, "a 503 for the timer nobody fires");
    expect(stuck.body.problems).toEqual([expect.stringMatching(/^timers: a loyalty timer has waited \d+ s to fire \(stuck after 1 s\)$/)]);
    // Counted from this process's start, not from the due time an hour before it.
    expect((stuck.body["timers"] as { oldestDue: { waitedSeconds: number } }).oldestDue.waitedSeconds).toBeLessThan(600);
    expect(main.output()).toContain('"event":"timer_fire_failed"');
  });

  it("answers 503 when the database file is deleted or replaced underneath the running process", async () => {
    dir = mkdtempSync(join(tmpdir(), "health-"));
    const { port, database } = await startPolling();
    expect((await health(port)).status).toBe(200);
    renameSync(database, `${database}.moved`);
    const gone = await health(port);
    expect(gone.status).toBe(503);
    expect(gone.body.problems).toEqual([`database: DATABASE_PATH ${database} is gone (deleted or moved while this process runs); what it writes now is lost at the next start`]);
    expect(probe(port)).toEqual({ code: 1, line: `unhealthy (503): ${gone.body.problems[0] ?? ""}` });
    const other = new DatabaseSync(database);
    other.close();
    const replaced = await health(port);
    expect(replaced.status).toBe(503);
    expect(replaced.body.problems).toEqual([`database: DATABASE_PATH ${database} was replaced by another file while this process runs; restart it to use the new one`]);
  });

  it("tells the same truth on PORT in webhook mode, where Telegram posts, with HEALTH_PORT the same port as in the image", async () => {
    dir = mkdtempSync(join(tmpdir(), "health-"));
    standIn = await startBotApiStandIn({ botInfo: { username: "health_hook_bot" } });
    const port = await freePort();
    const database = join(dir, "crm.sqlite");
    const main = startMain({ SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: standIn.apiRoot, DATABASE_PATH: database, WEBHOOK_URL: "https://shop.example.test/tg", PORT: String(port), HEALTH_PORT: String(port) }, dir);
    mains.push(main);
    await until(() => main.output().includes('"event":"started"'), "the started line");
    expect((await health(port)).body).toMatchObject({ ok: true, mode: "webhook", bots: [{ bot: "shop", username: "health_hook_bot", mode: "webhook", running: true }] });
    rmSync(database);
    const gone = await health(port);
    expect(gone.status).toBe(503);
    expect(gone.body.problems).toEqual([`database: DATABASE_PATH ${database} is gone (deleted or moved while this process runs); what it writes now is lost at the next start`]);
  });

  it("answers on both PORT and HEALTH_PORT in webhook mode when they differ, and only /health on HEALTH_PORT", async () => {
    dir = mkdtempSync(join(tmpdir(), "health-"));
    standIn = await startBotApiStandIn({ botInfo: { username: "health_two_ports_bot" } });
    const [port, healthPort] = [await freePort(), await freePort()];
    const main = startMain({ SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: standIn.apiRoot, DATABASE_PATH: join(dir, "crm.sqlite"), WEBHOOK_URL: "https://shop.example.test/tg", PORT: String(port), HEALTH_PORT: String(healthPort) }, dir);
    mains.push(main);
    await until(() => main.output().includes('"event":"started"'), "the started line");
    for (const answering of [port, healthPort]) expect(await health(answering)).toMatchObject({ status: 200, body: { ok: true, mode: "webhook" } });
    expect((await fetch(`http://127.0.0.1:${healthPort}/shop`, { method: "POST", body: "{}" })).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/shop`, { method: "POST", body: "{}" })).status).toBe(401);
    main.kill("SIGTERM");
    expect((await main.exited).code).toBe(0);
  });

  it("answers 503 while another process holds the database's write lock, and 200 once it lets go", async () => {
    dir = mkdtempSync(join(tmpdir(), "health-"));
    const { port, database } = await startPolling();
    expect((await health(port)).status).toBe(200);
    const other = new DatabaseSync(database, { timeout: 0 });
    cleanups.push(() => other.close());
    other.exec("BEGIN IMMEDIATE");
    const locked = await health(port);
    expect(locked.status).toBe(503);
    expect(locked.body.problems).toEqual([expect.stringMatching(/^database: Error: database is locked/)]);
    expect(locked.body["database"]).toMatchObject({ ok: false });
    other.exec("ROLLBACK");
    expect((await health(port)).status).toBe(200);
  });

  it("stops cleanly and exits 1 when Telegram ends its long polling (409: another process polls the bot), one line and no stack, so a supervisor restarts it", async () => {
    dir = mkdtempSync(join(tmpdir(), "health-"));
    const { main } = await startPolling();
    standIn?.failNext("getUpdates", { error_code: 409, description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running" });
    // The poll in progress returns with this update; the next one is refused.
    standIn?.pushUpdate(updates.command(updates.user(62, { first_name: "Борис" }), "start"), { token });
    const { code, stdout, stderr } = await main.exited;
    expect(code).toBe(1);
    const [stopped] = logLines(stdout, "polling_stopped");
    expect(stopped).toMatchObject({ level: "error", bot: "shop", error: "GrammyError", effect: "npm start stops and exits 1, so that its supervisor starts it again" });
    expect(String(stopped?.["message"])).toContain("409: Conflict: terminated by other getUpdates request");
    expect(logLines(stdout, "polling_failed")).toHaveLength(1);
    expect(stdout.indexOf('"event":"polling_stopped"')).toBeLessThan(stdout.indexOf('"event":"stopped"'));
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr).not.toContain("grammY runner");
    expect(stdout + stderr).not.toContain(token);
  });

  it("refuses a HEALTH_PORT in use in one line, and a bad HEALTH_PORT or HEALTH_STUCK_SECONDS among the settings", async () => {
    dir = mkdtempSync(join(tmpdir(), "health-"));
    standIn = await startBotApiStandIn();
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, resolve));
    cleanups.push(() => new Promise<void>((resolve) => busy.close(() => resolve())));
    const address = busy.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const main = startMain({ SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: standIn.apiRoot, DATABASE_PATH: join(dir, "crm.sqlite"), HEALTH_PORT: String(port) }, dir);
    mains.push(main);
    const { code, stderr, stdout } = await main.exited;
    expect(code).toBe(1);
    expect(stderr.split("\n").filter((line) => line !== "")).toEqual([`HEALTH_PORT: port ${port} is in use by another program; stop it or set another HEALTH_PORT.`]);
    expect(stdout).not.toContain('"event":"started"');

    const bad = loadConfig({ HEALTH_PORT: "eighty", HEALTH_STUCK_SECONDS: "0" });
    expect(bad.ok ? [] : bad.problems).toEqual([
      'HEALTH_PORT: expected a TCP port (1–65535) for GET /health in long polling too (a container\'s HEALTHCHECK); unset: /health only on PORT, in webhook mode, got "eighty"',
      "HEALTH_STUCK_SECONDS: expected a whole number of seconds a due timer, effect or Sheets row may wait before GET /health answers 503 of at least 1, got 0",
    ]);
  });
});
