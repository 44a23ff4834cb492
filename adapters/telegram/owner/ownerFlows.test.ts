import { Api } from "grammy";
import { afterEach, describe, expect, it } from "vitest";
import { ownerButtons } from "./ownerButtons.ts";
import { ownerEffects } from "./ownerEffects.ts";
import { annasCoffee, buttonStarting, placeOrder, seedCustomers } from "./testing/crmScenario.ts";
import { ownerToken, startOwnerHarness, type OwnerHarness } from "./testing/ownerHarness.ts";

let shop: OwnerHarness;
afterEach(async () => {
  await shop.close();
});

async function openAnnasCard(shopHarness: OwnerHarness, label = "✅ Анна") {
  const olga = shopHarness.ownerChat(100);
  await olga.command("crm");
  await olga.press("👥 Последние лиды");
  await olga.press(buttonStarting(olga, label));
  return olga;
}

describe("owner flows are persisted machines", () => {
  it("resumes the note flow after a restart, then saves the note", async () => {
    shop = await startOwnerHarness({ ownerIds: [100] });
    await seedCustomers(shop);
    const olga = await openAnnasCard(shop);
    await olga.press("📝 Заметка");
    await shop.restart();
    await olga.send("Перезвонить в пятницу");
    expect(olga.screen().text).toContain("✅ Заметка сохранена.");
    expect((await shop.store.lead(501))?.notes.map((note) => note.text)).toEqual(["Перезвонить в пятницу"]);
    await olga.send("Перезвонить в пятницу");
    expect((await shop.store.lead(501))?.notes).toHaveLength(1);
  });

  it("refuses an empty or 10,000-character note and keeps waiting; cancel leaves nothing behind", async () => {
    shop = await startOwnerHarness({ ownerIds: [100] });
    await seedCustomers(shop);
    const olga = await openAnnasCard(shop);
    await olga.press("📝 Заметка");
    await olga.send("x".repeat(10_000));
    expect(olga.screen().text).toMatch(/^Слишком длинная заметка: не больше 2\s000 символов\./);
    await olga.sticker();
    expect(olga.screen().text).toBe("Здесь нужен текст.");
    await olga.press("✖️ Отмена");
    expect(olga.screen().text).toContain("Заметка отменена.");
    await olga.send("@anna_k");
    expect(olga.screen().text).toContain("Найдено по запросу «@anna_k»");
    expect((await shop.store.lead(501))?.notes).toEqual([]);
  });

  it("adds a new tag by text, refusing an invalid one", async () => {
    shop = await startOwnerHarness({ ownerIds: [100] });
    await seedCustomers(shop);
    const olga = await openAnnasCard(shop);
    await olga.press("🏷 Теги");
    await olga.press("➕ Новый тег");
    await olga.send("не тег!");
    expect(olga.screen().text).toContain("Тег — это от 1 до 32 букв, цифр, _ или -.");
    await olga.send("Опт-2026");
    expect(olga.screen().buttons).toContain("✅ опт-2026");
    await olga.press("✅ опт-2026");
    expect((await shop.store.lead(501))?.tags).toEqual([]);
  });

  it("handles search with no results, cancel, and pages", async () => {
    shop = await startOwnerHarness({ ownerIds: [100] });
    await seedCustomers(shop);
    const olga = shop.ownerChat(100);
    await olga.command("crm");
    await olga.press("🔍 Поиск");
    await olga.send("никого-такого");
    expect(olga.screen().text).toContain("По запросу «никого-такого» никого нет.");
    await olga.send("+7 999 123 45 67");
    expect(olga.screen().buttons.some((label) => label.startsWith("✅ Анна"))).toBe(true);
    await olga.press("🔍 Поиск");
    await olga.press("✖️ Отмена");
    expect(olga.toast()).toBe("Поиск отменён.");
    expect(olga.screen().text).toBe("📊 CRM");
  });

  it("shows a failed AI summary with a retry, which then succeeds", async () => {
    shop = await startOwnerHarness({ ownerIds: [100], ai: "fail" });
    await seedCustomers(shop);
    const olga = await openAnnasCard(shop);
    await olga.press("🧠 AI-сводка");
    expect(olga.screen().text).toBe("🧠 Сводку сейчас не получить: AI недоступен. Ничего не потеряно — попробуйте ещё раз.");
    shop.ownerAi.setMode("answer");
    await olga.press("🔁 Повторить");
    expect(olga.screen().text).toContain("Сводка: этап customer");
  });

  it("hides the AI summary when AI is not configured", async () => {
    shop = await startOwnerHarness({ ownerIds: [100], ai: null });
    await seedCustomers(shop);
    const olga = await openAnnasCard(shop);
    expect(olga.screen().buttons).not.toContain("🧠 AI-сводка");
    await olga.pressData(ownerButtons.encode("ai", 501));
    expect(olga.toast()).toBe("AI не настроен.");
  });

  it("gives a clear message when acting on a customer who used /forget", async () => {
    shop = await startOwnerHarness({ ownerIds: [100] });
    await seedCustomers(shop);
    await shop.runtime.forget(501, "tg:9001:forget");
    const olga = await openAnnasCard(shop, "✅ #501");
    expect(olga.screen().text).toContain("🗑 Клиент удалил свои данные");
    expect(olga.screen().buttons).toEqual(["🕘 Путь клиента", "◀️ Назад"]);
    for (const data of [ownerButtons.encode("note", 501), ownerButtons.encode("hist", 501, 0), ownerButtons.encode("tags", 501), ownerButtons.encode("ai", 501)]) {
      await olga.pressData(data);
      expect(olga.toast()).toBe("Клиент удалил свои данные (/forget): заметки, теги, история и сводка недоступны.");
    }
    expect((await shop.store.lead(501))?.notes).toEqual([]);
  });
});


