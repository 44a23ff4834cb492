/**
 * A local Telegram Bot API for tests: a real HTTP server that grammY talks to through
 * `new Bot(token, { client: { apiRoot: standIn.apiRoot } })`.
 *
 * It keeps a model of each bot's chats, so a test asserts what the user would see (texts after
 * HTML parsing, buttons, edits, deletions) rather than which calls were made. It rejects what
 * Telegram rejects where that catches bugs: unescaped HTML, empty or too long texts, oversized
 * callback data, identical edits, edits of deleted messages. Photos and documents arrive as
 * multipart uploads or by reference: an upload gets file_ids (a PhotoSize per size) that the same
 * bot may send again later, and a file_id it was never given is refused, as Telegram refuses it.
 * Faults (429, 500, dropped
 * connections, slow answers) can be injected per method, and updates can be queued for long
 * polling, so `bot.start()` runs unchanged.
 *
 * Several bots may share one stand-in: every call is recorded with its token, and each token has
 * its own chats, as on Telegram, where the shop bot and the owner bot see different chats with
 * the same user.
 */

import { Buffer } from "node:buffer";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  BotCommand,
  Chat,
  ForceReply,
  InlineKeyboardMarkup,
  Message,
  MessageEntity,
  PhotoSize,
  ReplyKeyboardMarkup,
  ReplyKeyboardRemove,
  ResponseParameters,
  Update,
  User,
  UserFromGetMe,
} from "grammy/types";
import { checkInvoice, invoiceKeyboard, parseInvoice } from "./invoiceRules.ts";
import { PaymentsModel } from "./paymentsStandIn.ts";
import type { PaymentOutcome, PayOptions, StandInPayments } from "./paymentsStandIn.types.ts";
import type { RateWatch } from "./rateWatch.ts";
import { WebhookPump, type WebhookDelivery } from "./webhookStandIn.ts";
import { ApiFailure, asBool, asInt, asString, badRequest, isRecord, nextUpdateId } from "./standInSupport.ts";

// ─── Public types ────────────────────────────────────────────────────────────────────────────

/** Any markup a bot may attach to a sent message. */
export type SentMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply;

/** A file part of a multipart request: which API field it filled, its name and its size in bytes. */
export interface UploadedFile {
  readonly field: string;
  readonly filename: string;
  readonly size: number;
  /** The file's first 64 bytes, so a test can check what it is (a PNG's signature and size). */
  readonly head: Buffer;
  /** The whole file, so a test can read back what a bot sent (an export's rows). */
  readonly bytes: Buffer;
}

/** One request the stand-in received. `ok` is `undefined` while the answer is still pending. */
export interface RecordedCall {
  readonly token: string;
  readonly method: string;
  /** The parameters, with form fields decoded to the types a JSON body would carry. */
  readonly payload: Record<string, unknown>;
  readonly files: ReadonlyArray<UploadedFile>;
  /** When the request arrived, from the stand-in's clock. */
  readonly at: number;
  readonly ok?: boolean;
  /** Telegram's error description when `ok` is false. */
  readonly description?: string;
}

/** How the bot last wrote a message: the source before parse_mode was applied, and its markup. */
export interface SentAs {
  /** Text or caption exactly as sent, with its tags and escapes. */
  readonly text?: string;
  readonly parse_mode?: string;
  /** The markup as sent, including reply keyboards, which Telegram does not echo in `reply_markup`. */
  readonly reply_markup?: SentMarkup;
  readonly files: ReadonlyArray<UploadedFile>;
}

/**
 * A message as the user sees it: a grammY `Message` whose `text` or `caption` is the parsed,
 * visible text (HTML tags turned into `entities`), plus `sent`, how the bot wrote it.
 */
export type StoredMessage = Message & { readonly sent: SentAs };

/** A button as the user sees it, from an inline or a reply keyboard. */
export interface Button {
  readonly text: string;
  readonly callback_data?: string;
  readonly url?: string;
  readonly request_contact?: boolean;
  /** The Pay button of an invoice. */
  readonly pay?: true;
}

/** What the bot answered to a button press. */
export interface CallbackAnswer {
  readonly token: string;
  readonly callback_query_id: string;
  readonly text?: string;
  readonly show_alert?: boolean;
  readonly url?: string;
}

/** A failed answer to inject: Telegram's `error_code`, `description` and optional `parameters`. */
export interface InjectedFailure {
  readonly error_code: number;
  readonly description: string;
  readonly parameters?: ResponseParameters;
}

/** Options for {@link startBotApiStandIn}. */
export interface BotApiStandInOptions {
  /** What `getMe` answers for every token; `id` defaults to the token's numeric prefix. */
  readonly botInfo?: Partial<UserFromGetMe>;
  /** Per-token `getMe` overrides, for two bots sharing one stand-in. */
  readonly bots?: Readonly<Record<string, Partial<UserFromGetMe>>>;
  /**
   * Refuse chats the stand-in has not seen in a pushed or observed update (or via `addChat`)
   * with "chat not found", like Telegram for a user who never opened the bot.
   */
  readonly knownChatsOnly?: boolean;
  /** The clock for `at` and message dates, in milliseconds; defaults to `Date.now`. */
  readonly now?: () => number;
  /**
   * How long a bot has to answer a `pre_checkout_query` (Telegram: 10 s), measured on `now`; the
   * payment also gives up after this long in real time, so a test with a frozen clock still ends.
   */
  readonly preCheckoutTimeoutMs?: number;
  /** Each user's Telegram Stars before their first payment (default 100,000). */
  readonly userStars?: number;
  /** How long to wait before posting an update again to a webhook that did not answer 2xx (default 500 ms). */
  readonly webhookRetryMs?: number;
  /** Told of every request as it arrives (rateWatch.ts counts sends that broke Telegram's limits). */
  readonly rateWatch?: Pick<RateWatch, "record">;
}

