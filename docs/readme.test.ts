import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { demoUsage, parseDemoArgs } from "../adapters/demo/demoCli.ts";
import { startBotApiStandIn, type BotApiStandIn } from "../adapters/telegram/testing/botApiStandIn.ts";
import * as updates from "../adapters/telegram/testing/telegramUpdates.ts";
import { startMain, until, type StartedMain } from "../adapters/testing/npmStart.ts";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

/** The README's paragraph that starts with `opening`, up to the next blank line. */
function paragraph(opening: string): string {
  const start = readme.indexOf(opening);
  if (start === -1) throw new Error(`the README has no paragraph starting ${opening}`);
  const end = readme.indexOf("\n\n", start);
  return readme.slice(start, end === -1 ? undefined : end);
}

let standIn: BotApiStandIn | undefined;
let main: StartedMain | undefined;
let dir: string | undefined;
afterEach(async () => {
  main?.kill("SIGKILL");
  await main?.exited;
  await standIn?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  [standIn, main, dir] = [undefined, undefined, undefined];
});

describe("what the README tells a new user", () => {
  it("names every option of npm run demo, and only options it takes", () => {
    const demo = paragraph("**Try it without Telegram:**");
    const documented = [...new Set(demo.match(/(?<![\w-])--[a-z][a-z-]*/g) ?? [])];
    const offered = [...new Set(demoUsage.match(/(?<![\w-])--[a-z][a-z-]*/g) ?? [])];
    expect(documented.sort()).toEqual(offered.sort());
    for (const option of documented) expect(parseDemoArgs(option === "--help" ? [option] : [option, "7"]).kind, option).not.toBe("error");
  });

  it("finds your Telegram id the way it says: start with OWNER_IDS=0, send /start to the CRM bot, read userId from the log", async () => {
    const quickStart = paragraph("Create two bots with");
    expect(quickStart).toContain("@userinfobot");
    expect(quickStart).toContain("(`OWNER_IDS=0`)");
    const quoted = /`(\{"time":…[^`]*"event":"owner_refused"[^`]*"userId":123456789[^`]*\})`/.exec(quickStart)?.[1] ?? "";
    expect(quoted).not.toBe("");

    const shopToken = "7201:readme-shop-token-not-real";
    const ownerToken = "7202:readme-owner-token-not-real";
    dir = mkdtempSync(join(tmpdir(), "crm-readme-"));
    standIn = await startBotApiStandIn({ bots: { [shopToken]: { username: "readme_shop_bot", first_name: "Магазин" }, [ownerToken]: { username: "readme_crm_bot", first_name: "CRM" } } });
    main = startMain({ SHOP_BOT_TOKEN: shopToken, OWNER_BOT_TOKEN: ownerToken, OWNER_IDS: "0", TELEGRAM_API_ROOT: standIn.apiRoot, DATABASE_PATH: join(dir, "crm.sqlite") }, dir);
    await until(() => main?.output().includes('"event":"started"') ?? false, "the started line");
    standIn.pushUpdate(updates.command(updates.user(123456789, { first_name: "Ольга" }), "start"), { token: ownerToken });
    await until(() => main?.output().includes('"event":"owner_refused"') ?? false, "the refusal's log line");

    const line = main.output().split("\n").find((text) => text.includes('"event":"owner_refused"')) ?? "";
    expect(JSON.parse(line)).toMatchObject({ level: "warn", event: "owner_refused", userId: 123456789 });
    // The README's quote is the line, with "…" for what varies: its pieces appear in it, in order.
    let from = 0;
    for (const piece of quoted.split("…")) {
      const at = line.indexOf(piece, from);
      expect(at, `${piece} in ${line}`).toBeGreaterThanOrEqual(from);
      from = at + piece.length;
    }
  });
});