describe("the flows' effects are named actions", () => {
  it("saves a note through saveNote and tags through toggleTag and addTag, each keyed by the owner's update", async () => {
    shop = await startOwnerHarness({ ownerIds: [100] });
    await seedCustomers(shop);
    const olga = await openAnnasCard(shop);
    await olga.press("📝 Заметка");
    await olga.send("Перезвонить в пятницу");
    await olga.press("🏷 Теги");
    await olga.press("▫️ vip");
    await olga.press("➕ Новый тег");
    await olga.send("Опт");
    const events = await shop.store.events(501, { types: ["note_added", "tags_changed"] });
    expect(events.map(({ type, payload }) => ({ type, payload }))).toEqual([
      { type: "note_added", payload: { text: "Перезвонить в пятницу" } },
      { type: "tags_changed", payload: { added: ["vip"] } },
      { type: "tags_changed", payload: { added: ["опт"] } },
    ]);
    expect(events.map((event) => event.key)).toEqual([expect.stringMatching(/^owner:\d+:note$/), expect.stringMatching(/^owner:\d+:tag$/), expect.stringMatching(/^owner:\d+:tag$/)]);
    expect(new Set(events.map((event) => event.key)).size).toBe(3);
  });

  it("adds a typed tag to the client whose menu asked for it, even when another client's menu was open", async () => {
    shop = await startOwnerHarness({ ownerIds: [100] });
    await seedCustomers(shop);
    const olga = await openAnnasCard(shop);
    await olga.press("🏷 Теги");
    await olga.pressData(ownerButtons.encode("tnew", 502));
    expect(olga.screen().text).toContain("Напишите новый тег");
    await olga.send("оптовик");
    expect((await shop.lead(502))?.tags).toEqual(["оптовик"]);
    expect((await shop.lead(501))?.tags).toEqual([]);
  });
});

