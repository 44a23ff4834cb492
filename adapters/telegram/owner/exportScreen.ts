import { rm } from "node:fs/promises";
import { basename } from "node:path";
import { Composer, InlineKeyboard, InputFile } from "grammy";
import { dayBounds, dayOf } from "../../../actors/calendar.ts";
import { describeError } from "../../../actors/log.port.ts";
import type { SegmentContext } from "../../../actors/segments.port.ts";
import type { ExportSubject } from "../../export/cells.ts";
import { telegramUploadLimit, writeExport, type ExportFormat } from "../../export/exportFile.ts";
import { escapeHtml } from "../format.ts";
import type { Screen, View } from "../screen.ts";
import { ownerButtons as b } from "./ownerButtons.ts";
import type { OwnerContext } from "./ownerContext.ts";
import { onButton, type OwnerKit } from "./ownerKit.ts";
import { slot } from "./ownerFlows.ts";
import { createFlow } from "../flowState.ts";
import { ownerExportMachine, ownerExportVersion } from "../../../machines/ownerExport.machine.ts";
import type { OwnerExportError } from "../../../machines/ownerExport.types.ts";

/** What the export screen needs besides the kit: the terms' version segments are read against, and the largest file it sends. */
export interface ExportParts {
  readonly context: SegmentContext;
  /** Default Telegram's 50 MB; a test lowers it to see a split. */
  readonly limitBytes?: number;
}

/** The periods of orders offered, in days. */
export const exportPeriods = [7, 30, 90] as const;
const formats: readonly ExportFormat[] = ["csv", "xlsx"];
const leadsKind = 0;
const ordersKind = 1;
/** Orders of the period typed, kept in the flow until a format is picked. */
const periodKind = 2;

function exportMenu(view: View, notice?: string): Screen {
  const keyboard = new InlineKeyboard().text(view.t("btn-export-leads"), b.encode("exk", leadsKind, 0)).text(view.t("btn-export-segment"), b.encode("exs")).row();
  for (const days of exportPeriods) keyboard.text(view.t("btn-export-orders", { days }), b.encode("exk", ordersKind, days));
  keyboard.row().text(view.t("btn-export-period"), b.encode("exr"));
  keyboard.row().text(view.t("btn-export-weekly"), b.encode("exw"));
  keyboard.row().text(view.t("btn-back"), b.encode("crm"));
  return { text: [notice, view.t("export-title")].filter(Boolean).join("\n\n"), keyboard };
}

function periodPrompt(view: View, error: OwnerExportError | null): Screen {
  const text = [error === null ? "" : view.t(`export-period-${error}`), view.t("export-period-prompt")].filter(Boolean).join("\n\n");
  return { text, keyboard: new InlineKeyboard().text(view.t("btn-cancel"), b.encode("exx")) };
}

function formatScreen(view: View, what: string, kind: number, arg: number): Screen {
  const keyboard = new InlineKeyboard();
  formats.forEach((format, n) => keyboard.text(view.t(`btn-export-${format}`), b.encode("exf", kind, arg, n)));
  keyboard.row().text(view.t("btn-back"), b.encode("exp"));
  return { text: view.t("export-format", { what }), keyboard };
}

/**
 * 📤 Export: leads (all, or a saved segment) and orders (the last 7, 30 or 90 days in the shop's
 * zone, or a period typed through machines/ownerExport.machine.ts) as CSV or XLSX, written to a temporary folder by adapters/export (streamed from the store,
 * formulas neutralised) and sent as documents; a file over Telegram's upload limit comes in parts,
 * and the owner is told so. The folder is removed once sent, or when it fails.
 */
