import { OAuth2Client } from "google-auth-library";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createCustomerRuntime, type CustomerRuntime } from "../actors/customerRuntime.ts";
import { silentLogger } from "../actors/log.port.ts";
import type { CrmStore } from "../actors/store.port.ts";
import { createHealthCheck, type HealthOptions } from "./health.ts";
import { openJsonStore } from "./json/jsonStore.ts";
import { createSheetsClient } from "./sheets/sheetsClient.ts";
import { createSheetsMirror, type SheetsMirror } from "./sheets/sheetsMirror.ts";
import { startSheetsStandIn, type SheetsStandIn } from "./sheets/testing/sheetsStandIn.ts";
import { simulatedClock } from "./sheets/testing/simulatedClock.ts";
import { openSqliteStore } from "./sqlite/sqliteStore.ts";
import { manualClock } from "./storeContract.ts";
import { until } from "./testing/npmStart.ts";

/**
 * The Sheets mirror's part of /health, and the JSON store's, on the real store, the real mirror
 * and the Sheets stand-in over HTTP (npm start cannot point the mirror at a stand-in), with a
 * manual clock so that minutes pass at once.
 */
const start = Date.parse("2026-11-23T10:00:00Z");
let dir: string;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

interface World {
  readonly store: CrmStore;
  readonly runtime: CustomerRuntime;
  readonly clock: ReturnType<typeof manualClock>;
  readonly standIn: SheetsStandIn;
  readonly mirror: SheetsMirror;
}

async function world(): Promise<World> {
  dir = mkdtempSync(join(tmpdir(), "health-check-"));
  const clock = manualClock(start);
  const store = openSqliteStore({ path: join(dir, "crm.sqlite"), clock });
  const runtime = createCustomerRuntime({ store, clock });
  const sim = simulatedClock(start);
  const standIn = await startSheetsStandIn({ spreadsheetId: "crm-sheet", now: sim.now });
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: "test-token" });
  const mirror = createSheetsMirror({ sheets: createSheetsClient({ auth, rootUrl: standIn.rootUrl }), spreadsheetId: "crm-sheet", outbox: store, store, clock: sim.clock, requestTimeoutMs: 2_000, log: silentLogger });
  cleanups.push(() => standIn.close(), () => store.close(), () => runtime.close(), () => mirror.stop());
  return { store, runtime, clock, standIn, mirror };
}

const checkOf = (w: World, options: Partial<HealthOptions> = {}) =>
  createHealthCheck({ store: w.store, stuckMs: 300_000, clock: w.clock, startedAt: start, mirror: w.mirror, bots: () => [], mode: "long polling", ...options });

