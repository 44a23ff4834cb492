import { Composer } from "grammy";
import type { OwnerContext } from "./ownerContext.ts";
import type { OwnerKit } from "./ownerKit.ts";
import { ownerMenu } from "./ownerScreens.ts";

/**
 * What no feature took, composed last: a button of an older release or a forged one ("this button
 * is out of date", and the menu), a command the bot does not have, and anything that is not text
 * (while a flow waits for text, a hint; otherwise the menu).
 */
export function leftovers(kit: OwnerKit): Composer<OwnerContext> {
  const composer = new Composer<OwnerContext>();
  composer.on("callback_query:data", async (ctx) => {
    await kit.answer(ctx, ctx.t("button-outdated"));
    await kit.go(ctx, { type: "MENU" });
    await kit.send(ctx, { ...ownerMenu(kit.view(ctx)), text: ctx.t("button-outdated") });
  });
  composer.on("callback_query", (ctx) => kit.answer(ctx, ctx.t("button-outdated")));
  composer.on("message:text", (ctx) => {
    const menu = ownerMenu(kit.view(ctx));
    return kit.send(ctx, ctx.message.text.startsWith("/") ? { ...menu, text: `${ctx.t("command-unknown")}\n\n${menu.text}` } : menu);
  });
  composer.on("message", async (ctx) => {
    const { note, tags, search, order } = kit.flows;
    if (note.of(ctx).value === "awaitingText" || tags.of(ctx).value === "awaitingTag" || search.of(ctx).value === "awaitingQuery" || order.of(ctx).value === "awaitingText") {
      await ctx.reply(ctx.t("text-needed"));
      return;
    }
    await kit.send(ctx, ownerMenu(kit.view(ctx)));
  });
  return composer;
}
