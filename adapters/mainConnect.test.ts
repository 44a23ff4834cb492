import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startBotApiStandIn, type BotApiStandIn } from "./telegram/testing/botApiStandIn.ts";
import { freePort, logLines, startBlackhole, startMain, until, type Blackhole, type StartedMain } from "./testing/npmStart.ts";

const token = "7012:AAH-connect-test-token-not-real_5678";
const ownerToken = "7014:AAH-owner-connect-test-token-not-real";

let dir: string;
let standIn: BotApiStandIn | undefined;
let blackhole: Blackhole | undefined;
let main: StartedMain | undefined;
afterEach(async () => {
  main?.kill("SIGKILL");
  await main?.exited;
  await standIn?.close();
  await blackhole?.close();
  main = undefined;
  standIn = undefined;
  blackhole = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** The lines a person reads on stderr, without blank ones. */
const stderrLines = (stderr: string): string[] => stderr.split("\n").filter((line) => line.trim() !== "");

describe("npm start when Telegram cannot be reached", () => {
  it("names the API root and the refusal within seconds, retries with a growing delay, and Ctrl-C then exits cleanly and frees the store", async () => {
    dir = mkdtempSync(join(tmpdir(), "connect-"));
    const closedRoot = `http://127.0.0.1:${await freePort()}`;
    const database = join(dir, "crm.sqlite");
    main = startMain({ SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: closedRoot, DATABASE_PATH: database }, dir);
    const started = main;
    await until(() => logLines(started.output(), "telegram_unreachable").length >= 3, "three attempts logged", 20_000);
    const attempts = logLines(main.output(), "telegram_unreachable");
    expect(attempts.map((line) => [line["attempt"], line["retryInSeconds"]])).toEqual([
      [1, 1],
      [2, 2],
      [3, 4],
    ]);
    for (const line of attempts) {
      expect(line).toMatchObject({ level: "warn", bot: "shop", apiRoot: closedRoot, retrying: true, attempts: "unlimited" });
      expect(String(line["reason"])).toContain("connection refused");
      expect(typeof line["retryAt"]).toBe("string");
    }

    main.kill("SIGINT");
    const { code, stdout, stderr } = await main.exited;
    expect(code).toBe(0);
    expect(logLines(stdout, "shutdown")[0]).toMatchObject({ signal: "SIGINT" });
    expect(logLines(stdout, "stopped")).toHaveLength(1);
    expect(stdout + stderr).not.toContain(token);
    expect(stdout + stderr).not.toContain("AAH-connect");
    // The store was closed, not abandoned: SQLite removes its WAL on a clean close.
    expect(existsSync(`${database}-wal`)).toBe(false);
    expect(existsSync(`${database}-shm`)).toBe(false);

    // A second start takes the store at once.
    standIn = await startBotApiStandIn({ botInfo: { username: "after_bot", first_name: "После" } });
    main = startMain({ SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: standIn.apiRoot, DATABASE_PATH: database }, dir);
    const second = main;
    await until(() => second.output().includes('"event":"started"'), "the second start");
  });

  it("names a server that never answers, and Ctrl-C during an attempt in flight exits cleanly", async () => {
    dir = mkdtempSync(join(tmpdir(), "connect-"));
    blackhole = await startBlackhole();
    const database = join(dir, "crm.sqlite");
    main = startMain({ SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: `${blackhole.apiRoot}/`, DATABASE_PATH: database }, dir);
    const started = main;
    await until(() => logLines(started.output(), "telegram_unreachable").length >= 1, "the first attempt logged", 20_000);
    expect(logLines(main.output(), "telegram_unreachable")[0]).toMatchObject({ bot: "shop", apiRoot: blackhole.apiRoot, reason: "no answer within 5 s", attempt: 1, retryInSeconds: 1 });
    // The second attempt is in flight (the server accepted it and holds it) when the signal comes.
    const hole = blackhole;
    await until(() => hole.accepted() >= 2, "the second attempt");
    main.kill("SIGINT");
    const { code, stdout } = await main.exited;
    expect(code).toBe(0);
    expect(logLines(stdout, "stopped")).toHaveLength(1);
    expect(logLines(stdout, "telegram_unreachable")).toHaveLength(1);
    expect(stdout).not.toContain(token);
    expect(existsSync(`${database}-wal`)).toBe(false);
  });

  it("gives up after TELEGRAM_CONNECT_ATTEMPTS with one line and a non-zero exit, refused or unanswered", async () => {
    dir = mkdtempSync(join(tmpdir(), "connect-"));
    const closedRoot = `http://127.0.0.1:${await freePort()}`;
    const refused = await startMain({ SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: closedRoot, TELEGRAM_CONNECT_ATTEMPTS: "2", DATABASE_PATH: join(dir, "crm.sqlite") }, dir).exited;
    expect(refused.code).toBe(1);
    expect(stderrLines(refused.stderr)).toEqual([
      `Telegram cannot be reached at ${closedRoot}: connection refused (ECONNREFUSED); gave up after 2 attempts (TELEGRAM_CONNECT_ATTEMPTS). Check the network, a firewall or proxy, or TELEGRAM_API_ROOT.`,
    ]);
    expect(logLines(refused.stdout, "telegram_unreachable").map((line) => [line["attempt"], line["retrying"]])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(refused.stdout + refused.stderr).not.toContain(token);

    blackhole = await startBlackhole();
    const unanswered = await startMain({ SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: blackhole.apiRoot, TELEGRAM_CONNECT_ATTEMPTS: "1", DATABASE_PATH: join(dir, "crm.sqlite") }, dir).exited;
    expect(unanswered.code).toBe(1);
    expect(stderrLines(unanswered.stderr)).toEqual([`Telegram cannot be reached at ${blackhole.apiRoot}: no answer within 5 s; gave up after 1 attempt (TELEGRAM_CONNECT_ATTEMPTS). Check the network, a firewall or proxy, or TELEGRAM_API_ROOT.`]);
    expect(existsSync(join(dir, "crm.sqlite-wal"))).toBe(false);
  });

  it("stops at once, with one line, when Telegram rejects a token", async () => {
    dir = mkdtempSync(join(tmpdir(), "connect-"));
    standIn = await startBotApiStandIn();
    standIn.failNext("getMe", { error_code: 401, description: "Unauthorized" });
    const { code, stdout, stderr } = await startMain({ SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: standIn.apiRoot, DATABASE_PATH: join(dir, "crm.sqlite") }, dir).exited;
    expect(code).toBe(1);
    expect(stderrLines(stderr)).toEqual(["Telegram rejected SHOP_BOT_TOKEN: check the token @BotFather gave you."]);
    expect(logLines(stdout, "telegram_unreachable")).toEqual([]);
  });

  it("starts when setMyCommands fails, with a warning line for the menu", async () => {
    dir = mkdtempSync(join(tmpdir(), "connect-"));
    standIn = await startBotApiStandIn({ bots: { [token]: { username: "menuless_shop_bot" }, [ownerToken]: { username: "menuless_crm_bot" } } });
    standIn.failNext("setMyCommands", { error_code: 400, description: "Bad Request: BOT_COMMANDS_TOO_MUCH" }, 2);
    main = startMain({ SHOP_BOT_TOKEN: token, OWNER_BOT_TOKEN: ownerToken, OWNER_IDS: "100", TELEGRAM_API_ROOT: standIn.apiRoot, DATABASE_PATH: join(dir, "crm.sqlite") }, dir);
    const started = main;
    await until(() => started.output().includes('"event":"started"'), "the started line");
    const warnings = logLines(main.output(), "commands_not_set");
    expect(warnings.map((line) => [line["level"], line["bot"]])).toEqual([
      ["warn", "shop"],
      ["warn", "owner"],
    ]);
    expect(String(warnings[0]?.["message"])).toContain("BOT_COMMANDS_TOO_MUCH");
    expect(main.output()).not.toContain(token);
    // Serving works without the menu.
    main.kill("SIGTERM");
    expect((await main.exited).code).toBe(0);
  });
});
