import { afterEach, describe, expect, it } from "vitest";
import { startShopHarness, type ShopHarness } from "../shop/testing/shopHarness.ts";
import { ownerButtons } from "./ownerButtons.ts";
import { buttonStarting, seedCustomers } from "./testing/crmScenario.ts";

let shop: ShopHarness;
afterEach(async () => {
  await shop.close();
});

async function openAnnasCard(shopHarness: ShopHarness, label = "✅ Анна") {
  const olga = shopHarness.ownerChat(100);
  await olga.command("crm");
  await olga.press("👥 Последние лиды");
  await olga.press(buttonStarting(olga, label));
  return olga;
}

describe("owner flows are persisted machines", () => {
  it("resumes the note flow after a restart, then saves the note", async () => {
    shop = await startShopHarness({ owner: { ownerIds: [100] } });
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
    shop = await startShopHarness({ owner: { ownerIds: [100] } });
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
    shop = await startShopHarness({ owner: { ownerIds: [100] } });
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
    shop = await startShopHarness({ owner: { ownerIds: [100] } });
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
    shop = await startShopHarness({ owner: { ownerIds: [100], ai: "fail" } });
    await seedCustomers(shop);
    const olga = await openAnnasCard(shop);
    await olga.press("🧠 AI-сводка");
    expect(olga.screen().text).toBe("🧠 Сводку сейчас не получить: AI недоступен. Ничего не потеряно — попробуйте ещё раз.");
    shop.ownerAi.setMode("answer");
    await olga.press("🔁 Повторить");
    expect(olga.screen().text).toContain("Сводка: этап customer");
  });

  it("hides the AI summary when AI is not configured", async () => {
    shop = await startShopHarness({ owner: { ownerIds: [100], ai: null } });
    await seedCustomers(shop);
    const olga = await openAnnasCard(shop);
    expect(olga.screen().buttons).not.toContain("🧠 AI-сводка");
    await olga.pressData(ownerButtons.encode("ai", 501));
    expect(olga.toast()).toBe("AI не настроен.");
  });

  it("gives a clear message when acting on a customer who used /forget", async () => {
    shop = await startShopHarness({ owner: { ownerIds: [100] } });
    const { anna } = await seedCustomers(shop);
    await anna.command("forget");
    await anna.press("Да, удалить всё");
    const olga = await openAnnasCard(shop, "✅ #501");
    expect(olga.screen().text).toContain("🗑 Клиент удалил свои данные");
    expect(olga.screen().buttons).toEqual(["◀️ Назад"]);
    for (const data of [ownerButtons.encode("note", 501), ownerButtons.encode("hist", 501, 0), ownerButtons.encode("tags", 501), ownerButtons.encode("ai", 501)]) {
      await olga.pressData(data);
      expect(olga.toast()).toBe("Клиент удалил свои данные (/forget): заметки, теги, история и сводка недоступны.");
    }
    expect((await shop.store.lead(501))?.notes).toEqual([]);
  });
});

describe("notices to the owners", () => {
  it("announces at start the orders committed but not yet announced, and none twice", async () => {
    shop = await startShopHarness({ owner: { ownerIds: [100] } });
    expect(await shop.owner.catchUpOrderNotices()).toBe(0);
    await seedCustomers(shop);
    expect(await shop.owner.catchUpOrderNotices()).toBe(0);
    shop.clock.advance(60_000);
    // The process went down between the order's commit and its notice.
    await shop.runtime.placeOrder(502, { orderId: "SO-LOST1", items: [{ productId: "kenya-aa", title: "Кения AA, 250 г", price: 950, qty: 1 }], total: 950, currency: "RUB", phone: "+79990000002", delivery: "Самовывоз", key: "lost:1" });
    await shop.restart();
    expect(await shop.owner.catchUpOrderNotices()).toBe(1);
    const notices = shop.ownerChat(100).messages().filter((message) => message.text?.startsWith("🛒 Новый заказ"));
    expect(notices.map((message) => /SO-[0-9A-Z]+/.exec(message.text ?? "")?.[0])).toEqual([expect.stringMatching(/^SO-/), "SO-LOST1"]);
    expect(await shop.owner.catchUpOrderNotices()).toBe(0);
  });

  it("keeps an order unannounced while Telegram cannot be reached, and announces it at the next start", async () => {
    shop = await startShopHarness({ owner: { ownerIds: [100], noticeTimeoutMs: 300 } });
    await shop.owner.catchUpOrderNotices();
    shop.clock.advance(1_000);
    shop.standIn.failNext("sendMessage", "disconnect", 10);
    const order = { orderId: "SO-DOWN1", items: [{ productId: "kenya-aa", title: "Кения AA, 250 г", price: 950, qty: 1 }], total: 950, currency: "RUB", phone: null, delivery: null, key: "down:1" };
    await shop.runtime.placeOrder(503, order);
    const stored = await shop.store.order("SO-DOWN1");
    if (!stored) throw new Error("the order was not stored");
    await shop.owner.notifications.orderPlaced(stored);
    expect(shop.ownerChat(100).messages()).toEqual([]);
    shop.standIn.clear();
    expect(await shop.owner.catchUpOrderNotices()).toBe(1);
    expect(shop.ownerChat(100).screen().text).toContain("SO-DOWN1");
  });

  it("tells every owner, escaped, when a background part stops (the Sheets mirror)", async () => {
    shop = await startShopHarness({ owner: { ownerIds: [100, 101] } });
    await shop.owner.tellOwners("Google Sheets refused access <403>. Share it & restart; nothing is lost.");
    for (const ownerId of [100, 101]) {
      expect(shop.ownerChat(ownerId).screen().text).toBe("⚠️ Google Sheets refused access <403>. Share it & restart; nothing is lost.");
    }
  });
});
