import { OAuth2Client } from "google-auth-library";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createCustomerRuntime, type CustomerRuntime } from "../../actors/customerRuntime.ts";
import type { LogFields } from "../../actors/log.port.ts";
import type { CrmStore } from "../../actors/store.port.ts";
import { openSqliteStore } from "../sqlite/sqliteStore.ts";
import { manualClock } from "../storeContract.ts";
import { createSheetsClient } from "./sheetsClient.ts";
import { createSheetsMirror, type SheetsMirrorOptions } from "./sheetsMirror.ts";
import { leadColumns, leadRow, orderColumns } from "./sheetRows.ts";
import { startSheetsStandIn, type SeedSheet, type SheetsStandIn } from "./testing/sheetsStandIn.ts";
import { simulatedClock } from "./testing/simulatedClock.ts";

const start = Date.parse("2026-11-23T10:00:00Z");
let dir: string;
let standIn: SheetsStandIn;
let store: CrmStore;
let runtime: CustomerRuntime;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function setup(sheets?: readonly SeedSheet[]) {
  dir = mkdtempSync(join(tmpdir(), "sheets-mirror-"));
  const sim = simulatedClock(start);
  standIn = await startSheetsStandIn({ spreadsheetId: "crm-sheet", now: sim.now, ...(sheets ? { sheets } : {}) });
  store = await openSqliteStore({ path: join(dir, "crm.sqlite") });
  runtime = createCustomerRuntime({ store, clock: manualClock(start) });
  cleanups.push(() => standIn.close(), () => store.close(), () => runtime.close());
  return sim;
}

function mirror(sim: ReturnType<typeof simulatedClock>, options: Partial<SheetsMirrorOptions> = {}) {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: "test-token" });
  const logLines: { event: string; fields: LogFields }[] = [];
  const log = { info: (event: string, fields: LogFields = {}) => logLines.push({ event, fields }), warn: (event: string, fields: LogFields = {}) => logLines.push({ event, fields }), error: (event: string, fields: LogFields = {}) => logLines.push({ event, fields }) };
  const created = createSheetsMirror({
    sheets: createSheetsClient({ auth, rootUrl: standIn.rootUrl }),
    spreadsheetId: "crm-sheet",
    outbox: store,
    store,
    clock: sim.clock,
    requestTimeoutMs: 2_000,
    log,
    ...options,
  });
  cleanups.push(() => created.stop());
  return Object.assign(created, { logLines });
}

/** The "Leads" sheet as the store says it should be: the header, then one row per lead. */
async function expectedLeads(): Promise<string[][]> {
  await runtime.settled();
  const rows: string[][] = [];
  for (let offset = 0; ; offset += 100) {
    const page = await store.recentLeads({ offset, limit: 100 });
    rows.push(...page.items.map(leadRow));
    if (!page.hasMore) break;
  }
  return rows.sort((a, b) => Number(a[0]) - Number(b[0]));
}

function leadsOnSheet(): string[][] {
  const [header, ...rows] = standIn.sheet("Leads");
  expect(header).toEqual([...leadColumns]);
  return rows.map((row) => [...row, ...Array<string>(leadColumns.length - row.length).fill("")]).sort((a, b) => Number(a[0]) - Number(b[0]));
}

async function changeLeads(count: number, customers: number, offset = 0): Promise<void> {
  const types = ["catalog_view", "product_view", "search", "add_to_cart"] as const;
  await Promise.all(
    Array.from({ length: count }, (_, index) => {
      const userId = 1_000 + ((index + offset) % customers);
      const type = types[index % types.length] ?? "catalog_view";
      const key = `change:${offset}:${index}`;
      if (index < customers) return runtime.dispatch(userId, { type: "start", username: `user_${userId}`, name: `Клиент ${userId}`, key });
      if (type === "product_view") return runtime.dispatch(userId, { type, productId: "kenya-aa", key });
      if (type === "search") return runtime.dispatch(userId, { type, query: "кофе", key });
      if (type === "add_to_cart") return runtime.dispatch(userId, { type, productId: "kenya-aa", qty: 1, key });
      return runtime.dispatch(userId, { type, key });
    }),
  );
  await runtime.settled();
}

