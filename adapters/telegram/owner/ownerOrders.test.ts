import { afterEach, describe, expect, it } from "vitest";
import * as updates from "../testing/telegramUpdates.ts";
import { ownerButtons } from "./ownerButtons.ts";
import { startOwnerHarness, type OwnerHarness } from "./testing/ownerHarness.ts";
import { current, messageStarting, orderLog, ownerScreens, placePaidOrder, toldCustomer } from "./testing/orderScenario.ts";

let shop: OwnerHarness;
let screens: ReturnType<typeof ownerScreens>;
afterEach(async () => {
  await shop.close();
});

async function start(ownerIds: readonly number[]): Promise<OwnerHarness> {
  shop = await startOwnerHarness({ ownerIds });
  screens = ownerScreens(shop);
  return shop;
}

describe("the owner drives an order through its life", () => {
  it("marks a cash order paid, ships it with a tracking note and delivers it, from its notice and its card; the history says who did what and when", async () => {
    await start([100, 101]);
    const orderId = await placePaidOrder(shop, 501, { key: "a" });
    const olga = shop.ownerChat(100);
    const notice = messageStarting(olga, "🛒 Новый заказ");
    expect(notice.text).toContain("Статус: 🆕 новый");
    expect(notice.text).toContain("Оплата: 💵 при получении");
    expect(shop.standIn.buttonsOf(notice).map((button) => button.text)).toEqual(["💵 Оплачен", "📦 Отправлен", "✖️ Отменить", "🧾 Заказ", "👤 Открыть карточку"]);

    const paidNotice = await screens.tap(olga, "💵 Оплачен", notice);
    expect(olga.toast()).toBe(`✅ Заказ ${orderId} отмечен оплаченным.`);
    expect(paidNotice.text).toMatch(new RegExp(`🛒 Новый заказ ${orderId} на 890\\s₽\\nСтатус: 💳 оплачен`));
    expect(paidNotice.buttons).toEqual(["📦 Отправлен", "✖️ Отменить", "↩️ Вернуть деньги", "🧾 Заказ", "👤 Открыть карточку"]);

    shop.clock.advance(60 * 60_000);
    await screens.openFromList(olga, "💳 Оплачены · 1", orderId);
    expect(olga.screen().text).toMatch(new RegExp(`^🧾 Заказ ${orderId} на 890\\s₽\\nСтатус: 💳 оплачен\\nКлиент: Анна Смирнова \\(@user501\\)`));
    await olga.press("📦 Отправлен");
    expect(olga.screen()).toEqual({
      text: `📦 Заказ ${orderId} отправлен? Пришлите трек-номер или короткую заметку для клиента (до 300 символов) — или пропустите.`,
      buttons: ["⏭ Пропустить", "✖️ Отмена"],
    });
    const shipped = await screens.type(olga, "СДЭК 1234 <5678>");
    expect(shipped.text).toMatch(new RegExp(`^✅ Заказ ${orderId} отправлен\\.\\n\\n🧾 Заказ ${orderId}`));
    expect(shipped.text).toContain("Трек: СДЭК 1234 <5678>");
    expect(shipped.buttons).toEqual(["✅ Доставлен", "👤 Клиент", "◀️ Назад"]);

    shop.clock.advance(24 * 60 * 60_000);
    const delivered = await screens.tap(olga, "✅ Доставлен", olga.messages().at(-1));
    const card = delivered.text;
    expect(card).toContain("Статус: ✅ доставлен");
    for (const line of [
      "• 23.11.2026, 13:00 🆕 оформлен · клиент",
      "• 23.11.2026, 13:00 💵 отмечен оплаченным · владелец",
      "• 23.11.2026, 14:00 📦 отправлен «СДЭК 1234 <5678>» · владелец",
      "• 24.11.2026, 14:00 ✅ доставлен · владелец",
      "Оплачен: 23.11.2026, 13:00",
      "Отправлен: 23.11.2026, 14:00",
      "Доставлен: 24.11.2026, 14:00",
    ]) {
      expect(card).toContain(line);
    }
    expect(delivered.buttons).toEqual(["↩️ Вернуть деньги", "👤 Клиент", "◀️ Назад"]);
    expect((await screens.tap(olga, "◀️ Назад", olga.messages().at(-1))).text).toMatch(/^💳 Оплачены — стр\. 1\n\nЗдесь пока пусто\./);

    expect(await orderLog(shop, orderId)).toEqual(["order_placed", "marked_paid", "shipped", "delivered"]);
    const row = await shop.store.order(orderId);
    expect(row).toMatchObject({ status: "delivered", tracking: "СДЭК 1234 <5678>" });
    expect(toldCustomer(shop, 501)).toEqual([`Order ${orderId}: paid`, `Order ${orderId}: shipped [СДЭК 1234 <5678>]`, `Order ${orderId}: delivered`]);

    // The other owner's notice follows the order, with no message of its own for the owners' moves.
    const boris = shop.ownerChat(101);
    expect(boris.messages()).toHaveLength(1);
    expect(boris.messages()[0]?.text).toContain("Статус: ✅ доставлен");
    expect(shop.standIn.buttonsOf(boris.messages()[0]).map((button) => button.text)).toEqual(["↩️ Вернуть деньги", "🧾 Заказ", "👤 Открыть карточку"]);
  });

  it("answers a second tap, an old button and a redelivered press clearly, shows the card again, and never moves the order twice", async () => {
    await start([100]);
    const orderId = await placePaidOrder(shop, 501, { key: "a" });
    const olga = shop.ownerChat(100);
    const notice = messageStarting(olga, "🛒 Новый заказ");
    const firstTap = updates.press(olga.from, notice, "💵 Оплачен");
    await olga.deliver(firstTap);
    await shop.settle();
    // The second tap is on the message as it was, before the first tap's answer redrew it.
    await olga.pressOn(notice, "💵 Оплачен");
    const second = screens.shown(current(olga, notice));
    expect(olga.toast()).toBe(`⚠️ Заказ ${orderId} сейчас «💳 оплачен»: «💵 Оплачен» уже недоступно. Ничего не изменилось.`);
    expect(shop.standIn.callbackAnswers.at(-1)?.show_alert).toBe(true);
    expect(second.text).toMatch(new RegExp(`^⚠️ Заказ ${orderId} сейчас «💳 оплачен»: «💵 Оплачен» уже недоступно\. Ничего не изменилось\.\n\n🛒 Новый заказ`));
    expect(second.buttons[0]).toBe("📦 Отправлен");
    const paidNotice = current(olga, notice);

    // Telegram delivers the first press again: its query was answered, so only the card says so.
    await olga.deliver(firstTap);
    expect(screens.shown(current(olga, notice)).text).toMatch(new RegExp(`^Это уже сделано: заказ ${orderId} не изменился второй раз\\.\\n\\n🛒 Новый заказ`));
    expect(await orderLog(shop, orderId)).toEqual(["order_placed", "marked_paid"]);

    await olga.pressOn(notice, "✖️ Отменить");
    const cancelled = await screens.type(olga, "Клиент передумал");
    expect(cancelled.text).toMatch(new RegExp(`^✅ Заказ ${orderId} отменён\.`));
    expect(cancelled.text).toContain("Статус: ↩️ возврат денег");
    expect(cancelled.text).toContain("Причина: Клиент передумал");
    await olga.pressOn(notice, "📦 Отправлен");
    expect(olga.toast()).toBe(`⚠️ Заказ ${orderId} сейчас «↩️ возврат денег»: «📦 Отправлен» уже недоступно. Ничего не изменилось.`);
    await olga.pressOn(paidNotice, "↩️ Вернуть деньги");
    expect(olga.toast()).toMatch(/^⚠️ .*«↩️ Вернуть деньги» уже недоступно/);
    expect(await orderLog(shop, orderId)).toEqual(["order_placed", "marked_paid", "cancel_requested"]);
    expect(toldCustomer(shop, 501)).toEqual([`Order ${orderId}: paid`, `Order ${orderId}: refunding (Клиент передумал)`]);
  });

  it("asks a cancel's reason until there is one, lets the owner back out, and tells the customer why", async () => {
    await start([100]);
    const orderId = await placePaidOrder(shop, 501, { key: "a" });
    const olga = shop.ownerChat(100);
    await screens.openFromList(olga, "🆕 Новые · 1", orderId);
    await olga.press("✖️ Отменить");
    expect(olga.screen()).toEqual({ text: `✖️ Отмена заказа ${orderId}. Напишите причину — клиент её увидит (до 300 символов).`, buttons: ["✖️ Отмена"] });
    await olga.press("✖️ Отмена");
    expect(olga.toast()).toBe("Действие отменено.");
    expect(olga.screen().text).toMatch(new RegExp(`^Действие отменено\.\n\n🧾 Заказ ${orderId}[^\n]*\nСтатус: 🆕 новый`));

    await olga.press("✖️ Отменить");
    await olga.send("   ");
    expect(olga.screen().text).toMatch(/^Напишите текстом\.\n\n✖️ Отмена заказа/);
    await olga.sticker();
    expect(olga.screen().text).toBe("Здесь нужен текст.");
    await olga.send("я".repeat(301));
    expect(olga.screen().text).toMatch(/^Слишком длинно: не больше 300 символов\./);
    expect(await orderLog(shop, orderId)).toEqual(["order_placed"]);
    const cancelled = await screens.type(olga, "Нет в наличии");
    expect(cancelled.text).toContain("Статус: ✖️ отменён");
    expect(cancelled.text).toContain("✖️ отмена «Нет в наличии» · владелец");
    expect(cancelled.buttons).toEqual(["👤 Клиент", "◀️ Назад"]);
    expect(toldCustomer(shop, 501)).toEqual([`Order ${orderId}: cancelled (Нет в наличии)`]);
    await olga.send("@user501");
    expect(olga.screen().text).toContain("Найдено по запросу «@user501»");
  });
});

