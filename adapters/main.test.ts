import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startBotApiStandIn, type BotApiStandIn } from "./telegram/testing/botApiStandIn.ts";
import * as updates from "./telegram/testing/telegramUpdates.ts";

const mainPath = new URL("./main.ts", import.meta.url).pathname;
const token = "7002:AAH-main-test-token-not-real_1234";

interface Started {
  readonly exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
  readonly kill: (signal: NodeJS.Signals) => void;
  readonly output: () => string;
}

function startMain(env: Record<string, string>, cwd: string): Started {
  const child = spawn(process.execPath, [mainPath], { cwd, env: { PATH: process.env["PATH"] ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
  return { exited, kill: (signal) => child.kill(signal), output: () => stdout };
}

async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

let dir: string;
let standIn: BotApiStandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe("npm start", () => {
  it("says exactly what to set when there is no token", async () => {
    dir = mkdtempSync(join(tmpdir(), "main-"));
    const { code, stderr } = await startMain({}, dir).exited;
    expect(code).toBe(1);
    expect(stderr).toContain("Set SHOP_BOT_TOKEN");
  });

  it("reports every invalid setting on its own line, and never prints a secret", async () => {
    dir = mkdtempSync(join(tmpdir(), "main-"));
    const { code, stderr } = await startMain({ SHOP_BOT_TOKEN: "not-a-token-secret-value", STORE: "mongo", CONSULTANT_MAX_QUESTIONS: "many", TIME_ZONE: "Mars/Olympus" }, dir).exited;
    expect(code).toBe(1);
    expect(stderr).toContain('STORE: expected sqlite or json, got "mongo"');
    expect(stderr).toContain('CONSULTANT_MAX_QUESTIONS: expected a whole number of questions per customer per window, got "many"');
    expect(stderr).not.toContain("not-a-token-secret-value");
    const second = await startMain({ SHOP_BOT_TOKEN: "not-a-token-secret-value", TIME_ZONE: "Mars/Olympus" }, dir).exited;
    expect(second.stderr).toContain('TIME_ZONE: expected an IANA time zone such as Europe/Moscow, got "Mars/Olympus"');
    expect(second.stderr).toContain("SHOP_BOT_TOKEN: expected the shop bot's token from @BotFather");
    expect(second.stderr).not.toContain("not-a-token-secret-value");
  });

  it("serves customers by long polling, then shuts down gracefully on SIGTERM", async () => {
    dir = mkdtempSync(join(tmpdir(), "main-"));
    standIn = await startBotApiStandIn({ botInfo: { username: "main_test_bot", first_name: "Лавка" } });
    const main = startMain({ SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: standIn.apiRoot, DATABASE_PATH: join(dir, "crm.sqlite") }, dir);
    await until(() => main.output().includes('"event":"started"'), "the started line");
    expect(standIn.commands({ token }).map((command) => command.command)).toContain("forget");
    expect(standIn.commands({ token, language_code: "en" }).find((command) => command.command === "forget")?.description).toBe("Erase my data");

    const anna = updates.user(42, { first_name: "Анна" });
    standIn.pushUpdate(updates.command(anna, "start", "main_test"), { token });
    await until(() => (standIn?.messages(42, token).length ?? 0) >= 2, "the greeting");
    expect(standIn.messages(42, token)[0]?.text).toContain("Здравствуйте, Анна! Это магазин Лавка.");

    main.kill("SIGTERM");
    const { code, stdout } = await main.exited;
    expect(code).toBe(0);
    expect(stdout).toContain('"event":"stopped"');
    expect(stdout).toContain('"event":"update"');
    expect(stdout).not.toContain(token);
    expect(stdout).not.toContain("Анна");
  });
});
