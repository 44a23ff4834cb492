import { Composer, GrammyError, InputFile } from "grammy";
import type { Message } from "grammy/types";
import { describeError } from "../../../actors/log.port.ts";
import type { SegmentFilter } from "../../../actors/segments.port.ts";
import type { BroadcastDraft, DraftAudience, OwnerBroadcastEvent } from "../../../machines/ownerBroadcast.types.ts";
import { clip, escapeHtml } from "../format.ts";
import { FileFetchFailed, fetchTelegramFile, maxPhotoBytes } from "./catalogFiles.ts";
import type { Screen } from "../screen.ts";
import { quickTime, readTime, type BroadcastKit } from "./broadcastKit.ts";
import { sendProgress } from "./broadcastProgress.ts";
import { audienceScreen, buttonScreen, confirmScreen, previewMessage, productsScreen, urlScreen, writeScreen, type AudienceChoice } from "./broadcastScreens.ts";
import { languageOf, type OwnerContext } from "./ownerContext.ts";
import { ownerUpdateKey } from "./ownerFlows.ts";
import { onButton, type OwnerKit } from "./ownerKit.ts";

type Snapshot = ReturnType<BroadcastKit["compose"]["of"]>;

/** The largest size of a photo: the one kept. */
const largest = (sizes: readonly { readonly file_id: string; readonly width: number; readonly height: number }[]): string | null =>
  sizes.reduce<(typeof sizes)[number] | null>((best, size) => (!best || size.width * size.height > best.width * best.height ? size : best), null)?.file_id ?? null;

/** The owner's message as a draft: text with its entities, or a photo's caption with the caption's entities. */
function draftOf(message: Message): BroadcastDraft | null {
  if (message.text !== undefined) return { text: message.text, entities: message.entities ?? [], photo: null };
  if (message.photo) return { text: message.caption ?? "", entities: message.caption_entities ?? [], photo: largest(message.photo) };
  return null;
}

async function audienceChoice(bkit: BroadcastKit): Promise<AudienceChoice> {
  const saved = await bkit.segments.savedSegments();
  const counts = await Promise.all(saved.map((segment) => bkit.count({ kind: "saved", id: segment.id, name: segment.name })));
  return { everyone: await bkit.count({ kind: "all" }), saved: saved.map((segment, index) => ({ segment, count: counts[index] ?? 0 })) };
}

const audienceName = (ctx: OwnerContext, audience: DraftAudience | null): string =>
  audience === null || audience.kind === "all" ? ctx.t("bc-everyone") : audience.name;

/** The preview, exactly as customers will get it, as a message of its own; false (with why, on screen) when Telegram refused it. */
async function sendPreview(kit: OwnerKit, bkit: BroadcastKit, ctx: OwnerContext, after: Snapshot): Promise<boolean> {
  const { draft, button } = after.context;
  if (!draft || !ctx.chat) return false;
  const preview = previewMessage(draft, button, languageOf(ctx.from?.language_code));
  try {
    if (preview.photo !== null) {
      // The photo as the shop bot will upload it: its bytes, fetched again (a file id is the owner bot's own).
      const { bytes } = await fetchTelegramFile(bkit.files, preview.photo, maxPhotoBytes);
      await ctx.api.sendPhoto(ctx.chat.id, new InputFile(bytes, "preview.jpg"), { ...(preview.text ? { caption: preview.text, caption_entities: preview.entities } : {}), reply_markup: preview.keyboard });
    } else {
      await ctx.api.sendMessage(ctx.chat.id, preview.text, { entities: preview.entities, reply_markup: preview.keyboard });
    }
    return true;
  } catch (error) {
    const fetchFailed = error instanceof FileFetchFailed;
    if (!fetchFailed && !(error instanceof GrammyError && error.error_code === 400)) throw error;
    kit.log.warn("broadcast_preview_refused", { bot: "owner", ...describeError(error) });
    const reason = fetchFailed ? ctx.t("bc-photo-unavailable") : clip(error instanceof GrammyError ? error.description : "", 200);
    await kit.send(ctx, { text: `⚠️ ${ctx.t("bc-preview-refused", { reason: escapeHtml(reason) })}` });
    return false;
  }
}

