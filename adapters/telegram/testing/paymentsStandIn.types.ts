/**
 * The types of the stand-in's payments (paymentsStandIn.ts): what a test reads back (invoices,
 * pre-checkout queries and answers, charges, refunds) and the options of a customer's payment.
 */

import type { Chat, LabeledPrice, PreCheckoutQuery, SuccessfulPayment, Update, User } from "grammy/types";

/** An invoice a bot sent (`sendInvoice`, with its chat and message) or made a link for (`createInvoiceLink`). */
export interface InvoiceRecord {
  readonly token: string;
  readonly chatId?: number;
  readonly messageId?: number;
  readonly link?: string;
  readonly title: string;
  readonly description: string;
  readonly payload: string;
  readonly currency: string;
  readonly prices: readonly LabeledPrice[];
  readonly total_amount: number;
  /** Whether a provider token came with it (the token is a secret and is not kept). */
  readonly provider: boolean;
  readonly at: number;
  /** How many times it was paid. */
  readonly paid: number;
}

/** The bot's answer to a pre-checkout query, in time or not. */
export interface PreCheckoutAnswer {
  readonly ok: boolean;
  readonly error_message?: string;
  /** When it came, on the stand-in's clock. */
  readonly at: number;
  /** Real milliseconds from the query being handed out to the answer (a monotonic clock, whatever `now` is). */
  readonly latencyMs: number;
  /** It came after the deadline: Telegram refused it and the payment did not happen. */
  readonly late: boolean;
}

/** A `pre_checkout_query` the stand-in sent, and the bot's first answer if any. */
export interface PreCheckoutRecord {
  readonly token: string;
  readonly chatId: number;
  readonly query: PreCheckoutQuery;
  /** When it was handed out, on the stand-in's clock. */
  readonly at: number;
  readonly answer?: PreCheckoutAnswer;
  /** True once the deadline passed without an answer in time. */
  readonly expired: boolean;
}

/** A charge: a `successful_payment` Telegram made, or a forged one it never made. */
export interface ChargeRecord {
  readonly token: string;
  readonly user: User;
  readonly payment: SuccessfulPayment;
  readonly at: number;
  readonly refundedAt?: number;
  /** Made by {@link StandInPayments.forgeSuccessfulPayment}: refunding it fails with CHARGE_NOT_FOUND. */
  readonly forged: boolean;
}

/** An accepted `refundStarPayment`. */
export interface RefundRecord {
  readonly token: string;
  readonly user_id: number;
  readonly telegram_payment_charge_id: string;
  readonly at: number;
}

/**
 * What became of one {@link StandInPayments.pay}. `latencyMs` is real time from the query to the
 * bot's answer; `update` is the `successful_payment` message as the bot got it.
 */
export type PaymentOutcome =
  | { readonly outcome: "paid"; readonly query: PreCheckoutQuery; readonly latencyMs: number; readonly payment: SuccessfulPayment; readonly update: Update }
  | { readonly outcome: "refused"; readonly query: PreCheckoutQuery; readonly latencyMs: number; readonly error_message: string }
  | { readonly outcome: "timed_out"; readonly query: PreCheckoutQuery; readonly latencyMs?: number };

/** How the stand-in's payment updates reach a bot. */
export interface DeliveryOptions {
  /** Which bot, when several bots share the stand-in. */
  readonly token?: string;
  /**
   * Hands each update to the bot and waits for it, e.g. `(update) => harness.deliver(update)` or
   * `(update) => bot.handleUpdate(update)`, for a bot that neither polls nor has a routed webhook.
   * Without it the update is queued, for `getUpdates` or the bot's routed webhook.
   */
  readonly deliver?: (update: Update) => unknown;
}

/** Who pays, how the updates reach the bot, and forged values: a payload, amount or currency the bot did not invoice. */
export interface PayOptions extends DeliveryOptions {
  /**
   * The payer; defaults to the user of the private chat `chatId`, as their newest update the
   * stand-in saw showed them (their `language_code` and `is_premium` too, as Telegram sends them).
   */
  readonly by?: User;
  /** The `telegram_payment_charge_id` to use (Telegram never repeats one; a reused id is refused). */
  readonly chargeId?: string;
  readonly amount?: number;
  readonly currency?: string;
  readonly payload?: string;
  /** Pays an invoice message that was already paid, as two devices racing may. */
  readonly again?: boolean;
  /** This payment's deadline instead of the stand-in's `preCheckoutTimeoutMs`. */
  readonly timeoutMs?: number;
}

/** Payments as a test drives and inspects them. */
export interface StandInPayments {
  /** Every invoice sent or linked, in order. */
  readonly invoices: ReadonlyArray<InvoiceRecord>;
  /** Every pre-checkout query, with the bot's answer and its latency: the P9_precheckout_ms samples. */
  readonly preCheckoutQueries: ReadonlyArray<PreCheckoutRecord>;
  /** Every charge, forged ones included, with `refundedAt` once refunded. */
  readonly charges: ReadonlyArray<ChargeRecord>;
  /** Every accepted refund, in order. */
  readonly refunds: ReadonlyArray<RefundRecord>;
  /** A customer pays an invoice: the same as `standIn.pay` (BotApiStandIn.pay in botApiStandIn.ts), documented there. */
  pay(chatId: number, target: number | string, options?: PayOptions): Promise<PaymentOutcome>;
  /**
   * Sends the bot a `successful_payment` Telegram never made: a forged webhook post, a payment for
   * nothing invoiced, a wrong amount or currency. The charge is recorded as forged.
   */
  forgeSuccessfulPayment(
    chatId: number,
    payment: Pick<SuccessfulPayment, "currency" | "total_amount" | "invoice_payload"> & Partial<SuccessfulPayment>,
    options?: DeliveryOptions & { readonly by?: User },
  ): Promise<Update>;
  /**
   * Sends an update again, with its own `update_id`, as Telegram redelivers one whose delivery it
   * thinks failed (e.g. `outcome.update` of a paid {@link pay}). Queued, it reaches a routed
   * webhook, or a poller that has not confirmed that id yet; with `deliver`, the bot in any case.
   */
  redeliver(update: Update, options?: DeliveryOptions): Promise<Update>;
  /** A user's stars: `userStars` at first, less payments, plus refunds. */
  starBalance(userId: number): number;
  setStarBalance(userId: number, stars: number): void;
  /** A bot's stars: payments in, refunds out (what `getMyStarBalance` answers). */
  botStarBalance(token: string): number;
}

/** What the stand-in lends the payments model: its clock, its chats and its update queue. */
export interface PaymentsHost {
  now(): number;
  /** The chat as the bot sees it; throws Telegram's error for a chat it cannot reach. */
  chat(token: string, chatId: number): Chat;
  hasMessage(token: string, chatId: number, messageId: number): boolean;
  /** The next message id in the chat, for the service message a payment adds. */
  nextMessageId(token: string, chatId: number): number;
  /** Queues a new update for the bot, numbered by the stand-in. */
  queue(update: Omit<Update, "update_id">, token: string): Update;
  /** Queues an update again under its own id. */
  requeue(update: Update, token: string): Update;
  /** Learns the chats of an update handed to the bot directly. */
  observe(update: Update): void;
  /** The person as their newest update seen showed them (with their `language_code`), if any. */
  user(userId: number): User | undefined;
}

/** The stand-in's payment settings (see BotApiStandInOptions). */
export interface PaymentsOptions {
  /** How long a bot has to answer a `pre_checkout_query`: 10 s on Telegram. */
  readonly preCheckoutTimeoutMs?: number;
  /** Each user's stars before their first payment (default 100,000). */
  readonly userStars?: number;
}
