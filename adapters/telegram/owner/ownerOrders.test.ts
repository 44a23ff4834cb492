import { afterEach, describe, expect, it } from "vitest";
import { orderActor } from "../../../actors/actorLog.port.ts";
import * as updates from "../testing/telegramUpdates.ts";
import { ownerButtons } from "./ownerButtons.ts";
import { shopToken, startOwnerHarness, type OwnerChat, type OwnerHarness } from "./testing/ownerHarness.ts";
import { pay, placePaidOrder } from "./testing/orderScenario.ts";

let shop: OwnerHarness;
afterEach(async () => {
  await shop.close();
});

/** The newest message of an owner's chat that starts with `prefix`. */
function messageStarting(chat: OwnerChat, prefix: string) {
  const found = chat.messages().findLast((message) => (message.text ?? "").startsWith(prefix));
  if (!found) throw new Error(`no message starting with ${prefix}: ${JSON.stringify(chat.messages().map((message) => message.text?.split("\n")[0]))}`);
  return found;
}

/** The types of the order's log, in order. */
async function logOf(harness: OwnerHarness, orderId: string): Promise<string[]> {
  await harness.settle();
  return (await harness.store.actorEvents(orderActor(orderId))).map((event) => event.type);
}

/** What the customer was told in the shop's chat. */
const toldCustomer = (harness: OwnerHarness, userId: number): string[] => harness.standIn.messages(userId, shopToken).map((message) => message.text ?? "");

async function openOrderFromList(olga: OwnerChat, statusButton: string, orderId: string): Promise<void> {
  await olga.command("start");
  await olga.press("🧾 Заказы");
  await olga.press(olga.screen().buttons.find((label) => label.startsWith(statusButton)) ?? statusButton);
  const button = olga.screen().buttons.find((label) => label.includes(orderId));
  if (!button) throw new Error(`no button of ${orderId}: ${JSON.stringify(olga.screen().buttons)}`);
  await olga.press(button);
}

