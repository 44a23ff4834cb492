import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Bot, webhookCallback } from "grammy";
import type { SuccessfulPayment, Update } from "grammy/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startBotApiStandIn, type BotApiStandIn } from "./botApiStandIn.ts";
import { user } from "./telegramUpdates.ts";

const shopToken = "111:shop-secret";
const ann = user(7, { first_name: "Ann", username: "ann" });
const tooOld = "Bad Request: query is too old and response timeout expired or query ID is invalid";

let api: BotApiStandIn;
let server: Server | undefined;

beforeEach(async () => {
  api = await startBotApiStandIn({ webhookRetryMs: 20 });
});

afterEach(async () => {
  await api.close();
  await new Promise<void>((resolve) => (server !== undefined ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A real grammY bot that says yes to every pre-checkout query and keeps every update it gets. */
async function shopBot() {
  const bot = new Bot(shopToken, { client: { apiRoot: api.apiRoot } });
  await bot.init();
  const seen: Update[] = [];
  bot.use(async (ctx, next) => {
    seen.push(ctx.update);
    await next();
  });
  bot.on("pre_checkout_query", (ctx) => ctx.answerPreCheckoutQuery(true));
  const payments = (): SuccessfulPayment[] => seen.flatMap((update) => (update.message?.successful_payment !== undefined ? [update.message.successful_payment] : []));
  return { bot, seen, payments, deliver: (update: Update) => bot.handleUpdate(update) };
}

async function paidStars(bot: Bot, deliver: (update: Update) => unknown, amount = 50): Promise<SuccessfulPayment> {
  const sent = await bot.api.sendInvoice(ann.id, "Coffee", "Beans", `order:${amount}`, "XTR", [{ label: "Coffee", amount }]);
  const result = await api.pay(ann.id, sent.message_id, { deliver });
  if (result.outcome !== "paid") throw new Error(`the payment ended ${result.outcome}`);
  return result.payment;
}

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("refunds", () => {
  it("refunds a Stars payment once: the stars go back, the bot is told, and a second refund is CHARGE_ALREADY_REFUNDED", async () => {
    const { bot, deliver } = await shopBot();
    const payment = await paidStars(bot, deliver);
    expect(await bot.api.refundStarPayment(ann.id, payment.telegram_payment_charge_id)).toBe(true);
    await expect(bot.api.refundStarPayment(ann.id, payment.telegram_payment_charge_id)).rejects.toThrow("Bad Request: CHARGE_ALREADY_REFUNDED");

    expect(api.payments.refunds).toEqual([{ token: shopToken, user_id: ann.id, telegram_payment_charge_id: payment.telegram_payment_charge_id, at: expect.any(Number) }]);
    expect(api.payments.charges[0]?.refundedAt).toEqual(expect.any(Number));
    expect([api.payments.starBalance(ann.id), api.payments.botStarBalance(shopToken)]).toEqual([100_000, 0]);
    const [refunded] = await bot.api.getUpdates();
    expect(refunded?.message?.refunded_payment).toEqual({ currency: "XTR", total_amount: 50, invoice_payload: "order:50", telegram_payment_charge_id: payment.telegram_payment_charge_id });
    const { transactions } = await bot.api.getStarTransactions();
    expect(transactions.map((t) => [t.id, t.amount, t.source !== undefined ? "in" : "out"])).toEqual([
      [payment.telegram_payment_charge_id, 50, "in"],
      [payment.telegram_payment_charge_id, 50, "out"],
    ]);
  });

  it("refuses a refund without a user, without a charge id, for an unknown charge, another user's, or a card payment", async () => {
    const { bot, deliver } = await shopBot();
    const payment = await paidStars(bot, deliver);
    const link = await bot.api.createInvoiceLink("Tea", "Sencha", "order:card", "381764678:TEST:abc", "EUR", [{ label: "Tea", amount: 900 }]);
    const card = await api.pay(ann.id, link, { deliver });
    const cardCharge = card.outcome === "paid" ? card.payment.telegram_payment_charge_id : "";

    await expect(bot.api.raw.refundStarPayment({ user_id: 0, telegram_payment_charge_id: payment.telegram_payment_charge_id })).rejects.toThrow("Bad Request: invalid user_id specified");
    await expect(bot.api.raw.refundStarPayment({ user_id: ann.id, telegram_payment_charge_id: "" })).rejects.toThrow(`Bad Request: parameter "telegram_payment_charge_id" is required`);
    await expect(bot.api.refundStarPayment(ann.id, "stxNeverCharged")).rejects.toThrow("Bad Request: CHARGE_NOT_FOUND");
    await expect(bot.api.refundStarPayment(8, payment.telegram_payment_charge_id)).rejects.toThrow("Bad Request: CHARGE_NOT_FOUND");
    await expect(bot.api.refundStarPayment(ann.id, cardCharge)).rejects.toThrow("Bad Request: CHARGE_NOT_FOUND");
    const other = new Bot("222:owner-secret", { client: { apiRoot: api.apiRoot } });
    await expect(other.api.refundStarPayment(ann.id, payment.telegram_payment_charge_id)).rejects.toThrow("Bad Request: CHARGE_NOT_FOUND");
    expect(api.payments.refunds).toEqual([]);
    expect(api.payments.starBalance(ann.id)).toBe(100_000 - 50);
  });
});

describe("forged and redelivered payments", () => {
  it("delivers successful_payment messages Telegram never sent: an unknown payload, a wrong amount, a wrong currency; they cannot be refunded", async () => {
    const { bot, payments, deliver } = await shopBot();
    const sent = await bot.api.sendInvoice(ann.id, "Coffee", "Beans", "order:42", "XTR", [{ label: "Coffee", amount: 50 }]);
    await api.payments.forgeSuccessfulPayment(ann.id, { currency: "XTR", total_amount: 50, invoice_payload: "order:404" }, { deliver });
    await api.payments.forgeSuccessfulPayment(ann.id, { currency: "XTR", total_amount: 1, invoice_payload: "order:42" }, { deliver });
    await api.payments.forgeSuccessfulPayment(ann.id, { currency: "USD", total_amount: 50, invoice_payload: "order:42" }, { deliver });

    expect(payments().map((p) => [p.invoice_payload, p.total_amount, p.currency])).toEqual([
      ["order:404", 50, "XTR"],
      ["order:42", 1, "XTR"],
      ["order:42", 50, "USD"],
    ]);
    expect(api.payments.charges.map((charge) => charge.forged)).toEqual([true, true, true]);
    const forgedId = payments()[0]?.telegram_payment_charge_id ?? "";
    await expect(bot.api.refundStarPayment(ann.id, forgedId)).rejects.toThrow("Bad Request: CHARGE_NOT_FOUND");
    expect(api.payments.invoices[0]).toMatchObject({ messageId: sent.message_id, paid: 0 });
    expect(api.payments.starBalance(ann.id)).toBe(100_000);
  });

  it("forges a payment with the amount, currency or payload the customer's query said, and queues a forged one for a polling bot", async () => {
    const { bot, seen, payments, deliver } = await shopBot();
    const sent = await bot.api.sendInvoice(ann.id, "Coffee", "Beans", "order:42", "XTR", [{ label: "Coffee", amount: 50 }]);
    const cheap = await api.pay(ann.id, sent.message_id, { deliver, amount: 1, payload: "order:43" });
    expect(cheap).toMatchObject({ outcome: "paid", query: { total_amount: 1, invoice_payload: "order:43" }, payment: { total_amount: 1, invoice_payload: "order:43" } });
    expect(payments()).toHaveLength(1);

    const queued = await api.payments.forgeSuccessfulPayment(ann.id, { currency: "XTR", total_amount: 50, invoice_payload: "order:42" });
    const running = bot.start();
    await until(() => seen.some((update) => update.update_id === queued.update_id));
    await bot.stop();
    await running;
    expect(payments().at(-1)).toMatchObject({ invoice_payload: "order:42", telegram_payment_charge_id: expect.stringMatching(/^forged/) });
  });

  it("redelivers a successful_payment update with its own update_id and charge id", async () => {
    const { bot, seen, payments, deliver } = await shopBot();
    const sent = await bot.api.sendInvoice(ann.id, "Coffee", "Beans", "order:42", "XTR", [{ label: "Coffee", amount: 50 }]);
    const result = await api.pay(ann.id, sent.message_id, { deliver });
    if (result.outcome !== "paid") throw new Error("not paid");
    await api.payments.redeliver(result.update, { deliver });
    const [first, second] = seen.filter((update) => update.message?.successful_payment !== undefined);
    expect(second).toEqual(first);
    expect(first?.update_id).toBe(result.update.update_id);
    expect(new Set(payments().map((p) => p.telegram_payment_charge_id)).size).toBe(1);
    expect(api.payments.charges).toHaveLength(1);
  });

  it("refuses to guess the bot when several bots sent invoices", async () => {
    const { bot, deliver } = await shopBot();
    const owner = new Bot("222:owner-secret", { client: { apiRoot: api.apiRoot } });
    await bot.api.sendInvoice(ann.id, "Coffee", "Beans", "order:1", "XTR", [{ label: "Coffee", amount: 5 }]);
    await owner.api.sendInvoice(ann.id, "Tea", "Leaves", "order:2", "XTR", [{ label: "Tea", amount: 5 }]);
    await expect(api.payments.forgeSuccessfulPayment(ann.id, { currency: "XTR", total_amount: 5, invoice_payload: "order:1" }, { deliver })).rejects.toThrow(/pass options.token/);
    await expect(api.pay(ann.id, 1, { deliver })).rejects.toThrow(/several bots/);
  });
});

describe("webhooks", () => {
  it("posts a payment's updates to a routed webhook with the secret, and posts one again until the webhook answers 2xx", async () => {
    const { bot, payments } = await shopBot();
    const handle = webhookCallback(bot, "http", { secretToken: "hook-secret" });
    let failures = 1;
    server = createServer((req, res) => {
      if (failures > 0) {
        failures -= 1;
        res.writeHead(500).end();
        return;
      }
      void handle(req, res);
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", () => resolve()));
    await bot.api.setWebhook("https://shop.example/hook", { secret_token: "hook-secret" });
    api.routeWebhook("https://shop.example/hook", `http://127.0.0.1:${(server.address() as AddressInfo).port}/`);

    const sent = await bot.api.sendInvoice(ann.id, "Coffee", "Beans", "order:42", "XTR", [{ label: "Coffee", amount: 50 }]);
    const result = await api.pay(ann.id, sent.message_id);
    expect(result).toMatchObject({ outcome: "paid" });
    await until(() => payments().length === 1);
    expect(api.webhookDeliveries.map((delivery) => delivery.status)).toEqual([500, 200, 200]);
    if (result.outcome !== "paid") throw new Error("not paid");
    await api.payments.redeliver(result.update);
    await until(() => payments().length === 2);
    expect(api.webhookDeliveries.map((delivery) => [delivery.update_id, delivery.status]).at(-1)).toEqual([result.update.update_id, 200]);
    expect((await bot.api.getWebhookInfo()).pending_update_count).toBe(0);
  });

  it("is refused by a webhook that checks the secret when the bot set another", async () => {
    const { bot, seen } = await shopBot();
    const handle = webhookCallback(bot, "http", { secretToken: "hook-secret" });
    server = createServer((req, res) => void handle(req, res));
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", () => resolve()));
    await bot.api.setWebhook("https://shop.example/hook", { secret_token: "not-the-secret" });
    api.routeWebhook("https://shop.example/hook", `http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const sent = await bot.api.sendInvoice(ann.id, "Coffee", "Beans", "order:42", "XTR", [{ label: "Coffee", amount: 50 }]);
    expect(await api.pay(ann.id, sent.message_id, { timeoutMs: 300 })).toMatchObject({ outcome: "timed_out" });
    expect(seen).toEqual([]);
    expect(api.webhookDeliveries.length).toBeGreaterThan(0);
    expect(new Set(api.webhookDeliveries.map((delivery) => delivery.status))).toEqual(new Set([401]));
    await expect(bot.api.answerPreCheckoutQuery(api.payments.preCheckoutQueries[0]?.query.id ?? "", true)).rejects.toThrow(tooOld);
    expect(api.payments.charges).toEqual([]);
  });
});
