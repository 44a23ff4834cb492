import { afterEach, describe, expect, it } from "vitest";
import type { LogFields, Logger } from "../../../actors/log.port.ts";
import { xlsxRows } from "../../export/testing/readBack.ts";
import { annasCoffee, placeOrder, seedCustomers } from "./testing/crmScenario.ts";
import { ownerToken, startOwnerHarness, type OwnerHarness } from "./testing/ownerHarness.ts";
import { createWeeklyExportScheduler, exportWeekOf, weeklyExportAttempts, type ExportWeek } from "./weeklyExport.ts";

let running: OwnerHarness | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const moscow = "Europe/Moscow";
/** The scheduler as `npm start` makes it, logging into the harness's log lines; `send` may be wrapped. */
function schedulerOf(harness: OwnerHarness, send?: (ownerId: number, week: ExportWeek) => Promise<void>) {
  const line = (level: string) => (event: string, fields: LogFields = {}) => void harness.logLines.push({ level, event, fields });
  const log: Logger = { info: line("info"), warn: line("warn"), error: line("error") };
  return createWeeklyExportScheduler({ state: harness.store, ownerIds: harness.owner.ownerIds, hour: 9, timeZone: moscow, clock: harness.clock, send: send ?? ((ownerId, week) => harness.owner.sendWeeklyExport(ownerId, week)), log });
}

const documentsTo = (harness: OwnerHarness, chatId: number) =>
  harness.standIn
    .callsTo("sendDocument", ownerToken)
    .filter((call) => Number(call.payload.chat_id) === chatId)
    .map((call) => ({ name: call.files[0]?.filename ?? "", caption: String(call.payload.caption ?? ""), bytes: call.files[0]?.bytes ?? Buffer.alloc(0) }));

/** Three customers on Sunday 22 November, Anna's order among them; Olga (100) turns the weekly export on that Sunday. */
async function startShop() {
  const shop = await startOwnerHarness({ ownerIds: [100, 101] });
  running = shop;
  shop.clock.set(Date.parse("2026-11-22T09:00:00Z")); // Sunday, 12:00 in Moscow
  await seedCustomers(shop);
  const olga = shop.ownerChat(100);
  await olga.command("crm");
  await olga.press("📤 Экспорт");
  await olga.press("📅 Каждый понедельник…");
  expect(olga.screen().text).toContain("Сейчас выключено.");
  await olga.press("✅ Включить");
  return { shop, olga };
}

