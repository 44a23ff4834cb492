import type { I18n } from "@grammyjs/i18n";
import { Composer, session, type StorageAdapter } from "grammy";
import { describeError, type Logger } from "../../../actors/log.port.ts";
import { isBlockedError, logEachUpdate, oneUpdatePerChat, updateBoundary } from "../botPlumbing.ts";
import { languageOf, type OwnerContext } from "./ownerContext.ts";
import { initialOwnerSession, ownerSessionKey, type OwnerSession } from "./ownerSession.ts";

export interface OwnerDoorOptions {
  readonly owners: ReadonlySet<number>;
  readonly i18n: I18n<OwnerContext>;
  readonly sessions: StorageAdapter<OwnerSession>;
  readonly log: Logger;
}

/**
 * Everything before a feature sees an update: the error boundary, one update per chat, a log line
 * per update, the translations; then the door: only the owners' private chats get in (a stranger
 * gets one polite refusal per attempt and nothing else; the bot's own membership changes get no
 * answer at all), and past it the owner's session, with the language of this visit.
 */
export function ownerDoor(options: OwnerDoorOptions): Composer<OwnerContext> {
  const { owners, i18n, log } = options;
  const door = new Composer<OwnerContext>();
  door.use(updateBoundary<OwnerContext>({ bot: "owner", log, failureText: (ctx) => i18n.t(languageOf(ctx.from?.language_code), "error-generic") }));
  door.use(oneUpdatePerChat);
  door.use(logEachUpdate("owner", log));
  door.use(i18n);
  door.use(async (ctx, next) => {
    if (ctx.myChatMember) return;
    const userId = ctx.from?.id;
    if (userId !== undefined && owners.has(userId) && ctx.chat?.type === "private") return next();
    if (ctx.chat?.type !== "private") return;
    const kind = ctx.callbackQuery ? "button" : "message";
    const refused = ctx.callbackQuery ? ctx.answerCallbackQuery({ text: ctx.t("refusal"), show_alert: true }) : ctx.reply(ctx.t("refusal"));
    // One line per refusal, whatever became of it: a stranger who blocked the bot is not a failure.
    const failure = await refused.then(() => null, (error: unknown) => error);
    const fields = { updateId: ctx.update.update_id, userId: userId ?? null, kind };
    if (failure === null) log.warn("owner_refused", fields);
    else log.warn("owner_refused", { ...fields, answered: false, ...(isBlockedError(failure) ? { blocked: true } : describeError(failure)) });
  });
  door.use(session({ initial: initialOwnerSession, storage: options.sessions, getSessionKey: (ctx) => (ctx.chat ? ownerSessionKey(ctx.chat.id) : undefined) }));
  door.use(async (ctx, next) => {
    ctx.session.lang = languageOf(ctx.from?.language_code);
    await next();
  });
  return door;
}
