import { Composer } from "grammy";
import { actionable } from "./card.ts";
import { tagHash } from "./ownerButtons.ts";
import type { OwnerContext } from "./ownerContext.ts";
import { onButton, type OwnerKit } from "./ownerKit.ts";
import { tagPromptScreen, tagsScreen } from "./ownerScreens.ts";

async function openTags(kit: OwnerKit, ctx: OwnerContext, userId: number): Promise<void> {
  const lead = await actionable(kit, ctx, userId);
  if (!lead) return;
  kit.dropInputFlows(ctx);
  await kit.flows.tags.step(ctx, { type: "OPEN", userId });
  await kit.answer(ctx);
  await kit.show(ctx, tagsScreen(kit.view(ctx), lead, kit.tagSet));
}

/** A tap on a tag: the flow's `toggleTag` records it; a button whose tag is no longer offered is out of date. */
async function toggle(kit: OwnerKit, ctx: OwnerContext, userId: number, hash: string): Promise<void> {
  const lead = await actionable(kit, ctx, userId);
  if (!lead) return;
  const tag = [...kit.tagSet, ...lead.tags].find((candidate) => tagHash(candidate) === hash);
  if (!tag) {
    await kit.answer(ctx, ctx.t("button-outdated"));
    return kit.show(ctx, tagsScreen(kit.view(ctx), lead, kit.tagSet));
  }
  await kit.flows.tags.step(ctx, { type: "TOGGLE", userId, tag });
  await kit.answer(ctx);
  await kit.show(ctx, tagsScreen(kit.view(ctx), (await kit.leadOf(userId)) ?? lead, kit.tagSet));
}

/** "New tag" on a client's menu: the prompt, for that client whatever menu was open before. */
async function askForTag(kit: OwnerKit, ctx: OwnerContext, userId: number): Promise<void> {
  const lead = await actionable(kit, ctx, userId);
  if (!lead) return;
  kit.dropInputFlows(ctx);
  await kit.flows.tags.step(ctx, { type: "ADD_NEW" }, await kit.flows.tags.step(ctx, { type: "OPEN", userId }));
  await kit.answer(ctx);
  await kit.show(ctx, tagPromptScreen(kit.view(ctx), lead));
}

/** The typed tag: the flow's `addTag` records a valid one; anything else is refused with what a tag may be. */
async function takeTag(kit: OwnerKit, ctx: OwnerContext, text: string): Promise<void> {
  const waiting = kit.flows.tags.of(ctx);
  const userId = waiting.context.userId;
  const lead = userId === null ? null : await actionable(kit, ctx, userId);
  if (!lead || userId === null) {
    await kit.flows.tags.step(ctx, { type: "CLOSE" }, waiting);
    return;
  }
  const after = await kit.flows.tags.step(ctx, { type: "TAG", text }, waiting);
  if (after.value !== "choosing") return kit.send(ctx, tagPromptScreen(kit.view(ctx), lead, ctx.t("tag-invalid")));
  await kit.send(ctx, tagsScreen(kit.view(ctx), (await kit.leadOf(userId)) ?? lead, kit.tagSet));
}

/** 🏷 A client's tags: the menu of `OWNER_TAGS` and theirs, taps that toggle, and a new tag typed. */
export function tags(kit: OwnerKit): Composer<OwnerContext> {
  const composer = new Composer<OwnerContext>();
  onButton(composer, "tags", (ctx, [userId]) => openTags(kit, ctx, userId));
  onButton(composer, "tag", (ctx, [userId, hash]) => toggle(kit, ctx, userId, hash));
  onButton(composer, "tnew", (ctx, [userId]) => askForTag(kit, ctx, userId));
  onButton(composer, "tcan", async (ctx, [userId]) => {
    await kit.flows.tags.step(ctx, { type: "CANCEL" });
    await openTags(kit, ctx, userId);
  });
  composer.on("message:text", (ctx, next) => (kit.flows.tags.of(ctx).value === "awaitingTag" ? takeTag(kit, ctx, ctx.message.text) : next()));
  return composer;
}
