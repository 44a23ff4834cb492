import { Bot, GrammyError } from "grammy";
import type { LabeledPrice, SuccessfulPayment, Update } from "grammy/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buttonsOf, startBotApiStandIn, type BotApiStandIn, type BotApiStandInOptions } from "./botApiStandIn.ts";
import { maxStarsInvoice } from "./invoiceRules.ts";
import { privateText, user } from "./telegramUpdates.ts";

const shopToken = "111:shop-secret";
const providerToken = "381764678:TEST:abc123";
const ann = user(7, { first_name: "Ann", username: "ann" });
const stars = (amount: number): LabeledPrice[] => [{ label: "Coffee", amount }];

let api: BotApiStandIn;

beforeEach(async () => {
  api = await startBotApiStandIn({ botInfo: { first_name: "Shop" } });
});

afterEach(async () => {
  await api.close();
});

async function restart(options: BotApiStandInOptions): Promise<void> {
  await api.close();
  api = await startBotApiStandIn(options);
}

/** A real grammY bot that answers pre-checkout queries with `answer` and keeps the payments it is told about. */
async function shopBot(answer: (update: Update) => Promise<{ ok: boolean; error_message?: string }> = async () => ({ ok: true })) {
  const bot = new Bot(shopToken, { client: { apiRoot: api.apiRoot } });
  await bot.init();
  const paid: SuccessfulPayment[] = [];
  const refusedAnswers: string[] = [];
  bot.on("pre_checkout_query", async (ctx) => {
    const { ok, error_message } = await answer(ctx.update);
    await ctx.answerPreCheckoutQuery(ok, error_message !== undefined ? { error_message } : {}).catch((error: unknown) => {
      refusedAnswers.push(error instanceof GrammyError ? error.description : String(error));
    });
  });
  bot.on("message:successful_payment", (ctx) => {
    paid.push(ctx.message.successful_payment);
  });
  return { bot, paid, refusedAnswers, deliver: (update: Update) => bot.handleUpdate(update) };
}

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("invoices", () => {
  it("shows a Stars invoice with Telegram's Pay button, records it, and makes invoice links", async () => {
    const { bot } = await shopBot();
    const sent = await bot.api.sendInvoice(ann.id, "Coffee", "Beans, 1 kg", "order:42", "XTR", stars(50));
    expect(sent.invoice).toEqual({ title: "Coffee", description: "Beans, 1 kg", start_parameter: "", currency: "XTR", total_amount: 50 });
    expect(buttonsOf(api.lastMessage(ann.id))).toEqual([{ text: "Pay ⭐️50", pay: true }]);
    const link = await bot.api.createInvoiceLink("Tea", "Sencha", "order:43", providerToken, "RUB", [{ label: "Tea", amount: 150_000 }, { label: "Discount", amount: -20_000 }]);
    expect(link).toMatch(/^https:\/\/t\.me\/\$\S+$/);
    expect(api.payments.invoices).toMatchObject([
      { token: shopToken, chatId: ann.id, messageId: sent.message_id, payload: "order:42", currency: "XTR", total_amount: 50, provider: false, paid: 0 },
      { token: shopToken, link, payload: "order:43", currency: "RUB", total_amount: 130_000, provider: true },
    ]);
    expect(JSON.stringify(api.payments.invoices)).not.toContain(providerToken);
  });

  it("takes an invoice sent after an edit for the message the customer is looking at", async () => {
    const { bot } = await shopBot();
    const cart = await bot.api.sendMessage(ann.id, "Cart: 1 × Coffee");
    await bot.api.editMessageText(ann.id, cart.message_id, "Cart: 2 × Coffee");
    await bot.api.sendInvoice(ann.id, "Coffee", "Beans", "order:42", "XTR", stars(100));
    expect(api.viewedMessage(ann.id, shopToken)?.invoice?.total_amount).toBe(100);
  });

  const bad: ReadonlyArray<[string, Record<string, unknown>, string]> = [
    ["an empty title", { title: "" }, `Bad Request: parameter "title" is required`],
    ["an empty description", { description: "" }, `Bad Request: parameter "description" is required`],
    ["an empty payload", { payload: "" }, `Bad Request: parameter "payload" is required`],
    ["a payload over 128 bytes", { payload: "ж".repeat(65) }, "Bad Request: INVOICE_PAYLOAD_INVALID"],
    ["no currency", { currency: "" }, `Bad Request: parameter "currency" is required`],
    ["no prices", { prices: [] }, "Bad Request: there must be at least one price"],
    ["a price without a label", { prices: [{ label: "", amount: 5 }] }, "Bad Request: can't parse labeled price: LabeledPrice label must be non-empty"],
    ["a price that is not whole", { prices: [{ label: "Coffee", amount: 1.5 }] }, `Bad Request: can't parse labeled price: Can't parse as an integer string "1.5"`],
    ["a price that is not a number", { prices: [{ label: "Coffee", amount: true }] }, `Bad Request: can't parse labeled price: Field "amount" must be a Number`],
    ["a zero price", { prices: stars(0) }, "Bad Request: total price must be positive"],
    ["a negative price", { prices: stars(-5) }, "Bad Request: total price must be positive"],
    ["a title over 32 characters", { title: "x".repeat(33) }, "Bad Request: INVOICE_TITLE_INVALID"],
    ["Stars with a provider token", { provider_token: providerToken }, "Bad Request: STARS_INVOICE_INVALID"],
    ["Stars with two prices", { prices: [...stars(10), ...stars(20)] }, "Bad Request: STARS_INVOICE_INVALID"],
    ["Stars with tips", { max_tip_amount: 5 }, "Bad Request: STARS_INVOICE_INVALID"],
    ["more Stars than an invoice may ask", { prices: stars(maxStarsInvoice + 1) }, "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID"],
    ["a card currency without a provider token", { currency: "EUR" }, "Bad Request: PAYMENT_PROVIDER_INVALID"],
    ["a mistyped Stars currency", { currency: "XTS" }, "Bad Request: PAYMENT_PROVIDER_INVALID"],
    ["a provider token that is not BotFather's", { currency: "EUR", provider_token: "sk_live_secret" }, "Bad Request: PAYMENT_PROVIDER_INVALID"],
    ["a currency Telegram does not take", { currency: "EURO", provider_token: providerToken }, "Bad Request: CURRENCY_INVALID"],
    ["a keyboard without a Pay button", { reply_markup: { inline_keyboard: [[{ text: "Help", callback_data: "help" }]] } }, "Bad Request: REPLY_MARKUP_BUY_EMPTY"],
    ["a Pay button that is not first", { reply_markup: { inline_keyboard: [[{ text: "Help", url: "https://shop.example" }, { text: "Pay", pay: true }]] } }, "Bad Request: BUTTON_POS_INVALID"],
    ["an unknown chat", { chat_id: 0 }, "Bad Request: chat not found"],
  ];

  it.each(bad)("refuses %s with Telegram's error and shows nothing", async (_name, change, description) => {
    const { bot } = await shopBot();
    const invoice = { chat_id: ann.id, title: "Coffee", description: "Beans", payload: "order:42", currency: "XTR", prices: stars(50), ...change };
    const error = await bot.api.raw.sendInvoice(invoice as Parameters<typeof bot.api.raw.sendInvoice>[0]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrammyError);
    expect(error).toMatchObject({ error_code: 400, description });
    expect((error as GrammyError).description).not.toContain("sk_live_secret");
    expect(api.messages(ann.id)).toEqual([]);
    expect(api.payments.invoices).toEqual([]);
  });

  it("checks the parameters before the chat, and links as invoices, and takes the edge values", async () => {
    const { bot } = await shopBot();
    await expect(bot.api.sendInvoice(0, "", "Beans", "order:42", "XTR", stars(50))).rejects.toThrow(`Bad Request: parameter "title" is required`);
    await expect(bot.api.createInvoiceLink("Coffee", "Beans", "order:42", providerToken, "XTR", stars(50))).rejects.toThrow("Bad Request: STARS_INVOICE_INVALID");
    await expect(bot.api.createInvoiceLink("Coffee", "Beans", "order:42", "", "USD", stars(500))).rejects.toThrow("Bad Request: PAYMENT_PROVIDER_INVALID");
    await bot.api.sendInvoice(ann.id, "x".repeat(32), "Beans", "ж".repeat(64), "XTR", stars(maxStarsInvoice));
    expect(api.payments.invoices).toHaveLength(1);
  });
});