/** Shows where the composition is now after a step: the next question, the same one with why, or the started broadcast. */
async function render(kit: OwnerKit, bkit: BroadcastKit, ctx: OwnerContext, after: Snapshot, refused?: string): Promise<void> {
  const view = kit.view(ctx);
  const show = (screen: Screen) => (ctx.callbackQuery ? kit.show(ctx, screen) : kit.send(ctx, screen));
  await kit.answer(ctx);
  const { error } = after.context;
  switch (after.value) {
    case "writing":
      return show(writeScreen(view, error, refused));
    case "button":
      return show(buttonScreen(view, bkit.uploadPhoto !== null || after.context.draft?.photo === null));
    case "buttonUrl":
      return show(urlScreen(view, error));
    case "audience": {
      const handed = after.context.audience;
      if (handed !== null && error === null) return step(kit, bkit, ctx, { type: "AUDIENCE", audience: handed, count: await bkit.count(handed) });
      return show(audienceScreen(view, await audienceChoice(bkit), error));
    }
    case "confirming": {
      const confirm = confirmScreen(view, audienceName(ctx, after.context.audience), after.context.count ?? 0, error);
      if (error) return show(confirm);
      if (await sendPreview(kit, bkit, ctx, after)) return kit.send(ctx, confirm);
      // No preview, no ✅: the message is asked again, with its button and audience kept.
      await bkit.compose.step(ctx, { type: "EDIT_MESSAGE" });
      return kit.send(ctx, writeScreen(view));
    }
    default:
      if (after.context.started !== null) return sendProgress(kit, bkit, ctx, after.context.started);
      return kit.send(ctx, { text: ctx.t("bc-composition-cancelled") });
  }
}

async function step(kit: OwnerKit, bkit: BroadcastKit, ctx: OwnerContext, event: OwnerBroadcastEvent, refused?: string): Promise<void> {
  const after = await bkit.compose.step(ctx, event);
  await render(kit, bkit, ctx, after, refused);
}

/** A button of the composition pressed when the composition is not where it belongs: the press is stale. */
async function whenIn(kit: OwnerKit, bkit: BroadcastKit, ctx: OwnerContext, states: readonly string[], act: () => Promise<void>): Promise<void> {
  if (states.includes(String(bkit.compose.of(ctx).value))) return act();
  await kit.answer(ctx, ctx.t("bc-outdated"), true);
}

const audienceOf = async (bkit: BroadcastKit, kind: number, id: number): Promise<DraftAudience | null> => {
  if (kind === 0) return { kind: "all" };
  const saved = (await bkit.segments.savedSegments()).find((segment) => segment.id === id);
  return kind === 1 && saved ? { kind: "saved", id: saved.id, name: saved.name } : null;
};

/**
 * The key of the broadcast a composition starts: the update that began it, the owner and the time,
 * so that it is the same for every ✅ of that composition and never another composition's (Telegram
 * may number updates afresh after a quiet week).
 */
const compositionKey = (kit: OwnerKit, ctx: OwnerContext): string => `${ownerUpdateKey(ctx, "broadcast")}:${ctx.from?.id ?? 0}:${kit.clock.now()}`;

/**
 * The segment builder's ✉️ (segments.ts `toBroadcast`): a new broadcast to that segment, which is
 * counted and offered once the message and its button are given.
 */
export function segmentToBroadcast(kit: OwnerKit, bkit: BroadcastKit): (ctx: OwnerContext, audience: { readonly kind: "saved"; readonly id: number; readonly name: string } | { readonly kind: "built"; readonly name: string; readonly filter: SegmentFilter }) => Promise<void> {
  return (ctx, audience) => {
    kit.dropInputFlows(ctx);
    const handed: DraftAudience = audience.kind === "saved" ? audience : { kind: "built", name: audience.name, filter: { ...audience.filter } as Readonly<Record<string, unknown>> };
    return step(kit, bkit, ctx, { type: "START", key: compositionKey(kit, ctx), audience: handed });
  };
}

/**
 * ✍️ A new broadcast, from 📣: the message (text with its formatting, or a photo with a caption),
 * one optional button (a product, the catalog, a URL), the audience with its recipients, the
 * preview exactly as customers get it, then ✅ now, in an hour, tomorrow at 10:00 or at a typed
 * time. Every refusal is the flow's (machines/ownerBroadcast.machine.ts), shown with why.
 */