/** A running stand-in. See {@link startBotApiStandIn}. */
export interface BotApiStandIn {
  /** Pass as `client.apiRoot`, e.g. `http://127.0.0.1:40123`. */
  readonly apiRoot: string;
  /** Every request, in arrival order, including failed ones. */
  readonly calls: ReadonlyArray<RecordedCall>;
  /** Every accepted `answerCallbackQuery`, in order. */
  readonly callbackAnswers: ReadonlyArray<CallbackAnswer>;
  /** Invoices sent, pre-checkout queries and their answers, charges and refunds, Stars balances. */
  readonly payments: StandInPayments;
  /**
   * A customer pays an invoice, the way Telegram runs a payment, so a test drives a bot's checkout
   * end to end. `target` is the `message_id` of an invoice the bot sent to `chatId` with
   * `sendInvoice`, or a link the bot made with `createInvoiceLink` (then `chatId` is the payer's
   * private chat, where the payment message appears).
   *
   * 1. It throws an Error for what a customer could not do: no such invoice, its message deleted, it
   *    was already paid (`again: true` pays it a second time, as two devices racing may), too few stars.
   * 2. It sends the bot a `pre_checkout_query` (`id`, `from`, `currency`, `total_amount`,
   *    `invoice_payload`): queued for `getUpdates` (a bot running `bot.start()` or the runner) or for
   *    the bot's webhook if a test routed it ({@link routeWebhook}); or, with `deliver`, handed to
   *    the bot and awaited, e.g. `{ deliver: (update) => harness.deliver(update) }` for a bot fed
   *    through `bot.handleUpdate`.
   * 3. It waits for `answerPreCheckoutQuery` until the deadline (`preCheckoutTimeoutMs`, 10 s as on
   *    Telegram, or `timeoutMs`). An answer after it (in real time, or on the `now` clock, which a
   *    test may move inside its handler) fails with "Bad Request: query is too old and response
   *    timeout expired or query ID is invalid", and nothing is charged.
   * 4. On `ok: true` it records the charge, moves the stars, and sends the bot a message in the chat
   *    with `successful_payment` (`currency`, `total_amount`, `invoice_payload`,
   *    `telegram_payment_charge_id`, `provider_payment_charge_id`), the same way as the query. It
   *    resolves once that message is queued, or once `deliver` returned for it.
   *
   * It resolves to `{ outcome: "paid", payment, update, latencyMs }`, `{ outcome: "refused",
   * error_message, latencyMs }` or `{ outcome: "timed_out" }`. `latencyMs` is real time from the query
   * to the answer; every query keeps it in `payments.preCheckoutQueries[i].answer.latencyMs`, the
   * samples of the P9_precheckout_ms figure (start many `pay` calls at once, then take their p99).
   * `amount`, `currency` and `payload` forge what the query and the payment say; a payment Telegram
   * never made is `payments.forgeSuccessfulPayment(...)`; a redelivery is `payments.redeliver(outcome.update)`.
   *
   * @example
   * const sent = await bot.api.sendInvoice(7, "Coffee", "Beans, 1 kg", "order:42", "XTR", [{ label: "Coffee", amount: 50 }]);
   * const result = await standIn.pay(7, sent.message_id, { deliver: (update) => bot.handleUpdate(update) });
   * expect(result).toMatchObject({ outcome: "paid", payment: { currency: "XTR", total_amount: 50, invoice_payload: "order:42" } });
   */
  pay(chatId: number, target: number | string, options?: PayOptions): Promise<PaymentOutcome>;
  /**
   * POSTs updates for a bot whose webhook is `url` (set by `setWebhook`) to `target`, a local
   * `http://` address, with the `X-Telegram-Bot-Api-Secret-Token` header; one at a time, in order,
   * again after `webhookRetryMs` until the answer is 2xx, as Telegram redelivers.
   */
  routeWebhook(url: string, target: string): void;
  /** Every webhook POST, in order. */
  readonly webhookDeliveries: ReadonlyArray<WebhookDelivery>;
  /** The requests to one method, e.g. `callsTo("sendMessage")`. */
  callsTo(method: string, token?: string): RecordedCall[];
  /**
   * The bot's messages still visible in a chat, oldest first (the user's own messages are not
   * kept). Without a token, the messages of every bot in that chat id, in send order.
   */
  messages(chatId: number, token?: string): StoredMessage[];
  /** The newest visible bot message in a chat. */
  lastMessage(chatId: number, token?: string): StoredMessage | undefined;
  /**
   * The message the person is looking at: the one the bot most recently sent or edited in the chat
   * (an edit of an older message brings that message back into view).
   */
  viewedMessage(chatId: number, token: string): StoredMessage | undefined;
  /** The newest visible message in the chat that shows a button with this text. */
  messageWithButton(chatId: number, token: string, text: string): StoredMessage | undefined;
  /** The reply keyboard currently shown under the chat's input field, if any. */
  replyKeyboard(chatId: number, token?: string): ReplyKeyboardMarkup | undefined;
  /** The commands set with `setMyCommands` for a scope and language (default scope by default). */
  commands(options?: { token?: string; scope?: unknown; language_code?: string }): BotCommand[];
  /** The buttons of a message: see {@link buttonsOf}. */
  buttonsOf(message: Message | undefined): Button[];
  /**
   * Queues an update for `getUpdates`, numbering it if it has no `update_id` (ids must grow, and
   * stay apart from those of the update factories in telegramUpdates.ts); for
   * one bot if `token` is given, else for whichever bot polls. Also learns its chats, like `observe`.
   * As on Telegram, a bot never receives types it left out of `allowed_updates` (by default
   * `chat_member`, `message_reaction` and `message_reaction_count`).
   */
  pushUpdate(update: UpdateInput, options?: { token?: string }): Update;
  /** Learns the chats and message ids of an update fed to `bot.handleUpdate` directly, without queueing it. */
  observe(update: UpdateInput): void;
  /** Makes a chat known (for `knownChatsOnly`) and gives it a type and name, e.g. a channel. */
  addChat(chat: Chat): void;
  /** Makes sends to a chat fail with 403 "bot was blocked by the user", for one bot or all. */
  block(chatId: number, token?: string): void;
  /** Answers the next `times` calls to `method` with this failure, or drops the connection. */
  failNext(method: string, failure: InjectedFailure | "disconnect", times?: number): void;
  /** Delays the next call to `method` by `ms`; it still takes effect afterwards, even if the client gave up. */
  hangNext(method: string, ms: number): void;
  /** Forgets calls, answers, messages, keyboards, queued updates, injected faults, payments and webhook deliveries. */
  clear(): void;
  /** Stops the server, ending pending long polls and open connections. */
  close(): Promise<void>;
}

export type { WebhookDelivery } from "./webhookStandIn.ts";
export type {
  ChargeRecord,
  DeliveryOptions,
  InvoiceRecord,
  PaymentOutcome,
  PayOptions,
  PreCheckoutAnswer,
  PreCheckoutRecord,
  RefundRecord,
  StandInPayments,
} from "./paymentsStandIn.types.ts";

/** An update to queue; `update_id` is assigned when missing. */
export type UpdateInput = Omit<Update, "update_id"> & { update_id?: number };

// ─── Buttons ─────────────────────────────────────────────────────────────────────────────────

/**
 * The buttons of a message, flat, in reading order: inline buttons from `reply_markup`, or the
 * reply keyboard the bot sent with a {@link StoredMessage}.
 */
/**
 * A bot's `getMe` as Telegram answers it, for a bot object made in a test or the demo (grammY's
 * `new Bot(token, { botInfo })` skips the call). The capability flags are those of a new bot.
 */
export function testBotInfo(bot: Pick<UserFromGetMe, "id" | "first_name" | "username"> & Partial<UserFromGetMe>): UserFromGetMe {
  return {
    is_bot: true,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
    ...bot,
  } as UserFromGetMe;
}

export function buttonsOf(message: Message | undefined): Button[] {
  if (message === undefined) return [];
  const sent = "sent" in message && isRecord(message.sent) ? message.sent.reply_markup : undefined;
  const markup: unknown = message.reply_markup ?? sent;
  if (!isRecord(markup)) return [];
  const rows = Array.isArray(markup.inline_keyboard) ? markup.inline_keyboard : Array.isArray(markup.keyboard) ? markup.keyboard : [];
  const buttons: Button[] = [];
  for (const row of rows) {
    if (!Array.isArray(row)) continue;
    for (const raw of row) {
      if (typeof raw === "string") {
        buttons.push({ text: raw });
        continue;
      }
      if (!isRecord(raw) || typeof raw.text !== "string") continue;
      buttons.push({
        text: raw.text,
        ...(typeof raw.callback_data === "string" ? { callback_data: raw.callback_data } : {}),
        ...(typeof raw.url === "string" ? { url: raw.url } : {}),
        ...(raw.request_contact === true ? { request_contact: true } : {}),
        ...(raw.pay === true ? { pay: true as const } : {}),
      });
    }
  }
  return buttons;
}

// ─── Errors ──────────────────────────────────────────────────────────────────────────────────

const notModified =
  "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";

/** Form fields Telegram reads as JSON, numbers or booleans; everything else stays a string. */
const jsonFields = new Set([
  "reply_markup", "entities", "caption_entities", "reply_parameters", "link_preview_options",
  "media", "commands", "scope", "allowed_updates", "message_ids",
]);
const intFields = new Set(["message_id", "reply_to_message_id", "offset", "limit", "timeout", "cache_time", "message_thread_id"]);
const boolFields = new Set([
  "disable_notification", "protect_content", "show_alert", "drop_pending_updates", "has_spoiler",
  "disable_web_page_preview", "show_caption_above_media", "allow_sending_without_reply", "disable_content_type_detection",
]);

function decodeFormField(key: string, value: string): unknown {
  if (jsonFields.has(key)) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  if (key === "chat_id" || intFields.has(key)) return asInt(value) ?? value;
  if (boolFields.has(key)) return value === "true" ? true : value === "false" ? false : value;
  return value;
}

// ─── Request bodies ──────────────────────────────────────────────────────────────────────────

