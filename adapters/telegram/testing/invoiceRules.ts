/**
 * What Telegram checks in an invoice (`sendInvoice`, `createInvoiceLink`), in the order its layers
 * check it, with their texts:
 * 1. the Bot API server (tdlib/telegram-bot-api, Client.cpp): required parameters, the prices
 *    parser ("Can't parse labeled price: …"), which it sends as "Bad Request: " and the text with
 *    its first letter in lower case;
 * 2. then, for `sendInvoice`, the chat;
 * 3. then tdlib (InputInvoice.cpp: "Total price must be positive", "Too big amount …");
 * 4. then Telegram's servers, whose errors are the RPC names documented for messages.sendMedia
 *    and payments.exportInvoice: INVOICE_PAYLOAD_INVALID, PAYMENT_PROVIDER_INVALID,
 *    STARS_INVOICE_INVALID, CURRENCY_TOTAL_AMOUNT_INVALID, REPLY_MARKUP_BUY_EMPTY, BUTTON_POS_INVALID.
 *    A non-Stars currency without a provider token is refused as PAYMENT_PROVIDER_INVALID, as users
 *    report for "XTS" and "TXR"; CURRENCY_INVALID (reported for a currency the provider does not
 *    take) answers a currency Telegram does not list.
 */

import { Buffer } from "node:buffer";
import type { InlineKeyboardMarkup, Invoice, LabeledPrice } from "grammy/types";
import { asInt, asString, badRequest, isRecord } from "./standInSupport.ts";

/** Limits Telegram enforces without a documented error text: the stand-in names them itself. */
export const unverifiedErrors = {
  title: "INVOICE_TITLE_INVALID",
  description: "INVOICE_DESCRIPTION_INVALID",
} as const;

/**
 * The most a Stars invoice may ask: 100,000 stars was measured accepted and 150,000 refused with
 * CURRENCY_TOTAL_AMOUNT_INVALID (the edge between them is not documented).
 */
export const maxStarsInvoice = 100_000;

/** tdlib's `check_currency_amount`: the largest amount of any currency. */
const maxAmount = 999_999_999_999;

/** Telegram's payment currencies (core.telegram.org/bots/payments#supported-currencies) and their decimals. */
const currencies: ReadonlyMap<string, number> = new Map([
  ..."AED AFN ALL AMD ARS AUD AZN BAM BDT BGN BHD BND BOB BRL BYN CAD CHF CNY COP CRC CZK DKK DOP DZD EGP ETB EUR GBP GEL GHS GTQ HKD HNL HUF ILS INR IQD IRR JMD JOD KES KGS KZT LBP LKR MAD MDL MMK MNT MOP MUR MVR MXN MYR MZN NGN NIO NOK NPR NZD PAB PEN PHP PKR PLN QAR RON RSD RUB SAR SEK SGD SYP THB TJS TRY TTD TWD TZS UAH USD UYU UZS YER ZAR"
    .split(" ")
    .map((code): [string, number] => [code, 2]),
  ...["CLP", "IDR", "ISK", "JPY", "KRW", "PYG", "UGX", "VND", "XTR"].map((code): [string, number] => [code, 0]),
]);

/** An invoice as sent, read by the Bot API server's rules: what `sendInvoice` and `createInvoiceLink` share. */
export interface ParsedInvoice {
  readonly shown: Invoice;
  readonly payload: string;
  readonly prices: LabeledPrice[];
  /** Whether a provider token came with it; the token itself is a secret and is not kept. */
  readonly provider: boolean;
  readonly maxTip: number;
}

/** A string parameter the Bot API server requires, with its error when it is missing or empty. */
export function required(payload: Record<string, unknown>, name: string): string {
  const value = asString(payload[name]);
  if (value === undefined || value === "") throw badRequest(`parameter "${name}" is required`);
  return value;
}

/** tdlib's JSON number reading: a number or the digits of a string, else its own texts. */
function amountOf(raw: Record<string, unknown>, fail: (why: string) => never): number {
  const value = raw.amount;
  if (value === undefined) return fail(`Can't find field "amount"`);
  if (typeof value !== "number" && typeof value !== "string") return fail(`Field "amount" must be a Number`);
  return asInt(value) ?? fail(`Can't parse as an integer string "${String(value)}"`);
}

