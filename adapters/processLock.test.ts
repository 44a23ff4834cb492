import { spawnSync } from "node:child_process";
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openJsonStore } from "./json/jsonStore.ts";
import { acquireProcessLock, StoreInUseError } from "./processLock.ts";
import { openSqliteStore } from "./sqlite/sqliteStore.ts";
import { startBotApiStandIn, type BotApiStandIn } from "./telegram/testing/botApiStandIn.ts";
import { startMain, until, type StartedMain } from "./testing/npmStart.ts";

const token = "7022:AAH-lock-test-token-not-real_9012";

let dir: string;
const releases: (() => void)[] = [];
let standIn: BotApiStandIn | undefined;
const mains: StartedMain[] = [];
afterEach(async () => {
  for (const release of releases.splice(0)) release();
  for (const main of mains.splice(0)) {
    main.kill("SIGKILL");
    await main.exited;
  }
  await standIn?.close();
  standIn = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const take = (path: string): (() => void) => {
  const release = acquireProcessLock(path);
  releases.push(release);
  return release;
};

/** Whether the lock at `path` is free now (taken and given back at once). */
const free = (path: string): boolean => {
  try {
    acquireProcessLock(path)();
    return true;
  } catch (error) {
    if (error instanceof StoreInUseError) return false;
    throw error;
  }
};

/** `unshare --pid --fork --mount-proc` works here (root, or user namespaces allowed). */
const pidNamespaces = spawnSync("unshare", ["--pid", "--fork", "--mount-proc", "true"]).status === 0;
const inOwnPidNamespace = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"];

describe("the store lock, in one process", () => {
  it("refuses a second holder, through the same path, a symlink and a hard link, with a message that says what to do", () => {
    dir = mkdtempSync(join(tmpdir(), "lock-"));
    const path = join(dir, "crm.sqlite.lock");
    take(path);
    symlinkSync(path, join(dir, "symlinked.lock"));
    linkSync(path, join(dir, "hardlinked.lock"));
    for (const other of [path, join(dir, "symlinked.lock"), join(dir, "hardlinked.lock")]) {
      expect(() => acquireProcessLock(other), other).toThrow(StoreInUseError);
    }
    expect(() => acquireProcessLock(path)).toThrow(`${path} is locked: another Shop CRM process is using this store; stop it first`);
  });

  it("is free again once released, and released twice harmlessly", () => {
    dir = mkdtempSync(join(tmpdir(), "lock-"));
    const path = join(dir, "LOCK");
    const release = acquireProcessLock(path);
    release();
    release();
    const again = take(path);
    expect(() => acquireProcessLock(path)).toThrow(StoreInUseError);
    again();
    expect(free(path)).toBe(true);
  });

  it("takes over a lock file of an older version that holds a live process id, since no process id is trusted", () => {
    dir = mkdtempSync(join(tmpdir(), "lock-"));
    const path = join(dir, "crm.sqlite.lock");
    writeFileSync(path, String(process.pid));
    take(path);
    expect(() => acquireProcessLock(path)).toThrow(StoreInUseError);
  });

  it("keeps a second SQLite or JSON store off a store already open", async () => {
    dir = mkdtempSync(join(tmpdir(), "lock-"));
    const sqlite = openSqliteStore({ path: join(dir, "crm.sqlite") });
    expect(() => openSqliteStore({ path: join(dir, "crm.sqlite") })).toThrow(StoreInUseError);
    await sqlite.close();
    await (await openSqliteStore({ path: join(dir, "crm.sqlite") })).close();

    const json = await openJsonStore({ dir: join(dir, "json") });
    symlinkSync(join(dir, "json"), join(dir, "json-link"));
    await expect(openJsonStore({ dir: join(dir, "json-link") })).rejects.toThrow(StoreInUseError);
    await json.close();
    await (await openJsonStore({ dir: join(dir, "json-link") })).close();
  });
});

describe("the store lock across processes (npm start)", () => {
  async function startServing(env: Record<string, string>, wrap?: readonly string[]): Promise<StartedMain> {
    standIn ??= await startBotApiStandIn({ botInfo: { username: "lock_bot", first_name: "Замок" } });
    const main = startMain({ SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: standIn.apiRoot, ...env }, dir, wrap ? { wrap } : {});
    mains.push(main);
    await until(() => main.output().includes('"event":"started"'), "the started line");
    return main;
  }

  async function killedThenRestarted(wrap?: readonly string[]): Promise<void> {
    dir = mkdtempSync(join(tmpdir(), "lock-"));
    const database = join(dir, "crm.sqlite");
    const first = await startServing({ DATABASE_PATH: database }, wrap);
    expect(free(`${database}.lock`)).toBe(false);
    first.kill("SIGKILL");
    await first.exited;
    // The kernel frees the lock when the process is gone; nothing is taken over by hand.
    await until(() => free(`${database}.lock`), "the lock freed by the kernel");
    const second = await startServing({ DATABASE_PATH: database }, wrap);
    expect(second.output()).toContain('"store":"sqlite"');
  }

  it("starts again after a SIGKILL", async () => {
    await killedThenRestarted();
  });

  it.skipIf(!pidNamespaces)("starts again after a SIGKILL of a container's PID 1 (its own PID namespace each time) [skipped where unshare --pid cannot run]", async () => {
    await killedThenRestarted(inOwnPidNamespace);
  });

  it.skipIf(!pidNamespaces)("refuses a second live npm start on the store, each PID 1 of its own namespace, through a symlinked folder: one line, no stack [skipped where unshare --pid cannot run]", async () => {
    dir = mkdtempSync(join(tmpdir(), "lock-"));
    mkdirSync(join(dir, "data"));
    symlinkSync(join(dir, "data"), join(dir, "volume"));
    await startServing({ DATABASE_PATH: join(dir, "data", "crm.sqlite") }, inOwnPidNamespace);
    const second = startMain({ SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: standIn?.apiRoot ?? "", DATABASE_PATH: join(dir, "volume", "crm.sqlite") }, dir, { wrap: inOwnPidNamespace });
    mains.push(second);
    const { code, stdout, stderr } = await second.exited;
    expect(code).toBe(1);
    expect(stderr.split("\n").filter((line) => line !== "")).toEqual([
      `DATABASE_PATH: ${join(dir, "volume", "crm.sqlite")} is in use by another Shop CRM process (it holds the lock ${join(dir, "volume", "crm.sqlite")}.lock); stop that process first, or point DATABASE_PATH elsewhere.`,
    ]);
    expect(stdout).not.toContain('"event":"started"');
  });
});
