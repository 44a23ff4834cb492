import { Api } from "grammy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EffectRequest } from "../../../actors/effects.port.ts";
import type { LogFields } from "../../../actors/log.port.ts";
import { orderReasons, type OrderEffectParams } from "../../../machines/order.types.ts";
import { startBotApiStandIn, type BotApiStandIn } from "../testing/botApiStandIn.ts";
import { createShopOrderEffects, type ShopOrderEffectParams } from "./shopOrderEffects.ts";
import { shopBotInfo, shopToken } from "./testing/shopHarness.ts";

/**
 * The order effects that talk to the customer, against grammY's Api over HTTP to the Bot API
 * stand-in. Each answer is what the effect worker does next: done (with the order's event, for a
 * refund), retry (and when), or drop.
 */

let telegram: BotApiStandIn;
const logged: { event: string; fields: LogFields }[] = [];
beforeEach(async () => {
  telegram = await startBotApiStandIn({ botInfo: shopBotInfo });
  logged.length = 0;
});
afterEach(async () => {
  await telegram.close();
});

const record = (event: string, fields: LogFields = {}): void => void logged.push({ event, fields });
const api = (): Api => new Api(shopToken, { apiRoot: telegram.apiRoot });
const effects = (providerToken?: string) => createShopOrderEffects({ api: api(), ...(providerToken ? { providerToken } : {}), log: { info: record, warn: record, error: record } });
const live = (): AbortSignal => new AbortController().signal;

function request<T extends keyof ShopOrderEffectParams>(type: T, params: ShopOrderEffectParams[T]): EffectRequest<T, ShopOrderEffectParams[T]> {
  return { key: "e:order:SO-7:3:0", actor: "order:SO-7", type, params, attempt: 1 };
}

const starsInvoice: OrderEffectParams["sendInvoice"] = {
  orderId: "SO-7",
  userId: 42,
  language: "ru",
  payment: "stars",
  invoice: { currency: "XTR", amount: 295 },
  items: [{ productId: "sencha", title: "Сенча", price: 590, qty: 1 }],
};
const notice = (change: Partial<OrderEffectParams["notifyCustomerOfOrder"]>): OrderEffectParams["notifyCustomerOfOrder"] => ({
  orderId: "SO-7",
  userId: 42,
  language: "ru",
  status: "paid",
  by: "payment",
  reason: null,
  tracking: null,
  ...change,
});

/** A real Stars charge of 295 for SO-7 in chat 42, the bot saying yes to its pre-checkout query. */
async function charge(): Promise<string> {
  await effects().sendInvoice(request("sendInvoice", starsInvoice), live());
  const invoice = telegram.payments.invoices[0];
  const outcome = await telegram.pay(42, invoice?.messageId ?? 0, {
    token: shopToken,
    deliver: async (update) => {
      if (update.pre_checkout_query) await api().answerPreCheckoutQuery(update.pre_checkout_query.id, true);
    },
  });
  if (outcome.outcome !== "paid") throw new Error(`not paid: ${outcome.outcome}`);
  return outcome.payment.telegram_payment_charge_id;
}

describe("sendInvoice", () => {
  it("sends a Stars invoice with no provider token, the order id as its payload, and a provider's with its token", async () => {
    expect(await effects("284685063:TEST:secret").sendInvoice(request("sendInvoice", starsInvoice), live())).toEqual({ outcome: "done" });
    const provider = { ...starsInvoice, payment: "provider" as const, invoice: { currency: "RUB", amount: 59_000 }, language: "en" as const };
    expect(await effects("284685063:TEST:secret").sendInvoice(request("sendInvoice", provider), live())).toEqual({ outcome: "done" });
    expect(telegram.payments.invoices).toMatchObject([
      { chatId: 42, title: "Заказ SO-7", description: "Сенча × 1", payload: "SO-7", currency: "XTR", total_amount: 295, provider: false },
      { chatId: 42, title: "Order SO-7", payload: "SO-7", currency: "RUB", total_amount: 59_000, provider: true },
    ]);
    expect(telegram.callsTo("sendInvoice")[0]?.payload["provider_token"]).toBeUndefined();
  });

  it("drops a provider invoice without a provider token, and a customer who blocked the bot; retries a 429 when told and a 5xx", async () => {
    const provider = { ...starsInvoice, payment: "provider" as const, invoice: { currency: "RUB", amount: 59_000 } };
    expect(await effects().sendInvoice(request("sendInvoice", provider), live())).toMatchObject({ outcome: "drop", reason: "no PAYMENT_PROVIDER_TOKEN for a provider invoice" });
    telegram.block(42);
    expect(await effects().sendInvoice(request("sendInvoice", starsInvoice), live())).toMatchObject({ outcome: "drop", reason: expect.stringContaining("blocked") });
    telegram.failNext("sendInvoice", { error_code: 429, description: "Too Many Requests: retry after 7", parameters: { retry_after: 7 } });
    expect(await effects().sendInvoice(request("sendInvoice", { ...starsInvoice, userId: 43 }), live())).toMatchObject({ outcome: "retry", afterMs: 7_000 });
    telegram.failNext("sendInvoice", { error_code: 502, description: "Bad Gateway" });
    expect(await effects().sendInvoice(request("sendInvoice", { ...starsInvoice, userId: 43 }), live())).toMatchObject({ outcome: "retry" });
    expect(telegram.payments.invoices).toHaveLength(0);
  });
});