describe("orders by status, in pages", () => {
  it("counts each status on the orders screen, pages through one, and returns from a card to the page it came from", async () => {
    await start([100]);
    const placed: string[] = [];
    for (let index = 0; index < 10; index++) {
      shop.clock.advance(60_000);
      placed.push(await placePaidOrder(shop, 600 + index, { key: `p${index}`, name: `Клиент ${index}` }));
    }
    const stars = await placePaidOrder(shop, 700, { key: "s", payment: "stars" });
    const olga = shop.ownerChat(100);
    await olga.command("start");
    await olga.press("🧾 Заказы");
    expect(olga.screen().buttons.slice(0, 9)).toEqual([
      "🆕 Новые · 10",
      "⏳ Ждут оплаты · 1",
      "💳 Оплачены · 0",
      "📦 Отправлены · 0",
      "✅ Доставлены · 0",
      "✖️ Отменены · 0",
      "↩️ Возврат · 0",
      "💸 Возвращены · 0",
      "🗂 Все · 11",
    ]);
    expect(olga.screen().text).toMatch(/Сегодня: 11 · выручка 0\s₽ · средний чек 0\s₽\n {3}🆕 10 · ⏳ 1\n/);

    await olga.press("🆕 Новые · 10");
    expect(olga.screen().text.split("\n")[0]).toBe("🆕 Новые — стр. 1");
    const firstPage = olga.screen().buttons.filter((label) => label.startsWith("🆕 SO-"));
    expect(firstPage).toHaveLength(8);
    expect(firstPage[0]).toContain(placed[9]);
    expect(olga.screen().buttons.slice(-2)).toEqual(["▶️", "◀️ Назад"]);
    await olga.press("▶️");
    expect(olga.screen().text.split("\n")[0]).toBe("🆕 Новые — стр. 2");
    const secondPage = olga.screen().buttons.filter((label) => label.startsWith("🆕 SO-"));
    expect(secondPage.map((label) => label.split(" · ")[0])).toEqual([`🆕 ${placed[1]}`, `🆕 ${placed[0]}`]);
    expect(olga.screen().buttons.slice(-2)).toEqual(["◀️", "◀️ Назад"]);

    await olga.press(secondPage[1] ?? "");
    expect(olga.screen().text).toContain(`🧾 Заказ ${placed[0]}`);
    await olga.press("◀️ Назад");
    expect(olga.screen().text.split("\n")[0]).toBe("🆕 Новые — стр. 2");
    await olga.press("◀️");
    await olga.press("◀️ Назад");
    await olga.press("🗂 Все · 11");
    expect(olga.screen().buttons[0]).toContain(`⏳ ${stars}`);

    // A page past the end (the orders moved on since it was drawn) shows the first page; a list that is not one is out of date.
    await olga.pressData(ownerButtons.encode("ol", 0, 80));
    expect(olga.screen().text.split("\n")[0]).toBe("🆕 Новые — стр. 1");
    await olga.pressData(ownerButtons.encode("ol", 42, 0));
    expect(olga.toast()).toBe("Эта кнопка устарела. Вот актуальное меню.");
    expect(olga.screen().text).toMatch(/^🧾 Заказы/);
    await olga.pressData(ownerButtons.encode("oc", "SO-NOPE", 0, 0));
    expect(olga.toast()).toBe("Такого заказа нет.");
    await olga.pressData(ownerButtons.encode("oa", placed[0] ?? "", "zap", 0, 0));
    expect(olga.toast()).toBe("Эта кнопка устарела. Вот актуальное меню.");
    expect(await orderLog(shop, placed[0] ?? "")).toEqual(["order_placed"]);
  });
});

