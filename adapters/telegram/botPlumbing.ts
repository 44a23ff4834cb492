import { sequentialize } from "@grammyjs/runner";
import { GrammyError, type BotError, type Context, type MiddlewareFn } from "grammy";
import { CommitFailed } from "../../actors/customerRuntime.ts";
import { describeError, type Logger } from "../../actors/log.port.ts";
import { updateIdOf, updateProblem } from "./updateValidity.ts";

/** Which bot a log line or a failure belongs to. */
export type BotName = "shop" | "owner";

/**
 * The updates each bot asks Telegram for (`allowed_updates` of polling and of the webhook). A kind
 * left out never arrives, so the shop bot, which takes payments, lists `pre_checkout_query`.
 */
export const allowedUpdates = {
  shop: ["message", "callback_query", "channel_post", "my_chat_member", "pre_checkout_query"],
  owner: ["message", "callback_query", "channel_post", "my_chat_member"],
} as const satisfies Record<BotName, readonly string[]>;

/** One chat's updates one at a time, whatever feeds them (the runner, a webhook, tests). Runs only on updates the boundary let in. */
export const oneUpdatePerChat: MiddlewareFn<Context> = sequentialize((ctx: Context) => ctx.chat?.id.toString() ?? ctx.from?.id.toString());

/** One structured log line per handled update: which bot, which update, its kind, latency and outcome; never its text. */
export function logEachUpdate(bot: BotName, log: Logger): MiddlewareFn<Context> {
  return async (ctx, next) => {
    const started = performance.now();
    let outcome = "ok";
    try {
      await next();
    } catch (error) {
      outcome = "error";
      throw error;
    } finally {
      log.info("update", { bot, updateId: ctx.update.update_id, kind: Object.keys(ctx.update).find((key) => key !== "update_id"), ms: Math.round(performance.now() - started), outcome });
    }
  };
}

/** Telegram refused a message because the person blocked the bot or their account is gone. */
export function isBlockedError(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 403 && /blocked by the user|user is deactivated/i.test(error.description);
}

/** Updates whose handling failed to store something; kept by object, so they are forgotten with the update. */
const unstored = new WeakSet<object>();

/**
 * Whether handling this update (the object given to `bot.handleUpdate`) failed to store something.
 * A webhook answers such an update with 500, so that Telegram delivers it again; every other
 * outcome, a failure included, is final and answered with 200.
 */
export function failedToStore(update: object): boolean {
  return unstored.has(update);
}

export interface BoundaryOptions<C extends Context> {
  readonly bot: BotName;
  readonly log: Logger;
  /** "Something went wrong, nothing is lost" in the person's language. */
  readonly failureText: (ctx: C) => string;
  /**
   * A private chat refused a message with 403 (blocked, or a deleted account): record that.
   * Without it the boundary logs `chat_blocked`. Either way the chat gets no further attempt.
   */
  readonly onBlocked?: (ctx: C) => Promise<void>;
}

/**
 * The one error boundary of a bot, installed as its first middleware, so it holds for every source
 * of updates (the runner, a webhook, `handleUpdate`) and nothing reaches grammY's default handler.
 * A malformed update is dropped before any other middleware reads it, with one `update_dropped`
 * line. A failure is logged once, and the person hears "something went wrong, nothing is lost"
 * where they can (an alert for a button press, a message in a private chat), except when Telegram
 * says they blocked the bot: that is recorded, never answered. A failed commit also marks the
 * update for {@link failedToStore}.
 */
export function updateBoundary<C extends Context>(options: BoundaryOptions<C>): MiddlewareFn<C> {
  const { bot, log } = options;
  return async (ctx, next) => {
    const reason = updateProblem(ctx.update);
    if (reason !== null) {
      log.warn("update_dropped", { bot, updateId: updateIdOf(ctx.update), reason });
      return;
    }
    try {
      await next();
    } catch (error) {
      await settleFailure(options, ctx, error);
    }
  };
}

async function settleFailure<C extends Context>(options: BoundaryOptions<C>, ctx: C, error: unknown): Promise<void> {
  const { bot, log } = options;
  const updateId = ctx.update.update_id;
  const failed = (failure: unknown, stage: string): void => {
    if (failure instanceof CommitFailed) unstored.add(ctx.update);
    log.error("update_failed", { bot, updateId, stage, ...describeError(failure), ...(failure instanceof CommitFailed ? { stored: false } : {}) });
  };
  if (isBlockedError(error) && ctx.chat?.type === "private") {
    if (!options.onBlocked) return log.info("chat_blocked", { bot, updateId });
    return options.onBlocked(ctx).catch((failure: unknown) => failed(failure, "recording the block"));
  }
  failed(error, "handling");
  // Telegram refuses this chat (kicked from a group, say): another message would be refused too.
  if (error instanceof GrammyError && error.error_code === 403) return;
  try {
    const text = options.failureText(ctx);
    const alerted = ctx.callbackQuery ? await ctx.answerCallbackQuery({ text, show_alert: true }).then(() => true, () => false) : false;
    if (!alerted && ctx.chat?.type === "private") await ctx.reply(text);
  } catch {
    // Telegram itself is unreachable, or the person blocked the bot meanwhile: the log line above is all there is.
  }
}

/**
 * `bot.catch`, for the runner's sake only: the boundary lets nothing through, and should anything
 * ever pass it, this is one log line instead of grammY's "No error handler was set!".
 */
export function lastResort(bot: BotName, log: Logger): (error: BotError) => void {
  return (error) => log.error("update_failed", { bot, updateId: updateIdOf(error.ctx.update), stage: "past the boundary", ...describeError(error.error) });
}
