import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { acquireProcessLock, StoreInUseError } from "./processLock.ts";
import { startBotApiStandIn, type BotApiStandIn } from "./telegram/testing/botApiStandIn.ts";
import * as updates from "./telegram/testing/telegramUpdates.ts";
import { startMain, until, type StartedMain } from "./testing/npmStart.ts";

/**
 * What the container (Dockerfile, compose.yaml) relies on, tested without a container engine:
 * node as PID 1 of its own PID namespace stops cleanly on `docker stop`'s SIGTERM (and on SIGINT),
 * and npm start serves from a read-only root with only the data volume and /tmp writable.
 */
const token = "7062:AAH-container-test-token-not-real_44";
const ownerToken = "7064:AAH-container-owner-token-not-real";

let dir: string;
let standIn: BotApiStandIn | undefined;
const mains: StartedMain[] = [];
afterEach(async () => {
  for (const main of mains.splice(0)) {
    main.kill("SIGKILL");
    await main.exited;
  }
  await standIn?.close();
  standIn = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const pidNamespaces = spawnSync("unshare", ["--pid", "--fork", "--mount-proc", "true"]).status === 0;
/** Root can remount `/` read-only inside a mount namespace of its own (nothing outside it changes). */
const mountNamespaces = process.getuid?.() === 0 && spawnSync("unshare", ["--mount", "sh", "-c", "mount -o remount,bind,ro /"]).status === 0;

/** Whether the lock at `path` is free now (taken and given back at once). */
const lockFree = (path: string): boolean => {
  try {
    acquireProcessLock(path)();
    return true;
  } catch (error) {
    if (error instanceof StoreInUseError) return false;
    throw error;
  }
};

/** The host's pid of the process unshare forked (node, PID 1 inside), and its pid in the namespace. */
function pidOneOf(unsharePid: number): { readonly hostPid: number; readonly innerPid: string } {
  const children = readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, "utf8").trim().split(/\s+/).map(Number);
  const hostPid = children[0] ?? 0;
  const nsPids = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${hostPid}/status`, "utf8"))?.[1]?.trim().split(/\s+/) ?? [];
  return { hostPid, innerPid: nsPids.at(-1) ?? "" };
}

describe("node as PID 1 of a container's PID namespace (docker stop)", () => {
  async function stoppedBy(signal: "SIGTERM" | "SIGINT"): Promise<void> {
    dir = mkdtempSync(join(tmpdir(), "pid1-"));
    standIn = await startBotApiStandIn({ botInfo: { username: "pid_one_bot" } });
    const database = join(dir, "data", "crm.sqlite");
    const main = startMain({ SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: standIn.apiRoot, DATABASE_PATH: database }, dir, { wrap: ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"] });
    mains.push(main);
    await until(() => main.output().includes('"event":"started"'), "the started line");
    const { hostPid, innerPid } = pidOneOf(main.pid ?? 0);
    expect(innerPid).toBe("1");
    standIn.pushUpdate(updates.command(updates.user(71, { first_name: "Пётр" }), "start", "pid1"), { token });
    await until(() => (standIn?.messages(71, token).length ?? 0) >= 1, "the greeting");
    expect(lockFree(`${database}.lock`)).toBe(false);

    // As `docker stop` does: the signal from outside the namespace to its PID 1, node itself.
    process.kill(hostPid, signal);
    const { code, stdout, stderr } = await main.exited;
    expect(code).toBe(0);
    expect(stdout).toContain(`"event":"shutdown","signal":"${signal}"`);
    expect(stdout).toContain('"event":"stopped"');
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(lockFree(`${database}.lock`)).toBe(true);
    // The store was closed: its write-ahead log was checkpointed into the database and removed.
    expect(existsSync(`${database}-wal`) ? statSync(`${database}-wal`).size : 0).toBe(0);
    const db = new DatabaseSync(database, { readOnly: true });
    try {
      expect(db.prepare("SELECT count(*) AS n FROM crm_events WHERE user_id = 71").get()?.["n"]).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  }

  it.skipIf(!pidNamespaces)("SIGTERM to PID 1 stops it cleanly: the stopped line, exit 0, the lock released, the WAL checkpointed [skipped where unshare --pid cannot run]", async () => {
    await stoppedBy("SIGTERM");
  });

  it.skipIf(!pidNamespaces)("SIGINT to PID 1 does the same [skipped where unshare --pid cannot run]", async () => {
    await stoppedBy("SIGINT");
  });
});

/**
 * Runs npm start in a mount namespace of its own where `/` is read-only, as with `docker run
 * --read-only`: only `writable` (each a fresh tmpfs, like the /data volume and --tmpfs /tmp) can be written.
 */
const readOnlyRoot = (writable: readonly string[]): string[] => [
  "unshare",
  "--mount",
  "sh",
  "-c",
  ["mount -o remount,bind,ro /", ...writable.map((folder) => `mount -t tmpfs -o size=64m,mode=0777 tmpfs '${folder}'`), 'exec "$@"'].join(" && "),
  "sh",
];

describe("npm start in a read-only root with a writable volume (docker run --read-only -v data:/data --tmpfs /tmp)", () => {
  it.skipIf(!mountNamespaces)("starts, answers /start, takes the owner's export through TMPDIR, and stops cleanly [skipped unless root can unshare a mount namespace]", async () => {
    dir = mkdtempSync(join(tmpdir(), "readonly-"));
    const [data, temp] = [join(dir, "data"), join(dir, "tmp")];
    for (const folder of [data, temp]) mkdirSync(folder);
    standIn = await startBotApiStandIn({ bots: { [token]: { username: "ro_shop_bot" }, [ownerToken]: { username: "ro_crm_bot" } } });
    const env = { SHOP_BOT_TOKEN: token, OWNER_BOT_TOKEN: ownerToken, OWNER_IDS: "100", TELEGRAM_API_ROOT: standIn.apiRoot, DATABASE_PATH: join(data, "crm.sqlite"), JSON_STORE_DIR: join(data, "json"), TMPDIR: temp };
    const main = startMain(env, dir, { wrap: readOnlyRoot([data, temp]) });
    mains.push(main);
    await until(() => main.output().includes('"event":"started"'), "the started line", 30_000);

    standIn.pushUpdate(updates.command(updates.user(72, { first_name: "Вера" }), "start"), { token });
    await until(() => (standIn?.messages(72, token).length ?? 0) >= 1, "the greeting");
    expect(standIn.messages(72, token)[0]?.text).toContain("Здравствуйте, Вера!");

    // An export streams to a file under os.tmpdir() before it is sent: /tmp must be writable in the container.
    const olga = updates.user(100, { first_name: "Ольга" });
    const live = standIn;
    live.pushUpdate(updates.command(olga, "crm"), { token: ownerToken });
    for (const button of ["📤 Экспорт", "👥 Все лиды", "CSV"]) {
      await until(() => live.messageWithButton(100, ownerToken, button) !== undefined, button);
      live.pushUpdate(updates.press(olga, live.messageWithButton(100, ownerToken, button), button), { token: ownerToken });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await until(() => live.callsTo("sendDocument", ownerToken).length >= 1, "the exported leads");
    const sent = live.callsTo("sendDocument", ownerToken)[0]?.files[0];
    expect(sent?.bytes.toString("utf8")).toContain("user_id");

    main.kill("SIGTERM");
    const { code, stdout, stderr } = await main.exited;
    expect(code).toBe(0);
    expect(stdout).toContain('"event":"stopped"');
    // Nothing tried to write elsewhere: a write outside the volume and TMPDIR would have failed, and been logged or shown.
    expect(stdout).not.toMatch(/"level":"(error|warn)"/);
    expect(stderr.split("\n").filter((line) => line !== "" && !line.includes("https://t.me/"))).toEqual([]);
  });

  it.skipIf(!mountNamespaces)("refuses in one line when the volume is missing and the data folder is read-only [skipped unless root can unshare a mount namespace]", async () => {
    dir = mkdtempSync(join(tmpdir(), "readonly-"));
    const data = join(dir, "data");
    mkdirSync(data);
    const main = startMain({ SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: "http://127.0.0.1:9", TELEGRAM_CONNECT_ATTEMPTS: "1", DATABASE_PATH: join(data, "crm.sqlite") }, dir, { wrap: readOnlyRoot([]) });
    mains.push(main);
    const { code, stderr, stdout } = await main.exited;
    expect(code).toBe(1);
    expect(stderr.split("\n").filter((line) => line !== "")).toEqual([
      `DATABASE_PATH: ${data} is on a read-only file system, so the store cannot be written; point DATABASE_PATH at a writable place (or mount that volume read-write).`,
    ]);
    expect(stdout).not.toContain('"event":"started"');
  });
});
