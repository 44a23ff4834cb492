import { afterEach, describe, expect, it } from "vitest";
import { orderActor } from "../../../actors/actorLog.port.ts";
import { startOwnerHarness, type OwnerHarness } from "./testing/ownerHarness.ts";
import { current, messageStarting, orderLog, ownerScreens, pay, placePaidOrder } from "./testing/orderScenario.ts";

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

describe("payments and refunds as the owners see them", () => {
  it("refunds a paid cash order by the owner's word: refunding, then refunded, and the customer's lifetime value gives the order back", async () => {
    await start([100]);
    const orderId = await placePaidOrder(shop, 501, { key: "a" });
    const olga = shop.ownerChat(100);
    await olga.pressOn(messageStarting(olga, "🛒 Новый заказ"), "💵 Оплачен");
    await shop.settle();
    expect((await shop.lead(501))?.lifetimeValue).toBe(890);

    await olga.press("↩️ Вернуть деньги");
    const prompt = olga.messages().at(-1);
    expect(screens.shown(current(olga, prompt))).toEqual({ text: `↩️ Возврат денег по заказу ${orderId}. Напишите причину для клиента (до 300 символов) — или пропустите.`, buttons: ["⏭ Пропустить", "✖️ Отмена"] });
    const refunding = await screens.tap(olga, "⏭ Пропустить", prompt);
    expect(olga.toast()).toBe(`✅ Возврат денег по заказу ${orderId} начат.`);
    expect(refunding.text).toContain("Статус: ↩️ возврат денег");
    expect(refunding.buttons).toEqual(["💸 Деньги возвращены", "👤 Клиент", "◀️ Назад"]);
    const refunded = await screens.tap(olga, "💸 Деньги возвращены", prompt);
    expect(refunded.text).toContain("Статус: 💸 деньги возвращены");
    expect(refunded.text).toContain("💸 деньги возвращены · владелец");
    expect(await orderLog(shop, orderId)).toEqual(["order_placed", "marked_paid", "refund_requested", "refund_completed"]);
    expect((await shop.lead(501))?.lifetimeValue).toBe(0);
  });

  it("tells the owners of a Stars payment and of its refund going through, as messages of their own with the order's moves", async () => {
    await start([100]);
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
    expect(await orderLog(shop, orderId)).toEqual(["order_placed", "payment_received", "refund_requested", "refund_completed"]);
    await olga.press("🧾 Заказ");
    expect(olga.screen().text).toContain("💳 оплата получена 445 ⭐ · оплата");
    expect(olga.screen().text).toContain("↩️ возврат денег «Вернули товар» · владелец");
  });

  it("does not ask a second Stars refund while the first is under way, whatever old button is pressed", async () => {
    await start([100]);
    const orderId = await placePaidOrder(shop, 501, { key: "a", payment: "stars", invoice: { currency: "XTR", amount: 445 } });
    await pay(shop, orderId, { chargeId: "stxSlow1", amount: 445, currency: "XTR" });
    const olga = shop.ownerChat(100);
    const paidMessage = olga.last();
    await olga.pressOn(paidMessage, "↩️ Вернуть деньги");
    const refunding = await screens.tap(olga, "⏭ Пропустить", olga.messages().at(-1));
    expect(refunding.text).toContain("Статус: ↩️ возврат денег");
    expect(refunding.buttons).toEqual(["👤 Клиент", "◀️ Назад"]);
    await olga.pressOn(paidMessage, "↩️ Вернуть деньги");
    expect(olga.toast()).toBe(`⚠️ Заказ ${orderId} сейчас «↩️ возврат денег»: «↩️ Вернуть деньги» уже недоступно. Ничего не изменилось.`);
    await olga.pressOn(paidMessage, "✖️ Отменить");
    expect(olga.toast()).toMatch(/«✖️ Отменить» уже недоступно/);
    expect(await orderLog(shop, orderId)).toEqual(["order_placed", "payment_received", "refund_requested"]);
    expect(shop.store.effectsOf(orderActor(orderId)).filter((effect) => effect.type === "refundStarPayment")).toHaveLength(1);
  });

  it("tells the owners a Stars refund failed, with why, and lets them ask it again", async () => {
    await start([100]);
    const orderId = await placePaidOrder(shop, 501, { key: "a", payment: "stars", invoice: { currency: "XTR", amount: 445 } });
    await pay(shop, orderId, { chargeId: "stxLost1", amount: 445, currency: "XTR" });
    const olga = shop.ownerChat(100);
    await olga.press("↩️ Вернуть деньги");
    await screens.tap(olga, "⏭ Пропустить", olga.messages().at(-1));
    const failure = messageStarting(olga, `🧾 Заказ ${orderId} на 890`);
    expect(screens.shown(failure).text).toMatch(/: ↩️ возврат денег · оплата\nПричина: CHARGE_NOT_FOUND$/);
    expect(screens.shown(failure).buttons).toEqual(["🔁 Повторить возврат", "🧾 Заказ"]);
    const retried = await screens.tap(olga, "🔁 Повторить возврат", failure);
    expect(olga.toast()).toBe(`✅ Возврат по заказу ${orderId} запрошен снова.`);
    expect(retried.text).toContain("Статус: ↩️ возврат денег");
    expect(await orderLog(shop, orderId)).toEqual(["order_placed", "payment_received", "refund_requested", "refund_failed", "refund_requested", "refund_failed"]);
  });

  it("asks the owners to give a provider's second charge back by hand; their word is kept and the order stays paid", async () => {
    await start([100, 101]);
    const orderId = await placePaidOrder(shop, 501, { key: "a", payment: "provider", invoice: { currency: "RUB", amount: 89_000 } });
    await pay(shop, orderId, { chargeId: "tgPaid1", providerChargeId: "prov_1", amount: 89_000, currency: "RUB" });
    await pay(shop, orderId, { chargeId: "tgPaid2", providerChargeId: "prov_2", amount: 89_000, currency: "RUB" });
    for (const ownerId of [100, 101]) {
      const ask = messageStarting(shop.ownerChat(ownerId), "💸 Верните оплату вручную");
      expect(ask.text).toMatch(new RegExp(`^💸 Верните оплату вручную по заказу ${orderId}: 890\\s₽, платёж prov_2\\. Причина: повторная оплата уже оплаченного заказа\\.`));
      expect(shop.standIn.buttonsOf(ask).map((button) => button.text)).toEqual(["💸 Деньги возвращены", "🧾 Заказ"]);
    }
    const olga = shop.ownerChat(100);
    const marked = await screens.tap(olga, "💸 Деньги возвращены");
    expect(olga.toast()).toBe(`Отмечено. Сам заказ ${orderId} не меняется: «💳 оплачен».`);
    expect(marked.text).toContain("✅ Отмечено: деньги возвращены.");
    expect(marked.buttons).toEqual(["🧾 Заказ"]);
    expect((await shop.store.order(orderId))?.status).toBe("paid");
    expect(await orderLog(shop, orderId)).toEqual(["order_placed", "payment_received", "payment_received"]);
  });
});

describe("an order's effect that gave up", () => {
  it("is told to every owner as the order's, with a button to its card", async () => {
    await start([100]);
    const orderId = await placePaidOrder(shop, 501, { key: "a", payment: "stars", invoice: { currency: "XTR", amount: 445 } });
    const failed = { key: `e:order:${orderId}:9:0`, actor: `order:${orderId}`, params: JSON.stringify({ orderId }), createdAt: 0, attempts: 7, nextAt: 0, status: "failed" as const, lastError: null };
    await shop.owner.effectFailed({ ...failed, type: "refundStarPayment" }, "GrammyError: Bad Request: CHARGE_NOT_FOUND");
    const olga = shop.ownerChat(100);
    expect(olga.screen()).toEqual({ text: `⚠️ Не удалось вернуть звёзды по заказу ${orderId} после 8 попыток: GrammyError: Bad Request: CHARGE_NOT_FOUND`, buttons: ["🧾 Заказ"] });
    await olga.press("🧾 Заказ");
    expect(olga.screen().text).toMatch(new RegExp(`^🧾 Заказ ${orderId} на 890\\s₽\\nСтатус: ⏳ ждёт оплаты`));
  });
});
