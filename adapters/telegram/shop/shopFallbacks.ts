import { Composer, InlineKeyboard } from "grammy";
import { answer, customerOf, menuOf, reply, type Shop, type ShopContext } from "./shopContext.ts";

/**
 * What no feature took: a pointer to the private chat for `/start` in a group, an out-of-date or
 * forged button, and a message the shop does not understand (a sticker, a photo). Installed last,
 * at the bot's level, after the private chats' features.
 */
export function shopFallbacks(shop: Shop): Composer<ShopContext> {
  const composer = new Composer<ShopContext>();
  // Groups and channels: the shop talks to customers one to one only.
  composer.chatType(["group", "supergroup"]).command("start", async (ctx) => {
    await ctx.reply(ctx.t("private-only"), {
      reply_markup: new InlineKeyboard().url(ctx.t("btn-open-private"), `https://t.me/${ctx.me.username}?start=group`),
    });
  });
  const chats = composer.chatType("private");
  chats.on("callback_query:data", async (ctx) => {
    await answer(ctx, ctx.t("button-outdated"));
    await reply(ctx, menuOf(shop, ctx, await customerOf(shop, ctx), { text: ctx.t("button-outdated") }));
  });
  chats.on("callback_query", (ctx) => answer(ctx, ctx.t("button-outdated")));
  chats.on("message", async (ctx) => {
    await shop.show(ctx, menuOf(shop, ctx, await customerOf(shop, ctx), { text: ctx.t("unsupported-message") }));
  });
  return composer;
}
