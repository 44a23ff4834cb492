import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buttonStarting, seedCustomers } from "./testing/crmScenario.ts";
import { startOwnerHarness, type OwnerHarness } from "./testing/ownerHarness.ts";

let crm: OwnerHarness;
beforeEach(async () => {
  // The JSON store keeps XState's timer firings in the log under their own types, as the report reads them.
  crm = await startOwnerHarness({ ownerIds: [100], store: "json" });
});
afterEach(async () => {
  await crm.close();
});

/**
 * The seeded customers, then: Boris leaves a cart, which reminds him two hours later; a month on,
 * everyone has gone dormant, and Vera comes back to the catalog.
 */
async function aMonthLater(harness: OwnerHarness): Promise<void> {
  await seedCustomers(harness);
  await harness.dispatch(502, { type: "consent_given", version: "2026-01", key: "b:consent" });
  await harness.dispatch(502, { type: "add_to_cart", productId: "kenya-aa", qty: 1, key: "b:add" });
  harness.clock.set(Date.parse("2026-11-23T12:30:00Z"));
  await harness.fireTimers();
  harness.clock.set(Date.parse("2026-12-24T10:00:00Z"));
  await harness.fireTimers();
  harness.clock.advance(60_000);
  await harness.dispatch(503, { type: "catalog_view", key: "v:catalog" });
}

describe("dormancy and reminders, as the owner sees them", () => {
  it("counts the dormant customers on the funnel, in all and at each stage, whose stage stays", async () => {
    await aMonthLater(crm);
    const olga = crm.ownerChat(100);
    await olga.command("crm");
    await olga.press("📈 Воронка");
    const funnel = olga.screen().text;
    expect(funnel).toContain("📈 Воронка — всего лидов: 3\n💤 Спят (давно не заходили, этап у них прежний): 2");
    expect(funnel).toContain("👀 интересуется: 1 сейчас, дошли 3");
    expect(funnel).toContain("🛒 корзина: 1 сейчас (💤 1 спят), дошли 2");
    expect(funnel).toContain("✅ покупатель: 1 сейчас (💤 1 спят), дошли 1");
    expect((await crm.store.funnel()).dormant).toBe(2);
  });

  it("shows on the card since when a customer is dormant, the last cart reminder and how many were sent", async () => {
    await aMonthLater(crm);
    const olga = crm.ownerChat(100);
    await olga.command("crm");
    await olga.press("👥 Последние лиды");
    await olga.press(buttonStarting(olga, "🛒 Борис"));
    const boris = olga.screen().text;
    expect(boris).toContain("💤 Спит с 24.12.2026, 13:00: давно ничего не делал(а) в магазине.");
    expect(boris).toContain("Напоминания о корзине: 1, последнее 23.11.2026, 15:30");
    await olga.press("◀️ Назад");
    await olga.press(buttonStarting(olga, "👀 Вера"));
    expect(olga.screen().text).not.toContain("💤");
    expect(olga.screen().text).toContain("Напоминания о корзине: —");
  });

  it("keeps the blocked line beside the dormant one", async () => {
    await aMonthLater(crm);
    await crm.dispatch(501, { type: "blocked", key: "a:blocked" });
    const olga = crm.ownerChat(100);
    await olga.command("crm");
    await olga.press("👥 Последние лиды");
    await olga.press(buttonStarting(olga, "✅ Анна"));
    expect(olga.screen().text).toMatch(/🚫 Заблокировал\(а\) бота 24\.12\.2026, 13:01: сообщения не доходят\.\n💤 Спит с 24\.12\.2026, 13:00/);
  });

  it("reports reminders, customers gone dormant and back, and never XState's timer events as event types", async () => {
    await aMonthLater(crm);
    const stats = await crm.store.dailyStats("2026-12-24", "Europe/Moscow");
    expect(Object.keys(stats.eventsByType).some((type) => type.startsWith("xstate.after."))).toBe(true);
    const olga = crm.ownerChat(100);
    await olga.command("crm");
    await olga.press("📅 Отчёт за день");
    const today = olga.screen().text;
    expect(today).toContain("🔔 Напоминаний о корзине: 0 · 💤 уснули: 3 · 🔄 вернулись: 1");
    expect(today).toContain("• dormant: 3");
    expect(today).toContain("• reactivated: 1");
    expect(today).not.toContain("xstate");
    await olga.pressData("o1.rep.2026-11-23");
    const dayOfTheReminder = olga.screen().text;
    expect(dayOfTheReminder).toContain("🔔 Напоминаний о корзине: 1 · 💤 уснули: 0 · 🔄 вернулись: 0");
    expect(dayOfTheReminder).toContain("• reminder_sent: 1");
    expect(dayOfTheReminder).not.toContain("xstate");
  });
});
