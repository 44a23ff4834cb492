import { afterEach, describe, expect, it } from "vitest";
import type { LogFields, Logger } from "../../../actors/log.port.ts";
import { startOwnerHarness, type OwnerHarness } from "./testing/ownerHarness.ts";
import { createDailyReportScheduler, dayBefore } from "./dailyReport.ts";
import { seedCustomers } from "./testing/crmScenario.ts";

let shop: OwnerHarness;
afterEach(async () => {
  await shop.close();
});

const moscow = "Europe/Moscow";
/** The scheduler as `npm start` makes it, logging into the harness's log lines. */
function schedulerOf(harness: OwnerHarness, ownerIds: readonly number[] = harness.owner.ownerIds) {
  const line = (level: string) => (event: string, fields: LogFields = {}) => void harness.logLines.push({ level, event, fields });
  const log: Logger = { info: line("info"), warn: line("warn"), error: line("error") };
  return createDailyReportScheduler({ state: harness.store, ownerIds, hour: 9, timeZone: moscow, clock: harness.clock, send: (ownerId, day) => harness.owner.sendDailyReport(ownerId, day), log });
}
const reportsTo = (harness: OwnerHarness, ownerId: number) => harness.ownerChat(ownerId).messages().filter((message) => message.text?.startsWith("📅 Отчёт за"));
const headings = (harness: OwnerHarness, ownerId: number) => reportsTo(harness, ownerId).map((message) => message.text?.split("\n")[0]);

describe("the daily report push", () => {
  it("pushes yesterday's whole day at REPORT_HOUR, not the night so far, and says which day it is", async () => {
    shop = await startOwnerHarness({ ownerIds: [100, 101] });
    shop.clock.set(Date.parse("2026-11-22T09:00:00Z")); // Sunday, 12:00 in Moscow
    await seedCustomers(shop);
    shop.clock.set(Date.parse("2026-11-23T04:00:00Z")); // Monday, 07:00: one customer before the push
    await shop.dispatch(504, { type: "start", name: "Глеб", key: "seed:504:start" });
    await shop.runtime.settled();

    shop.clock.set(Date.parse("2026-11-23T05:30:00Z")); // 08:30
    expect(await schedulerOf(shop).tick()).toBeNull();
    expect(reportsTo(shop, 100)).toEqual([]);

    shop.clock.set(Date.parse("2026-11-23T06:05:00Z")); // 09:05
    expect(await schedulerOf(shop).tick()).toEqual({ day: "2026-11-23", report: "2026-11-22", sent: [100, 101] });
    for (const ownerId of [100, 101]) expect(headings(shop, ownerId)).toEqual(["📅 Отчёт за 2026-11-22, воскресенье — вчера, весь день"]);
    const push = shop.ownerChat(100).screen();
    expect(push.text).toContain("Новых лидов: 3");
    // Anna's order names no payment method, as before orders were actors: it counts at once.
    expect(push.text).toMatch(/Заказов: 1 · выручка 890\s₽\n {3}🆕 1\n/);
    expect(push.buttons).toEqual(["📅 Сегодня", "📊 CRM"]);
    expect(shop.logLines.filter((line) => line.event === "daily_report_sent").map((line) => line.fields)).toEqual([
      { ownerId: 100, day: "2026-11-22", pushedOn: "2026-11-23" },
      { ownerId: 101, day: "2026-11-22", pushedOn: "2026-11-23" },
    ]);
  });

  it("keeps today so far one tap away: the push's button shows today until now, and ◀️ goes back to yesterday", async () => {
    shop = await startOwnerHarness({ ownerIds: [100] });
    shop.clock.set(Date.parse("2026-11-22T09:00:00Z"));
    await seedCustomers(shop);
    shop.clock.set(Date.parse("2026-11-23T04:00:00Z"));
    await shop.dispatch(504, { type: "start", name: "Глеб", key: "seed:504:start" });
    shop.clock.set(Date.parse("2026-11-23T06:05:00Z"));
    await schedulerOf(shop).tick();

    const olga = shop.ownerChat(100);
    shop.clock.set(Date.parse("2026-11-23T11:20:00Z")); // 14:20
    await olga.press("📅 Сегодня");
    expect(olga.screen().text.split("\n")[0]).toBe("📅 Отчёт за 2026-11-23, понедельник — сегодня, с 00:00 до 14:20");
    expect(olga.screen().text).toContain("Новых лидов: 1");
    await olga.press("◀️");
    expect(olga.screen().text.split("\n")[0]).toBe("📅 Отчёт за 2026-11-22, воскресенье — вчера, весь день");
    await olga.press("◀️");
    expect(olga.screen().text.split("\n")[0]).toBe("📅 Отчёт за 2026-11-21, суббота — весь день");
  });

  it("reaches every owner exactly once a day, across a restart", async () => {
    shop = await startOwnerHarness({ ownerIds: [100, 101] });
    shop.clock.set(Date.parse("2026-11-22T09:00:00Z"));
    await seedCustomers(shop);

    shop.clock.set(Date.parse("2026-11-23T06:05:00Z")); // 09:05
    await schedulerOf(shop).tick();
    await schedulerOf(shop).tick();
    await shop.restart();
    shop.clock.set(Date.parse("2026-11-23T20:00:00Z")); // 23:00
    await schedulerOf(shop).tick();
    expect(reportsTo(shop, 100)).toHaveLength(1);
    expect(reportsTo(shop, 101)).toHaveLength(1);

    shop.clock.set(Date.parse("2026-11-24T06:00:00Z")); // the next day, 09:00
    await schedulerOf(shop).tick();
    expect(headings(shop, 100)).toEqual(["📅 Отчёт за 2026-11-22, воскресенье — вчера, весь день", "📅 Отчёт за 2026-11-23, понедельник — вчера, весь день"]);
  });

  it("counts a push made before this version (progress kept by the day it went out) as made", async () => {
    shop = await startOwnerHarness({ ownerIds: [100] });
    await shop.store.writeSession("owner:daily-report", JSON.stringify({ day: "2026-11-23", sent: [100] }));
    shop.clock.set(Date.parse("2026-11-23T10:00:00Z"));
    expect((await schedulerOf(shop).tick())?.sent).toEqual([100]);
    expect(reportsTo(shop, 100)).toEqual([]);
  });

  it("keeps going past an owner who blocked the bot, and does not retry them all day", async () => {
    shop = await startOwnerHarness({ ownerIds: [100, 101] });
    shop.clock.set(Date.parse("2026-11-23T07:00:00Z"));
    shop.standIn.block(100, "7003:owner-test-token-not-real");
    const scheduler = schedulerOf(shop, [100, 101]);
    const progress = await scheduler.tick();
    expect(progress?.sent).toEqual([100, 101]);
    expect(shop.ownerChat(101).messages()).toHaveLength(1);
    expect(shop.logLines.find((line) => line.event === "daily_report_unreachable")?.fields).toMatchObject({ ownerId: 100, day: "2026-11-22" });
    await scheduler.tick();
    expect(shop.standIn.callsTo("sendMessage").filter((call) => Number(call.payload["chat_id"]) === 100)).toHaveLength(1);
  });

  it("finds the day before across a month, a year and a DST change", () => {
    expect(dayBefore("2026-12-01", moscow)).toBe("2026-11-30");
    expect(dayBefore("2027-01-01", moscow)).toBe("2026-12-31");
    expect(dayBefore("2026-03-30", "Europe/Berlin")).toBe("2026-03-29");
    expect(dayBefore("2026-03-29", "Europe/Berlin")).toBe("2026-03-28");
  });
});
