import { GrammyError, HttpError, InlineKeyboard, type Api } from "grammy";
import type { MessageEntity } from "grammy/types";
import type { BroadcastDelivery, DeliveryOutcome } from "../../../actors/broadcastDelivery.port.ts";
import type { BroadcastMessage } from "../../../actors/broadcasts.port.ts";
import type { Language } from "../../../machines/customer.types.ts";
import { shopButtons } from "./shopButtons.ts";
import { withUnsubscribe } from "./shopNews.ts";

/** The broadcast's one button (a product, the catalog or a URL), then "Unsubscribe" in the customer's language. */
export function broadcastKeyboard(message: BroadcastMessage, language: Language): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  const { button } = message;
  if (button?.kind === "product") keyboard.text(button.text, shopButtons.encode("prod", button.productId));
  else if (button?.kind === "catalog") keyboard.text(button.text, shopButtons.encode("cats"));
  else if (button?.kind === "url") keyboard.url(button.text, button.url);
  return withUnsubscribe(keyboard, language);
}

/** Telegram's answer as the sender acts on it; a reason is Telegram's own description, never a token. */
export function outcomeOfError(error: unknown): DeliveryOutcome {
  if (error instanceof GrammyError) {
    const reason = `${error.error_code}: ${error.description}`.slice(0, 120);
    if (error.error_code === 429) return { kind: "rate_limited", retryAfterMs: (error.parameters.retry_after ?? 1) * 1_000 };
    if (error.error_code === 403 && /blocked|deactivated/i.test(error.description)) return { kind: "blocked" };
    return { kind: "failed", reason, permanent: error.error_code >= 400 && error.error_code < 500 };
  }
  if (error instanceof HttpError) return { kind: "failed", reason: "network: Telegram could not be reached", permanent: false };
  return { kind: "failed", reason: error instanceof Error ? error.message.slice(0, 120) : "unknown", permanent: false };
}

/**
 * Sends a broadcast's message through the shop bot's own API client: a plain `Api` without
 * auto-retry or throttling, so that a 429 reaches the sender (which pauses the whole broadcast) and
 * the customers' replies, on the bot's own client, never queue behind it.
 */
export function shopBroadcastDelivery(api: Api): BroadcastDelivery {
  return {
    async send(userId, message, { language }) {
      const reply_markup = broadcastKeyboard(message, language);
      const entities = message.entities as MessageEntity[];
      try {
        if (message.photo) await api.sendPhoto(userId, message.photo, { caption: message.text, caption_entities: entities, reply_markup });
        else await api.sendMessage(userId, message.text, { entities, reply_markup });
        return { kind: "sent" };
      } catch (error) {
        return outcomeOfError(error);
      }
    },
  };
}
