import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startBotApiStandIn, type BotApiStandIn } from "./telegram/testing/botApiStandIn.ts";
import { fsFaultArgs } from "./testing/fsFaults.ts";
import { startMain, until, type Exited, type StartedMain } from "./testing/npmStart.ts";

const token = "7032:AAH-startup-test-token-not-real_3456";

let dir: string;
let standIn: BotApiStandIn | undefined;
let running: StartedMain | undefined;
const mounted: string[] = [];
afterEach(async () => {
  running?.kill("SIGKILL");
  await running?.exited;
  running = undefined;
  await standIn?.close();
  standIn = undefined;
  for (const target of mounted.splice(0)) spawnSync("umount", [target]);
  rmSync(dir, { recursive: true, force: true });
});

/** Telegram is never reached in these tests: each must stop on the store, before connecting. */
const unreachable = { SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: "http://127.0.0.1:9", TELEGRAM_CONNECT_ATTEMPTS: "1" };

/** The one line on stderr of a start that failed; fails the test when there is a stack or more than one line. */
function theOneLine(exited: Exited): string {
  expect(exited.code).toBe(1);
  expect(exited.stderr + exited.stdout).not.toMatch(/^\s+at /m);
  expect(exited.stderr + exited.stdout).not.toContain(token);
  const lines = exited.stderr.split("\n").filter((line) => line.trim() !== "");
  expect(lines).toHaveLength(1);
  return lines[0] ?? "";
}

/** Mounts a read-only tmpfs on `target` (a test running as root can); false when it cannot. */
function mountReadOnly(target: string): boolean {
  mkdirSync(target, { recursive: true });
  if (process.getuid?.() !== 0 || spawnSync("mount", ["-t", "tmpfs", "-o", "ro", "tmpfs", target]).status !== 0) return false;
  mounted.push(target);
  return true;
}
const canMount = process.getuid?.() === 0 && spawnSync("mount", ["--version"]).status === 0;