interface ParsedRequest {
  readonly payload: Record<string, unknown>;
  /** File parts by part name. */
  readonly parts: ReadonlyMap<string, { filename: string; size: number; head: Buffer; bytes: Buffer }>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function parseMultipart(body: Buffer, boundary: string): ParsedRequest {
  const payload: Record<string, unknown> = {};
  const parts = new Map<string, { filename: string; size: number; head: Buffer; bytes: Buffer }>();
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    let start = at + delimiter.length;
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break;
    if (body[start] === 0x0d && body[start + 1] === 0x0a) start += 2;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    const end = body[next - 2] === 0x0d && body[next - 1] === 0x0a ? next - 2 : next;
    const part = body.subarray(start, end);
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString("utf8");
      const content = part.subarray(headerEnd + 4);
      const name = /(?:^|[;\s])name="([^"]*)"/i.exec(headers)?.[1];
      const filename = /filename="?([^";\r\n]*)"?/i.exec(headers)?.[1];
      if (name !== undefined && filename !== undefined) parts.set(name, { filename, size: content.length, head: Buffer.from(content.subarray(0, 64)), bytes: Buffer.from(content) });
      else if (name !== undefined) payload[name] = decodeFormField(name, content.toString("utf8"));
    }
    at = next;
  }
  return { payload, parts };
}

function parseRequest(req: IncomingMessage, body: Buffer, query: URLSearchParams): ParsedRequest {
  const payload: Record<string, unknown> = {};
  for (const [key, value] of query) payload[key] = decodeFormField(key, value);
  const type = (req.headers["content-type"] ?? "").toLowerCase();
  if (body.length === 0) return { payload, parts: new Map() };
  if (type.startsWith("multipart/form-data")) {
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(req.headers["content-type"] ?? "");
    const parsed = parseMultipart(body, boundary?.[1] ?? boundary?.[2] ?? "");
    return { payload: { ...payload, ...parsed.payload }, parts: parsed.parts };
  }
  if (type.startsWith("application/x-www-form-urlencoded")) {
    for (const [key, value] of new URLSearchParams(body.toString("utf8"))) payload[key] = decodeFormField(key, value);
    return { payload, parts: new Map() };
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    throw badRequest("can't parse JSON encoded request body");
  }
  if (!isRecord(json)) throw badRequest("can't parse JSON encoded request body");
  return { payload: { ...payload, ...json }, parts: new Map() };
}

/** Names each file part after the API field that refers to it with `attach://<part>`. */
function uploadsOf(payload: Record<string, unknown>, parts: ParsedRequest["parts"]): Map<string, UploadedFile> {
  const uploads = new Map<string, UploadedFile>();
  for (const [part, file] of parts) {
    const ref = `attach://${part}`;
    let field = part;
    for (const [key, value] of Object.entries(payload)) {
      if (value === ref || (typeof value !== "string" && JSON.stringify(value ?? null).includes(JSON.stringify(ref)))) {
        field = key;
        break;
      }
    }
    uploads.set(part, { field, filename: file.filename, size: file.size, head: file.head, bytes: file.bytes });
  }
  return uploads;
}

// ─── Telegram's HTML ─────────────────────────────────────────────────────────────────────────

interface Parsed {
  readonly text: string;
  readonly entities: MessageEntity[];
}

const entityTypes: Readonly<Record<string, "bold" | "italic" | "underline" | "strikethrough" | "spoiler" | "code">> = {
  b: "bold", strong: "bold", i: "italic", em: "italic", u: "underline", ins: "underline",
  s: "strikethrough", strike: "strikethrough", del: "strikethrough", "tg-spoiler": "spoiler", span: "spoiler", code: "code",
};
const htmlTags = new Set([...Object.keys(entityTypes), "a", "pre", "blockquote", "tg-emoji"]);

function decodeEntityAt(source: string, at: number): { char: string; length: number } | undefined {
  const match = /^&(?:#[xX]([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(lt|gt|amp|quot));/.exec(source.slice(at, at + 12));
  if (match === null) return undefined;
  const named: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };
  if (match[3] !== undefined) return { char: named[match[3]] ?? "", length: match[0].length };
  const code = match[1] !== undefined ? parseInt(match[1], 16) : Number(match[2]);
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
  return { char: String.fromCodePoint(code), length: match[0].length };
}

function decodeEntities(value: string): string {
  let out = "";
  for (let i = 0; i < value.length; ) {
    const decoded = value[i] === "&" ? decodeEntityAt(value, i) : undefined;
    out += decoded?.char ?? value[i];
    i += decoded?.length ?? 1;
  }
  return out;
}

/** Telegram's HTML parse mode, after tdlib: the visible text and its entities, or a parse error. */
export function parseTelegramHtml(source: string): Parsed {
  const fail = (why: string): never => {
    throw badRequest(`can't parse entities: ${why}`);
  };
  const byteOffset = (at: number): number => Buffer.byteLength(source.slice(0, at));
  let text = "";
  const entities: MessageEntity[] = [];
  const open: { tag: string; offset: number; attrs: Map<string, string>; language?: string }[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] ?? "";
    if (ch === "&") {
      const decoded = decodeEntityAt(source, i);
      text += decoded?.char ?? "&";
      i += decoded?.length ?? 1;
      continue;
    }
    if (ch !== "<") {
      text += ch;
      i += 1;
      continue;
    }
    const begin = i;
    if (source[i + 1] === "/") {
      let j = i + 2;
      const name = (/^[^\s>]*/.exec(source.slice(j))?.[0] ?? "").toLowerCase();
      j += name.length;
      while (j < source.length && /\s/.test(source[j] ?? "")) j += 1;
      if (source[j] !== ">") fail(`Unclosed end tag at byte offset ${byteOffset(begin)}`);
      const top = open.pop();
      if (top === undefined) return fail(`Unexpected end tag at byte offset ${byteOffset(begin)}`);
      if (top.tag !== name) fail(`Unmatched end tag at byte offset ${byteOffset(begin)}, expected "</${top.tag}>", found "</${name}>"`);
      const length = text.length - top.offset;
      const parent = open.at(-1);
      const codeLanguage = top.attrs.get("class")?.match(/^language-(.+)$/)?.[1];
      if (top.tag === "code" && parent?.tag === "pre" && parent.offset === top.offset) {
        if (codeLanguage !== undefined) parent.language = codeLanguage;
      } else if (length > 0) {
        entities.push(entityFor(top, length, fail));
      }
      i = j + 1;
      continue;
    }
    let j = i + 1;
    const name = (/^[^\s>]*/.exec(source.slice(j))?.[0] ?? "").toLowerCase();
    j += name.length;
    if (!htmlTags.has(name)) fail(`Unsupported start tag "${name}" at byte offset ${byteOffset(begin)}`);
    const attrs = new Map<string, string>();
    for (;;) {
      while (j < source.length && /\s/.test(source[j] ?? "")) j += 1;
      if (j >= source.length) fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
      if (source[j] === ">") {
        j += 1;
        break;
      }
      const attr = /^[A-Za-z0-9_-]+/.exec(source.slice(j))?.[0];
      if (attr === undefined) return fail(`Empty attribute name in the tag "${name}" at byte offset ${byteOffset(begin)}`);
      j += attr.length;
      while (j < source.length && /\s/.test(source[j] ?? "")) j += 1;
      if (source[j] !== "=") {
        attrs.set(attr.toLowerCase(), "");
        continue;
      }
      j += 1;
      while (j < source.length && /\s/.test(source[j] ?? "")) j += 1;
      const quote = source[j];
      let value: string;
      if (quote === '"' || quote === "'") {
        const close = source.indexOf(quote, j + 1);
        if (close === -1) return fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
        value = source.slice(j + 1, close);
        j = close + 1;
      } else {
        value = /^[^\s>]*/.exec(source.slice(j))?.[0] ?? "";
        j += value.length;
      }
      attrs.set(attr.toLowerCase(), decodeEntities(value));
    }
    if (name === "span" && attrs.get("class") !== "tg-spoiler") fail(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(begin)}`);
    if (name === "tg-emoji" && !attrs.has("emoji-id")) fail(`Tag "tg-emoji" must have attribute "emoji-id" at byte offset ${byteOffset(begin)}`);
    open.push({ tag: name, offset: text.length, attrs });
    i = j;
  }
  const unclosed = open.at(-1);
  if (unclosed !== undefined) fail(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text, entities };
}

function entityFor(
  tag: { tag: string; offset: number; attrs: Map<string, string>; language?: string },
  length: number,
  fail: (why: string) => never,
): MessageEntity {
  const { offset } = tag;
  switch (tag.tag) {
    case "a": {
      const url = tag.attrs.get("href") ?? "";
      if (!/^(https?|tg):\/\/\S+$/i.test(url)) fail(`Can't parse URL "${url}"`);
      return { type: "text_link", offset, length, url };
    }
    case "pre":
      return tag.language === undefined ? { type: "pre", offset, length } : { type: "pre", offset, length, language: tag.language };
    case "blockquote":
      return { type: tag.attrs.has("expandable") ? "expandable_blockquote" : "blockquote", offset, length };
    case "tg-emoji":
      return { type: "custom_emoji", offset, length, custom_emoji_id: tag.attrs.get("emoji-id") ?? "" };
    default:
      return { type: entityTypes[tag.tag] ?? "bold", offset, length };
  }
}