describe("the owner drives an order through its life", () => {
  it("marks a cash order paid, ships it with a tracking note and delivers it, from its notice and its card; the history says who did what and when", async () => {
    shop = await startOwnerHarness({ ownerIds: [100, 101] });
    const orderId = await placePaidOrder(shop, 501, { key: "a" });
    const olga = shop.ownerChat(100);
    const notice = messageStarting(olga, "🛒 Новый заказ");
    expect(notice.text).toContain("Статус: 🆕 новый");
    expect(notice.text).toContain("Оплата: 💵 при получении");
    expect(shop.standIn.buttonsOf(notice).map((button) => button.text)).toEqual(["💵 Оплачен", "📦 Отправлен", "✖️ Отменить", "🧾 Заказ", "👤 Открыть карточку"]);

    await olga.pressOn(notice, "💵 Оплачен");
    expect(olga.toast()).toBe(`✅ Заказ ${orderId} отмечен оплаченным.`);
    expect(olga.screen().text).toMatch(new RegExp(`^✅ Заказ ${orderId} отмечен оплаченным\\.\\n\\n🛒 Новый заказ ${orderId} на 890\\s₽\\nСтатус: 💳 оплачен`));
    expect(olga.screen().buttons).toEqual(["📦 Отправлен", "✖️ Отменить", "↩️ Вернуть деньги", "🧾 Заказ", "👤 Открыть карточку"]);

    shop.clock.advance(60 * 60_000);
    await openOrderFromList(olga, "💳 Оплачены · 1", orderId);
    expect(olga.screen().text).toMatch(new RegExp(`^🧾 Заказ ${orderId} на 890\\s₽\\nСтатус: 💳 оплачен\\nКлиент: Анна Смирнова \\(@user501\\)`));
    await olga.press("📦 Отправлен");
    expect(olga.screen()).toEqual({
      text: `📦 Заказ ${orderId} отправлен? Пришлите трек-номер или короткую заметку для клиента (до 300 символов) — или пропустите.`,
      buttons: ["⏭ Пропустить", "✖️ Отмена"],
    });
    await olga.send("СДЭК 1234 <5678>");
    expect(olga.screen().text).toMatch(new RegExp(`^✅ Заказ ${orderId} отправлен\\.\\n\\n🧾 Заказ ${orderId}`));
    expect(olga.screen().text).toContain("Трек: СДЭК 1234 <5678>");
    expect(olga.screen().buttons).toEqual(["✅ Доставлен", "👤 Клиент", "◀️ Назад"]);

    shop.clock.advance(24 * 60 * 60_000);
    await olga.press("✅ Доставлен");
    const card = olga.screen().text;
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
    expect(olga.screen().buttons).toEqual(["↩️ Вернуть деньги", "👤 Клиент", "◀️ Назад"]);
    await olga.press("◀️ Назад");
    expect(olga.screen().text).toMatch(/^💳 Оплачены — стр\. 1\n\nЗдесь пока пусто\./);

    expect(await logOf(shop, orderId)).toEqual(["order_placed", "marked_paid", "shipped", "delivered"]);
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
    shop = await startOwnerHarness({ ownerIds: [100] });
    const orderId = await placePaidOrder(shop, 501, { key: "a" });
    const olga = shop.ownerChat(100);
    const notice = messageStarting(olga, "🛒 Новый заказ");
    const firstTap = updates.press(olga.from, notice, "💵 Оплачен");
    await olga.deliver(firstTap);
    await olga.pressOn(notice, "💵 Оплачен");
    expect(olga.toast()).toBe(`⚠️ Заказ ${orderId} сейчас «💳 оплачен»: «💵 Оплачен» уже недоступно. Ничего не изменилось.`);
    expect(shop.standIn.callbackAnswers.at(-1)?.show_alert).toBe(true);
    expect(olga.screen().text).toMatch(new RegExp(`^⚠️ Заказ ${orderId} сейчас «💳 оплачен»: «💵 Оплачен» уже недоступно\. Ничего не изменилось\.\n\n🛒 Новый заказ`));
    expect(olga.screen().buttons[0]).toBe("📦 Отправлен");
    const paidNotice = olga.last();

    // Telegram delivers the first press again: its query was answered, so only the card says so.
    await olga.deliver(firstTap);
    expect(olga.screen().text).toMatch(new RegExp(`^Это уже сделано: заказ ${orderId} не изменился второй раз\\.\\n\\n🛒 Новый заказ`));
    expect(await logOf(shop, orderId)).toEqual(["order_placed", "marked_paid"]);

    await olga.pressOn(notice, "✖️ Отменить");
    await olga.send("Клиент передумал");
    expect(olga.screen().text).toMatch(new RegExp(`^✅ Заказ ${orderId} отменён\.`));
    expect(olga.screen().text).toContain("Статус: ↩️ возврат денег");
    expect(olga.screen().text).toContain("Причина: Клиент передумал");
    await olga.pressOn(notice, "📦 Отправлен");
    expect(olga.toast()).toBe(`⚠️ Заказ ${orderId} сейчас «↩️ возврат денег»: «📦 Отправлен» уже недоступно. Ничего не изменилось.`);
    await olga.pressOn(paidNotice, "↩️ Вернуть деньги");
    expect(olga.toast()).toMatch(/^⚠️ .*«↩️ Вернуть деньги» уже недоступно/);
    expect(await logOf(shop, orderId)).toEqual(["order_placed", "marked_paid", "cancel_requested"]);
    expect(toldCustomer(shop, 501)).toEqual([`Order ${orderId}: paid`, `Order ${orderId}: refunding (Клиент передумал)`]);
  });

  it("asks a cancel's reason until there is one, lets the owner back out, and tells the customer why", async () => {
    shop = await startOwnerHarness({ ownerIds: [100] });
    const orderId = await placePaidOrder(shop, 501, { key: "a" });
    const olga = shop.ownerChat(100);
    await openOrderFromList(olga, "🆕 Новые · 1", orderId);
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
    expect(await logOf(shop, orderId)).toEqual(["order_placed"]);
    await olga.send("Нет в наличии");
    expect(olga.screen().text).toContain("Статус: ✖️ отменён");
    expect(olga.screen().text).toContain("✖️ отмена «Нет в наличии» · владелец");
    expect(olga.screen().buttons).toEqual(["👤 Клиент", "◀️ Назад"]);
    await shop.settle();
    expect(toldCustomer(shop, 501)).toEqual([`Order ${orderId}: cancelled (Нет в наличии)`]);
    await olga.send("@user501");
    expect(olga.screen().text).toContain("Найдено по запросу «@user501»");
  });
});