describe("notices to the owners", () => {
  const newOrderNotices = (harness: OwnerHarness, ownerId: number) => harness.ownerChat(ownerId).messages().filter((message) => message.text?.startsWith("🛒 Новый заказ"));

  it("announces a new order to every owner through the effect worker, once each, also when one owner failed and the effect was retried", async () => {
    shop = await startOwnerHarness({ ownerIds: [100, 101] });
    await shop.dispatch(501, { type: "start", name: "Анна Смирнова", key: "a:start" });
    shop.standIn.failNext("sendMessage", { error_code: 502, description: "Bad Gateway" });
    const annasOrder = await placeOrder(shop, 501, { items: [annasCoffee], phone: "+79991234567", delivery: "Москва, Тверская 1", key: "a" });
    expect(newOrderNotices(shop, 100)).toEqual([]);
    expect(newOrderNotices(shop, 101)).toHaveLength(1);
    const [pending] = shop.store.effectsOf("customer:501").filter((effect) => effect.type === "notifyOwnersOfOrder");
    expect(pending).toMatchObject({ attempts: 1, status: "pending", lastError: expect.stringContaining("1 of 2 owners not reached") });
    expect(JSON.parse((await shop.store.readSession(`owner:notice:${pending?.key ?? ""}`)) ?? "{}")).toEqual({ told: [101] });

    shop.clock.advance(5_000);
    await shop.settle();
    for (const ownerId of [100, 101]) {
      const notices = newOrderNotices(shop, ownerId);
      expect(notices, `owner ${ownerId}`).toHaveLength(1);
      expect(notices[0]?.text).toContain(annasOrder);
    }
    expect(shop.store.effectsOf("customer:501")).toEqual([]);
    expect(await shop.store.readSession(`owner:notice:${pending?.key ?? ""}`)).toBeUndefined();
    expect(shop.logLines.filter((line) => line.event === "order_notice_sent").map((line) => line.fields["ownerId"])).toEqual([101, 100]);
  });

  it("does not let an owner who blocked the bot stop the others, nor retries them", async () => {
    shop = await startOwnerHarness({ ownerIds: [100, 101] });
    shop.standIn.block(100, "7003:owner-test-token-not-real");
    await seedCustomers(shop);
    expect(newOrderNotices(shop, 101)).toHaveLength(1);
    expect(shop.store.effectsOf("customer:501")).toEqual([]);
    expect(shop.logLines.find((line) => line.event === "order_notice_unreachable")?.fields).toMatchObject({ ownerId: 100 });
    expect(shop.standIn.callsTo("sendMessage").filter((call) => Number(call.payload["chat_id"]) === 100)).toHaveLength(1);
  });

  it("announces, after a restart, an order committed while Telegram could not be reached, and none twice", async () => {
    shop = await startOwnerHarness({ ownerIds: [100] });
    await shop.dispatch(501, { type: "start", name: "Анна Смирнова", key: "a:start" });
    shop.standIn.failNext("sendMessage", "disconnect", 1);
    const annasOrder = await placeOrder(shop, 501, { items: [annasCoffee], phone: "+79991234567", delivery: "Москва, Тверская 1", key: "a" });
    expect(newOrderNotices(shop, 100)).toEqual([]);
    await shop.restart();
    shop.clock.advance(5_000);
    await shop.settle();
    expect(newOrderNotices(shop, 100).map((message) => /SO-[0-9A-Z]+/.exec(message.text ?? "")?.[0])).toEqual([annasOrder]);
    await shop.restart();
    shop.clock.advance(60_000);
    await shop.settle();
    expect(newOrderNotices(shop, 100)).toHaveLength(1);
  });

  it("tells every owner, in their language, when an effect gave up after its retries", async () => {
    shop = await startOwnerHarness({ ownerIds: [100, 101], maxAttempts: 2 });
    await shop.ownerChat(101, { first_name: "Emma", language_code: "en" }).command("start");
    shop.customerAi.setMode("fail");
    await shop.dispatch(501, { type: "start", name: "Анна", key: "a:start" });
    await shop.dispatch(501, { type: "consent_given", version: "2026-01", key: "a:consent" });
    await shop.dispatch(501, { type: "consultant_entered", key: "a:ai" });
    await shop.dispatch(501, { type: "question_asked", text: "Что к десерту?", key: "a:question" });
    shop.clock.advance(5_000);
    await shop.settle();
    expect(shop.store.effectsOf("customer:501").map((effect) => [effect.type, effect.status])).toEqual([["askConsultant", "failed"]]);
    expect(shop.ownerChat(100).screen()).toEqual({
      text: "⚠️ Не удалось получить ответ AI-консультанта для клиента 501 после 2 попыток: AiUnavailable: the local AI is set to fail",
      buttons: ["👤 Открыть карточку"],
    });
    expect(shop.ownerChat(101).screen().text).toBe("⚠️ Could not get the AI consultant's answer for customer 501 after 2 tries: AiUnavailable: the local AI is set to fail");
    await shop.ownerChat(100).press("👤 Открыть карточку");
    expect(shop.ownerChat(100).screen().text).toContain("ID: 501");
  });

  it("drops the notice of an order the store does not have, telling no one", async () => {
    shop = await startOwnerHarness({ ownerIds: [100] });
    const handler = ownerEffects({ api: new Api(ownerToken, { apiRoot: shop.standIn.apiRoot }), store: shop.store, ownerIds: [100] });
    const request = { key: "e:customer:9:3:0", actor: "customer:9", type: "notifyOwnersOfOrder" as const, params: { orderId: "SO-NONE" }, attempt: 1 };
    expect(await handler.notifyOwnersOfOrder(request, new AbortController().signal)).toEqual({ outcome: "drop", reason: "the order SO-NONE is not in the store" });
    expect(shop.ownerChat(100).messages()).toEqual([]);
  });

  it("names an effect it does not know, and an order it cannot read, in the failure notice", async () => {
    shop = await startOwnerHarness({ ownerIds: [100] });
    const failed = { key: "e:customer:42:7:0", actor: "customer:42", params: "not json", createdAt: 0, attempts: 0, nextAt: 0, status: "failed" as const, lastError: null };
    await shop.owner.effectFailed({ ...failed, type: "sendBroadcast" }, "HttpError: <timeout>");
    expect(shop.ownerChat(100).screen().text).toBe("⚠️ Не удалось выполнить «sendBroadcast» для клиента 42 после 1 попытки: HttpError: <timeout>");
    await shop.owner.effectFailed({ ...failed, type: "notifyOwnersOfOrder" }, "boom");
    expect(shop.ownerChat(100).screen().text).toBe("⚠️ Не удалось сообщить о новом заказе ? для клиента 42 после 1 попытки: boom");
  });

  it("tells every owner, escaped, when a background part stops (the Sheets mirror)", async () => {
    shop = await startOwnerHarness({ ownerIds: [100, 101] });
    await shop.owner.tellOwners("Google Sheets refused access <403>. Share it & restart; nothing is lost.");
    for (const ownerId of [100, 101]) {
      expect(shop.ownerChat(ownerId).screen().text).toBe("⚠️ Google Sheets refused access <403>. Share it & restart; nothing is lost.");
    }
  });
});
