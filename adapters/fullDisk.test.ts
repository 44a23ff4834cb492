/**
 * A real full disk under the real `npm start`: the store's folder on a small tmpfs, a filler file
 * that takes the last free page while customers keep writing, then space back, SIGKILL, restart.
 * Needs `mount -t tmpfs` (root, or a user namespace that allows it); without it the test is
 * skipped with the reason, and adapters/json/jsonStoreWriteFailure.test.ts covers the same logic
 * with the failure injected at the file layer.
 */
import { execFileSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { CrmStore } from "../actors/store.port.ts";
import { openJsonStore } from "./json/jsonStore.ts";
import { openSqliteStore } from "./sqlite/sqliteStore.ts";
import { startBotApiStandIn, type BotApiStandIn } from "./telegram/testing/botApiStandIn.ts";
import * as updates from "./telegram/testing/telegramUpdates.ts";
import { startMain, until, type StartedMain } from "./testing/npmStart.ts";

const token = "7010:AAH-full-disk-test-token-not-real";

/** Mounts a tmpfs of `size` at a new folder, or says why it cannot. */
function mountTmpfs(size: string): { readonly dir: string } | { readonly skip: string } {
  const dir = mkdtempSync(join(tmpdir(), "crm-full-disk-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "pipe" });
    return { dir };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return { skip: `cannot mount a tmpfs here (${stderr || (error instanceof Error ? error.message : String(error))}); the injected-failure tests cover this` };
  }
}

function unmount(dir: string): void {
  try {
    execFileSync("umount", [dir], { stdio: "pipe" });
  } catch {
    execFileSync("umount", ["-l", dir], { stdio: "pipe" });
  }
  rmSync(dir, { recursive: true, force: true });
}

/** Writes zeros to `path` until the disk refuses another byte. */
function fillDisk(path: string): void {
  const fd = openSync(path, "w");
  try {
    for (const chunk of [Buffer.alloc(256 * 1024), Buffer.alloc(4096), Buffer.alloc(1)]) {
      for (;;) {
        try {
          if (writeSync(fd, chunk) < chunk.length) break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "ENOSPC") break;
          throw error;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

const greeted = (standIn: BotApiStandIn, user: number): boolean => standIn.messages(user, token).some((message) => message.text?.includes("Здравствуйте") ?? false);

/** Each user sends /start at once; resolves when every one of them got an answer (a greeting, or "something went wrong"). */
async function startsAndAnswers(standIn: BotApiStandIn, users: readonly number[], source: string): Promise<void> {
  for (const id of users) standIn.pushUpdate(updates.command(updates.user(id, { first_name: `Покупатель${id}` }), "start", source), { token });
  await until(() => users.every((id) => standIn.messages(id, token).length > 0), `answers to ${users.length} customers`, 30_000);
}

type Kind = "json" | "sqlite";

const storeEnv = (kind: Kind, dir: string): Record<string, string> =>
  kind === "json" ? { STORE: "json", JSON_STORE_DIR: join(dir, "json") } : { STORE: "sqlite", DATABASE_PATH: join(dir, "db", "crm.sqlite") };

const openStore = (kind: Kind, dir: string): Promise<CrmStore> =>
  kind === "json" ? openJsonStore({ dir: join(dir, "json") }) : Promise.resolve(openSqliteStore({ path: join(dir, "db", "crm.sqlite") }));

describe("a full disk under npm start (a real tmpfs)", () => {
  let mounted: string | undefined;
  let standIn: BotApiStandIn | undefined;
  const mains: StartedMain[] = [];
  afterEach(async () => {
    for (const main of mains.splice(0)) {
      main.kill("SIGKILL");
      await main.exited;
    }
    await standIn?.close();
    standIn = undefined;
    if (mounted) unmount(mounted);
    mounted = undefined;
  });

  for (const kind of ["json", "sqlite"] as const) {
    it(`STORE=${kind}: acknowledges nothing it cannot keep, carries on when space is back, and restarts with every acknowledged event`, async (context) => {
      const mount = mountTmpfs(kind === "json" ? "1m" : "4m");
      if ("skip" in mount) return context.skip(mount.skip);
      mounted = mount.dir;
      mkdirSync(join(mount.dir, "db"));
      const filler = join(mount.dir, "filler");
      standIn = await startBotApiStandIn({ botInfo: { username: "full_disk_bot", first_name: "Лавка" } });
      const env = { SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: standIn.apiRoot, ...storeEnv(kind, mount.dir) };
      const first = startMain(env, mount.dir);
      mains.push(first);
      await until(() => first.output().includes('"event":"started"'), "the started line");

      const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
      await startsAndAnswers(standIn, range(1, 5), "before");
      expect(range(1, 5).every((id) => greeted(standIn as BotApiStandIn, id))).toBe(true);

      fillDisk(filler);
      for (const batch of [range(6, 15), range(16, 25), range(26, 35)]) await startsAndAnswers(standIn, batch, "full");
      const refusedWhileFull = range(6, 35).filter((id) => !greeted(standIn as BotApiStandIn, id));
      expect(refusedWhileFull.length).toBeGreaterThan(0);
      expect(first.errors()).not.toMatch(/\n\s+at /);
      // The refusals were the disk's: each is one structured line naming it.
      expect(first.output()).toMatch(kind === "json" ? /"message":"[^"]*ENOSPC: no space left on device/ : /"message":"[^"]*database or disk is full/);

      rmSync(filler);
      await startsAndAnswers(standIn, range(36, 40), "after");
      expect(range(36, 40).filter((id) => !greeted(standIn as BotApiStandIn, id))).toEqual([]);
      const acknowledged = range(1, 40).filter((id) => greeted(standIn as BotApiStandIn, id));

      first.kill("SIGKILL");
      await first.exited;
      const second = startMain(env, mount.dir);
      mains.push(second);
      let secondExited = false;
      void second.exited.then(() => (secondExited = true));
      await until(() => second.output().includes('"event":"started"') || secondExited, "the restart");
      expect(second.errors()).not.toMatch(/not valid JSON|\n\s+at /);
      expect(second.output()).toContain('"event":"started"');
      await startsAndAnswers(standIn, [41], "restarted");
      expect(greeted(standIn, 41)).toBe(true);
      second.kill("SIGTERM");
      expect((await second.exited).code).toBe(0);

      const store = await openStore(kind, mount.dir);
      try {
        const missing = acknowledged.filter((id) => !store.loadEvents(id).some((event) => event.type === "start"));
        expect(missing).toEqual([]);
        expect(store.loadEvents(41).map((event) => event.type)).toEqual(["start"]);
      } finally {
        await store.close();
      }
    }, 180_000);
  }
});
