/**
 * Telegram payments for the Bot API stand-in, as the Bot API documents them: invoices
 * (`sendInvoice`, `createInvoiceLink`, checked in invoiceRules.ts), a customer paying one
 * (`pre_checkout_query` → the bot's `answerPreCheckoutQuery` within the deadline →
 * `successful_payment`), Stars refunds (`refundStarPayment`), Stars balances and transactions.
 *
 * The errors are Telegram's: "query is too old and response timeout expired or query ID is invalid"
 * (the Bot API server's text for QUERY_ID_INVALID) for an unknown, late or second answer;
 * "invalid user_id specified", CHARGE_NOT_FOUND (what api.telegram.org answers for a charge id it
 * never made) and CHARGE_ALREADY_REFUNDED for refunds.
 */

import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Message, PreCheckoutQuery, StarTransaction, SuccessfulPayment, Update, User } from "grammy/types";
import { required, type ParsedInvoice } from "./invoiceRules.ts";
import type {
  ChargeRecord,
  DeliveryOptions,
  InvoiceRecord,
  PaymentOutcome,
  PaymentsHost,
  PaymentsOptions,
  PayOptions,
  PreCheckoutRecord,
  RefundRecord,
  StandInPayments,
} from "./paymentsStandIn.types.ts";
import { asBool, asInt, asString, badRequest, nextUpdateId } from "./standInSupport.ts";

// ─── The payments model ──────────────────────────────────────────────────────────────────────

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type InvoiceState = Mutable<InvoiceRecord>;
type ChargeState = Mutable<ChargeRecord>;
type Paid = Extract<PaymentOutcome, { outcome: "paid" }>;
type Settled = Exclude<PaymentOutcome, Paid> | Omit<Paid, "update">;
interface QueryState extends Mutable<PreCheckoutRecord> {
  readonly invoice: InvoiceState;
  readonly timeoutMs: number;
  readonly chargeId: string | undefined;
  /** Stars taken from the payer when the query was sent, given back unless the payment goes through. */
  readonly held: number;
  /** `performance.now()` when the query was handed out. */
  readonly startedAt: number;
  readonly settled: Promise<Settled>;
  readonly settle: (outcome: Settled) => void;
  timer: NodeJS.Timeout | undefined;
}

const tooOld = "query is too old and response timeout expired or query ID is invalid";
const longId = (): string => (randomBytes(8).readBigUInt64BE() >> 2n).toString();
const seconds = (ms: number): number => Math.floor(ms / 1000);
type ServiceContent = Pick<Message, "successful_payment" | "refunded_payment">;

/**
 * The payments model behind the stand-in's payment methods. Tests see it as {@link StandInPayments};
 * the stand-in calls the rest (one method per Bot API method).
 */
export class PaymentsModel implements StandInPayments {
  readonly invoices: InvoiceState[] = [];
  readonly preCheckoutQueries: QueryState[] = [];
  readonly charges: ChargeState[] = [];
  readonly refunds: RefundRecord[] = [];
  readonly #queries = new Map<string, QueryState>();
  readonly #transactions: { token: string; transaction: StarTransaction }[] = [];
  readonly #userStars = new Map<number, number>();
  readonly #botStars = new Map<string, number>();
  readonly #host: PaymentsHost;
  readonly #timeoutMs: number;
  readonly #initialStars: number;

  constructor(host: PaymentsHost, options: PaymentsOptions = {}) {
    this.#host = host;
    this.#timeoutMs = options.preCheckoutTimeoutMs ?? 10_000;
    this.#initialStars = options.userStars ?? 100_000;
  }

  starBalance(userId: number): number {
    return this.#userStars.get(userId) ?? this.#initialStars;
  }

  setStarBalance(userId: number, stars: number): void {
    this.#userStars.set(userId, stars);
  }

  botStarBalance(token: string): number {
    return this.#botStars.get(token) ?? 0;
  }