describe("payments and refunds as the owners see them", () => {
  it("refunds a paid cash order by the owner's word: refunding, then refunded, and the customer's lifetime value gives the order back", async () => {
    shop = await startOwnerHarness({ ownerIds: [100] });
    const orderId = await placePaidOrder(shop, 501, { key: "a" });
    const olga = shop.ownerChat(100);
    await olga.pressOn(messageStarting(olga, "🛒 Новый заказ"), "💵 Оплачен");
    await shop.settle();
    expect((await shop.lead(501))?.lifetimeValue).toBe(890);

    await olga.press("↩️ Вернуть деньги");
    expect(olga.screen()).toEqual({ text: `↩️ Возврат денег по заказу ${orderId}. Напишите причину для клиента (до 300 символов) — или пропустите.`, buttons: ["⏭ Пропустить", "✖️ Отмена"] });
    await olga.press("⏭ Пропустить");
    expect(olga.toast()).toBe(`✅ Возврат денег по заказу ${orderId} начат.`);
    expect(olga.screen().text).toContain("Статус: ↩️ возврат денег");
    expect(olga.screen().buttons).toEqual(["💸 Деньги возвращены", "👤 Клиент", "◀️ Назад"]);
    await olga.press("💸 Деньги возвращены");
    expect(olga.screen().text).toContain("Статус: 💸 деньги возвращены");
    expect(olga.screen().text).toContain("💸 деньги возвращены · владелец");
    expect(await logOf(shop, orderId)).toEqual(["order_placed", "marked_paid", "refund_requested", "refund_completed"]);
    expect((await shop.lead(501))?.lifetimeValue).toBe(0);
  });

  it("tells the owners of a Stars payment and of its refund going through, as messages of their own with the order's moves", async () => {
    shop = await startOwnerHarness({ ownerIds: [100] });
    const orderId = await placePaidOrder(shop, 501, { key: "a", payment: "stars", invoice: { currency: "XTR", amount: 445 } });
    const olga = shop.ownerChat(100);
    const notice = messageStarting(olga, "🛒 Новый заказ");
    expect(notice.text).toContain("Статус: ⏳ ждёт оплаты");
    expect(notice.text).toContain("Оплата: ⭐ Telegram Stars (445 ⭐)");
    expect(shop.standIn.buttonsOf(notice).map((button) => button.text)).toEqual(["✖️ Отменить", "🧾 Заказ", "👤 Открыть карточку"]);

    expect(await pay(shop, orderId, { chargeId: "stxPaid1", amount: 445, currency: "XTR" })).toMatchObject({ kind: "applied", status: "paid" });
    expect(olga.screen().text).toMatch(new RegExp(`^🧾 Заказ ${orderId} на 890\\s₽: 💳 оплачен · оплата$`));
    expect(olga.screen().buttons).toEqual(["📦 Отправлен", "✖️ Отменить", "↩️ Вернуть деньги", "🧾 Заказ"]);
    expect(olga.messages().find((message) => message.message_id === notice.message_id)?.text).toContain("Статус: 💳 оплачен");

    await olga.press("↩️ Вернуть деньги");
    await olga.send("Вернули товар");
    await shop.settle();
    expect(olga.screen().text).toMatch(new RegExp(`^🧾 Заказ ${orderId} на 890\\s₽: 💸 деньги возвращены · оплата$`));
    expect(olga.screen().buttons).toEqual(["🧾 Заказ"]);
    expect(await logOf(shop, orderId)).toEqual(["order_placed", "payment_received", "refund_requested", "refund_completed"]);
    await olga.press("🧾 Заказ");
    expect(olga.screen().text).toContain("💳 оплата получена 445 ⭐ · оплата");
    expect(olga.screen().text).toContain("↩️ возврат денег «Вернули товар» · владелец");
  });

  it("does not ask a second Stars refund while the first is under way, whatever old button is pressed", async () => {
    shop = await startOwnerHarness({ ownerIds: [100] });
    const orderId = await placePaidOrder(shop, 501, { key: "a", payment: "stars", invoice: { currency: "XTR", amount: 445 } });
    await pay(shop, orderId, { chargeId: "stxSlow1", amount: 445, currency: "XTR" });
    const olga = shop.ownerChat(100);
    const paidMessage = olga.last();
    await olga.pressOn(paidMessage, "↩️ Вернуть деньги");
    await olga.press("⏭ Пропустить");
    expect(olga.screen().text).toContain("Статус: ↩️ возврат денег");
    expect(olga.screen().buttons).toEqual(["👤 Клиент", "◀️ Назад"]);
    await olga.pressOn(paidMessage, "↩️ Вернуть деньги");
    expect(olga.toast()).toBe(`⚠️ Заказ ${orderId} сейчас «↩️ возврат денег»: «↩️ Вернуть деньги» уже недоступно. Ничего не изменилось.`);
    await olga.pressOn(paidMessage, "✖️ Отменить");
    expect(olga.toast()).toMatch(/«✖️ Отменить» уже недоступно/);
    expect(await logOf(shop, orderId)).toEqual(["order_placed", "payment_received", "refund_requested"]);
    expect(shop.store.effectsOf(orderActor(orderId)).filter((effect) => effect.type === "refundStarPayment")).toHaveLength(1);
  });

  it("asks the owners to give a provider's second charge back by hand; their word is kept and the order stays paid", async () => {
    shop = await startOwnerHarness({ ownerIds: [100, 101] });
    const orderId = await placePaidOrder(shop, 501, { key: "a", payment: "provider", invoice: { currency: "RUB", amount: 89_000 } });
    await pay(shop, orderId, { chargeId: "tgPaid1", providerChargeId: "prov_1", amount: 89_000, currency: "RUB" });
    await pay(shop, orderId, { chargeId: "tgPaid2", providerChargeId: "prov_2", amount: 89_000, currency: "RUB" });
    for (const ownerId of [100, 101]) {
      const ask = messageStarting(shop.ownerChat(ownerId), "💸 Верните оплату вручную");
      expect(ask.text).toMatch(new RegExp(`^💸 Верните оплату вручную по заказу ${orderId}: 890\\s₽, платёж prov_2\\. Причина: повторная оплата уже оплаченного заказа\\.`));
      expect(shop.standIn.buttonsOf(ask).map((button) => button.text)).toEqual(["💸 Деньги возвращены", "🧾 Заказ"]);
    }
    const olga = shop.ownerChat(100);
    await olga.press("💸 Деньги возвращены");
    expect(olga.toast()).toBe(`Отмечено. Сам заказ ${orderId} не меняется: «💳 оплачен».`);
    expect(olga.screen().text).toContain("✅ Отмечено: деньги возвращены.");
    expect(olga.screen().buttons).toEqual(["🧾 Заказ"]);
    expect((await shop.store.order(orderId))?.status).toBe("paid");
    expect(await logOf(shop, orderId)).toEqual(["order_placed", "payment_received", "payment_received"]);
  });
});

