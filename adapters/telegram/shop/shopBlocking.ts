import { Composer, type Context } from "grammy";
import type { CustomerRuntime } from "../../../actors/customerRuntime.ts";
import type { Logger } from "../../../actors/log.port.ts";

/**
 * Whether a customer can be written to, as a fact on the customer: `blocked` when Telegram says
 * they blocked the shop bot (a `my_chat_member` "kicked", or a 403 on a reply), `unblocked` when
 * they let it back in. Keyed by the update id, so a redelivered update counts once. Someone the
 * shop never knew gets no lead from this alone.
 */
export function shopBlocking(runtime: CustomerRuntime, log: Logger) {
  async function record(ctx: Context, type: "blocked" | "unblocked"): Promise<void> {
    const userId = ctx.chat?.type === "private" ? ctx.chat.id : undefined;
    if (userId === undefined) return;
    const known = (await runtime.snapshotOf(userId)).context.firstSeenAt !== null;
    if (!known) return;
    const result = await runtime.dispatch(userId, { type, key: `shop:${ctx.update.update_id}:${type}` });
    if (!result.duplicate) log.info(type === "blocked" ? "customer_blocked" : "customer_unblocked", { bot: "shop", updateId: ctx.update.update_id });
  }

  const composer = new Composer<Context>();
  composer.chatType("private").on("my_chat_member", async (ctx) => {
    const { old_chat_member: was, new_chat_member: now } = ctx.myChatMember;
    if (now.status === "kicked") await record(ctx, "blocked");
    else if (now.status === "member" && was.status === "kicked") await record(ctx, "unblocked");
  });

  return {
    /** Handles the shop bot's own membership changes in private chats; they go no further. */
    composer,
    /** For the error boundary: a reply in this private chat met a 403. */
    recordBlocked: (ctx: Context): Promise<void> => record(ctx, "blocked"),
  };
}
