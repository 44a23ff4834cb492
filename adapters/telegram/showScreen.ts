import { GrammyError, type Context, type InputFile } from "grammy";
import type { Message } from "grammy/types";
import { describeError, type Logger } from "../../actors/log.port.ts";
import type { Screen } from "./screen.ts";

/** Telegram's limit for a photo's caption. */
const maxCaption = 1_024;

export function isNotModified(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 400 && /not modified/i.test(error.description);
}

/** What a screen's `photo` is sent as, and what Telegram said of it: the shop's catalog pictures, uploaded once. */
export interface ScreenPhotos {
  /** The photo as Telegram takes it: the URL or file_id as it is, a file_id kept from an earlier upload, or the file to upload. */
  input(photo: string): Promise<string | InputFile>;
  /** Telegram showed it; an upload's file_id is kept for next time. */
  shown(photo: string, input: string | InputFile, message: Message): Promise<void>;
  /** Telegram did not show it; a kept file_id it refused (a 400) is dropped, so the next time uploads again. */
  failed(photo: string, input: string | InputFile, error: unknown): Promise<void>;
}

export interface ShowScreenOptions {
  /** Without it a photo goes to Telegram as it is (a URL or a file_id). */
  readonly photos?: ScreenPhotos;
  /**
   * How long a photo may take, auto-retries included, before the screen is shown as text instead
   * (default 15 s): auto-retry backs off for minutes on a 5xx, and the customer is waiting.
   */
  readonly photoTimeoutMs?: number;
}

/** grammY types its abort signal after its fetch shim's; Node's own is what it gets at run time. */
type ApiSignal = Parameters<Context["replyWithPhoto"]>[2];
const timeoutSignal = (ms: number): ApiSignal => AbortSignal.timeout(ms) as unknown as ApiSignal;

/**
 * Shows a screen in place of the message whose button was pressed when Telegram allows it (text
 * over text, photo over photo). Otherwise the screen is sent as a new message, and only once it is
 * shown is the old one deleted, so the person is never left with nothing. A photo that cannot be
 * shown, for any reason, becomes the same screen as text, with one warning line. "Message is not
 * modified" is success: the same button was pressed twice.
 */
export async function showScreen(ctx: Context, screen: Screen, log: Logger, options: ShowScreenOptions = {}): Promise<void> {
  const other = { parse_mode: "HTML" as const, ...(screen.keyboard ? { reply_markup: screen.keyboard } : {}) };
  const photo = screen.photo && screen.text.length <= maxCaption ? screen.photo : undefined;
  const message = ctx.callbackQuery?.message;
  const wasPhoto = message !== undefined && "photo" in message && message.photo !== undefined;
  if (message && !photo && !wasPhoto) {
    try {
      await ctx.editMessageText(screen.text, other);
      return;
    } catch (error) {
      if (isNotModified(error)) return;
      if (!(error instanceof GrammyError && error.error_code === 400)) throw error;
      // Too old to edit, or gone: sent anew, and the old one left as it is.
    }
    await ctx.reply(screen.text, other);
    return;
  }
  const shownAsPhoto = photo !== undefined && (await tryPhoto(ctx, screen, photo, wasPhoto, log, options));
  if (shownAsPhoto === "edited") return;
  if (!shownAsPhoto) await ctx.reply(screen.text, other);
  if (message) await ctx.deleteMessage().catch(() => undefined);
}

/** Keeps what Telegram said of a shown photo; a failure to keep it only means the next time uploads again. */
async function remember(options: ShowScreenOptions, photo: string, input: string | InputFile, message: Message, log: Logger): Promise<void> {
  await options.photos?.shown(photo, input, message).catch((error: unknown) => log.warn("photo_not_kept", describeError(error)));
}

/**
 * Shows the screen as a photo: over the pressed photo message (`"edited"`), or as a new message
 * (`"sent"`); false when it could not be shown, which is logged once and never thrown.
 */
async function tryPhoto(ctx: Context, screen: Screen, photo: string, overPhoto: boolean, log: Logger, options: ShowScreenOptions): Promise<"edited" | "sent" | false> {
  const signal = timeoutSignal(options.photoTimeoutMs ?? 15_000);
  let input: string | InputFile = photo;
  try {
    input = (await options.photos?.input(photo)) ?? photo;
    if (overPhoto) {
      const edited = await ctx.editMessageMedia(
        { type: "photo", media: input, caption: screen.text, parse_mode: "HTML" },
        screen.keyboard ? { reply_markup: screen.keyboard } : {},
        signal,
      );
      if (edited !== true) await remember(options, photo, input, edited, log);
      return "edited";
    }
    const sent = await ctx.replyWithPhoto(input, { caption: screen.text, parse_mode: "HTML", ...(screen.keyboard ? { reply_markup: screen.keyboard } : {}) }, signal);
    await remember(options, photo, input, sent, log);
    return "sent";
  } catch (error) {
    if (isNotModified(error)) return "edited";
    log.warn("photo_failed", { uploaded: typeof input !== "string", ...describeError(error) });
    await options.photos?.failed(photo, input, error).catch(() => undefined);
    return false;
  }
}