  recordInvoice(token: string, invoice: ParsedInvoice, where: { chatId?: number; messageId?: number; link?: string }): void {
    const { title, description, currency, total_amount } = invoice.shown;
    const { payload, prices, provider } = invoice;
    this.invoices.push({ token, ...where, title, description, payload, currency, prices, total_amount, provider, at: this.#host.now(), paid: 0 });
  }

  createInvoiceLink(token: string, invoice: ParsedInvoice): string {
    const link = `https://t.me/$${randomBytes(12).toString("base64url")}`;
    this.recordInvoice(token, invoice, { link });
    return link;
  }

  async pay(chatId: number, target: number | string, options: PayOptions = {}): Promise<PaymentOutcome> {
    const record = this.#open(chatId, target, options);
    const delivery = this.#send({ pre_checkout_query: record.query }, record.token, options.deliver).then(
      () => undefined,
      (error: unknown) => {
        this.#expire(record);
        return { error };
      },
    );
    const outcome = await record.settled;
    const failed = await delivery;
    if (failed !== undefined) throw failed.error;
    if (outcome.outcome !== "paid") return outcome;
    const message = this.#serviceMessage(record.token, record.chatId, record.query.from, { successful_payment: outcome.payment });
    return { ...outcome, update: await this.#send(message, record.token, options.deliver) };
  }

  answerPreCheckoutQuery(token: string, payload: Record<string, unknown>): true {
    const ok = asBool(payload.ok);
    const errorMessage = asString(payload.error_message) ?? "";
    if (!ok && errorMessage === "") throw badRequest(`parameter "error_message" is required`);
    const record = this.#queries.get(asString(payload.pre_checkout_query_id) ?? "");
    if (record === undefined || record.token !== token || record.answer !== undefined) throw badRequest(tooOld);
    const latencyMs = performance.now() - record.startedAt;
    const at = this.#host.now();
    const late = record.expired || latencyMs > record.timeoutMs || at - record.at > record.timeoutMs;
    record.answer = { ok, ...(ok ? {} : { error_message: errorMessage }), at, latencyMs, late };
    if (late) {
      this.#expire(record, latencyMs);
      throw badRequest(tooOld);
    }
    this.#finish(record, ok ? this.#charge(record, latencyMs) : { outcome: "refused", query: record.query, latencyMs, error_message: errorMessage });
    return true;
  }

  refundStarPayment(token: string, payload: Record<string, unknown>): true {
    const userId = asInt(payload.user_id) ?? 0;
    if (userId <= 0) throw badRequest("invalid user_id specified");
    const chargeId = required(payload, "telegram_payment_charge_id");
    const charge = this.charges.find((c) => c.payment.telegram_payment_charge_id === chargeId && !c.forged);
    if (charge === undefined || charge.token !== token || charge.user.id !== userId || charge.payment.currency !== "XTR") {
      throw badRequest("CHARGE_NOT_FOUND");
    }
    if (charge.refundedAt !== undefined) throw badRequest("CHARGE_ALREADY_REFUNDED");
    const at = this.#host.now();
    charge.refundedAt = at;
    this.refunds.push({ token, user_id: userId, telegram_payment_charge_id: chargeId, at });
    const { currency, total_amount, invoice_payload, telegram_payment_charge_id } = charge.payment;
    this.#moveStars(userId, token, -total_amount);
    const receiver = { type: "user" as const, transaction_type: "invoice_payment" as const, user: charge.user, invoice_payload };
    this.#transactions.push({ token, transaction: { id: chargeId, amount: total_amount, date: seconds(at), receiver } });
    // Telegram tells the bot with a service message in the user's chat.
    const refunded_payment = { currency, total_amount, invoice_payload, telegram_payment_charge_id };
    this.#host.queue(this.#serviceMessage(token, userId, charge.user, { refunded_payment }), token);
    return true;
  }

  starTransactions(token: string, payload: Record<string, unknown>): { transactions: StarTransaction[] } {
    const offset = Math.max(0, asInt(payload.offset) ?? 0);
    const limit = Math.min(100, Math.max(1, asInt(payload.limit) ?? 100));
    const mine = this.#transactions.filter((entry) => entry.token === token).map((entry) => structuredClone(entry.transaction));
    return { transactions: mine.slice(offset, offset + limit) };
  }

  async forgeSuccessfulPayment(
    chatId: number,
    fields: Pick<SuccessfulPayment, "currency" | "total_amount" | "invoice_payload"> & Partial<SuccessfulPayment>,
    options: DeliveryOptions & { readonly by?: User } = {},
  ): Promise<Update> {
    const token = this.#tokenFor(options.token, "forgeSuccessfulPayment");
    const from = this.#userOf(token, chatId, options.by);
    const successful_payment: SuccessfulPayment = { telegram_payment_charge_id: `forged${longId()}`, provider_payment_charge_id: "", ...fields };
    // Reusing a real charge's id repeats that charge: it stays refundable.
    if (!this.charges.some((c) => c.payment.telegram_payment_charge_id === successful_payment.telegram_payment_charge_id)) {
      this.charges.push({ token, user: from, payment: successful_payment, at: this.#host.now(), forged: true });
    }
    return this.#send(this.#serviceMessage(token, chatId, from, { successful_payment }), token, options.deliver);
  }

  async redeliver(update: Update, options: DeliveryOptions = {}): Promise<Update> {
    const token = this.#tokenFor(options.token, "redeliver");
    if (options.deliver === undefined) return this.#host.requeue(update, token);
    this.#host.observe(update);
    await options.deliver(structuredClone(update));
    return structuredClone(update);
  }

  /** Ends the payments still waiting for their answer, as timed out (the stand-in is closing). */
  expirePending(): void {
    for (const record of this.preCheckoutQueries) if (record.timer !== undefined) this.#expire(record);
  }

  /** Forgets everything; a payment still waiting for its answer ends as timed out. */
  clear(): void {
    this.expirePending();
    this.invoices.length = 0;
    this.preCheckoutQueries.length = 0;
    this.charges.length = 0;
    this.refunds.length = 0;
    this.#queries.clear();
    this.#transactions.length = 0;
    this.#userStars.clear();
    this.#botStars.clear();
  }

  /** Checks what a customer could do, takes the stars and starts the deadline. */
  #open(chatId: number, target: number | string, options: PayOptions): QueryState {
    const invoice = this.#payable(chatId, target, options);
    const from = this.#userOf(invoice.token, chatId, options.by);
    const query: PreCheckoutQuery = {
      id: longId(),
      from,
      currency: options.currency ?? invoice.currency,
      total_amount: options.amount ?? invoice.total_amount,
      invoice_payload: options.payload ?? invoice.payload,
    };
    const held = query.currency === "XTR" ? query.total_amount : 0;
    if (held > this.starBalance(from.id)) throw new Error(`pay(): user ${from.id} has ${this.starBalance(from.id)} stars; the invoice asks ${held}`);
    this.#moveStars(from.id, invoice.token, held);
    const { promise, resolve } = Promise.withResolvers<Settled>();
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const record: QueryState = {
      token: invoice.token, chatId, query, at: this.#host.now(), expired: false, invoice, timeoutMs,
      chargeId: options.chargeId, held, startedAt: performance.now(), settled: promise, settle: resolve, timer: undefined,
    };
    record.timer = setTimeout(() => this.#expire(record), timeoutMs);
    this.preCheckoutQueries.push(record);
    this.#queries.set(query.id, record);
    return record;
  }

  #payable(chatId: number, target: number | string, options: PayOptions): InvoiceState {
    const found = this.invoices.filter(
      (invoice) =>
        (options.token === undefined || invoice.token === options.token) &&
        (typeof target === "string" ? invoice.link === target : invoice.chatId === chatId && invoice.messageId === target),
    );
    const invoice = found[0];
    if (invoice === undefined) throw new Error(`pay(): no invoice ${typeof target === "string" ? target : `message ${target} in chat ${chatId}`}`);
    if (found.length > 1) throw new Error("pay(): several bots sent an invoice with that message id; pass options.token");
    if (invoice.messageId !== undefined && !this.#host.hasMessage(invoice.token, chatId, invoice.messageId)) {
      throw new Error(`pay(): invoice message ${invoice.messageId} was deleted`);
    }
    if (invoice.messageId !== undefined && invoice.paid > 0 && options.again !== true) {
      throw new Error(`pay(): invoice message ${invoice.messageId} is already paid; pass { again: true } for a racing second payment`);
    }
    if (options.chargeId !== undefined && this.charges.some((c) => c.payment.telegram_payment_charge_id === options.chargeId)) {
      throw new Error(`pay(): charge id ${options.chargeId} was already used; Telegram never repeats one`);
    }
    return invoice;
  }

  #tokenFor(token: string | undefined, caller: string): string {
    const tokens = [...new Set(this.invoices.map((invoice) => invoice.token))];
    const found = token ?? (tokens.length === 1 ? tokens[0] : undefined);
    if (found === undefined) throw new Error(`${caller}(): pass options.token, the bot that receives it`);
    return found;
  }

  #userOf(token: string, chatId: number, by: User | undefined): User {
    if (by !== undefined) return by;
    const chat = this.#host.chat(token, chatId);
    if (chat.type !== "private") throw new Error(`chat ${chatId} is not a private chat: pass options.by, the payer`);
    const { first_name, last_name, username } = chat;
    // Telegram's `from` carries the person's app language, which the chat does not: the bot answers in it.
    const { language_code, is_premium } = this.#host.user(chat.id) ?? {};
    return {
      id: chat.id,
      is_bot: false,
      first_name,
      ...(last_name !== undefined ? { last_name } : {}),
      ...(username !== undefined ? { username } : {}),
      ...(language_code !== undefined ? { language_code } : {}),
      ...(is_premium !== undefined ? { is_premium } : {}),
    };
  }

  #moveStars(userId: number, token: string, stars: number): void {
    this.#userStars.set(userId, this.starBalance(userId) - stars);
    this.#botStars.set(token, this.botStarBalance(token) + stars);
  }

