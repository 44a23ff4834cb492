import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runDemoTraffic } from "./demoTraffic.ts";
import { startDemoWorld } from "./demoWorld.ts";
import { demoDayStart, runDemo, type DemoOutcome } from "./runDemo.ts";

const withoutTiming = (outcome: DemoOutcome): string => outcome.output.replace(/Done in [\d.]+ s/, "Done in … s");

/** The section of the printout under a heading, up to the next heading. */
function section(output: string, heading: string): string {
  const start = output.indexOf(`── ${heading} `);
  if (start === -1) throw new Error(`no section ${heading} in:\n${output}`);
  const end = output.indexOf("\n── ", start + 1);
  return output.slice(start, end === -1 ? undefined : end);
}

describe("npm run demo", () => {
  it("plays a day of fifty customers and prints what the owner sees, in under 30 seconds", async () => {
    const outcome = await runDemo();

    expect(outcome.elapsedMs).toBeLessThan(30_000);
    expect(outcome.problems).toEqual([]);
    expect(outcome.traffic.customers).toBe(50);
    expect(outcome.output).toMatch(/Done in [\d.]+ s; the temporary database is deleted\./);
    expect(outcome.output).toMatch(/── ☕ A day at the shop: Monday, 23 November 2026, 08:\d\d–2\d:\d\d \(Europe\/Moscow\) ─/);
    expect(outcome.output).toContain("The owner (Telegram id 1) opens the CRM bot on Monday, 23 November 2026 at 22:30.");

    const funnel = section(outcome.output, "📈 Funnel");
    expect(funnel).toContain("📈 Воронка — всего лидов: 50");
    const now = (stage: string): number => Number(new RegExp(`${stage}: (\\d+) сейчас`).exec(funnel)?.[1] ?? Number.NaN);
    for (const stage of ["🆕 новый", "👀 интересуется", "🛒 корзина", "📝 оформляет", "✅ покупатель", "🌟 постоянный"]) expect(funnel).toContain(stage);
    for (const stage of ["🆕 новый", "👀 интересуется", "🛒 корзина", "✅ покупатель", "🌟 постоянный"]) expect(now(stage)).toBeGreaterThan(0);
    expect(funnel).toMatch(/от новых · [\d,]+\s%\sот прошлого этапа/);

    const leads = section(outcome.output, "👥 Recent leads");
    expect(leads.match(/\[ (🆕|👀|🛒|📝|✅|🌟) .+ · 23\.11\.2026, \d\d:\d\d \]/g)?.length).toBeGreaterThanOrEqual(5);

    const card = section(outcome.output, "👤 Client card: Анна Смирнова");
    for (const line of ["ID: 501", "Источник: instagram_ads", "Этап: 🌟 постоянный", "Заказов: 2", "Согласие: да, версия 2026-11", "Теги: #vip"]) expect(card).toContain(line);

    const history = section(outcome.output, "📜 History");
    expect(history).toMatch(/👤 Какой кофе посоветуете для турки\?/);
    expect(history).toMatch(/🤖 Посоветую «Гватемала Антигуа, 250 г»/);

    const summary = section(outcome.output, "🧠 AI summary");
    expect(summary).toContain("• Постоянный клиент");
    expect(summary).toContain("Заказов: 2");

    const orders = section(outcome.output, "🧾 Orders");
    expect(orders).toMatch(/Сегодня: \d+ · выручка [\d\s]+₽/);
    // Every common status has orders: new, awaiting payment, paid (Stars), shipped, delivered, cancelled.
    const today = /Сегодня: .*\n\s+(.*)\n/.exec(orders)?.[1] ?? "";
    for (const status of ["🆕", "⏳", "💳", "📦", "✅", "✖️"]) expect(today).toMatch(new RegExp(`${status} [1-9]`));
    expect(outcome.traffic.starsPaid).toBeGreaterThan(0);
    expect(outcome.output).toMatch(/placed \d+ orders \(\d+ paid with Telegram Stars\)\./);
    const delivered = /── 🧾 Order (SO-[0-9A-Z]+) /.exec(outcome.output)?.[1] ?? "";
    const orderCard = section(outcome.output, `🧾 Order ${delivered}`);
    expect(orderCard).toContain("Статус: ✅ доставлен");
    expect(orderCard).toMatch(/📦 отправлен «СДЭК 1042 8834 17» · владелец\n.*✅ доставлен · владелец/);
    const report = section(outcome.output, "📅 Daily report");
    expect(report).toContain("📅 Отчёт за 2026-11-23");
    expect(report).toContain("Новых лидов: 50");
    expect(report).toContain("• data_erased: 1");

    // Its own folder, not a count of all: other tests run demos at the same time.
    expect(outcome.dir).toContain("shop-crm-demo-");
    expect(existsSync(outcome.dir)).toBe(false);
  });

  it("says the real span when the customers' visits run past midnight", async () => {
    // From 20:00: Anna comes at 22:12 and again at 06:42 the next morning.
    const outcome = await runDemo({ customers: 1, start: Date.parse("2026-11-23T20:00:00+03:00") });
    expect(outcome.output).toMatch(/── ☕ 2 days at the shop: Monday, 23 November 2026, 22:12 – Tuesday, 24 November 2026, 0\d:\d\d \(Europe\/Moscow\) ─/);
    expect(outcome.output).not.toContain("A day at the shop");
    expect(outcome.output).toContain("opens the CRM bot on Tuesday, 24 November 2026 at 22:30.");
  });

  it("dates the AI summary as the client card does, in the shop's time zone", async () => {
    // From 22:00 in Moscow: Anna's first visit is at 00:12 on the 24th there, still the 23rd in UTC.
    const outcome = await runDemo({ customers: 1, start: Date.parse("2026-11-23T22:00:00+03:00") });
    expect(section(outcome.output, "👤 Client card: Анна Смирнова")).toContain("Этапы: 🆕 24.11.2026, 00:12");
    expect(section(outcome.output, "🧠 AI summary")).toContain("• Постоянный клиент, в воронке с 24.11.2026.");
  });

  it("counts in the right plural forms: 1 customer, 1 order", async () => {
    const outcome = await runDemo({ customers: 1 });
    expect(outcome.output).toMatch(/^ {2}1 customer sent \d+ updates to the shop bot and placed 2 orders \(1 paid with Telegram Stars\)\.$/m);
    expect(outcome.output).not.toMatch(/\b1 (customers|updates|orders|days)\b/);
  });

  it("plays the same day for the same seed, and another for another seed", async () => {
    const first = await runDemo({ customers: 12, seed: 7 });
    const again = await runDemo({ customers: 12, seed: 7 });
    const other = await runDemo({ customers: 12, seed: 8 });
    expect(withoutTiming(again)).toBe(withoutTiming(first));
    expect(withoutTiming(other)).not.toBe(withoutTiming(first));
    const kinds = Object.values(first.traffic.journeys);
    expect(kinds.reduce((sum, count) => sum + count, 0)).toBe(12);
    expect(Math.min(...kinds)).toBeGreaterThanOrEqual(1);
  });

  it("runs as npm start does: the catalog in the store seeded from the sample, orders as actors, Stars paid through the stand-in", async () => {
    const world = await startDemoWorld({ start: demoDayStart });
    try {
      const rows = world.store.catalogRows();
      expect(rows.products.length).toBeGreaterThan(0);
      expect((await world.store.catalogEdits({ limit: 1 })).items[0]?.by).toEqual({ kind: "seed", file: "sampleCatalog.json" });
      expect(world.catalog.product(rows.products[0]?.id ?? "")).toMatchObject({ title: rows.products[0]?.title });
      const traffic = await runDemoTraffic(world, { customers: 12, seed: 3 });
      const paid = world.telegram.payments.charges.filter((charge) => !charge.forged);
      expect(paid.length).toBe(traffic.starsPaid);
      expect(paid.length).toBeGreaterThan(0);
      for (const charge of paid) {
        expect(charge.payment.currency).toBe("XTR");
        // The answer came from the order actor's view: the order is paid, by its charge.
        expect(world.orders.view(charge.payment.invoice_payload)).toMatchObject({ status: "paid", payment: "stars" });
        expect(await world.store.order(charge.payment.invoice_payload)).toMatchObject({ status: "paid", chargeId: charge.payment.telegram_payment_charge_id });
      }
      expect(world.telegram.payments.preCheckoutQueries.every((query) => query.answer?.ok === true && query.answer.late === false)).toBe(true);
      expect(world.problems).toEqual([]);
    } finally {
      await world.close();
    }
  });
});
