import { Composer, InlineKeyboard } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import type { Language } from "../../../machines/customer.types.ts";
import { shopButtons } from "./shopButtons.ts";
import { answer, customerOf, dispatch, onButtons, type Shop, type ShopContext } from "./shopContext.ts";

/**
 * News and campaigns, the customer's side (issue 13): the "Unsubscribe" button that every broadcast
 * and campaign message carries records `unsubscribed`, and `/subscribe` undoes it with `subscribed`.
 * Neither is an act of the customer: pressing it under a win-back neither wakes a dormant customer
 * nor counts as being seen, so it cannot pass for a reactivation the campaign earned.
 */

const labels: Readonly<Record<Language, string>> = { ru: "🔕 Отписаться", en: "🔕 Unsubscribe" };

/**
 * The "Unsubscribe" button, in the customer's language: for the broadcast sender and the campaign
 * effects, which build their messages outside any update (so without grammY's i18n).
 */
export function unsubscribeButton(language: Language): InlineKeyboardButton.CallbackButton {
  return { text: labels[language], callback_data: shopButtons.encode("unsub") };
}

/** A keyboard with the "Unsubscribe" button as its last row. */
export function withUnsubscribe(keyboard: InlineKeyboard, language: Language): InlineKeyboard {
  const last = keyboard.inline_keyboard.at(-1);
  if (last && last.length > 0) keyboard.row();
  return keyboard.add(unsubscribeButton(language));
}

const menuKeyboard = (ctx: ShopContext): InlineKeyboard => new InlineKeyboard().text(ctx.t("btn-menu"), shopButtons.encode("menu"));

/** Someone the shop has never seen (a forged button, a chat before /start) has nothing to unsubscribe: nothing is recorded for them. */
async function unsubscribe(shop: Shop, ctx: ShopContext): Promise<void> {
  const { context } = await customerOf(shop, ctx);
  if (context.unsubscribedAt === null && context.firstSeenAt !== null) await dispatch(shop, ctx, { type: "unsubscribed" });
  await answer(ctx, ctx.t("news-unsubscribed-toast"));
  await ctx.reply(ctx.t("news-unsubscribed"), { parse_mode: "HTML", reply_markup: menuKeyboard(ctx) });
}

async function subscribe(shop: Shop, ctx: ShopContext): Promise<void> {
  const { context } = await customerOf(shop, ctx);
  if (context.unsubscribedAt === null) {
    await ctx.reply(ctx.t("news-already-subscribed"), { parse_mode: "HTML", reply_markup: menuKeyboard(ctx) });
    return;
  }
  await dispatch(shop, ctx, { type: "subscribed" });
  await ctx.reply(ctx.t("news-subscribed"), { parse_mode: "HTML", reply_markup: menuKeyboard(ctx) });
}

/** The Composer of the news opt-out: the "Unsubscribe" button and `/subscribe`. */
export function shopNews(shop: Shop): Composer<ShopContext> {
  const composer = new Composer<ShopContext>();
  composer.command("subscribe", (ctx) => subscribe(shop, ctx));
  onButtons(composer, { unsub: (ctx) => unsubscribe(shop, ctx) });
  return composer;
}
