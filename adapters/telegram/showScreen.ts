import { GrammyError, type Context } from "grammy";
import { describeError, type Logger } from "../../actors/log.port.ts";
import type { Screen } from "./screen.ts";

/** Telegram's limit for a photo's caption. */
const maxCaption = 1_024;

export function isNotModified(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 400 && /not modified/i.test(error.description);
}

/**
 * Shows a screen in place of the message whose button was pressed when Telegram allows it (text
 * over text, photo over photo), otherwise as a new message; a photo Telegram cannot fetch falls
 * back to text. "Message is not modified" is success: the owner pressed the same button twice.
 */
export async function showScreen(ctx: Context, screen: Screen, log: Logger): Promise<void> {
  const other = { parse_mode: "HTML" as const, ...(screen.keyboard ? { reply_markup: screen.keyboard } : {}) };
  const photo = screen.photo && screen.text.length <= maxCaption ? screen.photo : undefined;
  const message = ctx.callbackQuery?.message;
  if (message) {
    const wasPhoto = "photo" in message && message.photo !== undefined;
    try {
      if (!photo && !wasPhoto) {
        await ctx.editMessageText(screen.text, other);
        return;
      }
      if (photo && wasPhoto) {
        await ctx.editMessageMedia({ type: "photo", media: photo, caption: screen.text, parse_mode: "HTML" }, screen.keyboard ? { reply_markup: screen.keyboard } : {});
        return;
      }
      await ctx.deleteMessage().catch(() => undefined);
    } catch (error) {
      if (isNotModified(error)) return;
      if (!(error instanceof GrammyError && error.error_code === 400)) throw error;
      // Too old to edit, or gone: send it anew below.
    }
  }
  if (photo) {
    try {
      await ctx.replyWithPhoto(photo, { caption: screen.text, ...other });
      return;
    } catch (error) {
      if (!(error instanceof GrammyError && error.error_code === 400)) throw error;
      log.warn("photo_failed", describeError(error));
    }
  }
  await ctx.reply(screen.text, other);
}