describe("/health and the Sheets mirror", () => {
  it("answers 503 with the mirror's own reason once Google refuses it (403), and shows what waits in its outbox", async () => {
    const w = await world();
    await w.runtime.dispatch(1, { type: "start", username: "anna", name: "Анна", key: "h:1" });
    w.standIn.failNext("*", { status: 403, times: 100 });
    w.mirror.start();
    await until(() => w.mirror.state.state === "stopped", "the mirror to stop");
    const { healthy, body } = await checkOf(w)();
    expect(healthy).toBe(false);
    expect(body["problems"]).toEqual([
      "mirror: the Sheets mirror stopped: Google Sheets refused access to the spreadsheet (The caller does not have permission). Share it with the service account as an editor, then restart; nothing is lost, the sync resumes.",
    ]);
    expect(body["mirror"]).toMatchObject({ state: "stopped", pending: { leads: 1, orders: 0 }, oldest: { kind: "lead" } });
    expect(JSON.stringify(body)).not.toContain("anna");
  });

  it("calls a queue whose head keeps moving healthy however old its items, and one whose head stays past the threshold stuck", async () => {
    const w = await world();
    for (const userId of [1, 2, 3]) await w.runtime.dispatch(userId, { type: "start", username: `u${userId}`, name: `Клиент ${userId}`, key: `h:${userId}` });
    const check = checkOf(w);
    expect((await check()).healthy).toBe(true);

    // The head moves (as the mirror's batches move it), so the next item, queued long ago, is not stuck.
    w.clock.advance(250_000);
    const [first] = await w.store.pendingMirror("lead", 1);
    if (first) await w.store.completeMirror([first]);
    expect((await check()).healthy).toBe(true);
    w.clock.advance(250_000);
    const moving = await check();
    expect(moving.healthy).toBe(true);
    expect(moving.body["mirror"]).toMatchObject({ state: "idle", pending: { leads: 2 }, oldest: { kind: "lead", queuedSecondsAgo: 500, unmovedSeconds: 250 } });

    // It stays: past 300 s it is stuck.
    w.clock.advance(60_000);
    const stuck = await check();
    expect(stuck.healthy).toBe(false);
    expect(stuck.body["problems"]).toEqual(["mirror: the oldest lead in the Sheets outbox has not moved for 310 s (stuck after 300 s)"]);

    await w.mirror.drainNow();
    const drained = await check();
    expect(drained.healthy).toBe(true);
    expect(drained.body["mirror"]).toMatchObject({ pending: { leads: 0, orders: 0 }, oldest: null });
  });

  it("counts a timer due before this process started from the start, not from its due time", async () => {
    const w = await world();
    await w.store.transact((tx) => tx.setTimer({ actor: "customer:5", sendId: "xstate.after.x", dueAt: start - 86_400_000, event: '{"type":"x"}', key: "t:customer:5:1:x" }));
    const check = checkOf(w, { mirror: undefined });
    w.clock.advance(10_000);
    const soon = await check();
    expect(soon.healthy).toBe(true);
    expect(soon.body).toMatchObject({ mirror: "off", timers: { oldestDue: { actorKind: "customer", waitedSeconds: 10 } } });
    w.clock.advance(300_000);
    expect((await check()).body["problems"]).toEqual(["timers: a customer timer has waited 310 s to fire (stuck after 300 s)"]);
  });
});

describe("/health and the bots", () => {
  it("names each bot and how it comes in, and answers 503 for a poller that ended, its reason masked", async () => {
    const w = await world();
    const bots = [
      { bot: "shop" as const, username: "lavka_bot", mode: "long polling" as const, running: false, stoppedBecause: "GrammyError: Call to 'getUpdates' failed! (401: Unauthorized) for 7001:SECRET-TOKEN" },
      { bot: "owner" as const, username: "lavka_crm_bot", mode: "long polling" as const, running: true },
    ];
    const check = checkOf(w, { mirror: undefined, bots: () => bots, redact: (line) => line.replaceAll("7001:SECRET-TOKEN", "[redacted]") });
    const { healthy, body } = await check();
    expect(healthy).toBe(false);
    expect(body["problems"]).toEqual(["bots: the shop bot (@lavka_bot) no longer polls Telegram: GrammyError: Call to 'getUpdates' failed! (401: Unauthorized) for [redacted]"]);
    expect(body["bots"]).toEqual(bots);
  });
});

describe("/health on the JSON store", () => {
  it("commits its empty unit of work, and says when the store's folder is gone", async () => {
    dir = mkdtempSync(join(tmpdir(), "health-check-"));
    const folder = join(dir, "json");
    const store = await openJsonStore({ dir: folder });
    cleanups.push(() => store.close());
    const check = createHealthCheck({ store, stuckMs: 300_000, clock: { now: () => Date.now() }, startedAt: Date.now(), storeFile: { setting: "JSON_STORE_DIR", path: folder }, bots: () => [], mode: "webhook" });
    expect(await check()).toMatchObject({ healthy: true, body: { store: "json", database: { ok: true } } });
    rmSync(folder, { recursive: true, force: true });
    const gone = await check();
    expect(gone.healthy).toBe(false);
    expect(gone.body["problems"]).toEqual([`database: JSON_STORE_DIR ${folder} is gone (deleted or moved while this process runs); what it writes now is lost at the next start`]);
  });
});