describe("who may move an order", () => {
  it("refuses a stranger every order button, forged or copied, and the order does not move", async () => {
    await start([100]);
    const orderId = await placePaidOrder(shop, 501, { key: "a" });
    const notice = messageStarting(shop.ownerChat(100), "🛒 Новый заказ");
    const stranger = shop.ownerChat(666, { first_name: "Мэллори" });
    await stranger.send("привет");
    const forged = [
      ownerButtons.encode("ol", 0, 0),
      ownerButtons.encode("oc", orderId, 0, 0),
      ownerButtons.encode("ocn", orderId),
      ...["paid", "ship", "dlvr", "cncl", "rfnd", "rfdn", "rtry"].map((act) => ownerButtons.encode("oa", orderId, act, 9, 0)),
      ownerButtons.encode("oskip"),
      ownerButtons.encode("ocan"),
      ownerButtons.encode("orfd", orderId, "abc"),
    ];
    for (const data of forged) await stranger.deliver(updates.callback(stranger.from, data, { ...notice, chat: { id: 666, type: "private", first_name: "Мэллори" } }));
    const refusal = "Извините, этот бот — рабочий инструмент владельца магазина. Доступа у вас нет.";
    expect(shop.standIn.callbackAnswers.filter((answer) => answer.text === refusal)).toHaveLength(forged.length);
    expect(stranger.messages().map((message) => message.text)).toEqual([refusal]);
    expect(await orderLog(shop, orderId)).toEqual(["order_placed"]);
    expect((await shop.store.order(orderId))?.status).toBe("placed");
  });
});

