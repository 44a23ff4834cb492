/** What `npm start` on the JSON store says about a damaged folder: a warning line and a repair, or one line and exit 1. */
import { mkdtempSync, readFileSync, rmSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startBotApiStandIn, type BotApiStandIn } from "../telegram/testing/botApiStandIn.ts";
import * as updates from "../telegram/testing/telegramUpdates.ts";
import { startMain, until } from "../testing/npmStart.ts";

const token = "7011:AAH-json-damage-start-token-not-real";

describe("npm start on a damaged JSON store", () => {
  let dir: string;
  let standIn: BotApiStandIn | undefined;
  afterEach(async () => {
    await standIn?.close();
    standIn = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** A folder where customer 61 started and customer 62 started last, written by a clean npm start and stop. */
  async function served(): Promise<Record<string, string>> {
    dir = mkdtempSync(join(tmpdir(), "crm-json-start-"));
    standIn = await startBotApiStandIn({ botInfo: { username: "json_damage_bot", first_name: "Лавка" } });
    const env = { SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: standIn.apiRoot, STORE: "json", JSON_STORE_DIR: join(dir, "json") };
    const main = startMain(env, dir);
    await until(() => main.output().includes('"event":"started"'), "the started line");
    for (const id of [61, 62]) {
      standIn.pushUpdate(updates.command(updates.user(id, { first_name: "Жанна" }), "start", `src${id}`), { token });
      await until(() => (standIn?.messages(id, token).length ?? 0) > 0, "the greeting");
    }
    main.kill("SIGTERM");
    expect((await main.exited).code).toBe(0);
    return env;
  }

  it("refuses a deleted events.jsonl while leads.json shows customers: one line naming JSON_STORE_DIR and the file, no stack, exit 1", async () => {
    const env = await served();
    rmSync(join(dir, "json", "events.jsonl"));
    const main = startMain(env, dir);
    let ended = false;
    void main.exited.then(() => (ended = true));
    await until(() => ended || main.output().includes('"event":"started"'), "an exit or a start");
    main.kill("SIGKILL");
    const { code, stderr, stdout } = await main.exited;
    expect(code).toBe(1);
    expect(stderr).toMatch(/JSON_STORE_DIR: .*events\.jsonl is missing, but .*leads\.json holds 2 customers: the event log is the truth.*backup.*move the folder away/);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdout).not.toContain('"event":"started"');
  });

  it("cuts a half line off events.jsonl with a warning line that names the file and no personal data, and starts", async () => {
    const env = await served();
    const path = join(dir, "json", "events.jsonl");
    const text = readFileSync(path);
    const lastStart = text.subarray(0, text.length - 1).lastIndexOf(0x0a) + 1;
    truncateSync(path, lastStart + 20);
    const main = startMain(env, dir);
    await until(() => main.output().includes('"event":"started"'), "the started line");
    const warning = main.output().split("\n").find((line) => line.includes("json_store_torn_line_cut"));
    expect(warning).toBeDefined();
    expect(JSON.parse(warning ?? "{}")).toMatchObject({ level: "warn", file: path, offset: lastStart, droppedBytes: 20 });
    expect(main.output()).not.toContain("Жанна");
    // Customer 62's only event was in the cut line: their lead, ahead of the log, is dropped.
    expect(main.output()).toMatch(/"event":"json_store_leads_ahead_of_log"[^\n]*"customers":1/);
    main.kill("SIGTERM");
    expect((await main.exited).code).toBe(0);
  });
});
