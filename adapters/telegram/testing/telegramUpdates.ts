/**
 * Realistic Telegram updates for bot tests, shaped as Telegram sends them: private chats mirror
 * the user, commands carry a `bot_command` entity, button presses refer to a real message.
 * Update ids and incoming message ids grow across the test file, as Telegram's do.
 *
 * @example
 * const ann = user(7, { first_name: "Ann", language_code: "ru" });
 * await bot.handleUpdate(command(ann, "start", "ref_42"));
 * await bot.handleUpdate(press(ann, standIn.lastMessage(7), "Catalog"));
 */

import type { Chat, Message, MessageEntity, Update, User } from "grammy/types";
import { buttonsOf } from "./botApiStandIn.ts";
import { nextUpdateId } from "./standInSupport.ts";

/** Incoming ids start far above the stand-in's own, so a user's message never shares an id with a bot's. */
let lastMessageId = 500_000;
let lastQueryId = 0;
let clock: () => number = Date.now;
const date = (): number => Math.floor(clock() / 1000);

/** Dates updates from a test clock (milliseconds) instead of the wall clock. */
export function setUpdateClock(now: () => number): void {
  clock = now;
}

/** A Telegram user; `first_name` defaults to `User <id>`. */
export function user(
  id: number,
  options: { username?: string; first_name?: string; last_name?: string; language_code?: string; is_premium?: true } = {},
): User {
  return { id, is_bot: false, first_name: options.first_name ?? `User ${id}`, ...withoutUndefined(options) };
}

/** The private chat Telegram builds from a user: same id, same names. */
export function privateChat(from: User): Chat.PrivateChat {
  return {
    id: from.id,
    type: "private",
    first_name: from.first_name,
    ...(from.last_name !== undefined ? { last_name: from.last_name } : {}),
    ...(from.username !== undefined ? { username: from.username } : {}),
  };
}

/** A text from a user in their private chat with the bot; a leading `/command` gets its entity. */
export function privateText(from: User, text: string, updateId?: number): Update {
  const entities = commandEntity(text);
  return privateMessage(from, { text, ...(entities !== undefined ? { entities } : {}) }, updateId);
}

/** `/start`, `/start payload` (a deep link) and other commands, with the `bot_command` entity. */
export function command(from: User, name: string, payload?: string, updateId?: number): Update {
  const text = payload === undefined || payload === "" ? `/${name}` : `/${name} ${payload}`;
  return privateText(from, text, updateId);
}

/**
 * A press of an inline button with `data` on `message`, a message the stand-in stored, so the
 * update refers to a message that exists (and shows its current text and keyboard).
 */
export function callback(from: User, data: string, message: Message, updateId?: number): Update {
  lastQueryId += 1;
  return {
    update_id: nextUpdateId(updateId),
    callback_query: {
      id: `${from.id}${String(lastQueryId).padStart(6, "0")}`,
      from,
      chat_instance: `ci${message.chat.id}`,
      data,
      message: wireMessage(message),
    },
  };
}

/** Presses the button labelled `text` on `message`; throws if the message has no such button, as a user could not press it. */
export function press(from: User, message: Message | undefined, text: string, updateId?: number): Update {
  if (message === undefined) throw new Error(`press("${text}"): there is no message to press a button on`);
  const button = buttonsOf(message).find((candidate) => candidate.text === text);
  if (button?.callback_data === undefined) {
    const labels = buttonsOf(message).map((candidate) => candidate.text);
    throw new Error(`press("${text}"): no callback button with that text; the message shows ${JSON.stringify(labels)}`);
  }
  return callback(from, button.callback_data, message, updateId);
}

/**
 * A shared contact. Without `userId` it is the user's own (what a `request_contact` button
 * sends); pass another id for someone else's, or `null` for a contact with no Telegram account.
 */
export function contact(from: User, phone: string, userId?: number | null, updateId?: number): Update {
  const owner = userId === undefined ? from.id : userId;
  return privateMessage(
    from,
    {
      contact: {
        phone_number: phone,
        first_name: owner === from.id ? from.first_name : "Contact",
        ...(owner !== null ? { user_id: owner } : {}),
      },
    },
    updateId,
  );
}

