import { afterEach, describe, expect, it } from "vitest";
import { startShopHarness, type ShopCustomer, type ShopHarness, type ShopHarnessOptions } from "./testing/shopHarness.ts";
import { teaShop } from "./testing/teaShop.ts";

let shop: ShopHarness | undefined;
afterEach(async () => {
  await shop?.close();
  shop = undefined;
});

async function start(options: ShopHarnessOptions = {}): Promise<ShopHarness> {
  shop = await startShopHarness({ storeCatalog: teaShop, payments: { methods: ["stars", "cash"], starPrice: 2, paymentMinutes: 60 }, ...options });
  return shop;
}

/** The cart (one Сенча, 590 ₽), the checkout, "confirm", and the payment method's button when one is given. */
async function placeOrder(customer: ShopCustomer, method?: string): Promise<string> {
  await customer.start();
  await customer.pressData("s1.add.sencha");
  await customer.pressData("s1.co");
  await customer.send("+79991234567");
  await customer.send("Самовывоз");
  await customer.press("✅ Подтвердить заказ");
  if (method) await customer.press(method);
  const placed = customer.messages().findLast((message) => message.text?.startsWith("✅ Заказ"));
  const orderId = /Заказ (SO-[0-9A-Z]+)/.exec(placed?.text ?? "")?.[1];
  if (!orderId) throw new Error(`no order placed: ${JSON.stringify(customer.messages().map((message) => message.text))}`);
  return orderId;
}

const texts = (customer: ShopCustomer): string[] => customer.messages().map((message) => message.text ?? "");
const stars = "⭐ Telegram Stars — 295 ⭐";