function labeledPrice(raw: unknown): LabeledPrice {
  const fail = (why: string): never => {
    throw badRequest(`can't parse labeled price: ${why}`);
  };
  if (!isRecord(raw)) return fail("LabeledPrice must be an Object");
  if (raw.label === undefined) fail(`Can't find field "label"`);
  const label = asString(raw.label) ?? fail(`Field "label" must be of type String`);
  if (label === "") fail("LabeledPrice label must be non-empty");
  return { label, amount: amountOf(raw, fail) };
}

function parsePrices(raw: unknown): LabeledPrice[] {
  if (raw === undefined || raw === null || raw === "") throw badRequest(`parameter "prices" is required`);
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      throw badRequest("can't parse prices JSON object");
    }
  }
  if (!Array.isArray(value)) throw badRequest("expected an Array of labeled prices");
  const prices = value.map(labeledPrice);
  if (prices.length === 0) throw badRequest("there must be at least one price");
  return prices;
}

/** The Bot API server's reading of an invoice: its parameters, in its order. */
export function parseInvoice(payload: Record<string, unknown>): ParsedInvoice {
  const title = required(payload, "title");
  const description = required(payload, "description");
  const invoicePayload = required(payload, "payload");
  const currency = required(payload, "currency");
  const prices = parsePrices(payload.prices);
  const tip = payload.max_tip_amount;
  const maxTip = tip === undefined || tip === "" ? 0 : asInt(tip);
  if (maxTip === undefined) throw badRequest(`can't parse "max_tip_amount" as Number`);
  const total = prices.reduce((sum, price) => sum + price.amount, 0);
  const shown: Invoice = { title, description, start_parameter: asString(payload.start_parameter) ?? "", currency, total_amount: total };
  return { shown, payload: invoicePayload, prices, provider: (asString(payload.provider_token) ?? "") !== "", maxTip };
}

/**
 * What tdlib and then Telegram refuse in a parsed invoice. `providerToken` is checked for the shape
 * of BotFather's tokens (`<digits>:TEST:<…>` or `<digits>:LIVE:<…>`).
 */
export function checkInvoice(invoice: ParsedInvoice, providerToken: string): void {
  const { title, description, currency, total_amount: total } = invoice.shown;
  if (invoice.prices.some((price) => Math.abs(price.amount) > maxAmount)) throw badRequest("too big amount of the currency specified");
  if (total <= 0) throw badRequest("total price must be positive");
  if (total > maxAmount) throw badRequest("total price is too big");
  if (invoice.maxTip < 0 || invoice.maxTip > maxAmount) throw badRequest("invalid max_tip_amount of the currency specified");
  if (Buffer.byteLength(invoice.payload) > 128) throw badRequest("INVOICE_PAYLOAD_INVALID");
  if ([...title].length > 32) throw badRequest(unverifiedErrors.title);
  if ([...description].length > 255) throw badRequest(unverifiedErrors.description);
  if (currency === "XTR") {
    // Stars: no provider, exactly one price, no tips.
    if (providerToken !== "" || invoice.prices.length !== 1 || invoice.maxTip > 0) throw badRequest("STARS_INVOICE_INVALID");
    if (total > maxStarsInvoice) throw badRequest("CURRENCY_TOTAL_AMOUNT_INVALID");
    return;
  }
  if (!/^\d+:(TEST|LIVE):\S+$/.test(providerToken)) throw badRequest("PAYMENT_PROVIDER_INVALID");
  if (!currencies.has(currency)) throw badRequest("CURRENCY_INVALID");
}

/** The invoice's keyboard: Telegram's own Pay button, or the bot's, whose first button must pay. */
export function invoiceKeyboard(markup: unknown, invoice: ParsedInvoice): InlineKeyboardMarkup {
  const { currency, total_amount } = invoice.shown;
  if (markup === undefined) {
    const exp = currencies.get(currency) ?? 2;
    const price = currency === "XTR" ? `⭐️${total_amount}` : `${(total_amount / 10 ** exp).toFixed(exp)} ${currency}`;
    return { inline_keyboard: [[{ text: `Pay ${price}`, pay: true }]] };
  }
  const rows = isRecord(markup) && Array.isArray(markup.inline_keyboard) ? (markup.inline_keyboard as unknown[][]) : [];
  const at = rows.flat().findIndex((button) => isRecord(button) && button.pay === true);
  if (at === -1) throw badRequest("REPLY_MARKUP_BUY_EMPTY");
  if (at !== 0) throw badRequest("BUTTON_POS_INVALID");
  return markup as InlineKeyboardMarkup;
}