/** A sticker, the usual thing a bot does not expect. */
export function sticker(from: User, updateId?: number): Update {
  return privateMessage(
    from,
    {
      sticker: {
        file_id: `sticker-${from.id}-${"x".repeat(24)}`,
        file_unique_id: `st${from.id}`,
        type: "regular",
        width: 512,
        height: 512,
        is_animated: false,
        is_video: false,
        emoji: "👍",
      },
    },
    updateId,
  );
}

/** A photo from the user, with an optional caption. */
export function photo(from: User, caption?: string, updateId?: number): Update {
  const id = `${from.id}-${lastMessageId + 1}`;
  return privateMessage(
    from,
    {
      photo: [
        { file_id: `photo-s-${id}-${"x".repeat(20)}`, file_unique_id: `ps${id}`, width: 90, height: 90, file_size: 1_200 },
        { file_id: `photo-l-${id}-${"x".repeat(20)}`, file_unique_id: `pl${id}`, width: 1280, height: 960, file_size: 98_000 },
      ],
      ...(caption !== undefined ? { caption } : {}),
    },
    updateId,
  );
}

/** A text in a group or supergroup the bot is a member of. */
export function groupText(
  from: User,
  text: string,
  group: { id?: number; title?: string; type?: "group" | "supergroup" } = {},
  updateId?: number,
): Update {
  const type = group.type ?? "supergroup";
  const id = group.id ?? (type === "supergroup" ? -1_001_000_000_001 : -4_000_001);
  const chat: Chat.GroupChat | Chat.SupergroupChat = type === "group" ? { id, type, title: group.title ?? "Group" } : { id, type, title: group.title ?? "Supergroup" };
  const entities = commandEntity(text);
  lastMessageId += 1;
  return {
    update_id: nextUpdateId(updateId),
    message: { message_id: lastMessageId, date: date(), chat, from, text, ...(entities !== undefined ? { entities } : {}) },
  };
}

/** A post in a channel the bot administers: no `from`, the channel is the sender. */
export function channelPost(text: string, channel: { id?: number; title?: string; username?: string } = {}, updateId?: number): Update {
  const chat: Chat.ChannelChat = {
    id: channel.id ?? -1_002_000_000_001,
    type: "channel",
    title: channel.title ?? "Channel",
    ...(channel.username !== undefined ? { username: channel.username } : {}),
  };
  lastMessageId += 1;
  return { update_id: nextUpdateId(updateId), channel_post: { message_id: lastMessageId, date: date(), chat, sender_chat: chat, text } };
}

/** The user blocked the bot (`my_chat_member`, member → kicked): later sends to them fail with 403. */
export function botBlocked(from: User, bot: User, updateId?: number): Update {
  return {
    update_id: nextUpdateId(updateId),
    my_chat_member: {
      chat: privateChat(from),
      from,
      date: date(),
      old_chat_member: { status: "member", user: bot },
      new_chat_member: { status: "kicked", user: bot, until_date: 0 },
    },
  };
}

/** The user unblocked the bot (`my_chat_member`, kicked → member), e.g. by pressing Restart. */
export function botUnblocked(from: User, bot: User, updateId?: number): Update {
  return {
    update_id: nextUpdateId(updateId),
    my_chat_member: {
      chat: privateChat(from),
      from,
      date: date(),
      old_chat_member: { status: "kicked", user: bot, until_date: 0 },
      new_chat_member: { status: "member", user: bot },
    },
  };
}

function privateMessage(from: User, content: Omit<Partial<Message>, "chat" | "from">, updateId?: number): Update {
  lastMessageId += 1;
  return {
    update_id: nextUpdateId(updateId),
    message: { message_id: lastMessageId, date: date(), chat: privateChat(from), from, ...content },
  };
}

function commandEntity(text: string): MessageEntity[] | undefined {
  const match = /^\/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]{3,32})?/.exec(text);
  return match === null ? undefined : [{ type: "bot_command", offset: 0, length: match[0].length }];
}

/** A stored message as Telegram would embed it: without the stand-in's `sent` record. */
function wireMessage(message: Message): Message {
  const copy: Record<string, unknown> = { ...structuredClone(message) };
  delete copy.sent;
  return copy as unknown as Message;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