describe("notifyCustomerOfOrder", () => {
  it("tells each move in the customer's language, a shop's reason escaped, with a button to the order", async () => {
    const moves: OrderEffectParams["notifyCustomerOfOrder"][] = [
      notice({ status: "cancelled", by: "owner", reason: "нет <b>в</b> наличии" }),
      notice({ status: "cancelled", by: "timer", reason: orderReasons.paymentTimeout, language: "en" }),
      notice({ status: "refunded", by: "payment" }),
      notice({ status: "cancelled", by: "payment", reason: orderReasons.lateCharge }),
      notice({ status: "shipped", by: "owner", tracking: "RA<1>", language: "en" }),
    ];
    for (const move of moves) expect(await effects().notifyCustomerOfOrder(request("notifyCustomerOfOrder", move), live())).toEqual({ outcome: "done" });
    const sent = telegram.messages(42, shopToken);
    expect(sent.map((message) => message.text)).toEqual([
      "❌ Заказ SO-7 отменён: по решению магазина: нет <b>в</b> наличии.",
      "❌ Order SO-7 is cancelled: it was not paid in time.",
      "↩️ Деньги за заказ SO-7 возвращены.",
      "↩️ Оплата за заказ SO-7 пришла, когда заказ уже был отменён. Деньги мы возвращаем.",
      "🚚 Order SO-7 has shipped. Tracking: RA<1>",
    ]);
    expect(telegram.buttonsOf(sent[0])).toMatchObject([{ text: "📦 Заказ SO-7", callback_data: "s1.ord.SO-7" }]);
  });

  it("sends nothing for a move the customer made themselves and saw at once (placed, awaiting payment)", async () => {
    for (const status of ["placed", "awaiting_payment"] as const) {
      expect(await effects().notifyCustomerOfOrder(request("notifyCustomerOfOrder", notice({ status, by: "customer" })), live())).toEqual({ outcome: "done" });
    }
    expect(telegram.messages(42, shopToken)).toEqual([]);
  });
});

describe("refundStarPayment", () => {
  it("gives the stars back and tells the order, also when Telegram says the charge was already refunded", async () => {
    const chargeId = await charge();
    const refund = request("refundStarPayment", { orderId: "SO-7", userId: 42, chargeId, reason: orderReasons.lateCharge });
    expect(await effects().refundStarPayment(refund, live())).toEqual({ outcome: "done", reply: { type: "refund_completed", by: "payment", chargeId } });
    expect(telegram.payments.starBalance(42)).toBe(100_000);
    expect(await effects().refundStarPayment(refund, live())).toEqual({ outcome: "done", reply: { type: "refund_completed", by: "payment", chargeId } });
    expect(telegram.payments.refunds).toHaveLength(1);
  });

  it("tells the order a refund Telegram refuses, and retries one that did not reach Telegram", async () => {
    const refused = request("refundStarPayment", { orderId: "SO-7", userId: 42, chargeId: "nosuchcharge", reason: "refund" });
    expect(await effects().refundStarPayment(refused, live())).toEqual({
      outcome: "done",
      reply: { type: "refund_failed", by: "payment", chargeId: "nosuchcharge", reason: expect.stringContaining("Bad Request") },
    });
    expect(logged).toContainEqual(expect.objectContaining({ event: "star_refund_failed", fields: expect.objectContaining({ orderId: "SO-7" }) }));
    const chargeId = await charge();
    telegram.failNext("refundStarPayment", "disconnect");
    expect(await effects().refundStarPayment(request("refundStarPayment", { orderId: "SO-7", userId: 42, chargeId, reason: "refund" }), live())).toMatchObject({ outcome: "retry" });
    expect(telegram.payments.refunds).toHaveLength(0);
  });
});

describe("askForRating", () => {
  it("asks for one to five stars, each a button of the order", async () => {
    expect(await effects().askForRating(request("askForRating", { orderId: "SO-7", userId: 42, language: "en" }), live())).toEqual({ outcome: "done" });
    const [question] = telegram.messages(42, shopToken);
    expect(question?.text).toBe("⭐ How was order SO-7? Rate it from 1 to 5:");
    expect(telegram.buttonsOf(question).map((button) => button.callback_data)).toEqual(["s1.rate.SO-7.1", "s1.rate.SO-7.2", "s1.rate.SO-7.3", "s1.rate.SO-7.4", "s1.rate.SO-7.5"]);
  });
});