describe("the Sheets mirror", () => {
  it("creates the Leads and Orders sheets with their headers, and 1,000 lead changes reach the sheet", async () => {
    const sim = await setup();
    await changeLeads(1_000, 250);
    const sync = mirror(sim);
    const report = await sync.drainNow();
    expect(report.leads).toBe(250);
    expect(standIn.sheetTitles()).toEqual(expect.arrayContaining(["Leads", "Orders"]));
    expect(standIn.sheet("Orders")[0]).toEqual([...orderColumns]);
    expect(leadsOnSheet()).toEqual(await expectedLeads());
    expect(await store.pendingMirrorCount()).toEqual({ leads: 0, orders: 0 });

    // Later changes rewrite the same rows: no new rows, one batchUpdate.
    const before = standIn.requests.length;
    await changeLeads(1_000, 250, 1_000);
    await sync.drainNow();
    expect(leadsOnSheet()).toEqual(await expectedLeads());
    expect(standIn.requests.slice(before).map((request) => request.api)).toEqual(["values.batchUpdate"]);
  });

  it("equals the store after 10 simulated minutes of 429s, 5xx and hangs, with 0 rows lost", async () => {
    const sim = await setup();
    await changeLeads(300, 100);
    const outageEnds = start + 10 * 60_000;
    const sync = mirror(sim, { requestTimeoutMs: 150 });
    standIn.failNext("*", { status: 503, times: 3 });
    standIn.failNext("*", { status: 429, times: 3 });
    standIn.hangNext("*", 400, 2);
    standIn.failNext("*", { status: 500, times: 1_000 });
    let changedDuringOutage = false;
    const outage = setInterval(() => {
      if (sim.now() >= outageEnds) {
        standIn.clearFaults();
        clearInterval(outage);
      } else if (!changedDuringOutage && sim.now() > start + 60_000) {
        changedDuringOutage = true;
        void changeLeads(200, 120, 5_000);
      }
    }, 5);
    cleanups.push(async () => clearInterval(outage));
    await sync.drainNow();
    expect(sim.now()).toBeGreaterThanOrEqual(outageEnds);
    await runtime.settled();
    await sync.drainNow();
    expect(leadsOnSheet()).toEqual(await expectedLeads());
    expect(leadsOnSheet()).toHaveLength(120);
    expect(sync.logLines.filter((line) => line.event === "sheets_retry").length).toBeGreaterThan(3);
    expect(JSON.stringify(sync.logLines)).not.toContain("test-token");
  });

  it("neither duplicates nor skips a row when it restarts in the middle of a drain", async () => {
    const sim = await setup();
    await changeLeads(100, 40);
    // The append lands at Google after the client gave up; then the process "crashes".
    standIn.hangNext("values.append", 300);
    const first = mirror(sim, { requestTimeoutMs: 100, maxBackoffMs: 1 });
    const drained = first.drainNow().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await first.stop();
    await drained;
    // Let the hung append land (300 ms after it was sent) before the "restarted" process starts.
    await new Promise((resolve) => setTimeout(resolve, 700));
    const second = mirror(sim);
    await second.drainNow();
    const ids = leadsOnSheet().map((row) => row[0]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(leadsOnSheet()).toEqual(await expectedLeads());
  });

  it("finds rows moved by hand again from column A", async () => {
    const sim = await setup();
    await changeLeads(30, 10);
    const sync = mirror(sim, { reindexEveryMs: 60_000 });
    await sync.drainNow();
    standIn.moveRow("Leads", 2, 9);
    standIn.moveRow("Leads", 3, 11);
    sim.advance(61_000);
    await runtime.dispatch(1_000, { type: "contact_shared", phone: "+79990001000", key: "moved:1" });
    await runtime.dispatch(1_001, { type: "contact_shared", phone: "+79990001001", key: "moved:2" });
    await sync.drainNow();
    expect(leadsOnSheet()).toEqual(await expectedLeads());
    expect(leadsOnSheet()).toHaveLength(10);
  });

  it("blanks the personal data of a customer who used /forget", async () => {
    const sim = await setup();
    await runtime.dispatch(77, { type: "start", username: "secret_user", name: "Тайна", source: "ads", key: "f:1" });
    await runtime.dispatch(77, { type: "contact_shared", phone: "+79995554433", key: "f:2" });
    await runtime.addNote(77, "звонить вечером", "f:3");
    const sync = mirror(sim);
    await sync.drainNow();
    expect(JSON.stringify(standIn.sheet("Leads"))).toContain("secret_user");
    await runtime.forget(77, "f:4");
    await sync.drainNow();
    const sheet = JSON.stringify(standIn.sheet("Leads"));
    for (const secret of ["secret_user", "+79995554433", "звонить вечером"]) expect(sheet).not.toContain(secret);
    expect(leadsOnSheet()[0]?.slice(0, 5)).toEqual(["77", "", expect.any(String), expect.any(String), "new"]);
  });

  it("appends each new order to the Orders sheet", async () => {
    const sim = await setup();
    // An order as the customer machine places one: a checkout, then order_created with its lines.
    const items = [{ productId: "kenya-aa", title: "Кения AA", price: 950, qty: 2 }];
    await runtime.dispatch(5, { type: "checkout_started", key: "o:0", at: start });
    await runtime.dispatch(5, { type: "order_created", orderId: "SO-A1", items, total: 1_900, currency: "RUB", key: "o:1", at: start });
    const sync = mirror(sim);
    await sync.drainNow();
    // Sheets leaves out a row's trailing empty cells: paid_at is empty until the order is paid.
    expect(standIn.sheet("Orders").slice(1)).toEqual([["SO-A1", "5", "Кения AA × 2", "1900", "RUB", new Date(start).toISOString(), "placed"]]);
  });

  it("rewrites an order's row as it moves: its status, and paid_at once it is paid", async () => {
    const sim = await setup();
    const items = [{ productId: "kenya-aa", title: "Кения AA", price: 950, qty: 1 }];
    await runtime.dispatch(5, { type: "order_created", orderId: "SO-A2", items, total: 950, currency: "RUB", key: "o:1", at: start });
    const sync = mirror(sim);
    await sync.drainNow();
    const paidAt = start + 60_000;
    await store.transact((tx) => tx.updateOrder("SO-A2", { status: "paid", paidAt }));
    await sync.drainNow();
    expect(standIn.sheet("Orders").slice(1)).toEqual([["SO-A2", "5", "Кения AA × 1", "950", "RUB", new Date(start).toISOString(), "paid", new Date(paidAt).toISOString()]]);
    await store.transact((tx) => tx.updateOrder("SO-A2", { status: "shipped", shippedAt: paidAt + 1 }));
    await sync.drainNow();
    expect(standIn.sheet("Orders").slice(1).map((row) => row.slice(6))).toEqual([["shipped", new Date(paidAt).toISOString()]]);
  });

  it("gives an Orders sheet of the older six columns the new header, and writes its rows again with status and paid_at", async () => {
    const time = new Date(start).toISOString();
    const oldOrders = [["order_id", "user_id", "items", "total", "currency", "time"], ["SO-A3", "5", "Кения AA × 1", "950", "RUB", time]];
    const sim = await setup([{ title: "Leads", sheetId: 0 }, { title: "Orders", sheetId: 1, values: oldOrders }]);
    const items = [{ productId: "kenya-aa", title: "Кения AA", price: 950, qty: 1 }];
    await runtime.dispatch(5, { type: "order_created", orderId: "SO-A3", items, total: 950, currency: "RUB", key: "o:1", at: start });
    // The sheet was in sync under the old columns: nothing is pending.
    await store.completeMirror([...(await store.pendingMirror("lead", 10)), ...(await store.pendingMirror("order", 10))]);
    const lead = await store.lead(5);
    standIn.setValues("Leads", "A1", [[...leadColumns], lead ? leadRow(lead) : []]);
    const sync = mirror(sim);
    await sync.drainNow();
    expect(standIn.sheet("Orders")).toEqual([[...orderColumns], ["SO-A3", "5", "Кения AA × 1", "950", "RUB", time, "placed"]]);
    expect(sync.logLines.some((line) => line.event === "sheets_columns_changed")).toBe(true);
  });

  it("stops on a 403 with a clear message, keeps the outbox, and resumes once access is back", async () => {
    const sim = await setup();
    await changeLeads(20, 5);
    const notices: string[] = [];
    standIn.failNext("*", { status: 403, times: 1_000 });
    const broken = mirror(sim, { onStopped: async (reason) => void notices.push(reason) });
    broken.start();
    for (let wait = 0; wait < 100 && broken.state.state !== "stopped"; wait += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(broken.state).toMatchObject({ state: "stopped" });
    expect(notices[0]).toMatch(/^Google Sheets refused access to the spreadsheet .*Share it with the service account as an editor, then restart; nothing is lost/);
    expect(broken.logLines.some((line) => line.event === "sheets_mirror_stopped")).toBe(true);
    expect((await store.pendingMirrorCount()).leads).toBe(5);

    standIn.clearFaults();
    const fixed = mirror(sim);
    await fixed.drainNow();
    expect(leadsOnSheet()).toEqual(await expectedLeads());
  });
});
