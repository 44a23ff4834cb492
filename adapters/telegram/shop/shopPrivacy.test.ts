import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startShopHarness, type ShopHarness } from "./testing/shopHarness.ts";
import { smallShop, switchableCatalog } from "./testing/switchableCatalog.ts";

let shop: ShopHarness;
afterEach(async () => {
  await shop.close();
});

async function harness(options: Parameters<typeof startShopHarness>[0] = {}): Promise<ShopHarness> {
  shop = await startShopHarness({ catalog: switchableCatalog(smallShop).catalog, ...options });
  return shop;
}

const messagesOf = async (userId: number) => {
  await shop.runtime.settled();
  return shop.store.messages(userId);
};

describe("consent gates what is kept of a chat", () => {
  it("keeps no consultant chat without consent: the consultant asks for it first, and asks the AI nothing", async () => {
    await harness();
    const anna = shop.customer(801);
    await anna.start();
    await anna.press("Не сейчас");
    expect(anna.screen().text).toBe("Хорошо, переписка не сохраняется. Передумаете — загляните в /privacy.");
    expect(anna.screen().buttons).not.toContain("✅ Согласен");
    await anna.start();
    expect(anna.screen().buttons).not.toContain("✅ Согласен");
    await anna.pressData("s1.ai");
    expect(anna.screen().text).toContain("Консультант — это ИИ: чтобы ответить, он читает и сохраняет ваш вопрос");
    expect(anna.screen().buttons).toEqual(["✅ Согласен", "Не сейчас", "◀️ Меню"]);
    await anna.send("Какой чай посоветуете к десерту?");
    expect(anna.screen().text).toContain("Ничего не нашлось");
    expect(shop.consultant.questions).toEqual([]);
    expect(await messagesOf(801)).toEqual([]);
    expect(await shop.store.messagesCount(801)).toBe(0);
    const types = (await shop.store.events(801)).map((event) => event.type);
    expect(types).not.toContain("consultant_entered");
    expect(types).not.toContain("question_asked");

    await anna.press("✅ Согласен");
    await anna.pressData("s1.ai");
    await anna.send("Какой чай посоветуете к десерту?");
    expect(anna.screen().text).toMatch(/^Из нашего каталога: /);
    expect(shop.consultant.questions[0]?.catalog).toContain("Сенча");
    expect(await messagesOf(801)).toHaveLength(2);
  });

  it("logs both directions with consent, then 0 new messages after a revoke", async () => {
    await harness();
    const anna = shop.customer(802);
    await anna.start();
    await anna.press("✅ Согласен");
    expect(anna.screen().text).toBe("Спасибо! Согласие (версия 2026-01) сохранено. Отозвать его можно в /privacy.");
    expect(anna.screen().buttons[0]).toBe("🛍 Каталог");
    await anna.pressData("s1.ai");
    await anna.send("Что есть из зелёного чая?");
    const logged = await messagesOf(802);
    expect(logged.map((message) => [message.direction, message.type])).toEqual([
      ["in", "text"],
      ["out", "ai_response"],
    ]);
    expect(logged[0]?.text).toBe("Что есть из зелёного чая?");
    expect(logged[1]?.text).toBe(anna.screen().text);

    await anna.command("privacy");
    expect(anna.screen().text).toContain("Вы дали согласие на обработку данных (версия 2026-01)");
    await anna.press("Отозвать согласие");
    expect(anna.screen().text).toBe("Согласие отозвано. Новые сообщения больше не сохраняются.");
    await anna.pressData("s1.ai");
    await anna.send("А улун есть?");
    expect(await messagesOf(802)).toHaveLength(2);
    expect((await anna.lead())?.consentAt).toBeNull();
  });

  it("asks again when the terms' version changes, and stops logging until then", async () => {
    await harness({ consentVersion: "2026-01" });
    const anna = shop.customer(803);
    await anna.start();
    await anna.press("✅ Согласен");
    await shop.restart({ consentVersion: "2026-06" });
    await anna.start();
    expect(anna.screen().buttons.slice(0, 2)).toEqual(["✅ Согласен", "Не сейчас"]);
    expect(anna.screen().text).toContain("версия 2026-06");
    await anna.pressData("s1.ai");
    expect(anna.screen().text).toContain("(версия 2026-06)");
    expect(anna.screen().buttons.slice(0, 2)).toEqual(["✅ Согласен", "Не сейчас"]);
    await anna.send("Есть ли матча?");
    expect(shop.consultant.questions).toEqual([]);
    expect(await messagesOf(803)).toEqual([]);
    await anna.command("privacy");
    expect(anna.screen().text).toContain("Условия обработки данных обновились (версия 2026-06)");
  });
});