describe("paying for an order with Telegram Stars", () => {
  it("asks how to pay among the enabled methods, sends a Stars invoice, and the payment makes the order paid", async () => {
    const shop = await start();
    const anna = shop.customer(901);
    await anna.start();
    await anna.pressData("s1.add.sencha");
    await anna.pressData("s1.co");
    await anna.send("+79991234567");
    await anna.send("Самовывоз");
    await anna.press("✅ Подтвердить заказ");
    expect(anna.screen().text).toMatch(/Как оплатить заказ\?\nИтого: 590\s₽/);
    expect(anna.screen().buttons).toEqual([stars, "💵 При получении", "✖️ Отмена"]);
    expect(await shop.store.orders(901)).toMatchObject({ items: [] });

    await anna.press(stars);
    const orderId = /Заказ (SO-[0-9A-Z]+)/.exec(texts(anna).find((text) => text.startsWith("✅ Заказ")) ?? "")?.[1] ?? "";
    expect(texts(anna)).toContainEqual(expect.stringMatching(new RegExp(`✅ Заказ ${orderId} оформлен!\\nСумма: 590\\s₽\\. Счёт на оплату — следующим сообщением\\. Оплатите его в течение 60 мин\\.`)));
    expect(shop.lastInvoice(901)).toMatchObject({ currency: "XTR", total_amount: 295, payload: orderId, provider: false, title: `Заказ ${orderId}`, description: "Сенча × 1" });
    expect(await shop.store.order(orderId)).toMatchObject({ status: "awaiting_payment", payment: "stars", invoice: { currency: "XTR", amount: 295 } });
    expect(await anna.lead()).toMatchObject({ stage: "customer", ordersCount: 1, lifetimeValue: 0 });

    const paid = await shop.pay(901);
    expect(paid).toMatchObject({ outcome: "paid", payment: { currency: "XTR", total_amount: 295, invoice_payload: orderId } });
    expect(shop.standIn.payments.preCheckoutQueries.at(-1)?.answer).toMatchObject({ ok: true, late: false });
    expect(texts(anna).at(-1)).toBe(`💳 Заказ ${orderId} оплачен. Спасибо! Мы сообщим, когда отправим его.`);
    expect(await shop.store.order(orderId)).toMatchObject({ status: "paid", chargeId: paid.outcome === "paid" ? paid.payment.telegram_payment_charge_id : "" });
    expect(await anna.lead()).toMatchObject({ lifetimeValue: 590 });
  });

  it("asks nothing when the shop takes one method, and a cash order among several is placed as before, with no invoice", async () => {
    const shop = await start({ payments: { methods: ["stars"], starPrice: 2 } });
    const anna = shop.customer(902);
    const orderId = await placeOrder(anna);
    expect(texts(anna).some((text) => text.includes("Как оплатить"))).toBe(false);
    expect(shop.lastInvoice(902)).toMatchObject({ payload: orderId, total_amount: 295 });
    await shop.close();

    const both = await start();
    const boris = both.customer(903);
    const cashOrder = await placeOrder(boris, "💵 При получении");
    expect(texts(boris)).toContainEqual(expect.stringMatching(new RegExp(`✅ Заказ ${cashOrder} оформлен!\\nСумма: 590\\s₽\\. Мы свяжемся с вами по номеру \\+79991234567\\.`)));
    expect(both.lastInvoice(903)).toBeUndefined();
    expect(await both.store.order(cashOrder)).toMatchObject({ status: "placed", payment: "cash", invoice: null });
  });

  it("refuses to pay at an old price, tells the new total, and takes the payment once the customer confirms it", async () => {
    const shop = await start();
    const anna = shop.customer(904);
    const orderId = await placeOrder(anna, stars);
    await shop.editCatalog({ type: "price_set", productId: "sencha", price: 690 });

    const refused = await shop.pay(904);
    expect(refused).toMatchObject({ outcome: "refused", error_message: `Цены в заказе ${orderId} изменились. Мы прислали новую сумму в чат — подтвердите её, и придёт новый счёт.` });
    expect(anna.screen().text).toMatch(/Цены в заказе SO-[0-9A-Z]+ изменились[\s\S]*Сенча × 1 = 690\s₽[\s\S]*Было: 590\s₽\. Стало: 690\s₽\./);
    expect(await shop.store.order(orderId)).toMatchObject({ status: "awaiting_payment", total: 590 });
    expect(shop.logLines).toContainEqual(expect.objectContaining({ event: "pre_checkout_refused", fields: expect.objectContaining({ orderId, reason: "price_changed" }) }));

    await anna.press("✅ Подтвердить новую цену");
    expect(anna.toast()).toBe("Новая цена подтверждена — новый счёт ниже.");
    expect(shop.lastInvoice(904)).toMatchObject({ payload: orderId, total_amount: 345 });
    expect(await shop.store.order(orderId)).toMatchObject({ status: "awaiting_payment", total: 690, items: [{ productId: "sencha", price: 690, qty: 1 }] });
    // Pressed again once the order has today's prices: nothing to accept, the invoice is sent again.
    await anna.pressData(`s1.rp.${orderId}`);
    expect(anna.toast()).toBe("Счёт отправлен — он ниже.");
    expect(shop.standIn.payments.invoices.filter((invoice) => invoice.payload === orderId).map((invoice) => invoice.total_amount)).toEqual([295, 345, 345]);
    expect(await shop.pay(904)).toMatchObject({ outcome: "paid", payment: { total_amount: 345 } });
    expect(await shop.store.order(orderId)).toMatchObject({ status: "paid", total: 690 });
    await anna.pressData(`s1.rp.${orderId}`);
    expect(anna.toast()).toBe("Этот заказ не ждёт оплаты — он 💳 Оплачен.");
  });

  it("refuses to pay for a product the shop no longer sells, and offers no new price for it", async () => {
    const shop = await start();
    const anna = shop.customer(911);
    const orderId = await placeOrder(anna, stars);
    await shop.editCatalog({ type: "product_hidden", productId: "sencha", hidden: true });
    expect(await shop.pay(911)).toMatchObject({ outcome: "refused", error_message: `«Сенча» больше не продаётся. Заказ ${orderId} можно отменить в «Мои заказы».` });
    expect(texts(anna).some((text) => text.includes("Цены в заказе"))).toBe(false);
    await anna.pressData(`s1.rp.${orderId}`);
    expect(anna.toast()).toBe(`«Сенча» больше не продаётся. Заказ ${orderId} можно отменить в «Мои заказы».`);
    expect(await shop.store.order(orderId)).toMatchObject({ status: "awaiting_payment", total: 590 });
  });

  it("refuses a payment method the shop does not take (an old or forged button), and asks again", async () => {
    const shop = await start();
    const anna = shop.customer(912);
    await anna.start();
    await anna.pressData("s1.add.sencha");
    await anna.pressData("s1.co");
    await anna.send("+79991234567");
    await anna.send("Самовывоз");
    await anna.press("✅ Подтвердить заказ");
    const orderId = (await shop.snapshotOf(912)).context.checkout?.orderId ?? "";
    for (const method of ["provider", "bitcoin"]) {
      await anna.pressData(`s1.pm.${orderId}.${method}`);
      expect(anna.toast()).toBe("Этот способ оплаты больше не принимается. Выберите другой.");
      expect(anna.screen().buttons).toEqual([stars, "💵 При получении", "✖️ Отмена"]);
    }
    expect(await shop.store.order(orderId)).toBeNull();
    await anna.press(stars);
    expect(await shop.store.order(orderId)).toMatchObject({ payment: "stars" });
  });

  it("refuses to pay a cancelled order, or an amount or currency its invoice does not ask", async () => {
    const shop = await start();
    const anna = shop.customer(905);
    const orderId = await placeOrder(anna, stars);
    expect(await shop.pay(905, { amount: 1 })).toMatchObject({ outcome: "refused", error_message: `Сумма не совпадает со счётом заказа ${orderId}. Откройте заказ в «Мои заказы» и оплатите новый счёт.` });
    expect(await shop.pay(905, { currency: "USD" })).toMatchObject({ outcome: "refused" });
    expect(await shop.pay(905, { payload: "SO-NOPE" })).toMatchObject({ outcome: "refused", error_message: "Этот счёт больше не действует: такого заказа нет." });

    await shop.orders.send(orderId, { type: "cancel_requested", by: "customer", reason: null, key: "test:cancel" });
    expect(await shop.pay(905)).toMatchObject({ outcome: "refused", error_message: `Заказ ${orderId} отменён — оплатить его нельзя. Оформите новый заказ в каталоге.` });
    const reasons = shop.logLines.filter((line) => line.event === "pre_checkout_refused").map((line) => line.fields["reason"]);
    expect(reasons).toEqual(["wrong_amount", "wrong_currency", "unknown_order", "status_cancelled"]);
    expect(shop.standIn.payments.charges).toHaveLength(0);
    expect(await shop.store.order(orderId)).toMatchObject({ status: "cancelled", paidAt: null });
  });

  it("pays once when Telegram delivers the payment again, and gives back a second charge that raced the first", async () => {
    const shop = await start();
    const anna = shop.customer(906);
    const orderId = await placeOrder(anna, stars);
    // Two devices pay the same invoice at once: both pre-checkout queries come while the order still awaits payment.
    const messageId = shop.lastInvoice(906)?.messageId ?? 0;
    const racing = [shop.standIn.pay(906, messageId, { token: shop.shopToken }), shop.standIn.pay(906, messageId, { token: shop.shopToken, again: true })];
    while ((await shop.deliverQueued(1)) > 0);
    const [first, second] = await Promise.all(racing);
    if (first?.outcome !== "paid" || second?.outcome !== "paid") throw new Error(`not both paid: ${first?.outcome}, ${second?.outcome}`);
    expect(texts(anna).filter((text) => text.includes("оплачен. Спасибо"))).toHaveLength(1);
    expect(texts(anna).at(-1)).toBe(`↩️ За заказ ${orderId} пришла вторая оплата, а он уже оплачен. Лишнюю оплату мы возвращаем.`);
    const refunded = shop.standIn.payments.charges.filter((charge) => charge.refundedAt !== undefined).map((charge) => charge.payment.telegram_payment_charge_id);
    expect(refunded).toEqual([second.payment.telegram_payment_charge_id]);
    expect(await shop.store.order(orderId)).toMatchObject({ status: "paid", chargeId: first.payment.telegram_payment_charge_id });

    await shop.deliver(first.update);
    await shop.standIn.payments.redeliver(second.update, { token: shop.shopToken, deliver: (update) => shop?.deliver(update) });
    expect(texts(anna).filter((text) => text.includes("оплачен. Спасибо") || text.includes("вторая оплата"))).toHaveLength(2);
    expect(shop.logLines.filter((line) => line.event === "payment_duplicate")).toHaveLength(2);
    expect(shop.standIn.payments.refunds).toHaveLength(1);
    expect(await anna.lead()).toMatchObject({ lifetimeValue: 590 });
    expect(await shop.pay(906, { again: true })).toMatchObject({ outcome: "refused", error_message: `Заказ ${orderId} уже оплачен — второй раз платить не нужно.` });
  });

  it("refuses and logs forged payments (an unknown order, a wrong amount, a wrong currency), leaving the order as it was", async () => {
    const shop = await start();
    const anna = shop.customer(907);
    const orderId = await placeOrder(anna, stars);
    const before = await shop.store.order(orderId);
    const forge = (fields: { currency: string; total_amount: number; invoice_payload: string }) => shop.standIn.payments.forgeSuccessfulPayment(907, fields, { token: shop.shopToken });
    forge({ currency: "XTR", total_amount: 295, invoice_payload: "SO-NOPE" });
    forge({ currency: "XTR", total_amount: 1, invoice_payload: orderId });
    forge({ currency: "RUB", total_amount: 295, invoice_payload: orderId });
    forge({ currency: "XTR", total_amount: 295, invoice_payload: "not an order id" });
    await shop.deliverQueued();
    const refused = shop.logLines.filter((line) => line.event === "payment_refused");
    expect(refused.map((line) => line.fields["reason"])).toEqual(["unknown_order", "wrong_amount", "wrong_currency", "unknown_order"]);
    expect(refused.every((line) => line.level === "warn" && typeof line.fields["chargeId"] === "string")).toBe(true);
    expect(await shop.store.order(orderId)).toEqual(before);
    expect(texts(anna).some((text) => text.includes("оплачен"))).toBe(false);
  });

  it("gives back a payment that arrives after the order was cancelled for not being paid, and says why", async () => {
    const shop = await start();
    const anna = shop.customer(908);
    const orderId = await placeOrder(anna, stars);
    const invoice = shop.lastInvoice(908);
    // The customer pays just before the deadline; Telegram's successful_payment comes after the order's timer fired.
    const paying = shop.standIn.pay(908, invoice?.messageId ?? 0, { token: shop.shopToken });
    await shop.deliverQueued(5);
    const paid = await paying;
    expect(paid.outcome).toBe("paid");
    await shop.advance(60 * 60_000);
    expect(texts(anna).at(-1)).toBe(`❌ Заказ ${orderId} отменён: заказ не был оплачен вовремя.`);

    await shop.deliverQueued();
    expect(texts(anna).at(-1)).toBe(`↩️ Оплата за заказ ${orderId} пришла, когда заказ уже был отменён. Деньги мы возвращаем.`);
    expect(shop.standIn.payments.charges[0]?.refundedAt).toBeDefined();
    expect(shop.standIn.payments.starBalance(908)).toBe(100_000);
    expect(await shop.store.order(orderId)).toMatchObject({ status: "cancelled", paidAt: null });
  });

  it("pays by card through the provider: the invoice in the catalog's currency, in kopecks, with the provider token", async () => {
    const shop = await start({ payments: { methods: ["provider", "cash"], starPrice: null }, owner: { ownerIds: [100] } });
    const anna = shop.customer(909);
    const orderId = await placeOrder(anna, "💳 Картой — 590\u00a0₽");
    expect(shop.lastInvoice(909)).toMatchObject({ currency: "RUB", total_amount: 59_000, payload: orderId, provider: true });
    expect(shop.standIn.callsTo("sendInvoice", shop.shopToken).at(-1)?.payload).toMatchObject({ provider_token: "284685063:TEST:shop-harness" });
    expect(await shop.pay(909)).toMatchObject({ outcome: "paid", payment: { currency: "RUB", total_amount: 59_000 } });
    expect(await shop.store.order(orderId)).toMatchObject({ status: "paid", payment: "provider" });
    // A card payment is given back in the provider's dashboard: cancelling it asks the owners, and the customer hears it is under way.
    await anna.pressData(`s1.ocy.${orderId}`);
    expect(await shop.store.order(orderId)).toMatchObject({ status: "refunding" });
    expect(texts(anna).at(-1)).toBe(`↩️ Заказ ${orderId} отменён (по вашей просьбе). Деньги вернутся вам — возврат уже оформляется.`);
    expect(shop.standIn.payments.refunds).toHaveLength(0);
  });

  it("answers a refused payment in the customer's language", async () => {
    const shop = await start();
    const emma = shop.customer(910, { first_name: "Emma", language_code: "en" });
    await emma.start();
    await emma.pressData("s1.add.sencha");
    await emma.pressData("s1.co");
    await emma.send("+447700900123");
    await emma.send("Pick-up");
    await emma.press("✅ Confirm the order");
    await emma.press("⭐ Telegram Stars — 295 ⭐");
    const orderId = shop.lastInvoice(910)?.payload ?? "";
    // The stand-in sends the payer with the language of their updates, as Telegram does: no `by` needed.
    expect(await shop.pay(910, { amount: 5 })).toMatchObject({ outcome: "refused", error_message: `The amount does not match order ${orderId}'s invoice. Open the order in “My orders” and pay the new invoice.` });
    await shop.editCatalog({ type: "price_set", productId: "sencha", price: 600 });
    expect(await shop.pay(910)).toMatchObject({ outcome: "refused", error_message: `Prices in order ${orderId} changed. We sent the new total to the chat — confirm it and a new invoice follows.` });
    expect(emma.screen().buttons).toEqual(["✅ Confirm the new price", "📦 My orders"]);
  });
});
