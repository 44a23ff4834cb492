import { Composer } from "grammy";
import { formatMessagesForDisplay } from "../../../actors/conversation.ts";
import { actionable } from "./card.ts";
import type { OwnerContext } from "./ownerContext.ts";
import { onButton, type OwnerKit } from "./ownerKit.ts";
import { historyScreen } from "./ownerScreens.ts";

/** The newest messages of a chat that the history pages through. */
const historyMessages = 500;

/** 📜 A client's conversation with the shop, in pages, with times and 👤/🤖 marks. */
export function history(kit: OwnerKit): Composer<OwnerContext> {
  const composer = new Composer<OwnerContext>();
  onButton(composer, "hist", async (ctx, [userId, page]) => {
    const lead = await actionable(kit, ctx, userId);
    if (!lead) return;
    await kit.go(ctx, { type: "HISTORY", userId, offset: page });
    const messages = await kit.store.messages(userId, { limit: historyMessages });
    const view = kit.view(ctx);
    const pages = formatMessagesForDisplay(messages, { timeZone: kit.timeZone, locale: view.locale, limit: 3_600 });
    await kit.answer(ctx);
    await kit.show(ctx, historyScreen(view, lead, pages, page));
  });
  return composer;
}