describe("npm start: a start-up failure is one line naming the setting or file, never a stack", () => {
  it("a second process on the same database", async () => {
    dir = mkdtempSync(join(tmpdir(), "startup-"));
    standIn = await startBotApiStandIn();
    const database = join(dir, "crm.sqlite");
    running = startMain({ SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: standIn.apiRoot, DATABASE_PATH: database }, dir);
    const first = running;
    await until(() => first.output().includes('"event":"started"'), "the first start");
    const line = theOneLine(await startMain({ ...unreachable, DATABASE_PATH: database }, dir).exited);
    expect(line).toBe(`DATABASE_PATH: ${database} is in use by another Shop CRM process (it holds the lock ${database}.lock); stop that process first, or point DATABASE_PATH elsewhere.`);
  });

  it.skipIf(!canMount)("DATABASE_PATH and JSON_STORE_DIR on a read-only mount (EROFS) [skipped unless root can mount a tmpfs]", async () => {
    dir = mkdtempSync(join(tmpdir(), "startup-"));
    const readOnly = join(dir, "ro");
    expect(mountReadOnly(readOnly)).toBe(true);
    const erofs = (setting: string, folder: string) => `${setting}: ${folder} is on a read-only file system, so the store cannot be written; point ${setting} at a writable place (or mount that volume read-write).`;
    expect(theOneLine(await startMain({ ...unreachable, DATABASE_PATH: join(readOnly, "crm.sqlite") }, dir).exited)).toBe(erofs("DATABASE_PATH", readOnly));
    expect(theOneLine(await startMain({ ...unreachable, DATABASE_PATH: join(readOnly, "data", "crm.sqlite") }, dir).exited)).toBe(erofs("DATABASE_PATH", readOnly));
    expect(theOneLine(await startMain({ ...unreachable, STORE: "json", JSON_STORE_DIR: join(readOnly, "json") }, dir).exited)).toBe(erofs("JSON_STORE_DIR", readOnly));
  });

  it("DATABASE_PATH on a read-only file system, injected at the file layer (EROFS from mkdir; runs on any machine)", async () => {
    dir = mkdtempSync(join(tmpdir(), "startup-"));
    const faulty = join(dir, "volume");
    const env = { ...unreachable, SHOP_CRM_TEST_MKDIR_FAULT: "EROFS", SHOP_CRM_TEST_FAULT_UNDER: faulty };
    const line = theOneLine(await startMain({ ...env, DATABASE_PATH: join(faulty, "crm.sqlite") }, dir, { nodeArgs: fsFaultArgs }).exited);
    expect(line).toBe(`DATABASE_PATH: ${faulty} is on a read-only file system, so the store cannot be written; point DATABASE_PATH at a writable place (or mount that volume read-write).`);
  });

  it("DATABASE_PATH under /dev/null, and JSON_STORE_DIR under a file", async () => {
    dir = mkdtempSync(join(tmpdir(), "startup-"));
    const devNull = theOneLine(await startMain({ ...unreachable, DATABASE_PATH: "/dev/null/crm.sqlite" }, dir).exited);
    expect(devNull).toBe("DATABASE_PATH: /dev/null is not a folder, so /dev/null/crm.sqlite cannot be made there; point DATABASE_PATH at a path under a folder.");
    writeFileSync(join(dir, "notes.txt"), "a file, not a folder");
    const underFile = theOneLine(await startMain({ ...unreachable, STORE: "json", JSON_STORE_DIR: join(dir, "notes.txt", "json") }, dir).exited);
    expect(underFile).toBe(`JSON_STORE_DIR: ${join(dir, "notes.txt")} is not a folder, so ${join(dir, "notes.txt", "json")} cannot be made there; point JSON_STORE_DIR at a path under a folder.`);
  });

  it("DATABASE_PATH pointing at a file that is not a database", async () => {
    dir = mkdtempSync(join(tmpdir(), "startup-"));
    const notDatabase = join(dir, "orders.csv");
    writeFileSync(notDatabase, "order_id,amount\n".repeat(100));
    const line = theOneLine(await startMain({ ...unreachable, DATABASE_PATH: notDatabase }, dir).exited);
    expect(line).toBe(`DATABASE_PATH: ${notDatabase} is not a SQLite database ("file is not a database"); point DATABASE_PATH at a new file or at a Shop CRM database.`);
  });

  it("webhook mode: a PORT in use, and a WEBHOOK_URL that Telegram refuses", async () => {
    dir = mkdtempSync(join(tmpdir(), "startup-"));
    standIn = await startBotApiStandIn();
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const address = busy.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const webhook = { SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: standIn.apiRoot, WEBHOOK_URL: "https://shop.example.test/tg" };
    try {
      const inUse = theOneLine(await startMain({ ...webhook, PORT: String(port), DATABASE_PATH: join(dir, "crm.sqlite") }, dir).exited);
      expect(inUse).toBe(`PORT: port ${port} is in use by another program; stop it or set another PORT.`);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
    standIn.failNext("setWebhook", { error_code: 400, description: "Bad Request: bad webhook: Failed to resolve host" });
    const refused = theOneLine(await startMain({ ...webhook, PORT: String(port), DATABASE_PATH: join(dir, "crm.sqlite") }, dir).exited);
    expect(refused).toBe(`WEBHOOK_URL: Telegram did not set the webhook https://shop.example.test/tg/shop: Telegram answered 400: Bad Request: bad webhook: Failed to resolve host (Bot API at ${standIn.apiRoot}).`);
  });

  it("an error nobody foresaw is its name and message on one line (here: .env is a folder)", async () => {
    dir = mkdtempSync(join(tmpdir(), "startup-"));
    mkdirSync(join(dir, ".env"));
    const line = theOneLine(await startMain({ ...unreachable, DATABASE_PATH: join(dir, "crm.sqlite") }, dir).exited);
    expect(line).toMatch(/^Shop CRM cannot start: [A-Za-z]*Error: \S/);
  });
});
