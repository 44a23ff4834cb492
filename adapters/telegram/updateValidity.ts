/**
 * Which Telegram updates the bots handle at all. Pure: an update either has the shape every
 * handler may rely on, or it is dropped at the door with a reason, before any middleware reads it.
 *
 * The rules: an object with a non-negative integer `update_id` and exactly one kind the bots ask
 * Telegram for; every chat with a non-zero safe integer id and a known type (a private chat's id
 * positive); every user (`from`, a member's `user`, a contact's `user_id`) with a positive safe
 * integer id and string names; a sender where the kind needs one (a button press, a member change,
 * a message in a private chat, a group message without a sender chat); strings no longer than
 * Telegram ever sends, and entities that point inside their text; a payment (a pre-checkout query,
 * a successful or refunded payment) with a currency code, a whole positive amount and string ids
 * and payload of Telegram's sizes, so a handler can key an event by its charge id.
 */

/** Why an update was dropped; goes into the `update_dropped` log line. */
export type DropReason =
  | "not_an_object"
  | "bad_update_id"
  | "no_kind"
  | "several_kinds"
  | "unhandled_kind"
  | "bad_payload"
  | "bad_chat"
  | "bad_user"
  | "no_sender"
  | "bad_text"
  | "bad_member";

/** The kinds the bots subscribe to (and their edits); anything else is not theirs to handle. */
export const handledKinds = ["message", "edited_message", "channel_post", "edited_channel_post", "callback_query", "my_chat_member", "chat_member", "pre_checkout_query"] as const;

const messageKinds: ReadonlySet<string> = new Set(["message", "edited_message", "channel_post", "edited_channel_post"]);
const chatTypes: ReadonlySet<string> = new Set(["private", "group", "supergroup", "channel"]);
/** Far above Telegram's own limits (4,096 for a text, 64 for a name, 128 for a title, 64 bytes of button data), so no real update is cut. */
const maxTextChars = 16_384;
const maxNameChars = 256;

type Fields = Readonly<Record<string, unknown>>;

const isObject = (value: unknown): value is Fields => typeof value === "object" && value !== null && !Array.isArray(value);
const isUserId = (value: unknown): boolean => typeof value === "number" && Number.isSafeInteger(value) && value > 0;
const isShortString = (value: unknown, max = maxNameChars): boolean => typeof value === "string" && value.length <= max;
const optionalString = (fields: Fields, key: string, max = maxNameChars): boolean => fields[key] === undefined || isShortString(fields[key], max);

function validChat(chat: unknown): boolean {
  if (!isObject(chat)) return false;
  const { id, type } = chat;
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id === 0) return false;
  if (typeof type !== "string" || !chatTypes.has(type)) return false;
  if (type === "private" && id < 0) return false;
  return optionalString(chat, "title") && optionalString(chat, "username") && optionalString(chat, "first_name") && optionalString(chat, "last_name");
}

function validUser(user: unknown): boolean {
  if (!isObject(user) || !isUserId(user["id"])) return false;
  if (!isShortString(user["first_name"])) return false;
  return optionalString(user, "last_name") && optionalString(user, "username") && optionalString(user, "language_code");
}

function textProblem(fields: Fields): DropReason | null {
  for (const [textKey, entitiesKey] of [["text", "entities"], ["caption", "caption_entities"]] as const) {
    const text = fields[textKey];
    if (text !== undefined && !isShortString(text, maxTextChars)) return "bad_text";
    const entities = fields[entitiesKey];
    if (entities === undefined) continue;
    if (typeof text !== "string" || !Array.isArray(entities)) return "bad_text";
    const inside = (entity: unknown): boolean =>
      isObject(entity) &&
      typeof entity["type"] === "string" &&
      Number.isSafeInteger(entity["offset"]) &&
      Number.isSafeInteger(entity["length"]) &&
      Number(entity["offset"]) >= 0 &&
      Number(entity["length"]) >= 0 &&
      Number(entity["offset"]) + Number(entity["length"]) <= text.length;
    if (!entities.every(inside)) return "bad_text";
  }
  return null;
}

