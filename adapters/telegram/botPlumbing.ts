import { sequentialize } from "@grammyjs/runner";
import type { BotError, Context, MiddlewareFn } from "grammy";
import { describeError, type Logger } from "../../actors/log.port.ts";

/** Which bot a log line or a failure belongs to. */
export type BotName = "shop" | "owner";

/** One chat's updates one at a time, whatever feeds them (the runner, a webhook, tests). */
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

/**
 * What an error boundary does with a failed update: the details to the log, and a clear "something
 * went wrong, nothing is lost" to the person — an alert for an unanswered button press, a message
 * otherwise. An error boundary rather than `bot.catch`, so it holds for every source of updates.
 */
export function answerFailures<C extends Context>(bot: BotName, log: Logger, message: (ctx: C) => string) {
  return async ({ ctx, error }: BotError<C>): Promise<void> => {
    log.error("update_failed", { bot, updateId: ctx.update.update_id, ...describeError(error) });
    try {
      const alerted = ctx.callbackQuery ? await ctx.answerCallbackQuery({ text: message(ctx), show_alert: true }).then(() => true, () => false) : false;
      if (!alerted && ctx.chat?.type === "private") await ctx.reply(message(ctx));
    } catch {
      // Telegram itself is unreachable: the log line above is all that can be done.
    }
  };
}