describe("the consultant", () => {
  it("is absent when no AI is configured, and a forged button says so", async () => {
    await harness({ ai: null });
    const anna = shop.customer(804);
    await anna.start();
    expect(anna.messages()[0] && shop.standIn.buttonsOf(anna.messages()[0]).map((button) => button.text)).not.toContain("💬 Спросить консультанта");
    await anna.pressData("s1.ai");
    expect(anna.toast()).toBe("Консультант сейчас недоступен. Загляните в каталог или поиск.");
  });

  it("tells the customer when the AI times out, and answers the next question", async () => {
    await harness({ ai: "hang", aiTimeoutMs: 150 });
    const anna = shop.customer(805);
    await anna.start();
    await anna.press("✅ Согласен");
    await anna.pressData("s1.ai");
    await anna.send("Что выбрать в подарок?");
    expect(anna.screen().text).toBe("Консультант отвечает слишком долго. Попробуйте ещё раз чуть позже.");
    expect(anna.screen().buttons).toEqual(["◀️ Выйти из чата с консультантом"]);
    shop.consultant.setMode("answer");
    await anna.send("А что-нибудь недорогое?");
    expect(anna.screen().text).toMatch(/^Из нашего каталога: /);
  });

  it("tells the customer when the AI fails", async () => {
    await harness({ ai: "fail" });
    const anna = shop.customer(806);
    await anna.start();
    await anna.press("✅ Согласен");
    await anna.pressData("s1.ai");
    await anna.send("Привет");
    expect(anna.screen().text).toBe("Консультант сейчас не смог ответить. Попробуйте ещё раз чуть позже.");
    expect(shop.logLines.find((line) => line.event === "consultant_failed")?.fields).toMatchObject({ reason: "unavailable" });
  });

  it("caps questions per customer with the configured rate limit", async () => {
    await harness({ consultant: { maxQuestions: 2, windowMs: 60_000 } });
    const anna = shop.customer(807);
    await anna.start();
    await anna.press("✅ Согласен");
    await anna.pressData("s1.ai");
    await anna.send("Раз");
    await anna.send("Два");
    await anna.send("Три");
    expect(anna.screen().text).toBe("Вы задали много вопросов подряд. Пожалуйста, подождите немного и спросите снова.");
    expect(shop.consultant.questions).toHaveLength(2);
    shop.clock.advance(60_000);
    await anna.send("Четыре");
    expect(shop.consultant.questions).toHaveLength(3);
  });

  it("refuses a 10,000-character question, and leaves with the button", async () => {
    await harness();
    const anna = shop.customer(808);
    await anna.start();
    await anna.press("✅ Согласен");
    await anna.pressData("s1.ai");
    await anna.send("?".repeat(10_000));
    expect(anna.screen().text).toMatch(/^Вопрос слишком длинный: не больше 1\s000 символов\.$/);
    expect(shop.consultant.questions).toEqual([]);
    await anna.press("◀️ Выйти из чата с консультантом");
    expect(anna.screen().text).toBe("Вы вышли из чата с консультантом.");
    await anna.send("сенча");
    expect(anna.screen().text).toContain("Найдено по запросу «сенча»");
  });
});

describe("the customer's own data", () => {
  it("/mydata shows what is stored", async () => {
    await harness();
    const anna = shop.customer(809, { first_name: "Анна", last_name: "Смирнова", username: "anna_s" });
    await anna.start("vk_post");
    await anna.press("✅ Согласен");
    await anna.pressData("s1.add.sencha");
    await anna.command("mydata");
    const text = anna.screen().text;
    for (const line of ["ID в Telegram: 809", "Имя: Анна Смирнова", "Username: @anna_s", "Откуда пришли: vk_post", "Этап: корзина", "Согласие: да, версия 2026-01", "Товаров в корзине: 1"]) {
      expect(text).toContain(line);
    }
    expect(anna.screen().buttons).toEqual(["🔒 Конфиденциальность", "🗑 Удалить мои данные", "◀️ Меню"]);
  });

  it("/forget erases every trace of personal data from the store, after a confirmation", async () => {
    await harness();
    const pii = { username: "anna_secret_handle", name: "Анастасия", phone: "+79997654321", address: "Улица Секретная 13", question: "Мой секретный вопрос про чай", note: "клиентка любит улун" };
    const anna = shop.customer(810, { first_name: pii.name, username: pii.username });
    await anna.start("instagram_ads");
    await anna.press("✅ Согласен");
    await anna.pressData("s1.ai");
    await anna.send(pii.question);
    await anna.command("menu");
    await anna.pressData("s1.add.sencha");
    await anna.pressData("s1.co");
    await anna.send(pii.phone);
    await anna.send(pii.address);
    await anna.press("✅ Подтвердить заказ");
    await shop.runtime.addNote(810, pii.note, "owner:note:1");
    await shop.runtime.toggleTag(810, "vip", "owner:tag:1");
    await anna.pressData("s1.add.puer");

    await anna.command("forget");
    expect(anna.screen().buttons).toEqual(["Да, удалить всё", "Нет, оставить"]);
    await anna.press("Нет, оставить");
    expect((await anna.lead())?.phone).toBe(pii.phone);

    await anna.command("forget");
    await anna.press("Да, удалить всё");
    expect(anna.screen().text).toContain("Готово. Удалено: сообщений — 2, телефон — да, username и имя — да, заметок — 1");

    const lead = await anna.lead();
    expect(lead).toMatchObject({ stage: "customer", ordersCount: 1, lifetimeValue: 0, username: null, name: null, phone: null, notes: [], tags: [] });
    expect(lead?.erasedAt).not.toBeNull();
    expect(await shop.store.readSession("shop:810")).toBeUndefined();
    expect(await shop.store.search(pii.username)).toMatchObject({ items: [] });

    await shop.restart();
    const db = new DatabaseSync(join(shop.dir, "crm.sqlite"), { readOnly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((row) => String(row["name"]));
      const everything = tables.map((table) => JSON.stringify(db.prepare(`SELECT * FROM "${table}"`).all())).join("\n");
      for (const value of Object.values(pii)) expect(everything, value).not.toContain(value);
      expect(everything).toContain("instagram_ads");
    } finally {
      db.close();
    }
    const events = await shop.store.events(810);
    expect(events.at(-1)?.type).toBe("data_erased");
  });
});