/** An invoice's payload is at most 128 bytes on Telegram; charge ids are short tokens. */
const maxPayloadChars = 128;
const maxChargeIdChars = 128;
const isCurrency = (value: unknown): boolean => typeof value === "string" && /^[A-Z]{3}$/.test(value);
const isAmount = (value: unknown): boolean => typeof value === "number" && Number.isSafeInteger(value) && value > 0;
const isChargeId = (value: unknown, allowEmpty = false): boolean => typeof value === "string" && value.length <= maxChargeIdChars && (allowEmpty || value.length > 0) && !/[\s#]/.test(value);

/** The money of a payment: currency, amount and payload, as every payment update carries them. */
function moneyProblem(fields: Fields): DropReason | null {
  if (!isCurrency(fields["currency"]) || !isAmount(fields["total_amount"])) return "bad_payload";
  return isShortString(fields["invoice_payload"], maxPayloadChars) ? null : "bad_payload";
}

/** A successful or refunded payment in a message: its money and Telegram's charge id (the provider's may be empty). */
function paymentProblem(message: Fields): DropReason | null {
  for (const key of ["successful_payment", "refunded_payment"]) {
    const payment = message[key];
    if (payment === undefined) continue;
    if (!isObject(payment)) return "bad_payload";
    const problem = moneyProblem(payment);
    if (problem) return problem;
    if (!isChargeId(payment["telegram_payment_charge_id"])) return "bad_payload";
    if (payment["provider_payment_charge_id"] !== undefined && !isChargeId(payment["provider_payment_charge_id"], true)) return "bad_payload";
  }
  return null;
}

function preCheckoutProblem(query: Fields): DropReason | null {
  if (!isShortString(query["id"])) return "bad_payload";
  if (query["from"] === undefined) return "no_sender";
  if (!validUser(query["from"])) return "bad_user";
  return moneyProblem(query);
}

function messageProblem(message: unknown): DropReason | null {
  if (!isObject(message) || !Number.isSafeInteger(message["message_id"])) return "bad_payload";
  const chat = message["chat"];
  if (!validChat(chat)) return "bad_chat";
  const from = message["from"];
  if (from !== undefined && !validUser(from)) return "bad_user";
  const senderChat = message["sender_chat"];
  if (senderChat !== undefined && !validChat(senderChat)) return "bad_chat";
  const chatType = isObject(chat) ? chat["type"] : undefined;
  if (chatType === "private" && from === undefined) return "no_sender";
  if ((chatType === "group" || chatType === "supergroup") && from === undefined && senderChat === undefined) return "no_sender";
  const contact = message["contact"];
  if (contact !== undefined && (!isObject(contact) || !isShortString(contact["phone_number"]) || (contact["user_id"] !== undefined && !isUserId(contact["user_id"])))) {
    return "bad_payload";
  }
  return paymentProblem(message) ?? textProblem(message);
}

function callbackProblem(query: Fields): DropReason | null {
  if (!isShortString(query["id"])) return "bad_payload";
  if (query["from"] === undefined) return "no_sender";
  if (!validUser(query["from"])) return "bad_user";
  if (query["data"] !== undefined && !isShortString(query["data"])) return "bad_text";
  if (query["message"] === undefined) return null;
  const message = query["message"];
  if (!isObject(message) || !Number.isSafeInteger(message["message_id"])) return "bad_payload";
  return validChat(message["chat"]) ? null : "bad_chat";
}

function memberProblem(update: Fields): DropReason | null {
  if (!validChat(update["chat"])) return "bad_chat";
  if (update["from"] === undefined) return "no_sender";
  if (!validUser(update["from"])) return "bad_user";
  for (const key of ["old_chat_member", "new_chat_member"]) {
    const member = update[key];
    if (!isObject(member) || !isShortString(member["status"], 32) || !isObject(member["user"]) || !isUserId(member["user"]["id"])) return "bad_member";
  }
  return null;
}

/** Why this update cannot be handled, or null when every handler may rely on its shape. */
export function updateProblem(update: unknown): DropReason | null {
  if (!isObject(update)) return "not_an_object";
  const updateId = update["update_id"];
  if (typeof updateId !== "number" || !Number.isSafeInteger(updateId) || updateId < 0) return "bad_update_id";
  const kinds = Object.keys(update).filter((key) => key !== "update_id" && update[key] !== undefined);
  if (kinds.length === 0) return "no_kind";
  if (kinds.length > 1) return "several_kinds";
  const kind = kinds[0] ?? "";
  if (!(handledKinds as readonly string[]).includes(kind)) return "unhandled_kind";
  const payload = update[kind];
  if (!isObject(payload)) return "bad_payload";
  if (messageKinds.has(kind)) return messageProblem(payload);
  if (kind === "callback_query") return callbackProblem(payload);
  if (kind === "pre_checkout_query") return preCheckoutProblem(payload);
  return memberProblem(payload);
}

/** The update id of anything that came in as an update, for a log line; null when it has none worth logging. */
export function updateIdOf(update: unknown): number | null {
  if (!isObject(update)) return null;
  const id = update["update_id"];
  return typeof id === "number" && Number.isSafeInteger(id) ? id : null;
}
