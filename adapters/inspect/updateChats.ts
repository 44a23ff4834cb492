import { AsyncLocalStorage } from "node:async_hooks";
import type { Update } from "grammy/types";

/** Which bot is handling an update, and for which chat. */
export interface UpdateChat {
  readonly bot: "shop" | "owner";
  readonly chatId: number;
}

const current = new AsyncLocalStorage<UpdateChat>();

function chatIdOf(update: Update): number | undefined {
  return (
    update.message?.chat.id ??
    update.edited_message?.chat.id ??
    update.callback_query?.message?.chat.id ??
    update.callback_query?.from.id ??
    update.my_chat_member?.chat.id
  );
}

/** Anything with grammY's `handleUpdate`: a `Bot`, whoever feeds it (the runner, a test, the demo). */
interface HandlesUpdates {
  handleUpdate(update: Update, ...rest: never[]): Promise<void>;
}

/**
 * Makes every update this bot handles run with its chat known to {@link currentUpdateChat}, so a
 * flow step, which knows nothing of chats, can be told apart by chat in the inspector. It wraps the
 * bot object's own `handleUpdate`, which the runner and the demo both call; nothing else changes.
 */
export function traceUpdateChats(bot: HandlesUpdates, name: UpdateChat["bot"]): void {
  const handle = bot.handleUpdate.bind(bot);
  bot.handleUpdate = (update, ...rest) => {
    const chatId = chatIdOf(update);
    return chatId === undefined ? handle(update, ...rest) : current.run({ bot: name, chatId }, () => handle(update, ...rest));
  };
}

/** The chat of the update being handled here, if any (see {@link traceUpdateChats}). */
export function currentUpdateChat(): UpdateChat | undefined {
  return current.getStore();
}