  #serviceMessage(token: string, chatId: number, from: User, content: ServiceContent): Omit<Update, "update_id"> {
    const message = { message_id: this.#host.nextMessageId(token, chatId), date: seconds(this.#host.now()), chat: this.#host.chat(token, chatId), from, ...content };
    return { message: message as NonNullable<Update["message"]> };
  }

  /** Queues an update for the bot, or hands it over with `deliver` under an id no update factory uses. */
  async #send(content: Omit<Update, "update_id">, token: string, deliver: DeliveryOptions["deliver"]): Promise<Update> {
    if (deliver === undefined) return this.#host.queue(content, token);
    const update: Update = { ...structuredClone(content), update_id: nextUpdateId() };
    this.#host.observe(update);
    await deliver(structuredClone(update));
    return update;
  }

  #charge(record: QueryState, latencyMs: number): Settled {
    const { query, token, invoice } = record;
    const stars = query.currency === "XTR";
    const n = this.charges.length + 1;
    const successful_payment: SuccessfulPayment = {
      currency: query.currency,
      total_amount: query.total_amount,
      invoice_payload: query.invoice_payload,
      telegram_payment_charge_id: record.chargeId ?? (stars ? `stx${randomBytes(30).toString("base64url")}` : `${longId()}_${query.from.id}_${n}`),
      provider_payment_charge_id: stars ? `${query.from.id}_${n}` : `ch_${randomBytes(12).toString("hex")}`,
    };
    invoice.paid += 1;
    this.charges.push({ token, user: query.from, payment: successful_payment, at: this.#host.now(), forged: false });
    if (stars) {
      const source = { type: "user" as const, transaction_type: "invoice_payment" as const, user: query.from, invoice_payload: query.invoice_payload };
      const id = successful_payment.telegram_payment_charge_id;
      this.#transactions.push({ token, transaction: { id, amount: query.total_amount, date: seconds(this.#host.now()), source } });
    }
    return { outcome: "paid", query, latencyMs, payment: successful_payment };
  }

  #expire(record: QueryState, latencyMs?: number): void {
    if (record.answer === undefined || record.answer.late) record.expired = true;
    this.#finish(record, { outcome: "timed_out", query: record.query, ...(latencyMs !== undefined ? { latencyMs } : {}) });
  }

  #finish(record: QueryState, outcome: Settled): void {
    if (record.timer === undefined) return;
    clearTimeout(record.timer);
    record.timer = undefined;
    if (outcome.outcome !== "paid" && record.held > 0) this.#moveStars(record.query.from.id, record.token, -record.held);
    record.settle(outcome);
  }
}