describe("the words of a move across restarts and redeliveries", () => {
  it("resumes waiting for a tracking note after a restart, and a tracking note Telegram delivers again ships once and is not searched for", async () => {
    await start([100]);
    const orderId = await placePaidOrder(shop, 501, { key: "a" });
    const olga = shop.ownerChat(100);
    await olga.pressOn(messageStarting(olga, "🛒 Новый заказ"), "📦 Отправлен");
    await shop.restart();
    const tracking = updates.privateText(olga.from, "RU123456789");
    await olga.deliver(tracking);
    expect(messageStarting(olga, "✅ Заказ").text).toMatch(new RegExp(`^✅ Заказ ${orderId} отправлен\\.`));
    await olga.deliver(tracking);
    expect(messageStarting(olga, "Это уже сделано").text).toMatch(new RegExp(`^Это уже сделано: заказ ${orderId} не изменился второй раз\\.\\n\\n🧾 Заказ ${orderId}`));
    expect(await orderLog(shop, orderId)).toEqual(["order_placed", "shipped"]);
    await olga.send("RU123456789");
    expect(olga.screen().text).toContain("По запросу «RU123456789» никого нет.");
  });

  it("ships with a tracking note only once when the note was stored but the session was not (the flow still waits)", async () => {
    await start([100]);
    const orderId = await placePaidOrder(shop, 501, { key: "a" });
    const olga = shop.ownerChat(100);
    await olga.pressOn(messageStarting(olga, "🛒 Новый заказ"), "📦 Отправлен");
    const waiting = await shop.store.readSession("owner:100");
    const tracking = updates.privateText(olga.from, "RU123456789");
    await olga.deliver(tracking);
    // The process died after the order's commit and before grammY wrote the session back.
    await shop.store.writeSession("owner:100", waiting ?? "");
    await olga.deliver(tracking);
    expect(messageStarting(olga, "Это уже сделано").text).toMatch(new RegExp(`^Это уже сделано: заказ ${orderId} не изменился второй раз\\.\\n\\n🧾 Заказ ${orderId}`));
    expect(await orderLog(shop, orderId)).toEqual(["order_placed", "shipped"]);
  });
});

