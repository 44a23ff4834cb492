import { Composer, GrammyError } from "grammy";
import type { BroadcastCommandResult, BroadcastProgress } from "../../../actors/broadcasts.port.ts";
import type { Screen } from "../screen.ts";
import { isNotModified } from "../showScreen.ts";
import type { BroadcastKit } from "./broadcastKit.ts";
import { broadcastsScreen, progressScreen } from "./broadcastScreens.ts";
import type { OwnerContext } from "./ownerContext.ts";
import { ownerUpdateKey } from "./ownerFlows.ts";
import { onButton, type OwnerKit } from "./ownerKit.ts";

/** How many recent broadcasts 📣 lists. */
const listed = 10;

const ended = (progress: BroadcastProgress): boolean => progress.status === "finished" || progress.status === "cancelled";

/** A broadcast's screen: its report once it ended, its live progress (or the question before ✖️) while it runs. */
async function screenOf(kit: OwnerKit, bkit: BroadcastKit, ctx: OwnerContext, progress: BroadcastProgress, confirmCancel = false): Promise<Screen> {
  const report = ended(progress) ? await bkit.broadcasts.report(progress.id) : null;
  return progressScreen(kit.view(ctx), report ?? progress, report, kit.currency, confirmCancel);
}

/** Shows a screen in place of the pressed message (or as a new one) and returns the id of the message that shows it. */
async function showAt(ctx: OwnerContext, screen: Screen): Promise<number | null> {
  const other = { parse_mode: "HTML" as const, ...(screen.keyboard ? { reply_markup: screen.keyboard } : {}) };
  const pressed = ctx.callbackQuery?.message;
  if (pressed && !("photo" in pressed && pressed.photo)) {
    try {
      await ctx.editMessageText(screen.text, other);
      return pressed.message_id;
    } catch (error) {
      if (isNotModified(error)) return pressed.message_id;
      if (!(error instanceof GrammyError && error.error_code === 400)) throw error;
    }
  }
  const sent = await ctx.reply(screen.text, other);
  return sent.message_id;
}

/** Shows a broadcast's message and, while it runs, keeps it live. */
async function showBroadcast(kit: OwnerKit, bkit: BroadcastKit, ctx: OwnerContext, progress: BroadcastProgress, options: { readonly fresh?: boolean; readonly confirmCancel?: boolean } = {}): Promise<void> {
  const screen = await screenOf(kit, bkit, ctx, progress, options.confirmCancel);
  const messageId = options.fresh ? (await ctx.reply(screen.text, { parse_mode: "HTML", ...(screen.keyboard ? { reply_markup: screen.keyboard } : {}) })).message_id : await showAt(ctx, screen);
  if (messageId === null || !ctx.chat || ended(progress)) return;
  bkit.live.watch(progress, ctx.chat.id, messageId, kit.view(ctx));
  // It may have moved on while the message was on its way: a new status is shown at once.
  const latest = await bkit.broadcasts.progress(progress.id);
  if (latest) bkit.live.onProgress(latest);
}

/** The live progress of a broadcast just started, as a new message under the preview. */
export async function sendProgress(kit: OwnerKit, bkit: BroadcastKit, ctx: OwnerContext, id: string): Promise<void> {
  const progress = await bkit.broadcasts.progress(id);
  if (!progress) return void (await kit.send(ctx, { text: ctx.t("bc-unknown") }));
  await showBroadcast(kit, bkit, ctx, progress, { fresh: true });
}

/** The broadcast a pressed button names, or null after telling the owner there is no such broadcast (a forged or foreign id). */
async function known(kit: OwnerKit, bkit: BroadcastKit, ctx: OwnerContext, id: string): Promise<BroadcastProgress | null> {
  const progress = await bkit.broadcasts.progress(id);
  if (!progress) {
    kit.log.warn("broadcast_button_refused", { bot: "owner", userId: ctx.from?.id ?? null, reason: "unknown" });
    await kit.answer(ctx, ctx.t("bc-unknown"), true);
  }
  return progress;
}

/** ⏸ ▶️ ✖️: the move through the broadcasts, keyed by the press; its refusal said in words, and the message shows where it is now. */
async function move(kit: OwnerKit, bkit: BroadcastKit, ctx: OwnerContext, id: string, act: "pause" | "resume" | "cancel"): Promise<void> {
  if (!(await known(kit, bkit, ctx, id))) return;
  const by = ctx.from?.id ?? 0;
  const result: BroadcastCommandResult = await bkit.broadcasts[act](id, by, ownerUpdateKey(ctx, `broadcast-${act}`));
  if (result.kind === "refused") {
    await kit.answer(ctx, ctx.t(`bc-refused-${result.reason}`), true);
    const now = result.progress ?? (await bkit.broadcasts.progress(id));
    if (now) await showBroadcast(kit, bkit, ctx, now);
    return;
  }
  await kit.answer(ctx, ctx.t(`bc-done-${act}`));
  await showBroadcast(kit, bkit, ctx, result.progress);
}

/** The broadcasts list, from the menu's 📣. */
export async function openBroadcasts(kit: OwnerKit, bkit: BroadcastKit | null, ctx: OwnerContext): Promise<void> {
  if (!bkit) return kit.answer(ctx, ctx.t("bc-off"), true);
  await kit.answer(ctx);
  await kit.show(ctx, broadcastsScreen(kit.view(ctx), await bkit.broadcasts.list(listed)));
}

/**
 * 📣 Broadcasts: the recent ones with their status, each opening its live progress message (edited
 * as it goes: a bar, sent, left, blocked, failed and an ETA, with ⏸ ▶️ ✖️, ✖️ asking first) or,
 * once ended, its report. A button naming a broadcast that does not exist is refused and logged.
 */
export function broadcastProgress(kit: OwnerKit, bkit: BroadcastKit | null): Composer<OwnerContext> {
  const composer = new Composer<OwnerContext>();
  onButton(composer, "bcl", (ctx) => openBroadcasts(kit, bkit, ctx));
  if (!bkit) return composer;
  bkit.live.setReporter((id) => bkit.broadcasts.report(id));
  onButton(composer, "bco", async (ctx, [id]) => {
    const progress = await known(kit, bkit, ctx, id);
    if (!progress) return;
    await kit.answer(ctx);
    await showBroadcast(kit, bkit, ctx, progress);
  });
  onButton(composer, "bcpau", (ctx, [id]) => move(kit, bkit, ctx, id, "pause"));
  onButton(composer, "bcres", (ctx, [id]) => move(kit, bkit, ctx, id, "resume"));
  onButton(composer, "bccok", (ctx, [id]) => move(kit, bkit, ctx, id, "cancel"));
  onButton(composer, "bccan", async (ctx, [id]) => {
    const progress = await known(kit, bkit, ctx, id);
    if (!progress) return;
    await kit.answer(ctx);
    await showBroadcast(kit, bkit, ctx, progress, { confirmCancel: !ended(progress) });
  });
  return composer;
}
