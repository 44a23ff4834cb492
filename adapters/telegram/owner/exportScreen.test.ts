import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { csvRows, xlsxRows } from "../../export/testing/readBack.ts";
import { annasCoffee, placeOrder, seedCustomers } from "./testing/crmScenario.ts";
import { ownerToken, startOwnerHarness, type OwnerHarness } from "./testing/ownerHarness.ts";

let running: OwnerHarness | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const exportDirs = (): string[] => readdirSync(tmpdir()).filter((name) => name.startsWith("shop-crm-export-"));

/** Анна, Борис (tagged «=1+2» and «опт», with an order of a product titled as a formula) and Вера; a saved segment of «опт». */
async function start(exportLimitBytes?: number) {
  const shop = await startOwnerHarness({ ownerIds: [100], segments: { consentVersion: "2026-01" }, ...(exportLimitBytes ? { exportLimitBytes } : {}) });
  running = shop;
  await seedCustomers(shop);
  await shop.dispatch(502, { type: "tags_changed", added: ["=1+2", "опт"], key: "seed:502:tags" });
  await placeOrder(shop, 502, { items: [{ ...annasCoffee, title: "=HYPERLINK(\"http://evil.example\",\"Кофе\")" }], phone: "+79990000000", delivery: "Казань", key: "seed:502:evil" });
  await shop.store.saveSegment({ name: "Оптовики", filter: { tags: { any: ["опт"] } }, by: 100, at: shop.clock.now() });
  await shop.settle();
  const olga = shop.ownerChat(100);
  await olga.command("crm");
  await olga.press("📤 Экспорт");
  return { shop, olga };
}

/** The documents the owner bot sent, in order: file name, caption and bytes. */
function documents(shop: OwnerHarness) {
  return shop.standIn.callsTo("sendDocument", ownerToken).map((call) => ({ name: call.files[0]?.filename ?? "", caption: String(call.payload.caption ?? ""), bytes: call.files[0]?.bytes ?? Buffer.alloc(0) }));
}

describe("📤 Export, through the owner bot", () => {
  it("sends every lead as a CSV document that parses back, Cyrillic intact and formulas neutralised, and leaves no temporary files", async () => {
    const before = exportDirs();
    const { shop, olga } = await start();
    await olga.press("👥 Все лиды");
    expect(olga.screen().text).toContain("Все лиды: в каком формате?");
    await olga.press("CSV");
    const [sent, ...more] = documents(shop);
    expect(more).toEqual([]);
    expect(sent?.name).toMatch(/^leads-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(sent?.caption).toBe("📤 Все лиды: 3 строк");
    const rows = csvRows(sent?.bytes ?? Buffer.alloc(0));
    expect(rows.map((row) => row[0])).toEqual(["user_id", "501", "502", "503"]);
    expect(rows.find((row) => row[0] === "502")?.[11]).toBe("'=1+2, опт");
    expect(rows.find((row) => row[0] === "501")?.[12]).toBe("");
    expect(exportDirs()).toEqual(before);
  });

  it("sends a saved segment as XLSX with exactly the segment's leads", async () => {
    const { shop, olga } = await start();
    await olga.press("🎯 Сегмент…");
    await olga.press("Оптовики");
    expect(olga.screen().text).toContain("Сегмент «Оптовики»: в каком формате?");
    await olga.press("XLSX (Excel)");
    const [sent] = documents(shop);
    expect(sent?.name).toMatch(/^segment-\d+-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const { rows } = xlsxRows(sent?.bytes ?? Buffer.alloc(0));
    expect(rows.map((row) => row[0])).toEqual(["user_id", "502"]);
    expect(rows[1]?.[1]).toBe("boris_b");
  });

  it("sends the orders of the last 7 days as XLSX, an item titled as a formula neutralised", async () => {
    const { shop, olga } = await start();
    await olga.press("🧾 Заказы 7 дн.");
    await olga.press("XLSX (Excel)");
    const [sent] = documents(shop);
    expect(sent?.caption).toBe("📤 Заказы за 7 дн.: 2 строк");
    const { rows } = xlsxRows(sent?.bytes ?? Buffer.alloc(0));
    expect(rows.slice(1).map((row) => row[1]).sort()).toEqual(["501", "502"]);
    expect(rows.find((row) => row[1] === "502")?.[2]).toBe("'=HYPERLINK(\"http://evil.example\",\"Кофе\") × 1");
    expect(rows.find((row) => row[1] === "501")?.[2]).toBe("Эфиопия Иргачеффе, 250 г × 1");
  });

  it("sends the orders of a typed period, refusing a reversed or unreadable one and keeping the typed text from search", async () => {
    const { shop, olga } = await start();
    await olga.press("📅 Заказы за период…");
    expect(olga.screen().text).toContain("Напишите период");
    await olga.send("вчера");
    expect(olga.screen().text).toContain("Не получилось прочитать даты.");
    const today = new Date(shop.clock.now()).toISOString().slice(0, 10);
    await olga.send(`${today} 2000-01-01`);
    expect(olga.screen().text).toContain("Первая дата позже второй.");
    await olga.send(`${today}`);
    expect(olga.screen().text).toContain(`Заказы с ${today} по ${today}: в каком формате?`);
    await olga.press("CSV");
    const [sent] = documents(shop);
    expect(sent?.name).toBe(`orders-${today}-${today}.csv`);
    expect(csvRows(sent?.bytes ?? Buffer.alloc(0)).slice(1).map((row) => row[1]).sort()).toEqual(["501", "502"]);
    await olga.press("◀️ Назад");
    await olga.press("📅 Заказы за период…");
    await olga.press("✖️ Отмена");
    expect(olga.screen().text).toContain("📤 Экспорт");
    await olga.send("2025-01-01");
    expect(documents(shop)).toHaveLength(1);
    expect(olga.screen().text).not.toContain("в каком формате");
  });

  it("splits a file over the upload limit into parts and says so", async () => {
    const { shop, olga } = await start(500);
    await olga.press("👥 Все лиды");
    await olga.press("CSV");
    const sent = documents(shop);
    expect(sent.length).toBeGreaterThan(1);
    for (const document of sent) expect(document.bytes.length).toBeLessThanOrEqual(500);
    expect(sent[0]?.caption).toContain(`разбит на ${sent.length} частей`);
    expect(sent[1]?.caption).toBe(`Часть 2 из ${sent.length}`);
    const ids = sent.flatMap((document) => csvRows(document.bytes).slice(1).map((row) => row[0]));
    expect(ids).toEqual(["501", "502", "503"]);
  });

  it("says when a saved segment is gone, and when there are none", async () => {
    const { shop, olga } = await start();
    await olga.press("🎯 Сегмент…");
    for (const segment of await shop.store.savedSegments()) await shop.store.deleteSegment(segment.id);
    await olga.press("Оптовики");
    expect(olga.screen().text).toContain("Этого сегмента больше нет.");
    await olga.press("🎯 Сегмент…");
    expect(olga.screen().text).toContain("Сохранённых сегментов пока нет");
    expect(documents(shop)).toEqual([]);
  });
});
