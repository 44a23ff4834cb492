import { Composer } from "grammy";
import { maxNoteChars } from "../../../machines/ownerNote.machine.ts";
import { actionable, cardOf, openCard } from "./card.ts";
import type { OwnerContext } from "./ownerContext.ts";
import { renderPlace } from "./navigation.ts";
import { onButton, type OwnerKit } from "./ownerKit.ts";
import { notePromptScreen } from "./ownerScreens.ts";

async function startNote(kit: OwnerKit, ctx: OwnerContext, userId: number): Promise<void> {
  const lead = await actionable(kit, ctx, userId);
  if (!lead) return;
  kit.dropInputFlows(ctx);
  await kit.flows.note.step(ctx, { type: "START", userId });
  await kit.answer(ctx);
  await kit.show(ctx, notePromptScreen(kit.view(ctx), lead));
}

const refusalKeys = { empty: "note-empty", too_long: "note-too-long", failed: "note-failed" } as const;

/** The typed note: the flow's `saveNote` records it; the owner sees the card, or why not and the prompt again. */
async function takeNote(kit: OwnerKit, ctx: OwnerContext, text: string): Promise<void> {
  const waiting = kit.flows.note.of(ctx);
  const userId = waiting.context.userId;
  const lead = userId === null ? null : await actionable(kit, ctx, userId);
  if (!lead || userId === null) {
    await kit.flows.note.step(ctx, { type: "CANCEL" }, waiting);
    return;
  }
  const after = await kit.flows.note.step(ctx, { type: "TEXT", text }, waiting);
  if (after.value !== "idle") {
    const notice = ctx.t(refusalKeys[after.context.error ?? "empty"], { max: maxNoteChars });
    return kit.send(ctx, notePromptScreen(kit.view(ctx), lead, notice));
  }
  await kit.go(ctx, { type: "CARD", userId, from: kit.flows.nav.of(ctx).context.cardFrom ?? "notification" });
  await kit.send(ctx, cardOf(kit, ctx, (await kit.leadOf(userId)) ?? lead, ctx.t("note-saved")));
}

/** 📝 A note on a client: the prompt, the typed text while it waits, and cancel. */
export function notes(kit: OwnerKit): Composer<OwnerContext> {
  const composer = new Composer<OwnerContext>();
  onButton(composer, "note", (ctx, [userId]) => startNote(kit, ctx, userId));
  onButton(composer, "ncan", async (ctx) => {
    const userId = kit.flows.note.of(ctx).context.userId;
    await kit.flows.note.step(ctx, { type: "CANCEL" });
    if (userId === null) return renderPlace(kit, ctx);
    return openCard(kit, ctx, userId, ctx.t("note-cancelled"));
  });
  composer.on("message:text", (ctx, next) => (kit.flows.note.of(ctx).value === "awaitingText" ? takeNote(kit, ctx, ctx.message.text) : next()));
  return composer;
}