describe("what the owners are told without asking", () => {
  it("tells the owners of an unpaid order cancelled by its timer, and the notice loses its buttons", async () => {
    await start([100]);
    const orderId = await placePaidOrder(shop, 501, { key: "a", payment: "stars" });
    const olga = shop.ownerChat(100);
    const notice = messageStarting(olga, "🛒 Новый заказ");
    shop.clock.advance(61 * 60_000);
    await shop.fireTimers();
    expect(olga.screen().text).toMatch(new RegExp(`^🧾 Заказ ${orderId} на 890\\s₽: ✖️ отменён · таймер\\nПричина: не оплачен вовремя$`));
    expect(olga.screen().buttons).toEqual(["🧾 Заказ"]);
    const edited = olga.messages().find((message) => message.message_id === notice.message_id);
    expect(edited?.text).toContain("Статус: ✖️ отменён");
    expect(edited?.text).toContain("Причина: не оплачен вовремя");
    expect(shop.standIn.buttonsOf(edited).map((button) => button.text)).toEqual(["🧾 Заказ", "👤 Открыть карточку"]);
    await olga.press("🧾 Заказ");
    expect(olga.screen().text).toContain("⌛ не оплачен вовремя — отменён · таймер");
  });

  it("counts orders by status and revenue from paid and delivered ones, in the orders summary and the day's report", async () => {
    await start([100]);
    const paid = await placePaidOrder(shop, 501, { key: "a" });
    const delivered = await placePaidOrder(shop, 502, { key: "b", items: [{ productId: "tea", title: "Чай", price: 500, qty: 2 }] });
    await placePaidOrder(shop, 503, { key: "c" });
    const cancelled = await placePaidOrder(shop, 504, { key: "d" });
    const orders = shop.actors.orders;
    if (!orders) throw new Error("no order actors");
    await orders.send(paid, { type: "marked_paid", by: "owner", key: "x:paid" });
    await orders.send(delivered, { type: "shipped", by: "owner", key: "x:ship" });
    await orders.send(delivered, { type: "delivered", by: "owner", key: "x:dlvr" });
    await orders.send(cancelled, { type: "cancel_requested", by: "owner", reason: "нет", key: "x:cncl" });
    await shop.settle();
    const olga = shop.ownerChat(100);
    await olga.command("start");
    await olga.press("🧾 Заказы");
    const summary = olga.screen().text;
    expect(summary).toMatch(/Сегодня: 4 · выручка 1\s890\s₽ · средний чек 945\s₽\n {3}🆕 1 · 💳 1 · ✅ 1 · ✖️ 1\n/);
    expect(summary).toMatch(/30 дней: 4 · выручка 1\s890\s₽/);
    expect(olga.screen().buttons.slice(0, 6)).toEqual(["🆕 Новые · 1", "⏳ Ждут оплаты · 0", "💳 Оплачены · 1", "📦 Отправлены · 0", "✅ Доставлены · 1", "✖️ Отменены · 1"]);

    await olga.command("crm");
    await olga.press("📅 Отчёт за день");
    expect(olga.screen().text).toMatch(/Заказов: 4 · выручка 1\s890\s₽\n {3}🆕 1 · 💳 1 · ✅ 1 · ✖️ 1\n/);
  });
});


describe("the order screens in English", () => {
  it("speaks English to an English-speaking owner, in the notice, the card, its moves and the lists", async () => {
    await start([100]);
    const emma = shop.ownerChat(100, { first_name: "Emma", language_code: "en" });
    await emma.command("start");
    const orderId = await placePaidOrder(shop, 501, { key: "a", payment: "stars", invoice: { currency: "XTR", amount: 445 } });
    const notice = messageStarting(emma, "🛒 New order");
    expect(notice.text).toMatch(new RegExp(`^🛒 New order ${orderId} for RUB\\s890\\nStatus: ⏳ awaiting payment\\nCustomer: Анна Смирнова \\(@user501\\)\\nPayment: ⭐ Telegram Stars \\(445 ⭐\\)`));
    expect(screens.shown(notice).buttons).toEqual(["✖️ Cancel", "🧾 Order", "👤 Open the card"]);
    const untouched = await screens.tap(emma, "🧾 Order", notice);
    expect(untouched.text).toBe(notice.text);
    const card = screens.shown(emma.messages().at(-1) ?? notice);
    expect(card.text).toMatch(new RegExp(`^🧾 Order ${orderId} for RUB\\s890\\nStatus: ⏳ awaiting payment`));
    expect(card.buttons).toEqual(["✖️ Cancel", "👤 Customer", "◀️ Back"]);
    await emma.command("start");
    await emma.press("🧾 Orders");
    expect(emma.screen().text).toContain("Revenue: orders paid for (or delivered, when paid on delivery), less cancelled and refunded ones");
    await emma.press("⏳ Awaiting payment · 1");
    await emma.press(emma.screen().buttons[0] ?? "");
    expect(emma.screen().text).toContain(`🧾 Order ${orderId} for RUB`);
    expect(emma.screen().text).toContain("🆕 placed · customer");
    await emma.press("✖️ Cancel");
    const cancelled = await screens.type(emma, "Out of stock");
    expect(cancelled.text).toMatch(new RegExp(`^✅ Order ${orderId} cancelled\\.`));
    expect(cancelled.text).toContain("✖️ cancel «Out of stock» · owner");
    for (const message of emma.messages()) expect(message.text ?? "").not.toMatch(/\bord-|effect-/);
  });
});
