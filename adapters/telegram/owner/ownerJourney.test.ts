import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buttonStarting, seedCustomers } from "./testing/crmScenario.ts";
import { startOwnerHarness, type OwnerHarness } from "./testing/ownerHarness.ts";

let shop: OwnerHarness;
beforeEach(async () => {
  shop = await startOwnerHarness({ ownerIds: [100] });
});
afterEach(async () => {
  await shop.close();
});

describe("the owner's CRM over HTTP", () => {
  it("funnel → recent leads → card → note → two tags → search by @username → history → AI summary", async () => {
    await seedCustomers(shop);
    const olga = shop.ownerChat(100);

    await olga.command("start");
    expect(olga.screen()).toEqual({ text: "👋 Панель владельца. Что смотрим?", buttons: ["📊 CRM", "🧾 Заказы", "🛍 Каталог", "📣 Рассылки"] });

    await olga.press("📊 CRM");
    expect(olga.screen()).toEqual({ text: "📊 CRM", buttons: ["📈 Воронка", "👥 Последние лиды", "🔍 Поиск", "📅 Отчёт за день", "📣 Кампании", "📊 Графики", "🎯 Сегменты", "📤 Экспорт", "◀️ Меню"] });

    await olga.press("📈 Воронка");
    const funnel = olga.screen().text;
    expect(funnel).toContain("📈 Воронка — всего лидов: 3");
    expect(funnel).toContain("🆕 новый: 1 сейчас, дошли 3");
    expect(funnel).toContain("👀 интересуется: 1 сейчас, дошли 2");
    expect(funnel).toContain("✅ покупатель: 1 сейчас, дошли 1");
    expect(funnel).toMatch(/▓{7}░{3} 66,7\s%\sот новых · 66,7\s%\sот прошлого этапа/);
    expect(funnel).toMatch(/▓{3}░{7} 33,3\s%\sот новых · 100\s%\sот прошлого этапа/);

    await olga.press("👥 Последние лиды");
    expect(olga.screen().text).toBe("👥 Последние лиды — стр. 1");
    const leads = olga.screen().buttons;
    expect(leads.slice(0, 3).map((label) => label.split(" · ")[0])).toEqual(["🆕 Вера", "👀 Борис", "✅ Анна Смирнова"]);

    await olga.press(buttonStarting(olga, "✅ Анна Смирнова"));
    const card = olga.screen().text;
    for (const line of ["✅ Анна Смирнова (@anna_k)", "ID: 501", "Username: @anna_k", "Источник: instagram_ads", "Этап: ✅ покупатель", "Заказов: 1", "Телефон: +79991234567", "Согласие: да, версия 2026-01"]) {
      expect(card).toContain(line);
    }
    expect(card).toMatch(/Сумма покупок: 890\s₽/);
    expect(card).toMatch(/Последний заказ: SO-[0-9A-Z]+/);
    // Anna added to the cart straight from a product link, so she skipped 👀 (engaged).
    expect(card).toMatch(/Этапы: 🆕 [^→]+ → 🛒 [^→]+ → 📝 [^→]+ → ✅ /);
    expect(olga.screen().buttons).toEqual(["📝 Заметка", "🏷 Теги", "📜 История", "🧠 AI-сводка", "🕘 Путь клиента", "◀️ Назад"]);

    await olga.press("📝 Заметка");
    expect(olga.screen().text).toContain("Напишите заметку о клиенте Анна Смирнова (@anna_k)");
    await olga.send("Любит светлую обжарку & <десерты>");
    expect(olga.screen().text).toContain("✅ Заметка сохранена.");
    expect(olga.screen().text).toContain("Любит светлую обжарку & <десерты>");
    expect((await shop.store.lead(501))?.notes.map((note) => note.text)).toEqual(["Любит светлую обжарку & <десерты>"]);

    await olga.press("🏷 Теги");
    expect(olga.screen().buttons).toEqual(["▫️ vip", "▫️ wholesale", "▫️ problem", "➕ Новый тег", "◀️ К карточке"]);
    await olga.press("▫️ vip");
    await olga.press("▫️ wholesale");
    expect(olga.screen().buttons.slice(0, 3)).toEqual(["✅ vip", "✅ wholesale", "▫️ problem"]);
    expect((await shop.store.lead(501))?.tags).toEqual(["vip", "wholesale"]);
    expect(await shop.store.events(501, { types: ["tags_changed"] })).toHaveLength(2);

    await olga.command("crm");
    await olga.press("🔍 Поиск");
    expect(olga.screen().text).toContain("Кого ищем?");
    await olga.send("@anna_k");
    expect(olga.screen().text).toBe("🔍 Найдено по запросу «@anna_k» — стр. 1:");
    await olga.press(buttonStarting(olga, "✅ Анна Смирнова"));
    expect(olga.screen().text).toContain("#vip #wholesale");

    await olga.press("📜 История");
    const history = olga.screen().text;
    expect(history).toContain("📜 История — Анна Смирнова (@anna_k), стр. 1 из 1");
    expect(history).toMatch(/👤 Что посоветуете <к> десерту\?/);
    expect(history).toMatch(/🤖 Из нашего каталога: /);

    await olga.press("◀️ К карточке");
    await olga.press("🧠 AI-сводка");
    expect(olga.screen().text).toContain("🧠 AI-сводка — Анна Смирнова (@anna_k)");
    expect(olga.screen().text).toContain("Сводка: этап customer, заказов 1, сумма 890 RUB; сообщений 2; заметки: Любит светлую обжарку & <десерты>.");
    const asked = shop.ownerAi.summaries[0];
    expect(asked?.chat.map((turn) => turn.role)).toEqual(["customer", "shop"]);
    expect(asked?.orders[0]?.items).toBe("Эфиопия Иргачеффе, 250 г × 1");
    expect(asked?.stageHistory.map((entry) => entry.stage)).toEqual(["new", "cart", "checkout", "customer"]);
    expect(asked?.tags).toEqual(["vip", "wholesale"]);
  });

  it("notifies every owner of a new order, with a button to the client's card", async () => {
    await shop.close();
    shop = await startOwnerHarness({ ownerIds: [100, 101] });
    await seedCustomers(shop);
    for (const ownerId of [100, 101]) {
      const owner = shop.ownerChat(ownerId);
      const notice = owner.messages().find((message) => message.text?.startsWith("🛒 Новый заказ"));
      expect(notice?.text).toMatch(/🛒 Новый заказ SO-[0-9A-Z]+ на 890\s₽\nСтатус: 🆕 новый\nКлиент: Анна Смирнова \(@anna_k\)\nОплата: 💵 при получении\n• Эфиопия Иргачеффе, 250 г × 1 — 890\s₽\nТелефон: \+79991234567\nДоставка: Москва, Тверская 1/);
      await owner.pressOn(notice, "👤 Открыть карточку");
      expect(owner.screen().text).toContain("ID: 501");
    }
  });

  it("shows the orders summary and today's report with stage moves", async () => {
    await seedCustomers(shop);
    const olga = shop.ownerChat(100);
    await olga.command("start");
    await olga.press("🧾 Заказы");
    // Anna's order names no payment method, as before orders were actors: it counts at once.
    expect(olga.screen().text).toMatch(/Сегодня: 1 · выручка 890\s₽ · средний чек 890\s₽\n {3}🆕 1\n/);
    expect(olga.screen().text).toMatch(/• 🆕 SO-[0-9A-Z]+ — 890\s₽, Анна Смирнова \(@anna_k\)/);

    await olga.command("crm");
    await olga.press("📅 Отчёт за день");
    const report = olga.screen().text;
    expect(report).toContain("📅 Отчёт за 2026-11-23");
    expect(report).toContain("Новых лидов: 3");
    expect(report).toMatch(/Заказов: 1 · выручка 890\s₽\n {3}🆕 1\n/);
    expect(report).toContain("• 🆕 новый: 3");
    expect(report).toContain("• ✅ покупатель: 1");
    expect(report).toContain("• order_created: 1");
    await olga.press("◀️");
    expect(olga.screen().text).toContain("📅 Отчёт за 2026-11-22");
    expect(olga.screen().text).toContain("Новых лидов: 0");
    await olga.press("Сегодня");
    expect(olga.screen().text).toContain("📅 Отчёт за 2026-11-23");
  });

  it("speaks English to an English-speaking owner, notifications included", async () => {
    const emma = shop.ownerChat(100, { first_name: "Emma", language_code: "en" });
    await emma.command("start");
    expect(emma.screen()).toEqual({ text: "👋 Owner's desk. What shall we look at?", buttons: ["📊 CRM", "🧾 Orders", "🛍 Catalog", "📣 Broadcasts"] });
    await seedCustomers(shop);
    const notice = emma.messages().find((message) => message.text?.startsWith("🛒"));
    expect(notice?.text).toMatch(/^🛒 New order SO-[0-9A-Z]+ for RUB\s890/);
    await emma.pressOn(notice, "👤 Open the card");
    expect(emma.screen().text).toContain("Lifetime value: RUB");
    expect(emma.screen().buttons).toEqual(["📝 Note", "🏷 Tags", "📜 History", "🧠 AI summary", "🕘 Journey", "◀️ Back"]);
  });
});
