import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { createCustomerRuntime } from "../../actors/customerRuntime.ts";
import type { CustomerMachine } from "../../actors/customerSnapshot.ts";
import { customerMachineVersion } from "../../machines/customer.machine.ts";
import { openJsonStore } from "../json/jsonStore.ts";
import { openSqliteStore } from "../sqlite/sqliteStore.ts";
import { manualClock } from "../storeContract.ts";
import { startBotApiStandIn, type BotApiStandIn } from "../telegram/testing/botApiStandIn.ts";
import * as updates from "../telegram/testing/telegramUpdates.ts";
import { startMain, until, type Exited } from "../testing/npmStart.ts";
import { rebuildSqlite } from "./sqliteRebuild.ts";
import { shadowPathOf } from "../sqlite/sqliteRebuildMeta.ts";
import { newMachine, oldMachine, shopTraffic } from "./testing/funnelVariant.ts";
import { funnelViews } from "./testing/storeViews.ts";

const rebuildPath = new URL("./rebuild.ts", import.meta.url).pathname;
const childPath = new URL("./testing/rebuildChild.ts", import.meta.url).pathname;
const t0 = Date.parse("2026-03-02T07:00:00Z");
const token = "7102:AAH-rebuild-test-token-not-real_1234";

function run(script: string, args: readonly string[], env: Record<string, string>, cwd: string) {
  const child = spawn(process.execPath, [script, ...args], { cwd, env: { PATH: process.env["PATH"] ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exited>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { exited, output: () => stdout, kill: (signal: NodeJS.Signals) => child.kill(signal) };
}

/** A refusal: exit code 1, nothing on stdout, and exactly one line on stderr, without a stack. */
function expectOneLine(exited: Exited, text: string): void {
  expect(exited.code).toBe(1);
  expect(exited.stdout).toBe("");
  expect(exited.stderr).toBe(`Shop CRM cannot rebuild: ${text}\n`);
}

describe("npm run rebuild as a command", () => {
  const dirs: string[] = [];
  let standIn: BotApiStandIn | undefined;
  afterEach(async () => {
    await standIn?.close();
    standIn = undefined;
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  function newDir(): string {
    const dir = mkdtempSync(join(tmpdir(), "crm-rebuild-cli-"));
    dirs.push(dir);
    return dir;
  }

  async function feed(path: string, machine: CustomerMachine, machineVersion: number, traffic = shopTraffic(40)): Promise<void> {
    const clock = manualClock(t0);
    const store = openSqliteStore({ path, clock, machineVersion });
    const runtime = createCustomerRuntime({ store, clock, machine, machineVersion, maxBatch: 2_000 });
    await Promise.all(traffic.map(({ userId, event }) => runtime.dispatch(userId, event)));
    await runtime.close();
    await store.close();
  }

  async function viewsOf(path: string) {
    const store = openSqliteStore({ path, machineVersion: 2 });
    try {
      return await funnelViews(store, shopTraffic(40).map(({ userId }) => userId), t0 - 86_400_000, 4);
    } finally {
      await store.close();
    }
  }

  it("refuses bad arguments, a missing store, a JSON store in use and a running process of another machine version, each in one line", async () => {
    const dir = newDir();
    expectOneLine(await run(rebuildPath, ["--fast"], {}, dir).exited, `unknown argument "--fast"; npm run rebuild -- --help says what it takes`);
    expectOneLine(await run(rebuildPath, ["--batch", "lots"], {}, dir).exited, `--batch: expected a number of customers from 1 to 100000, got "lots"`);
    expectOneLine(await run(rebuildPath, ["--batch"], {}, dir).exited, "--batch: expected a number of customers from 1 to 100000, got nothing");
    expectOneLine(await run(rebuildPath, ["--switch-batch", "200000"], {}, dir).exited, `--switch-batch: expected a number of customers from 1 to 100000, got "200000"`);
    const help = await run(rebuildPath, ["--help"], {}, dir).exited;
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--switch-batch <n>");
    const missing = join(dir, "none.sqlite");
    expectOneLine(await run(rebuildPath, [], { DATABASE_PATH: missing }, dir).exited, `DATABASE_PATH: ${missing} does not exist; there is nothing to rebuild`);
    expect(existsSync(missing)).toBe(false);
    const badSetting = await run(rebuildPath, [], { DORMANT_DAYS: "soon" }, dir).exited;
    expect(badSetting.code).toBe(1);
    expect(badSetting.stderr).toMatch(/^Shop CRM cannot rebuild; fix these settings \(in the environment or \.env\): DORMANT_DAYS: [^\n]+\n$/);

    const jsonDir = join(dir, "json");
    const json = await openJsonStore({ dir: jsonDir });
    try {
      expectOneLine(
        await run(rebuildPath, [], { STORE: "json", JSON_STORE_DIR: jsonDir }, dir).exited,
        `JSON_STORE_DIR: ${jsonDir} is in use by a running Shop CRM (it holds ${join(jsonDir, "LOCK")}); the JSON store keeps everything in memory, so stop npm start, rebuild, then start it again`,
      );
    } finally {
      await json.close();
    }

    const path = join(dir, "crm.sqlite");
    const live = openSqliteStore({ path, machineVersion: customerMachineVersion - 1 });
    try {
      expectOneLine(
        await run(rebuildPath, [], { DATABASE_PATH: path }, dir).exited,
        `the running Shop CRM (it holds ${path}.lock) runs customer machine version ${customerMachineVersion - 1}, this rebuild ${customerMachineVersion}: restart npm start with this code first, then rebuild`,
      );
    } finally {
      await live.close();
    }
  });

  for (const phase of ["replay", "switch"] as const) {
    it(`killed with SIGKILL during the ${phase}, leaves the store as it was, and a second run completes`, async () => {
      const dir = newDir();
      const path = join(dir, "crm.sqlite");
      const fresh = join(dir, "fresh.sqlite");
      await feed(path, oldMachine(), 1);
      await feed(fresh, newMachine(), 2);
      const before = await viewsOf(path);
      const child = run(childPath, [path, phase], {}, dir);
      const mark = phase === "replay" ? "batch 15\n" : "switched 5\n";
      await until(() => child.output().includes(mark), `the child's "${mark.trim()}"`);
      child.kill("SIGKILL");
      const exited = await child.exited;
      expect(exited.signal).toBe("SIGKILL");
      expect(exited.stdout).not.toContain("done");
      expect(await viewsOf(path)).toEqual(before);

      const result = await rebuildSqlite({ path, machine: newMachine(), machineVersion: 2 });
      expect(result.switched).toBe(40);
      expect(existsSync(shadowPathOf(path))).toBe(false);
      expect(await viewsOf(path)).toEqual(await viewsOf(fresh));
    });
  }

  it("runs while npm start serves: the bots keep answering, nothing is lost, every customer ends on the current machine", async () => {
    const dir = newDir();
    const path = join(dir, "crm.sqlite");
    // History written by the previous version of the code, recent enough that no timer of it is due yet.
    await feed(path, oldMachine(), customerMachineVersion - 1, shopTraffic(4_000, Date.now() - 3_600_000, 0));
    standIn = await startBotApiStandIn({ botInfo: { username: "rebuild_bot", first_name: "Лавка" } });
    const main = startMain({ SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: standIn.apiRoot, DATABASE_PATH: path }, dir);
    try {
      await until(() => main.output().includes('"event":"started"'), "the started line");
      const rebuild = run(rebuildPath, ["--batch", "2"], { DATABASE_PATH: path }, dir);
      let rebuilding = true;
      void rebuild.exited.then(() => (rebuilding = false));
      const answeredDuring: number[] = [];
      for (let i = 0; i < 5; i++) {
        const chat = 900 + i;
        standIn.pushUpdate(updates.command(updates.user(chat, { first_name: `Гость ${i}` }), "start"), { token });
        await until(() => standIn?.messages(chat, token).length !== 0, `the reply to ${chat}`);
        if (rebuilding) answeredDuring.push(chat);
      }
      const done = await rebuild.exited;
      expect(done.code).toBe(0);
      const summary = /^rebuilt (\d+) customers from \d+ events with customer machine version (\d+): (\d+) switched/.exec(done.stdout);
      expect(summary?.slice(1).map(Number)).toEqual([expect.any(Number), customerMachineVersion, expect.any(Number)]);
      // Every customer of the old history was replayed and switched, but those the live process rewrote meanwhile.
      expect(Number(summary?.[3])).toBeGreaterThan(3_900);
      expect(answeredDuring.length).toBeGreaterThan(0);
    } finally {
      main.kill("SIGTERM");
      expect((await main.exited).code).toBe(0);
    }
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      const versions = db.prepare("SELECT machine_version AS v, count(*) AS n FROM crm_leads GROUP BY machine_version").all();
      expect(versions).toEqual([{ v: customerMachineVersion, n: 4_005 }]);
      expect(db.prepare("SELECT count(*) AS n FROM crm_events WHERE user_id BETWEEN 900 AND 904 AND type = 'start'").get()).toEqual({ n: 5 });
      const counts = db.prepare("SELECT sum(count) AS n FROM crm_funnel").get();
      expect(counts).toEqual({ n: 4_005 });
    } finally {
      db.close();
    }
  }, 120_000);
});