export function broadcastCompose(kit: OwnerKit, bkit: BroadcastKit): Composer<OwnerContext> {
  const composer = new Composer<OwnerContext>();
  const state = (ctx: OwnerContext): string => String(bkit.compose.of(ctx).value);
  onButton(composer, "bcnew", (ctx) => {
    kit.dropInputFlows(ctx);
    return step(kit, bkit, ctx, { type: "START", key: compositionKey(kit, ctx) });
  });
  onButton(composer, "bcbtn", (ctx, [choice]) =>
    whenIn(kit, bkit, ctx, choice === 0 ? ["button", "buttonUrl"] : ["button"], async () => {
      if (choice === 0) return step(kit, bkit, ctx, { type: "NO_BUTTON" });
      if (choice === 1) return step(kit, bkit, ctx, { type: "BUTTON", button: { kind: "catalog", text: ctx.t("bc-catalog-button") } });
      if (choice === 2) return step(kit, bkit, ctx, { type: "ASK_URL" });
      await kit.answer(ctx);
      await kit.show(ctx, productsScreen(kit.view(ctx), kit.store.catalogRows().products));
    }),
  );
  onButton(composer, "bcprod", (ctx, [productId]) =>
    whenIn(kit, bkit, ctx, ["button"], async () => {
      const product = kit.store.catalogRows().products.find((row) => row.id === productId && !row.hidden);
      if (!product) return kit.answer(ctx, ctx.t("catalog-gone"), true);
      await step(kit, bkit, ctx, { type: "BUTTON", button: { kind: "product", productId, text: `🛍 ${clip(product.title, 60)}` } });
    }),
  );
  onButton(composer, "bcaud", (ctx, [kind, id]) =>
    whenIn(kit, bkit, ctx, ["audience"], async () => {
      const audience = await audienceOf(bkit, kind, id);
      if (!audience) return kit.answer(ctx, ctx.t("bc-segment-gone"), true);
      await step(kit, bkit, ctx, { type: "AUDIENCE", audience, count: await bkit.count(audience) });
    }),
  );
  onButton(composer, "bcgo", (ctx, [choice]) =>
    whenIn(kit, bkit, ctx, ["confirming"], () => {
      const now = kit.clock.now();
      const at = choice === 0 ? null : quickTime(choice === 1 ? "hour" : "tomorrow", now, kit.timeZone);
      return step(kit, bkit, ctx, { type: "SEND", at, now });
    }),
  );
  onButton(composer, "bcedit", (ctx, [what]) =>
    whenIn(kit, bkit, ctx, what === 1 ? ["confirming"] : what === 2 ? ["button"] : ["button", "audience", "confirming"], async () => {
      if (what === 2) return render(kit, bkit, ctx, bkit.compose.of(ctx));
      return step(kit, bkit, ctx, { type: what === 1 ? "EDIT_AUDIENCE" : "EDIT_MESSAGE" });
    }),
  );
  onButton(composer, "bcx", (ctx) => (state(ctx) === "idle" ? kit.answer(ctx, ctx.t("bc-outdated"), true) : step(kit, bkit, ctx, { type: "CANCEL" })));
  onButton(composer, "bcprev", (ctx) => kit.answer(ctx, ctx.t("bc-preview-button"), true));
  composer.on("message", (ctx, next) => {
    const now = state(ctx);
    if (now === "writing") {
      const draft = draftOf(ctx.message);
      return draft ? step(kit, bkit, ctx, { type: "MESSAGE", draft }, draft.text) : step(kit, bkit, ctx, { type: "NOT_TEXT" });
    }
    const text = ctx.message.text;
    if (now === "buttonUrl") return text === undefined ? step(kit, bkit, ctx, { type: "NOT_TEXT" }) : step(kit, bkit, ctx, { type: "URL_TEXT", text });
    if (now === "confirming" && text !== undefined && !text.startsWith("/")) {
      const at = readTime(text, kit.timeZone);
      return step(kit, bkit, ctx, at === null ? { type: "BAD_TIME" } : { type: "SEND", at, now: kit.clock.now() });
    }
    return next();
  });
  return composer;
}
