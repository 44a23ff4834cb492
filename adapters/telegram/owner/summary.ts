import { Composer } from "grammy";
import { actionable } from "./card.ts";
import type { OwnerContext } from "./ownerContext.ts";
import { onButton, type OwnerKit } from "./ownerKit.ts";
import { summaryScreen } from "./ownerScreens.ts";

/**
 * The AI summary of a client: "loading" at once, then the flow's `summarize` asks the AI and the
 * summary or the failure (with a retry) replaces it. A retry of another client's failure asks anew.
 */
async function runSummary(kit: OwnerKit, ctx: OwnerContext, userId: number, retry: boolean): Promise<void> {
  if (!kit.ai) {
    await kit.answer(ctx, ctx.t("ai-off"), true);
    return;
  }
  const lead = await actionable(kit, ctx, userId);
  if (!lead) return;
  const current = kit.flows.summary.of(ctx);
  await kit.answer(ctx);
  await kit.show(ctx, summaryScreen(kit.view(ctx), lead, { value: "loading", text: null, error: null }));
  const retrying = retry && current.value === "failed" && current.context.userId === userId;
  const done = await kit.flows.summary.step(ctx, retrying ? { type: "RETRY" } : { type: "REQUEST", userId }, current.value === "loading" ? kit.flows.summary.fresh() : current);
  const value = done.value === "shown" ? "shown" : "failed";
  await kit.show(ctx, summaryScreen(kit.view(ctx), lead, { value, text: done.context.text, error: done.context.error }));
}

/** 🧠 The AI summary of a client, and its retry. */
export function summary(kit: OwnerKit): Composer<OwnerContext> {
  const composer = new Composer<OwnerContext>();
  onButton(composer, "ai", (ctx, [userId]) => runSummary(kit, ctx, userId, false));
  onButton(composer, "airt", (ctx, [userId]) => runSummary(kit, ctx, userId, true));
  return composer;
}
