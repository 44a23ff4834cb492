import { readdirSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import { basename } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { annasCoffee, placeOrder, seedCustomers } from "../telegram/owner/testing/crmScenario.ts";
import { startOwnerHarness, type OwnerHarness } from "../telegram/owner/testing/ownerHarness.ts";
import { neutralise } from "./cells.ts";
import { writeExport, type ExportResult } from "./exportFile.ts";
import { csvRows, xlsxRows } from "./testing/readBack.ts";

let running: OwnerHarness | undefined;
const results: ExportResult[] = [];
afterEach(async () => {
  for (const result of results.splice(0)) await rm(result.dir, { recursive: true, force: true });
  await running?.close();
  running = undefined;
});

const context = { consentVersion: "2026-01" };
const evilTitle = '=HYPERLINK("http://evil.example","Кофе")';

/** Анна, Борис (tagged «=1+2» and «опт») and Вера on SQLite; Борис orders a product whose title is a formula. */
async function start(): Promise<OwnerHarness> {
  const shop = await startOwnerHarness({ ownerIds: [100] });
  running = shop;
  await seedCustomers(shop);
  await shop.dispatch(502, { type: "tags_changed", added: ["=1+2", "опт"], key: "seed:502:tags" });
  await placeOrder(shop, 502, { items: [{ ...annasCoffee, title: evilTitle }], phone: "-1", delivery: "Казань", key: "seed:502:evil" });
  await shop.settle();
  return shop;
}

async function exported(...args: Parameters<typeof writeExport>): Promise<ExportResult> {
  const result = await writeExport(...args);
  results.push(result);
  return result;
}

/** Cyrillic text that does not compress much, the same for the same seed: the XLSX parts must be big too. */
function noise(seed: number, length: number): string {
  let state = seed;
  let text = "";
  for (let i = 0; i < length; i += 1) {
    state = (state * 1103515245 + 12345) % 2147483648;
    text += String.fromCharCode(0x430 + ((state >> 16) % 32));
  }
  return text;
}

describe("neutralise", () => {
  it("prefixes a quote to a cell a spreadsheet would read as a formula, and leaves others alone", () => {
    for (const cell of ["=1+2", "+7999", "-5", "@SUM(A1)", "\t=1", "\r=1"]) expect(neutralise(cell)).toBe(`'${cell}`);
    for (const cell of ["Анна", "a=1", "", "1-2", "'quoted"]) expect(neutralise(cell)).toBe(cell);
  });
});

describe("writeExport", () => {
  it("writes every lead as CSV in the Sheets mirror's columns, Cyrillic intact and formulas neutralised", async () => {
    const shop = await start();
    const result = await exported(shop.store, { kind: "leads", context }, "csv", { name: "leads" });
    expect(result).toMatchObject({ rows: 3, split: false });
    expect(result.files.map((file) => basename(file))).toEqual(["leads.csv"]);
    const rows = csvRows(result.files[0] ?? "");
    expect(rows[0]).toEqual(["user_id", "username", "first_seen_at", "last_seen_at", "stage", "orders_count", "lifetime_value", "last_order_id", "consent_at", "consent_version", "phone", "tags", "notes"]);
    expect(rows.map((row) => row[0])).toEqual(["user_id", "501", "502", "503"]);
    const boris = rows.find((row) => row[0] === "502") ?? [];
    expect(boris[11]).toBe("'=1+2, опт");
    expect(boris[10]).toBe("'-1");
    expect(rows.find((row) => row[0] === "501")?.[10]).toBe("'+79991234567");
  });

  it("writes a segment's leads only, as XLSX with numbers as numbers", async () => {
    const shop = await start();
    const result = await exported(shop.store, { kind: "leads", filter: { tags: { any: ["опт"] } }, context }, "xlsx", { name: "segment" });
    const { rows, numbers } = xlsxRows(result.files[0] ?? "");
    expect(rows.map((row) => row[0])).toEqual(["user_id", "502"]);
    expect(rows[1]?.[11]).toBe("'=1+2, опт");
    expect(numbers).toBe(3);
  });

  it("writes the orders placed in a range, the formula in an item's title neutralised, Cyrillic intact", async () => {
    const shop = await start();
    const now = shop.clock.now();
    const result = await exported(shop.store, { kind: "orders", from: now - 86_400_000, to: now + 1 }, "xlsx", { name: "orders" });
    const { rows } = xlsxRows(result.files[0] ?? "");
    expect(rows[0]).toEqual(["order_id", "user_id", "items", "total", "currency", "time", "status", "paid_at"]);
    expect(rows.slice(1).map((row) => row[1]).sort()).toEqual(["501", "502"]);
    expect(rows.find((row) => row[1] === "502")?.[2]).toBe(`'${evilTitle} × 1`);
    expect(rows.find((row) => row[1] === "501")?.[2]).toBe("Эфиопия Иргачеффе, 250 г × 1");
    const none = await exported(shop.store, { kind: "orders", from: now + 1, to: now + 2 }, "csv", { name: "orders" });
    expect(none.rows).toBe(0);
    expect(csvRows(none.files[0] ?? "")).toEqual([["order_id", "user_id", "items", "total", "currency", "time", "status", "paid_at"]]);
  });

  it("splits a file that would pass the upload limit into parts, each under it with its header, losing no row", async () => {
    const shop = await startOwnerHarness({ ownerIds: [100] });
    running = shop;
    for (let id = 1; id <= 300; id += 1) {
      await shop.dispatch(1000 + id, { type: "start", username: `u${id}`, name: `Покупатель ${id}`, language: "ru", key: `seed:${id}` });
      await shop.dispatch(1000 + id, { type: "note_added", text: `Заметка ${noise(id, 400)}`, key: `seed:${id}:note` });
    }
    await shop.settle();
    for (const format of ["csv", "xlsx"] as const) {
      const result = await exported(shop.store, { kind: "leads", context }, format, { name: "big", limitBytes: 40_000, batch: 20 });
      expect(result.split).toBe(true);
      expect(result.files.length).toBeGreaterThan(1);
      const ids: string[] = [];
      for (const file of result.files) {
        expect(statSync(file).size).toBeLessThanOrEqual(40_000);
        const rows = format === "csv" ? csvRows(file) : xlsxRows(file).rows;
        expect(rows[0]?.[0]).toBe("user_id");
        ids.push(...rows.slice(1).map((row) => row[0] ?? ""));
      }
      expect(ids).toEqual(Array.from({ length: 300 }, (_, i) => String(1001 + i)));
      expect(readdirSync(result.dir).sort()).toEqual(result.files.map((file) => basename(file)).sort());
    }
  });
});