/**
 * A light MarkdownV2 check: characters that are never markup (`.` `!` `-` `+` `=` `#` `{` `}`,
 * `(` `)` outside links, `>` inside a line, a lone `|`) must be escaped. The text is kept as sent.
 */
function checkMarkdownV2(source: string): void {
  const fail = (why: string): never => {
    throw badRequest(`can't parse entities: ${why}`);
  };
  for (let i = 0; i < source.length; ) {
    const ch = source[i] ?? "";
    if (ch === "\\") {
      i += 2;
      continue;
    }
    if (ch === "`") {
      const fence = source.startsWith("```", i) ? "```" : "`";
      const end = source.indexOf(fence, i + fence.length);
      if (end === -1) fail(`Can't find end of ${fence === "```" ? "PreCode" : "Code"} entity at byte offset ${Buffer.byteLength(source.slice(0, i))}`);
      i = end + fence.length;
      continue;
    }
    if (ch === "]" && source[i + 1] === "(") {
      const end = source.indexOf(")", i + 2);
      if (end === -1) fail(`Can't find end of a URL at byte offset ${Buffer.byteLength(source.slice(0, i))}`);
      i = end + 1;
      continue;
    }
    if (ch === "|" && source[i + 1] === "|") {
      i += 2;
      continue;
    }
    const lineStart = i === 0 || source[i - 1] === "\n";
    if (".!-+=#{}()|".includes(ch) || (ch === ">" && !lineStart)) {
      fail(`Character '${ch}' is reserved and must be escaped with the preceding '\\'`);
    }
    i += 1;
  }
}

/** Applies `parse_mode` (or explicit entities) to a text or caption, as Telegram does. */
function render(source: string, parseMode: unknown, entities: unknown): Parsed {
  if (parseMode === undefined || parseMode === null || parseMode === "") {
    return { text: source, entities: Array.isArray(entities) ? entities.filter(isEntity) : [] };
  }
  const mode = String(parseMode).toLowerCase();
  if (mode === "html") return parseTelegramHtml(source);
  if (mode === "markdownv2") {
    checkMarkdownV2(source);
    return { text: source, entities: [] };
  }
  if (mode === "markdown") return { text: source, entities: [] };
  throw badRequest("unsupported parse_mode");
}

function isEntity(value: unknown): value is MessageEntity {
  return isRecord(value) && typeof value.type === "string" && typeof value.offset === "number" && typeof value.length === "number";
}

// ─── Markup ──────────────────────────────────────────────────────────────────────────────────

function checkUrl(url: unknown): void {
  if (typeof url !== "string" || !/^(https?|tg):\/\/[^\s]+$/i.test(url)) throw badRequest("BUTTON_URL_INVALID");
}

const inlineActions = [
  "url", "callback_data", "web_app", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
  "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay",
];

function checkMarkup(raw: unknown, chat: Chat, inlineOnly: boolean): SentMarkup | undefined {
  if (raw === undefined || raw === null) return undefined;
  const markup = typeof raw === "string" ? safeJson(raw) : raw;
  if (!isRecord(markup)) throw badRequest("can't parse reply keyboard markup JSON object");
  if ("inline_keyboard" in markup) {
    const rows = markup.inline_keyboard;
    if (!Array.isArray(rows) || !rows.every(Array.isArray)) {
      throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
    }
    for (const row of rows as unknown[][]) {
      for (const button of row) {
        if (!isRecord(button) || typeof button.text !== "string") throw badRequest("can't parse inline keyboard button: Field \"text\" must be of type String");
        if (button.text.trim() === "") throw badRequest("BUTTON_TEXT_INVALID");
        const actions = inlineActions.filter((key) => button[key] !== undefined);
        if (actions.length === 0) throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
        if (button.callback_data !== undefined) {
          const data = button.callback_data;
          if (typeof data !== "string" || data.length === 0 || Buffer.byteLength(data) > 64) throw badRequest("BUTTON_DATA_INVALID");
        }
        if (button.url !== undefined) checkUrl(button.url);
      }
    }
    return markup as unknown as InlineKeyboardMarkup;
  }
  if (inlineOnly) throw badRequest("inline keyboard expected");
  if ("keyboard" in markup) {
    const rows = markup.keyboard;
    if (!Array.isArray(rows) || !rows.every(Array.isArray)) throw badRequest('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays');
    for (const row of rows as unknown[][]) {
      for (const button of row) {
        const text = typeof button === "string" ? button : isRecord(button) ? button.text : undefined;
        if (typeof text !== "string" || text.trim() === "") throw badRequest("BUTTON_TEXT_INVALID");
        if (isRecord(button) && button.request_contact === true && chat.type !== "private") {
          throw badRequest("phone number can be requested in private chats only");
        }
      }
    }
    return markup as unknown as ReplyKeyboardMarkup;
  }
  if (markup.remove_keyboard === true) return markup as unknown as ReplyKeyboardRemove;
  if (markup.force_reply === true) return markup as unknown as ForceReply;
  throw badRequest("can't parse reply keyboard markup JSON object");
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const isInline = (markup: SentMarkup | undefined): markup is InlineKeyboardMarkup => markup !== undefined && "inline_keyboard" in markup;

// ─── State ───────────────────────────────────────────────────────────────────────────────────

interface BotState {
  readonly token: string;
  readonly info: UserFromGetMe;
  webhook: string;
  allowedUpdates: readonly string[] | undefined;
  readonly commands: Map<string, BotCommand[]>;
  /** The file_ids this bot was given (of its uploads and of what it sent), which it may send again, as on Telegram. */
  readonly files: Set<string>;
  waiter: ((outcome: "update" | "conflict" | "closed") => void) | undefined;
}

interface StoredEntry {
  readonly seq: number;
  message: Message;
  sent: SentAs;
}

interface ChatState {
  readonly chat: Chat;
  nextId: number;
  readonly messages: Map<number, StoredEntry>;
  readonly deleted: Set<number>;
  replyKeyboard: ReplyKeyboardMarkup | undefined;
}

interface QueuedUpdate {
  readonly update: Update;
  readonly token: string | undefined;
}

interface CallContext {
  readonly bot: BotState;
  readonly payload: Record<string, unknown>;
  readonly uploads: ReadonlyMap<string, UploadedFile>;
  readonly signal: AbortSignal;
}

const defaultAllowed = (type: string): boolean => !["chat_member", "message_reaction", "message_reaction_count"].includes(type);
const updateType = (update: Update): string => Object.keys(update).find((key) => key !== "update_id") ?? "";

const chatActions = new Set([
  "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice", "upload_document",
  "choose_sticker", "find_location", "record_video_note", "upload_video_note",
]);

// ─── The server ──────────────────────────────────────────────────────────────────────────────

/**
 * Starts a stand-in on 127.0.0.1 with an ephemeral port.
 *
 * @example
 * const api = await startBotApiStandIn();
 * const bot = new Bot("111:shop", { botInfo, client: { apiRoot: api.apiRoot } });
 * await bot.handleUpdate(command(user(7), "start"));
 * expect(api.lastMessage(7)?.text).toBe("Welcome!");
 * expect(api.buttonsOf(api.lastMessage(7))).toContainEqual({ text: "Catalog", callback_data: "1.cat" });
 * await api.close();
 */
export async function startBotApiStandIn(options: BotApiStandInOptions = {}): Promise<BotApiStandIn> {
  const now = options.now ?? Date.now;
  const calls: (RecordedCall & { ok?: boolean; description?: string })[] = [];
  const callbackAnswers: CallbackAnswer[] = [];
  const answeredQueries = new Set<string>();
  const bots = new Map<string, BotState>();
  const chats = new Map<string, ChatState>();
  const knownChats = new Map<number, Chat>();
  /** Each person as their newest update showed them (`from`): their language, for a payment the stand-in makes them send. */
  const knownUsers = new Map<number, User>();
  const idFloor = new Map<number, number>();
  const blocked = new Set<string>();
  let queue: QueuedUpdate[] = [];
  let lastUpdateId = 0;
  let seq = 0;
  let fileSeq = 0;
  const failures = new Map<string, { failure: InjectedFailure | "disconnect"; times: number }[]>();
  const hangs = new Map<string, number[]>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  function botFor(token: string): BotState {
    const existing = bots.get(token);
    if (existing !== undefined) return existing;
    const prefix = /^(\d+):/.exec(token)?.[1];
    const id = prefix !== undefined ? Number(prefix) : 1_000_000 + bots.size;
    const info = testBotInfo({ id, first_name: "Test Bot", username: `test${id}_bot`, ...options.botInfo, ...options.bots?.[token] });
    const bot: BotState = { token, info, webhook: "", allowedUpdates: undefined, commands: new Map(), files: new Set(), waiter: undefined };
    bots.set(token, bot);
    return bot;
  }

  function synthesizeChat(id: number): Chat {
    if (id > 0) return { id, type: "private", first_name: `User ${id}` };
    if (id <= -1_000_000_000_000) return { id, type: "supergroup", title: `Supergroup ${id}` };
    return { id, type: "group", title: `Group ${id}` };
  }

  function chatFor(bot: BotState, raw: unknown): ChatState {
    if (raw === undefined || raw === null || raw === "") throw badRequest("chat_id is empty");
    let id = asInt(raw);
    if (id === undefined && typeof raw === "string" && raw.startsWith("@")) {
      const username = raw.slice(1).toLowerCase();
      id = [...knownChats.values()].find((chat) => chat.username?.toLowerCase() === username)?.id;
    }
    if (id === undefined || id === 0) throw badRequest("chat not found");
    if (options.knownChatsOnly === true && !knownChats.has(id)) throw badRequest("chat not found");
    if (blocked.has(`*:${id}`) || blocked.has(`${bot.token}:${id}`)) throw new ApiFailure(403, "Forbidden: bot was blocked by the user");
    const key = `${bot.token}\u0000${id}`;
    let state = chats.get(key);
    if (state === undefined) {
      state = { chat: knownChats.get(id) ?? synthesizeChat(id), nextId: 1, messages: new Map(), deleted: new Set(), replyKeyboard: undefined };
      chats.set(key, state);
    }
    return state;
  }

  function chatStatesFor(chatId: number, token: string | undefined): ChatState[] {
    return [...chats.entries()]
      .filter(([key]) => (token === undefined ? key.endsWith(`\u0000${chatId}`) : key === `${token}\u0000${chatId}`))
      .map(([, state]) => state);
  }

  function toStored(entry: StoredEntry): StoredMessage {
    return structuredClone({ ...entry.message, sent: entry.sent });
  }

  function allocateId(state: ChatState): number {
    const id = Math.max(state.nextId, (idFloor.get(state.chat.id) ?? 0) + 1);
    state.nextId = id + 1;
    return id;
  }

  function existing(ctx: CallContext, verb: "edit" | "delete"): { state: ChatState; entry: StoredEntry; id: number } {
    if (ctx.payload.inline_message_id !== undefined) throw badRequest("MESSAGE_ID_INVALID");
    const state = chatFor(ctx.bot, ctx.payload.chat_id);
    const id = asInt(ctx.payload.message_id);
    if (id === undefined) throw badRequest("message identifier is not specified");
    const entry = state.messages.get(id);
    if (entry === undefined) throw badRequest(`message to ${verb} not found`);
    return { state, entry, id };
  }

  function fileId(bot: BotState, kind: string): { file_id: string; file_unique_id: string } {
    fileSeq += 1;
    const file_id = `${kind}-file-${fileSeq}-${"x".repeat(24)}`;
    bot.files.add(file_id);
    return { file_id, file_unique_id: `${kind}-u${fileSeq}` };
  }

  /** The file behind a reference the bot sent: the same file_id again, or a new one for an upload or a URL. */
  function fileFor(bot: BotState, file: { upload?: UploadedFile; ref?: string }, kind: string): { file_id: string; file_unique_id: string } {
    return file.ref !== undefined && !/^https?:/i.test(file.ref) ? { file_id: file.ref, file_unique_id: `u-${file.ref.slice(0, 16)}` } : fileId(bot, kind);
  }

  /** The upload or remote reference behind a file parameter. */
  function fileParam(ctx: CallContext, raw: unknown, what: string): { upload?: UploadedFile; ref?: string } {
    if (typeof raw !== "string" || raw === "") throw badRequest(`there is no ${what} in the request`);
    const attach = /^attach:\/\/(.+)$/.exec(raw)?.[1];
    if (attach !== undefined) {
      const upload = ctx.uploads.get(attach);
      if (upload === undefined) throw badRequest(`there is no ${what} in the request`);
      if (upload.size === 0) throw badRequest("file must be non-empty");
      return { upload };
    }
    if (/\s/.test(raw)) throw badRequest("wrong file identifier/HTTP URL specified");
    // A file_id is only good for the bot Telegram gave it to.
    if (!/^https?:\/\//i.test(raw) && !ctx.bot.files.has(raw)) throw badRequest("wrong file identifier/HTTP URL specified");
    return { ref: raw };
  }

  function photoSizes(bot: BotState, file: { upload?: UploadedFile; ref?: string }): PhotoSize[] {
    const big = fileFor(bot, file, "photo");
    return [
      { ...fileId(bot, "photo"), width: 90, height: 90, file_size: 1_024 },
      { ...big, width: 800, height: 800, ...(file.upload !== undefined ? { file_size: file.upload.size } : {}) },
    ];
  }

  function renderText(payload: Record<string, unknown>): Parsed {
    const source = asString(payload.text);
    if (source === undefined || source.trim() === "") throw badRequest("message text is empty");
    const parsed = render(source, payload.parse_mode, payload.entities);
    if (parsed.text.trim() === "") throw badRequest("message text is empty");
    if (parsed.text.length > 4096) throw badRequest("message is too long");
    return parsed;
  }

  function renderCaption(payload: Record<string, unknown>): Parsed | undefined {
    const source = asString(payload.caption);
    if (source === undefined || source === "") return undefined;
    const parsed = render(source, payload.parse_mode, payload.caption_entities);
    if (parsed.text.length > 1024) throw badRequest("message caption is too long");
    return parsed;
  }

  function sentAs(payload: Record<string, unknown>, source: unknown, markup: SentMarkup | undefined, files: UploadedFile[]): SentAs {
    const text = asString(source);
    const parseMode = asString(payload.parse_mode);
    return {
      ...(text !== undefined ? { text } : {}),
      ...(parseMode !== undefined && parseMode !== "" ? { parse_mode: parseMode } : {}),
      ...(markup !== undefined ? { reply_markup: markup } : {}),
      files,
    };
  }

  function deliver(ctx: CallContext, state: ChatState, content: Partial<Message>, markup: SentMarkup | undefined, sent: SentAs): Message {
    const id = allocateId(state);
    const { chat } = state;
    const replyTo = asInt(isRecord(ctx.payload.reply_parameters) ? ctx.payload.reply_parameters.message_id : ctx.payload.reply_to_message_id);
    const repliedTo = replyTo !== undefined ? state.messages.get(replyTo)?.message : undefined;
    const bot: User = { id: ctx.bot.info.id, is_bot: true, first_name: ctx.bot.info.first_name, username: ctx.bot.info.username };
    const message: Message = {
      message_id: id,
      date: Math.floor(now() / 1000),
      chat,
      ...(chat.type === "channel" ? { sender_chat: chat } : { from: bot }),
      ...(repliedTo !== undefined ? { reply_to_message: { ...repliedTo, reply_to_message: undefined } } : {}),
      ...content,
      ...(isInline(markup) ? { reply_markup: markup } : {}),
    };
    if (markup !== undefined && "keyboard" in markup) state.replyKeyboard = markup;
    if (markup !== undefined && "remove_keyboard" in markup) state.replyKeyboard = undefined;
    seq += 1;
    state.messages.set(id, { seq, message, sent });
    return structuredClone(message);
  }

  const contentKey = (message: Message): string =>
    JSON.stringify([message.text, message.entities ?? [], message.caption, message.caption_entities ?? [], message.photo?.at(-1)?.file_id, message.document?.file_id, message.reply_markup ?? null]);

  function applyEdit(entry: StoredEntry, message: Message, sent: SentAs): Message {
    if (contentKey(message) === contentKey(entry.message)) throw badRequest(notModified);
    entry.message = { ...message, edit_date: Math.floor(now() / 1000) };
    entry.sent = sent;
    return structuredClone(entry.message);
  }

  function withoutMarkup(message: Message): Message {
    const { reply_markup: _dropped, ...rest } = message;
    return rest;
  }

  // ── Updates ──

  function learnChats(update: UpdateInput): void {
    const messages = [update.message, update.edited_message, update.channel_post, update.edited_channel_post, update.business_message];
    const callbackMessage = update.callback_query?.message;
    for (const message of messages) {
      if (message === undefined) continue;
      if (!knownChats.has(message.chat.id)) knownChats.set(message.chat.id, message.chat);
      idFloor.set(message.chat.id, Math.max(idFloor.get(message.chat.id) ?? 0, message.message_id));
    }
    if (callbackMessage !== undefined && !knownChats.has(callbackMessage.chat.id)) knownChats.set(callbackMessage.chat.id, callbackMessage.chat);
    const member = update.my_chat_member ?? update.chat_member;
    if (member !== undefined && !knownChats.has(member.chat.id)) knownChats.set(member.chat.id, member.chat);
    for (const from of [...messages.map((message) => message?.from), update.callback_query?.from, update.pre_checkout_query?.from, member?.from]) {
      if (from !== undefined && !from.is_bot) knownUsers.set(from.id, from);
    }
  }

  function visibleTo(entry: QueuedUpdate, token: string): boolean {
    return entry.token === undefined || entry.token === token;
  }

  function pendingFor(bot: BotState, offset: number, limit: number): Update[] {
    const allowed = bot.allowedUpdates;
    const accepts = (update: Update): boolean => {
      const type = updateType(update);
      return allowed === undefined || allowed.length === 0 ? defaultAllowed(type) : allowed.includes(type);
    };
    // Telegram never delivers updates of types the bot did not ask for.
    queue = queue.filter((entry) => !visibleTo(entry, bot.token) || accepts(entry.update));
    return queue
      .filter((entry) => visibleTo(entry, bot.token) && entry.update.update_id >= offset)
      .slice(0, limit)
      .map((entry) => structuredClone(entry.update));
  }

  function confirm(bot: BotState, offset: number): void {
    if (offset > 0) {
      queue = queue.filter((entry) => !visibleTo(entry, bot.token) || entry.update.update_id >= offset);
    } else if (offset < 0) {
      const mine = queue.filter((entry) => visibleTo(entry, bot.token));
      const keep = new Set(mine.slice(offset));
      queue = queue.filter((entry) => !visibleTo(entry, bot.token) || keep.has(entry));
    }
  }

  function waitForUpdate(bot: BotState, ms: number, signal: AbortSignal): Promise<"update" | "conflict" | "closed" | "timeout"> {
    bot.waiter?.("conflict");
    return new Promise((resolve) => {
      const finish = (outcome: "update" | "conflict" | "closed" | "timeout"): void => {
        clearTimeout(timer);
        timers.delete(timer);
        signal.removeEventListener("abort", onAbort);
        if (bot.waiter === wake) bot.waiter = undefined;
        resolve(outcome);
      };
      const wake = (outcome: "update" | "conflict" | "closed"): void => finish(outcome);
      const onAbort = (): void => finish("closed");
      const timer = setTimeout(() => finish("timeout"), ms);
      timers.add(timer);
      signal.addEventListener("abort", onAbort);
      bot.waiter = wake;
    });
  }

  /**
   * Queues an update. One without an id is numbered above both the stand-in's last id and every id
   * the update factories gave, and the factories go on above it: a harness that hands queued
   * updates to `bot.handleUpdate` next to factory-made ones never gives the bot two updates with one
   * id, which it would take for a redelivery.
   */
  function queueUpdate(input: UpdateInput, token: string | undefined): Update {
    const update_id = input.update_id ?? Math.max(lastUpdateId + 1, nextUpdateId());
    if (update_id <= lastUpdateId) {
      throw new Error(`pushUpdate: update_id ${update_id} is not above the last queued id ${lastUpdateId}; Telegram's ids only grow`);
    }
    nextUpdateId(update_id);
    lastUpdateId = update_id;
    const update: Update = { ...structuredClone(input), update_id };
    learnChats(update);
    queue.push({ update, token });
    wake(token);
    return structuredClone(update);
  }

  /** Tells a waiting long poll, and the routed webhook, that an update came for them. */
  function wake(token: string | undefined): void {
    for (const bot of bots.values()) {
      if (token !== undefined && bot.token !== token) continue;
      bot.waiter?.("update");
      webhooks.pump(bot.token);
    }
  }

  // ── Webhooks ──

  const webhooks = new WebhookPump(
    {
      pending: (token) => pendingFor(botFor(token), 0, queue.length),
      acknowledge: (updateId) => {
        const at = queue.findIndex((entry) => entry.update.update_id === updateId);
        if (at !== -1) queue.splice(at, 1);
      },
      now,
      sleep,
      closed: () => closed,
    },
    options.webhookRetryMs,
  );

  // ── Payments ──

  const payments = new PaymentsModel(
    {
      now,
      chat: (token, chatId) => chatFor(botFor(token), chatId).chat,
      hasMessage: (token, chatId, messageId) => chats.get(`${token}\u0000${chatId}`)?.messages.has(messageId) === true,
      nextMessageId: (token, chatId) => allocateId(chatFor(botFor(token), chatId)),
      queue: queueUpdate,
      requeue: (update, token) => {
        learnChats(update);
        queue.push({ update: structuredClone(update), token });
        wake(token);
        return structuredClone(update);
      },
      observe: learnChats,
      user: (userId) => knownUsers.get(userId),
    },
    { preCheckoutTimeoutMs: options.preCheckoutTimeoutMs, userStars: options.userStars },
  );

  // ── Methods ──

  const methods: Record<string, (ctx: CallContext) => unknown> = {
    getMe: (ctx) => ctx.bot.info,

    sendMessage: (ctx) => {
      const state = chatFor(ctx.bot, ctx.payload.chat_id);
      const parsed = renderText(ctx.payload);
      const markup = checkMarkup(ctx.payload.reply_markup, state.chat, false);
      const preview = isRecord(ctx.payload.link_preview_options) ? { link_preview_options: ctx.payload.link_preview_options } : {};
      return deliver(
        ctx,
        state,
        { text: parsed.text, ...(parsed.entities.length > 0 ? { entities: parsed.entities } : {}), ...preview },
        markup,
        sentAs(ctx.payload, ctx.payload.text, markup, []),
      );
    },

    sendPhoto: (ctx) => {
      const state = chatFor(ctx.bot, ctx.payload.chat_id);
      const file = fileParam(ctx, ctx.payload.photo, "photo");
      const caption = renderCaption(ctx.payload);
      const markup = checkMarkup(ctx.payload.reply_markup, state.chat, false);
      return deliver(
        ctx,
        state,
        { photo: photoSizes(ctx.bot, file), ...captionFields(caption) },
        markup,
        sentAs(ctx.payload, ctx.payload.caption, markup, file.upload !== undefined ? [file.upload] : []),
      );
    },

    sendDocument: (ctx) => {
      const state = chatFor(ctx.bot, ctx.payload.chat_id);
      const file = fileParam(ctx, ctx.payload.document, "document");
      const caption = renderCaption(ctx.payload);
      const markup = checkMarkup(ctx.payload.reply_markup, state.chat, false);
      const document = {
        ...fileFor(ctx.bot, file, "document"),
        file_name: file.upload?.filename ?? file.ref?.split("/").at(-1) ?? "document",
        mime_type: "application/octet-stream",
        ...(file.upload !== undefined ? { file_size: file.upload.size } : {}),
      };
      return deliver(
        ctx,
        state,
        { document, ...captionFields(caption) },
        markup,
        sentAs(ctx.payload, ctx.payload.caption, markup, file.upload !== undefined ? [file.upload] : []),
      );
    },

    editMessageText: (ctx) => {
      const { state, entry } = existing(ctx, "edit");
      if (entry.message.text === undefined) throw badRequest("there is no text in the message to edit");
      const parsed = renderText(ctx.payload);
      const markup = checkMarkup(ctx.payload.reply_markup, state.chat, true);
      const base = withoutMarkup(entry.message);
      const { entities: _oldEntities, ...rest } = base;
      const message: Message = {
        ...rest,
        text: parsed.text,
        ...(parsed.entities.length > 0 ? { entities: parsed.entities } : {}),
        ...(isInline(markup) ? { reply_markup: markup } : {}),
      };
      return applyEdit(entry, message, sentAs(ctx.payload, ctx.payload.text, markup, []));
    },

    editMessageCaption: (ctx) => {
      const { state, entry } = existing(ctx, "edit");
      if (entry.message.photo === undefined && entry.message.document === undefined) throw badRequest("there is no caption in the message to edit");
      const caption = renderCaption(ctx.payload);
      const markup = checkMarkup(ctx.payload.reply_markup, state.chat, true);
      const { caption: _c, caption_entities: _ce, ...rest } = withoutMarkup(entry.message);
      const message: Message = { ...rest, ...captionFields(caption), ...(isInline(markup) ? { reply_markup: markup } : {}) };
      return applyEdit(entry, message, sentAs(ctx.payload, ctx.payload.caption, markup, entry.sent.files.slice()));
    },

    editMessageMedia: (ctx) => {
      const { state, entry } = existing(ctx, "edit");
      if (entry.message.photo === undefined && entry.message.document === undefined) throw badRequest("there is no media in the message to edit");
      const media = ctx.payload.media;
      if (!isRecord(media) || (media.type !== "photo" && media.type !== "document")) throw badRequest("can't parse InputMedia JSON object");
      const file = fileParam(ctx, media.media, media.type);
      const caption = renderCaption(media);
      const markup = checkMarkup(ctx.payload.reply_markup, state.chat, true);
      const { caption: _c, caption_entities: _ce, photo: _p, document: _d, ...rest } = withoutMarkup(entry.message);
      const content: Partial<Message> =
        media.type === "photo"
          ? { photo: photoSizes(ctx.bot, file) }
          : { document: { ...fileFor(ctx.bot, file, "document"), file_name: file.upload?.filename ?? "document", mime_type: "application/octet-stream" } };
      const message: Message = { ...rest, ...content, ...captionFields(caption), ...(isInline(markup) ? { reply_markup: markup } : {}) };
      return applyEdit(entry, message, sentAs(media, media.caption, markup, file.upload !== undefined ? [file.upload] : []));
    },

    editMessageReplyMarkup: (ctx) => {
      const { state, entry } = existing(ctx, "edit");
      const markup = checkMarkup(ctx.payload.reply_markup, state.chat, true);
      const message: Message = { ...withoutMarkup(entry.message), ...(isInline(markup) ? { reply_markup: markup } : {}) };
      const { reply_markup: _old, ...sent } = entry.sent;
      return applyEdit(entry, message, { ...sent, ...(markup !== undefined ? { reply_markup: markup } : {}) });
    },

    deleteMessage: (ctx) => {
      const state = chatFor(ctx.bot, ctx.payload.chat_id);
      const id = asInt(ctx.payload.message_id);
      if (id === undefined) throw badRequest("message identifier is not specified");
      if (!state.messages.delete(id)) {
        // Unknown ids are taken for the user's own messages, which bots may delete in private chats.
        if (state.deleted.has(id) || id <= 0) throw badRequest("message to delete not found");
      }
      state.deleted.add(id);
      return true;
    },

    deleteMessages: (ctx) => {
      const state = chatFor(ctx.bot, ctx.payload.chat_id);
      const ids = Array.isArray(ctx.payload.message_ids) ? ctx.payload.message_ids.map(asInt) : [];
      if (ids.length === 0 || ids.length > 100) throw badRequest("message identifiers are not specified");
      for (const id of ids) {
        if (id === undefined) continue;
        state.messages.delete(id);
        state.deleted.add(id);
      }
      return true;
    },

    answerCallbackQuery: (ctx) => {
      const id = asString(ctx.payload.callback_query_id);
      const tooOld = "query is too old and response timeout expired or query ID is invalid";
      if (id === undefined || id === "" || answeredQueries.has(`${ctx.bot.token}\u0000${id}`)) throw badRequest(tooOld);
      const text = asString(ctx.payload.text);
      if (text !== undefined && text.length > 200) throw badRequest("MESSAGE_TOO_LONG");
      const url = asString(ctx.payload.url);
      answeredQueries.add(`${ctx.bot.token}\u0000${id}`);
      callbackAnswers.push({
        token: ctx.bot.token,
        callback_query_id: id,
        ...(text !== undefined ? { text } : {}),
        ...(ctx.payload.show_alert !== undefined ? { show_alert: asBool(ctx.payload.show_alert) } : {}),
        ...(url !== undefined ? { url } : {}),
      });
      return true;
    },

    sendChatAction: (ctx) => {
      chatFor(ctx.bot, ctx.payload.chat_id);
      if (!chatActions.has(asString(ctx.payload.action) ?? "")) throw badRequest("wrong parameter action in request");
      return true;
    },

    setMyCommands: (ctx) => {
      const commands = ctx.payload.commands;
      if (!Array.isArray(commands)) throw badRequest("can't parse commands JSON object");
      if (commands.length > 100) throw badRequest("too many commands specified");
      const checked: BotCommand[] = [];
      for (const command of commands) {
        if (!isRecord(command) || typeof command.command !== "string" || !/^[a-z0-9_]{1,32}$/.test(command.command)) throw badRequest("BOT_COMMAND_INVALID");
        if (typeof command.description !== "string" || command.description.trim() === "" || command.description.length > 256) {
          throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
        }
        checked.push({ command: command.command, description: command.description });
      }
      ctx.bot.commands.set(commandsKey(ctx.payload.scope, ctx.payload.language_code), checked);
      return true;
    },

    getMyCommands: (ctx) => ctx.bot.commands.get(commandsKey(ctx.payload.scope, ctx.payload.language_code)) ?? [],

    deleteMyCommands: (ctx) => {
      ctx.bot.commands.delete(commandsKey(ctx.payload.scope, ctx.payload.language_code));
      return true;
    },

    setWebhook: (ctx) => {
      const url = asString(ctx.payload.url) ?? "";
      if (url !== "" && !/^https:\/\/\S+$/.test(url)) throw badRequest("bad webhook: An HTTPS URL must be provided for webhook");
      ctx.bot.webhook = url;
      if (Array.isArray(ctx.payload.allowed_updates)) ctx.bot.allowedUpdates = ctx.payload.allowed_updates.filter((t): t is string => typeof t === "string");
      if (asBool(ctx.payload.drop_pending_updates)) queue = queue.filter((entry) => !visibleTo(entry, ctx.bot.token));
      const connections = Math.min(100, Math.max(1, asInt(ctx.payload.max_connections) ?? 40));
      if (url === "") webhooks.remove(ctx.bot.token);
      else webhooks.set(ctx.bot.token, url, asString(ctx.payload.secret_token) ?? "", connections);
      return true;
    },

    deleteWebhook: (ctx) => {
      ctx.bot.webhook = "";
      webhooks.remove(ctx.bot.token);
      if (asBool(ctx.payload.drop_pending_updates)) queue = queue.filter((entry) => !visibleTo(entry, ctx.bot.token));
      return true;
    },

    getWebhookInfo: (ctx) => ({
      url: ctx.bot.webhook,
      has_custom_certificate: false,
      pending_update_count: queue.filter((entry) => visibleTo(entry, ctx.bot.token)).length,
    }),

    sendInvoice: (ctx) => {
      const invoice = parseInvoice(ctx.payload);
      const state = chatFor(ctx.bot, ctx.payload.chat_id);
      checkInvoice(invoice, asString(ctx.payload.provider_token) ?? "");
      const markup = invoiceKeyboard(checkMarkup(ctx.payload.reply_markup, state.chat, true), invoice);
      const message = deliver(ctx, state, { invoice: invoice.shown }, markup, sentAs(ctx.payload, undefined, markup, []));
      payments.recordInvoice(ctx.bot.token, invoice, { chatId: state.chat.id, messageId: message.message_id });
      return message;
    },

    createInvoiceLink: (ctx) => {
      const invoice = parseInvoice(ctx.payload);
      checkInvoice(invoice, asString(ctx.payload.provider_token) ?? "");
      return payments.createInvoiceLink(ctx.bot.token, invoice);
    },
    answerPreCheckoutQuery: (ctx) => payments.answerPreCheckoutQuery(ctx.bot.token, ctx.payload),
    refundStarPayment: (ctx) => payments.refundStarPayment(ctx.bot.token, ctx.payload),
    getStarTransactions: (ctx) => payments.starTransactions(ctx.bot.token, ctx.payload),
    getMyStarBalance: (ctx) => ({ amount: payments.botStarBalance(ctx.bot.token) }),

    getUpdates: async (ctx) => {
      const { bot, payload } = ctx;
      if (bot.webhook !== "") throw new ApiFailure(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
      const offset = asInt(payload.offset) ?? 0;
      const limit = Math.min(100, Math.max(1, asInt(payload.limit) ?? 100));
      const timeout = Math.max(0, asInt(payload.timeout) ?? 0);
      if (Array.isArray(payload.allowed_updates)) bot.allowedUpdates = payload.allowed_updates.filter((t): t is string => typeof t === "string");
      confirm(bot, offset);
      const from = offset > 0 ? offset : 0;
      let batch = pendingFor(bot, from, limit);
      if (batch.length === 0 && timeout > 0) {
        const outcome = await waitForUpdate(bot, timeout * 1000, ctx.signal);
        if (outcome === "conflict") {
          throw new ApiFailure(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running");
        }
        batch = outcome === "closed" ? [] : pendingFor(bot, from, limit);
      } else {
        bot.waiter?.("conflict");
      }
      return batch;
    },
  };

  const methodNames = new Map(Object.keys(methods).map((name) => [name.toLowerCase(), name]));

  function commandsKey(scope: unknown, language: unknown): string {
    const parsed: unknown = typeof scope === "string" ? safeJson(scope) : scope;
    const type = isRecord(parsed) && typeof parsed.type === "string" ? parsed.type : "default";
    const chat = isRecord(parsed) ? asString(parsed.chat_id) ?? "" : "";
    const userId = isRecord(parsed) ? asString(parsed.user_id) ?? "" : "";
    return `${type}\u0000${chat}\u0000${userId}\u0000${asString(language) ?? ""}`;
  }

  // ── HTTP ──

  function respond(res: ServerResponse, status: number, body: unknown): void {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  }

  function respondFailure(res: ServerResponse, call: { ok?: boolean; description?: string }, failure: ApiFailure): void {
    call.ok = false;
    call.description = failure.message;
    respond(res, failure.errorCode, {
      ok: false,
      error_code: failure.errorCode,
      description: failure.message,
      ...(failure.parameters !== undefined ? { parameters: failure.parameters } : {}),
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const route = /^\/bot([^/]+)\/([A-Za-z0-9_]+)\/?$/.exec(url.pathname);
    const body = await readBody(req);
    if (route === null || route[1] === undefined || route[2] === undefined) {
      respond(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      return;
    }
    const token = decodeURIComponent(route[1]);
    const method = methodNames.get(route[2].toLowerCase()) ?? route[2];
    const abort = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    let parsed: ParsedRequest;
    try {
      parsed = parseRequest(req, body, url.searchParams);
    } catch (error) {
      const call: RecordedCall & { ok?: boolean; description?: string } = { token, method, payload: {}, files: [], at: now() };
      calls.push(call);
      respondFailure(res, call, error instanceof ApiFailure ? error : badRequest("can't parse request"));
      return;
    }
    const uploads = uploadsOf(parsed.payload, parsed.parts);
    const call: RecordedCall & { ok?: boolean; description?: string } = { token, method, payload: parsed.payload, files: [...uploads.values()], at: now() };
    calls.push(call);
    options.rateWatch?.record(call);
    const handler = methods[method];
    if (handler === undefined) {
      respondFailure(res, call, new ApiFailure(404, "Not Found: method not found"));
      return;
    }
    const injected = failures.get(method)?.[0];
    if (injected !== undefined) {
      injected.times -= 1;
      if (injected.times <= 0) failures.get(method)?.shift();
      if (injected.failure === "disconnect") {
        call.ok = false;
        call.description = "connection dropped";
        res.destroy();
        return;
      }
      respondFailure(res, call, new ApiFailure(injected.failure.error_code, injected.failure.description, injected.failure.parameters));
      return;
    }
    const hang = hangs.get(method)?.shift();
    if (hang !== undefined) await sleep(hang);
    if (closed) return;
    try {
      const result = await handler({ bot: botFor(token), payload: parsed.payload, uploads, signal: abort.signal });
      call.ok = true;
      respond(res, 200, { ok: true, result });
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      respondFailure(res, call, error);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      respond(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${String(error)}` });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  function messages(chatId: number, token?: string): StoredMessage[] {
    return chatStatesFor(chatId, token)
      .flatMap((state) => [...state.messages.values()])
      .sort((a, b) => a.seq - b.seq)
      .map(toStored);
  }

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    calls,
    callbackAnswers,
    payments,
    pay: (chatId, target, payOptions) => payments.pay(chatId, target, payOptions),
    routeWebhook: (url, target) => webhooks.route(url, target),
    webhookDeliveries: webhooks.deliveries,
    callsTo: (method, token) => calls.filter((call) => call.method === method && (token === undefined || call.token === token)),
    messages,
    lastMessage: (chatId, token) => messages(chatId, token).at(-1),
    viewedMessage(chatId, token) {
      const visible = messages(chatId, token);
      const touched = calls.findLast(
        (call) => call.token === token && call.ok !== false && Number(call.payload["chat_id"]) === chatId && /^(send(Message|Photo|Invoice)|editMessage)/.test(call.method),
      );
      if (touched?.method.startsWith("editMessage")) {
        const edited = visible.find((message) => message.message_id === Number(touched.payload["message_id"]));
        if (edited) return edited;
      }
      return visible.at(-1);
    },
    messageWithButton: (chatId, token, text) =>
      messages(chatId, token)
        .toReversed()
        .find((message) => buttonsOf(message).some((button) => button.text === text)),
    replyKeyboard: (chatId, token) => {
      const keyboard = chatStatesFor(chatId, token).find((state) => state.replyKeyboard !== undefined)?.replyKeyboard;
      return keyboard === undefined ? undefined : structuredClone(keyboard);
    },
    commands: (query = {}) => {
      const token = query.token ?? (bots.size === 1 ? [...bots.keys()][0] : undefined);
      if (token === undefined) throw new Error("commands(): pass the bot's token when several bots share the stand-in");
      return structuredClone(botFor(token).commands.get(commandsKey(query.scope, query.language_code)) ?? []);
    },
    buttonsOf,
    pushUpdate: (input, pushOptions = {}) => queueUpdate(input, pushOptions.token),
    observe: learnChats,
    addChat: (chat) => {
      knownChats.set(chat.id, structuredClone(chat));
    },
    block: (chatId, token) => {
      blocked.add(`${token ?? "*"}:${chatId}`);
    },
    failNext: (method, failure, times = 1) => {
      const list = failures.get(method) ?? [];
      list.push({ failure, times });
      failures.set(method, list);
    },
    hangNext: (method, ms) => {
      const list = hangs.get(method) ?? [];
      list.push(ms);
      hangs.set(method, list);
    },
    clear: () => {
      calls.length = 0;
      callbackAnswers.length = 0;
      answeredQueries.clear();
      for (const state of chats.values()) {
        state.messages.clear();
        state.deleted.clear();
        state.replyKeyboard = undefined;
      }
      queue = [];
      failures.clear();
      hangs.clear();
      payments.clear();
      webhooks.deliveries.length = 0;
    },
    close: async () => {
      closed = true;
      payments.expirePending();
      for (const bot of bots.values()) bot.waiter?.("closed");
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function captionFields(caption: Parsed | undefined): Partial<Message> {
  if (caption === undefined) return {};
  return { caption: caption.text, ...(caption.entities.length > 0 ? { caption_entities: caption.entities } : {}) };
}