describe("the weekly export", () => {
  it("finds the Monday of a week and the whole week before it in TIME_ZONE", () => {
    const week = exportWeekOf(Date.parse("2026-12-02T20:00:00Z"), moscow); // Wednesday 23:00 in Moscow
    expect(week.week).toBe("2026-11-30");
    expect(new Date(week.from).toISOString()).toBe("2026-11-22T21:00:00.000Z");
    expect(new Date(week.to).toISOString()).toBe("2026-11-29T21:00:00.000Z");
    expect(exportWeekOf(Date.parse("2026-11-29T21:30:00Z"), moscow).week).toBe("2026-11-30"); // Monday 00:30 in Moscow, Sunday in UTC
  });

  it("is turned on by the owner with the date of the first one, and sends nothing in the week it was turned on", async () => {
    const { shop, olga } = await startShop();
    expect(olga.screen().text).toContain("✅ Включено: приходит по понедельникам в 09:00.");
    expect(olga.screen().text).toMatch(/Первая выгрузка — пн, 23 ноября\./);
    expect(olga.screen().buttons).toEqual(["⏹ Выключить", "◀️ Назад"]);
    expect(await schedulerOf(shop).tick()).toEqual({ week: "2026-11-16", sent: [], failures: {} });
    expect(documentsTo(shop, 100)).toEqual([]);
  });

  it("sends the leads and the past week's orders as XLSX on Monday from REPORT_HOUR, once, to the owners who asked, across restarts", async () => {
    const { shop } = await startShop();
    shop.clock.set(Date.parse("2026-11-23T04:00:00Z")); // Monday 07:00: the new week's order is not in last week's file
    await placeOrder(shop, 502, { items: [annasCoffee], phone: "+79990000000", delivery: "Казань", key: "seed:502:monday" });
    shop.clock.set(Date.parse("2026-11-23T05:59:00Z")); // 08:59
    expect(await schedulerOf(shop).tick()).toBeNull();
    expect(documentsTo(shop, 100)).toEqual([]);

    shop.clock.set(Date.parse("2026-11-23T06:01:00Z")); // 09:01
    expect(await schedulerOf(shop).tick()).toMatchObject({ week: "2026-11-23", sent: [100] });
    const [leads, orders, ...more] = documentsTo(shop, 100);
    expect(more).toEqual([]);
    expect(leads?.name).toBe("leads-2026-11-23.xlsx");
    expect(xlsxRows(leads?.bytes ?? Buffer.alloc(0)).rows.map((row) => row[0])).toEqual(["user_id", "501", "502", "503"]);
    expect(orders?.name).toBe("orders-2026-11-16-2026-11-22.xlsx");
    expect(orders?.caption).toBe("📤 Заказы с 2026-11-16 по 2026-11-22: 1 строк");
    expect(xlsxRows(orders?.bytes ?? Buffer.alloc(0)).rows.slice(1).map((row) => row[1])).toEqual(["501"]);
    expect(shop.ownerChat(100).messages().some((message) => message.text?.startsWith("📅 Выгрузка за неделю 2026-11-16 — 2026-11-22"))).toBe(true);
    expect(documentsTo(shop, 101)).toEqual([]);

    await shop.restart();
    shop.clock.set(Date.parse("2026-11-25T10:00:00Z"));
    await schedulerOf(shop).tick();
    expect(documentsTo(shop, 100)).toHaveLength(2);
    expect(shop.logLines.filter((line) => line.event === "weekly_export_sent").map((line) => line.fields)).toEqual([{ ownerId: 100, week: "2026-11-23" }]);
  });

  it("catches up later in the week when the process was down on Monday, and stops when turned off", async () => {
    const { shop, olga } = await startShop();
    shop.clock.set(Date.parse("2026-11-26T15:00:00Z")); // Thursday
    await schedulerOf(shop).tick();
    expect(documentsTo(shop, 100).map((sent) => sent.name)).toEqual(["leads-2026-11-23.xlsx", "orders-2026-11-16-2026-11-22.xlsx"]);

    await olga.command("crm");
    await olga.press("📤 Экспорт");
    await olga.press("📅 Каждый понедельник…");
    expect(olga.screen().text).toContain("✅ Включено");
    await olga.press("⏹ Выключить");
    expect(olga.screen().text).toContain("Сейчас выключено.");
    shop.clock.set(Date.parse("2026-11-30T07:00:00Z")); // the next Monday, 10:00
    expect(await schedulerOf(shop).tick()).toEqual({ week: "2026-11-30", sent: [], failures: {} });
    expect(documentsTo(shop, 100)).toHaveLength(2);
  });

  it(`retries a failed send at the next tick and gives up on the week after ${weeklyExportAttempts} failures, with a line each`, async () => {
    const { shop } = await startShop();
    shop.clock.set(Date.parse("2026-11-23T07:00:00Z"));
    let calls = 0;
    const failing = schedulerOf(shop, () => {
      calls += 1;
      return Promise.reject(new Error("the disk is full"));
    });
    for (let tick = 0; tick < weeklyExportAttempts + 2; tick += 1) await failing.tick();
    expect(calls).toBe(weeklyExportAttempts);
    const failed = shop.logLines.filter((line) => line.event === "weekly_export_failed");
    expect(failed.map((line) => [line.fields["attempt"], line.fields["givenUp"], line.fields["message"]])).toEqual([
      [1, false, "the disk is full"],
      [2, false, "the disk is full"],
      [3, true, "the disk is full"],
    ]);
    shop.clock.set(Date.parse("2026-11-30T07:00:00Z"));
    await schedulerOf(shop).tick();
    expect(documentsTo(shop, 100).map((sent) => sent.name)).toEqual(["leads-2026-11-30.xlsx", "orders-2026-11-23-2026-11-29.xlsx"]);
  });

  it("logs an owner who blocked the bot once and does not retry them all week", async () => {
    const { shop } = await startShop();
    shop.standIn.block(100, ownerToken);
    shop.clock.set(Date.parse("2026-11-23T07:00:00Z"));
    await schedulerOf(shop).tick();
    await schedulerOf(shop).tick();
    expect(shop.logLines.filter((line) => line.event === "weekly_export_unreachable")).toHaveLength(1);
    expect(shop.logLines.filter((line) => line.event === "weekly_export_sent")).toHaveLength(1);
  });
});
