import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startBotApiStandIn, type BotApiStandIn } from "../telegram/testing/botApiStandIn.ts";
import * as updates from "../telegram/testing/telegramUpdates.ts";
import { inspectOptions } from "./inspectOptions.ts";
import { hiddenValue } from "./personalRedaction.ts";
import { runInspect, type InspectSession } from "./runInspect.ts";
import { freePort, relayWatcher } from "./testing/recordingInspector.ts";

const shopToken = "7201:live-shop-token-not-real-0000";
const ownerToken = "7202:live-owner-token-not-real-0000";
const names = ["SHOP_BOT_TOKEN", "OWNER_BOT_TOKEN", "OWNER_IDS", "TELEGRAM_API_ROOT", "DATABASE_PATH", "CONSENT_VERSION"] as const;
const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));

let telegram: BotApiStandIn | undefined;
let session: InspectSession | undefined;
let dir: string | undefined;
afterEach(async () => {
  await session?.stop();
  await telegram?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  for (const name of names) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe("npm run inspect -- --live", () => {
  it("runs the bots configured as for npm start, long-polling, with the customers and flows in the inspector and personal data hidden", async () => {
    telegram = await startBotApiStandIn({ bots: { [shopToken]: { first_name: "Shop", username: "live_shop_bot" }, [ownerToken]: { first_name: "CRM", username: "live_crm_bot" } } });
    dir = mkdtempSync(join(tmpdir(), "inspect-live-"));
    Object.assign(process.env, { SHOP_BOT_TOKEN: shopToken, OWNER_BOT_TOKEN: ownerToken, OWNER_IDS: "1", TELEGRAM_API_ROOT: telegram.apiRoot, DATABASE_PATH: join(dir, "crm.sqlite"), CONSENT_VERSION: "1" });
    const port = await freePort();
    const parsed = inspectOptions(["--live", "--port", String(port), "--user", "501"], {});
    if (!parsed.ok) throw new Error(parsed.problem);
    const lines: string[] = [];
    const logged: string[] = [];
    session = await runInspect(parsed.options, { write: (text) => lines.push(text), log: (line) => logged.push(line) });
    expect(lines.join("")).toContain("Live: shop bot @live_shop_bot, CRM bot @live_crm_bot, sqlite store, AI off; names, phones, addresses and texts are hidden");

    const page = await relayWatcher(port);
    const anna = updates.user(501, { first_name: "Анна", username: "anna_live", language_code: "ru" });
    telegram.pushUpdate(updates.command(updates.user(502), "start"), { token: shopToken });
    telegram.pushUpdate(updates.command(anna, "start", "friend"), { token: shopToken });
    await page.until((events) => events.some((event) => event.sessionId === "customer-501" && event.type === "@xstate.snapshot"));
    page.close();

    const customers = page.received.filter((event) => event.sessionId.startsWith("customer-"));
    expect(customers.map((event) => `${event.type} ${event.sessionId}`)).toEqual(["@xstate.actor customer-501", "@xstate.event customer-501", "@xstate.snapshot customer-501"]);
    expect(customers[2]).toMatchObject({ snapshot: { value: { funnel: "new" }, context: { userId: 501, source: "friend", name: hiddenValue, username: hiddenValue } } });
    expect(JSON.stringify(page.received)).not.toContain("anna_live");
    await session.stop();
    session = undefined;
    expect(logged.filter((line) => !line.includes('"level":"info"'))).toEqual([]);
    expect(logged.filter((line) => line.includes('"event":"update"'))).toHaveLength(2);
  });

  it("says what to set when there is no token, and starts nothing", async () => {
    delete process.env["SHOP_BOT_TOKEN"];
    const parsed = inspectOptions(["--live", "--port", String(await freePort())], {});
    if (!parsed.ok) throw new Error(parsed.problem);
    await expect(runInspect(parsed.options, { write: () => {} })).rejects.toThrow("--live runs the real bots: set SHOP_BOT_TOKEN");
  });
});