describe("a customer pays", () => {
  it("pays a Stars invoice through a polling bot: the query, the answer, then successful_payment, with the answer's latency", async () => {
    const { bot, paid } = await shopBot();
    const running = bot.start();
    const sent = await bot.api.sendInvoice(ann.id, "Coffee", "Beans", "order:42", "XTR", stars(50));
    const result = await api.pay(ann.id, sent.message_id);
    await until(() => paid.length === 1);
    await bot.stop();
    await running;

    expect(result).toMatchObject({ outcome: "paid", query: { from: { id: ann.id }, currency: "XTR", total_amount: 50, invoice_payload: "order:42" } });
    const payment = result.outcome === "paid" ? result.payment : undefined;
    expect(paid).toEqual([payment]);
    expect(payment).toMatchObject({ currency: "XTR", total_amount: 50, invoice_payload: "order:42", provider_payment_charge_id: `${ann.id}_1` });
    expect(payment?.telegram_payment_charge_id).toMatch(/^stx\S+$/);
    const [query] = api.payments.preCheckoutQueries;
    expect(query?.answer).toMatchObject({ ok: true, late: false });
    expect(query?.answer?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(api.payments.charges).toMatchObject([{ token: shopToken, user: { id: ann.id }, payment, forged: false }]);
    expect([api.payments.starBalance(ann.id), api.payments.botStarBalance(shopToken)]).toEqual([100_000 - 50, 50]);
    expect(await bot.api.getMyStarBalance()).toEqual({ amount: 50 });
  });

  it("hands the updates to a bot fed by handleUpdate with `deliver`, under ids the update factories never reuse", async () => {
    const { bot, paid, deliver } = await shopBot();
    const sent = await bot.api.sendInvoice(ann.id, "Coffee", "Beans", "order:42", "XTR", stars(50));
    const before = privateText(ann, "hi").update_id;
    const result = await api.pay(ann.id, sent.message_id, { deliver });
    expect(paid).toHaveLength(1);
    const after = privateText(ann, "bye").update_id;
    const update = result.outcome === "paid" ? result.update : undefined;
    expect(update?.message?.successful_payment).toEqual(paid[0]);
    expect(update?.update_id).toBeGreaterThan(before);
    expect(after).toBeGreaterThan(update?.update_id ?? Infinity);
    expect(api.messages(ann.id).map((message) => message.message_id)).toEqual([sent.message_id]);
  });

  it("carries a refusal's error_message to the customer and charges nothing; the invoice stays payable", async () => {
    let stock = 0;
    const { bot, paid, deliver } = await shopBot(async () => (stock > 0 ? { ok: true } : { ok: false, error_message: "Sold out" }));
    const sent = await bot.api.sendInvoice(ann.id, "Coffee", "Beans", "order:42", "XTR", stars(50));
    expect(await api.pay(ann.id, sent.message_id, { deliver })).toMatchObject({ outcome: "refused", error_message: "Sold out" });
    expect([paid, api.payments.charges, api.payments.starBalance(ann.id)]).toEqual([[], [], 100_000]);
    expect(api.payments.preCheckoutQueries[0]?.answer).toMatchObject({ ok: false, error_message: "Sold out", late: false });
    stock = 1;
    expect(await api.pay(ann.id, sent.message_id, { deliver })).toMatchObject({ outcome: "paid" });
  });

  it("sends the payer as Telegram does, with the language their updates showed, so a refusal can be in it", async () => {
    const emma = user(8, { first_name: "Emma", language_code: "en", is_premium: true });
    const { bot, deliver } = await shopBot(async (update) => ({ ok: false, error_message: update.pre_checkout_query?.from.language_code === "en" ? "Sold out" : "Нет в наличии" }));
    api.observe(privateText(emma, "/start"));
    const toEmma = await bot.api.sendInvoice(emma.id, "Coffee", "Beans", "order:44", "XTR", stars(50));
    const toAnn = await bot.api.sendInvoice(ann.id, "Coffee", "Beans", "order:45", "XTR", stars(50));
    const paid = await api.pay(emma.id, toEmma.message_id, { deliver });
    expect(paid).toMatchObject({ outcome: "refused", error_message: "Sold out", query: { from: { id: emma.id, first_name: "Emma", language_code: "en", is_premium: true } } });
    // Someone the stand-in has seen no update from is sent as their chat shows them: no language.
    const unknown = await api.pay(ann.id, toAnn.message_id, { deliver });
    expect(unknown).toMatchObject({ outcome: "refused", error_message: "Нет в наличии", query: { from: { id: ann.id, is_bot: false } } });
    expect(unknown.query.from).not.toHaveProperty("language_code");
  });

  it("pays an invoice link with a card provider in the invoice's currency, without touching stars", async () => {
    const { bot, paid, deliver } = await shopBot();
    const link = await bot.api.createInvoiceLink("Tea", "Sencha", "order:43", providerToken, "RUB", [{ label: "Tea", amount: 150_000 }]);
    const result = await api.pay(ann.id, link, { deliver });
    expect(result).toMatchObject({ outcome: "paid", payment: { currency: "RUB", total_amount: 150_000, invoice_payload: "order:43" } });
    expect(paid[0]?.provider_payment_charge_id).toMatch(/^ch_[0-9a-f]+$/);
    expect([api.payments.starBalance(ann.id), api.payments.botStarBalance(shopToken)]).toEqual([100_000, 0]);
  });

  it("throws for what a customer could not do: no invoice, a deleted one, paying twice, too few stars", async () => {
    const { bot, deliver } = await shopBot();
    await expect(api.pay(ann.id, 999, { deliver })).rejects.toThrow("pay(): no invoice message 999 in chat 7");
    const gone = await bot.api.sendInvoice(ann.id, "Coffee", "Beans", "order:41", "XTR", stars(50));
    await bot.api.deleteMessage(ann.id, gone.message_id);
    await expect(api.pay(ann.id, gone.message_id, { deliver })).rejects.toThrow(/was deleted/);
    const sent = await bot.api.sendInvoice(ann.id, "Coffee", "Beans", "order:42", "XTR", stars(50));
    const first = await api.pay(ann.id, sent.message_id, { deliver, chargeId: "stx-first" });
    await expect(api.pay(ann.id, sent.message_id, { deliver })).rejects.toThrow(/already paid/);
    await expect(api.pay(ann.id, sent.message_id, { deliver, again: true, chargeId: "stx-first" })).rejects.toThrow(/already used/);
    const second = await api.pay(ann.id, sent.message_id, { deliver, again: true });
    expect(first.outcome === "paid" && second.outcome === "paid" && first.payment.telegram_payment_charge_id !== second.payment.telegram_payment_charge_id).toBe(true);
    api.payments.setStarBalance(ann.id, 10);
    await expect(api.pay(ann.id, sent.message_id, { deliver, again: true })).rejects.toThrow("pay(): user 7 has 10 stars; the invoice asks 50");
    expect(api.payments.charges).toHaveLength(2);
  });

  it("answers every one of many customers paying at once", async () => {
    const { bot, paid } = await shopBot();
    const running = bot.start();
    const customers = Array.from({ length: 30 }, (_, i) => 1_000 + i);
    const invoices = await Promise.all(customers.map((id) => bot.api.sendInvoice(id, "Coffee", "Beans", `order:${id}`, "XTR", stars(5))));
    const results = await Promise.all(invoices.map((invoice) => api.pay(invoice.chat.id, invoice.message_id)));
    await until(() => paid.length === customers.length);
    await bot.stop();
    await running;
    expect(results.map((result) => result.outcome)).toEqual(customers.map(() => "paid"));
    expect(new Set(paid.map((payment) => payment.invoice_payload))).toEqual(new Set(customers.map((id) => `order:${id}`)));
    expect(api.payments.preCheckoutQueries.every((query) => query.answer?.late === false)).toBe(true);
  });
});

describe("answerPreCheckoutQuery", () => {
  it("refuses an unknown id, another bot's query, a second answer, and a refusal without error_message", async () => {
    const seen: Update[] = [];
    const { bot } = await shopBot();
    const owner = new Bot("222:owner-secret", { client: { apiRoot: api.apiRoot } });
    const sent = await bot.api.sendInvoice(ann.id, "Coffee", "Beans", "order:42", "XTR", stars(50));
    const paying = api.pay(ann.id, sent.message_id, { deliver: (update) => seen.push(update) });
    await until(() => seen.length === 1);
    const id = seen[0]?.pre_checkout_query?.id ?? "";
    const tooOld = "Bad Request: query is too old and response timeout expired or query ID is invalid";
    await expect(bot.api.answerPreCheckoutQuery("123456", true)).rejects.toThrow(tooOld);
    await expect(owner.api.answerPreCheckoutQuery(id, true)).rejects.toThrow(tooOld);
    await expect(bot.api.raw.answerPreCheckoutQuery({ pre_checkout_query_id: id, ok: false })).rejects.toThrow(`Bad Request: parameter "error_message" is required`);
    await bot.api.answerPreCheckoutQuery(id, true);
    await expect(bot.api.answerPreCheckoutQuery(id, false, { error_message: "changed my mind" })).rejects.toThrow(tooOld);
    expect(await paying).toMatchObject({ outcome: "paid" });
    expect(api.payments.preCheckoutQueries[0]?.answer).toMatchObject({ ok: true, late: false });
  });

  it("refuses an answer after the deadline in real time: the payment times out, nothing is charged, the stars come back", async () => {
    await restart({ preCheckoutTimeoutMs: 150 });
    const { bot, paid, refusedAnswers, deliver } = await shopBot(async () => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      return { ok: true };
    });
    const sent = await bot.api.sendInvoice(ann.id, "Coffee", "Beans", "order:42", "XTR", stars(50));
    expect(await api.pay(ann.id, sent.message_id, { deliver })).toMatchObject({ outcome: "timed_out" });
    expect(refusedAnswers).toEqual(["Bad Request: query is too old and response timeout expired or query ID is invalid"]);
    expect(api.payments.preCheckoutQueries[0]).toMatchObject({ expired: true, answer: { ok: true, late: true } });
    expect([paid, api.payments.charges, api.payments.starBalance(ann.id), api.payments.botStarBalance(shopToken)]).toEqual([[], [], 100_000, 0]);
  });

  it("refuses an answer after the deadline on the stand-in's clock, which a test moves", async () => {
    let clock = Date.parse("2026-11-23T10:00:00Z");
    await restart({ now: () => clock });
    const { bot, paid, refusedAnswers, deliver } = await shopBot(async () => {
      clock += 10_001;
      return { ok: true };
    });
    const sent = await bot.api.sendInvoice(ann.id, "Coffee", "Beans", "order:42", "XTR", stars(50));
    const result = await api.pay(ann.id, sent.message_id, { deliver });
    expect(result).toMatchObject({ outcome: "timed_out", latencyMs: expect.any(Number) });
    expect(refusedAnswers).toEqual(["Bad Request: query is too old and response timeout expired or query ID is invalid"]);
    expect([paid, api.payments.charges]).toEqual([[], []]);
  });

  it("lets a test wait out the deadline with the bot silent, and ends pending payments when the stand-in closes", async () => {
    await restart({ preCheckoutTimeoutMs: 100 });
    const { bot } = await shopBot();
    const sent = await bot.api.sendInvoice(ann.id, "Coffee", "Beans", "order:42", "XTR", stars(50));
    expect(await api.pay(ann.id, sent.message_id)).toEqual({ outcome: "timed_out", query: expect.objectContaining({ invoice_payload: "order:42" }) });
    const pending = api.pay(ann.id, sent.message_id, { timeoutMs: 60_000 });
    await api.close();
    expect(await pending).toMatchObject({ outcome: "timed_out" });
    api = await startBotApiStandIn();
  });
});