export function exportScreen(kit: OwnerKit, parts: ExportParts): Composer<OwnerContext> {
  const composer = new Composer<OwnerContext>();
  const period = slot(createFlow(ownerExportMachine, ownerExportVersion, {}), "exportPeriod", (snapshot) => snapshot.value !== "idle");
  const open = async (ctx: OwnerContext, notice?: string): Promise<void> => {
    await kit.answer(ctx);
    await kit.show(ctx, exportMenu(kit.view(ctx), notice));
  };
  /** What `kind` and `arg` of a button stand for: the subject, its words, its file name; null for a segment deleted since. */
  const subjectOf = async (ctx: OwnerContext, kind: number, arg: number): Promise<{ subject: ExportSubject; what: string; name: string } | null> => {
    const day = kit.today();
    if (kind === periodKind) {
      const { from, to } = period.of(ctx).context;
      if (from === null || to === null) return null;
      const bounds = { from: dayBounds(from, kit.timeZone).start, to: dayBounds(to, kit.timeZone).end };
      return { subject: { kind: "orders", ...bounds }, what: ctx.t("export-what-period", { from, to }), name: `orders-${from}-${to}` };
    }
    if (kind === ordersKind) {
      const days = exportPeriods.find((d) => d === arg) ?? 7;
      const from = dayBounds(dayOf(kit.clock.now() - (days - 1) * 86_400_000, kit.timeZone), kit.timeZone).start;
      return { subject: { kind: "orders", from, to: kit.clock.now() + 1 }, what: ctx.t("export-what-orders", { days }), name: `orders-${days}d-${day}` };
    }
    if (arg === 0) return { subject: { kind: "leads", context: parts.context }, what: ctx.t("export-what-leads"), name: `leads-${day}` };
    const segment = (await kit.store.savedSegments()).find((s) => s.id === arg);
    if (segment === undefined) return null;
    return { subject: { kind: "leads", filter: segment.filter, context: parts.context }, what: ctx.t("export-what-segment", { name: escapeHtml(segment.name) }), name: `segment-${segment.id}-${day}` };
  };

  onButton(composer, "exp", (ctx) => open(ctx));
  onButton(composer, "exr", async (ctx) => {
    kit.dropInputFlows(ctx);
    await period.step(ctx, { type: "START" });
    await kit.answer(ctx);
    await kit.show(ctx, periodPrompt(kit.view(ctx), null));
  });
  onButton(composer, "exx", async (ctx) => {
    period.clear(ctx);
    return open(ctx);
  });
  composer.on("message:text", async (ctx, next) => {
    const waiting = period.of(ctx);
    if (waiting.value !== "awaitingPeriod") return next();
    const after = await period.step(ctx, { type: "TEXT", text: ctx.message.text }, waiting);
    const view = kit.view(ctx);
    if (after.value !== "chosen" || after.context.from === null || after.context.to === null) return kit.send(ctx, periodPrompt(view, after.context.error));
    await kit.send(ctx, formatScreen(view, ctx.t("export-what-period", { from: after.context.from, to: after.context.to }), periodKind, 0));
  });
  onButton(composer, "exs", async (ctx) => {
    const view = kit.view(ctx);
    const saved = await kit.store.savedSegments();
    if (saved.length === 0) return open(ctx, view.t("export-no-segments"));
    const keyboard = new InlineKeyboard();
    for (const segment of saved) keyboard.text(segment.name, b.encode("exk", leadsKind, segment.id)).row();
    keyboard.text(view.t("btn-back"), b.encode("exp"));
    await kit.answer(ctx);
    await kit.show(ctx, { text: view.t("export-pick-segment"), keyboard });
  });
  onButton(composer, "exk", async (ctx, [kind, arg]) => {
    const found = await subjectOf(ctx, kind, arg);
    if (found === null) return open(ctx, ctx.t(kind === periodKind ? "export-period-gone" : "export-segment-gone"));
    await kit.answer(ctx);
    await kit.show(ctx, formatScreen(kit.view(ctx), found.what, kind, arg));
  });
  onButton(composer, "exf", async (ctx, [kind, arg, n]) => {
    const format = formats[n];
    const found = await subjectOf(ctx, kind, arg);
    if (format === undefined || found === null) return open(ctx, ctx.t(kind === periodKind ? "export-period-gone" : "export-segment-gone"));
    await kit.answer(ctx, ctx.t("export-working"));
    await send(kit, ctx, found, format, parts.limitBytes ?? telegramUploadLimit);
  });
  return composer;
}

/** Writes the export and sends its files; tells the owner how many rows, and when it had to split. */
async function send(kit: OwnerKit, ctx: OwnerContext, found: { subject: ExportSubject; what: string; name: string }, format: ExportFormat, limitBytes: number): Promise<void> {
  const started = Date.now();
  let dir: string | null = null;
  try {
    await ctx.replyWithChatAction("upload_document").catch(() => undefined);
    const result = await writeExport(kit.store, found.subject, format, { name: found.name, limitBytes });
    dir = result.dir;
    const total = result.files.length;
    for (const [i, file] of result.files.entries()) {
      const caption = i > 0 ? ctx.t("export-part", { n: i + 1, total }) : [ctx.t("export-done", { what: found.what, rows: result.rows }), result.split ? ctx.t("export-split", { total, mb: Math.floor(limitBytes / 1024 / 1024) }) : ""].filter(Boolean).join("\n");
      await ctx.replyWithDocument(new InputFile(file, basename(file)), { caption, parse_mode: "HTML" });
    }
    kit.log.info("export_sent", { bot: "owner", kind: found.subject.kind, format, rows: result.rows, files: total, ms: Date.now() - started });
  } catch (error) {
    kit.log.error("export_failed", { bot: "owner", kind: found.subject.kind, format, ...describeError(error) });
    await ctx.reply(ctx.t("export-failed")).catch(() => undefined);
  } finally {
    if (dir !== null) await rm(dir, { recursive: true, force: true });
  }
}
