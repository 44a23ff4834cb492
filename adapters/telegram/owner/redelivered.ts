import { Composer } from "grammy";
import type { OwnerContext } from "./ownerContext.ts";
import { ownerUpdateKey } from "./ownerFlows.ts";
import type { OwnerKit } from "./ownerKit.ts";
import { renderPlace } from "./navigation.ts";
import { tagsScreen } from "./ownerScreens.ts";

/**
 * An owner's text that Telegram delivers again after its handling committed (a note, a new tag,
 * keyed `owner:<update_id>:…` in the client's log) but before the 200 went back. grammY writes the
 * session after the handler, so by then the flow that took the text may have ended, and the text
 * would be read as a search for its words. When a flow still waits for text, the session write was
 * lost with the process: the text goes to that flow, whose keyed action records nothing twice.
 * Otherwise the owner is shown where they are. A search records nothing, so it always runs.
 */
export function redelivered(kit: OwnerKit): Composer<OwnerContext> {
  const composer = new Composer<OwnerContext>();
  composer.on("message:text", async (ctx, next) => {
    const { note, tags, search } = kit.flows;
    const waiting = note.of(ctx).value === "awaitingText" || tags.of(ctx).value === "awaitingTag" || search.of(ctx).value === "awaitingQuery";
    if (waiting || ctx.message.text.startsWith("/") || !(await kit.store.hasEventKeyPrefix(ownerUpdateKey(ctx, "")))) return next();
    const choosing = tags.of(ctx);
    const lead = choosing.value === "choosing" && choosing.context.userId !== null ? await kit.leadOf(choosing.context.userId) : null;
    if (lead) return kit.send(ctx, tagsScreen(kit.view(ctx), lead, kit.tagSet));
    await renderPlace(kit, ctx);
  });
  return composer;
}
