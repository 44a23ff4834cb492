import { rm } from "node:fs/promises";
import { basename } from "node:path";
import { Composer, GrammyError, InlineKeyboard, InputFile, type Api } from "grammy";
import { dayOf } from "../../../actors/calendar.ts";
import { describeError } from "../../../actors/log.port.ts";
import type { SegmentContext } from "../../../actors/segments.port.ts";
import type { ExportSubject } from "../../export/cells.ts";
import { telegramUploadLimit, writeExport } from "../../export/exportFile.ts";
import type { Screen, View } from "../screen.ts";
import { ownerButtons as b } from "./ownerButtons.ts";
import type { OwnerContext } from "./ownerContext.ts";
import { onButton, type OwnerKit } from "./ownerKit.ts";
import { setWeeklyExport, weeklyExportOwners, type ExportWeek } from "./weeklyExport.ts";

/** The date of a Monday as the owner reads it, e.g. "пн, 7 декабря". */
const mondayText = (view: View, monday: string): string =>
  new Intl.DateTimeFormat(view.locale, { weekday: "short", day: "numeric", month: "long", timeZone: "UTC" }).format(Date.parse(`${monday}T12:00:00Z`));

/** The screen: on or off, at which hour, and after turning it on the Monday of the first export. */
function weeklyScreen(view: View, hour: number, state: { readonly on: boolean; readonly first?: string }): Screen {
  const keyboard = new InlineKeyboard()
    .text(view.t(state.on ? "btn-weekly-off" : "btn-weekly-on"), b.encode("exwt", !state.on))
    .row()
    .text(view.t("btn-back"), b.encode("exp"));
  const lines = [view.t("weekly-title"), view.t(state.on ? "weekly-on" : "weekly-off", { hour: String(hour).padStart(2, "0") })];
  if (state.first !== undefined) lines.push(view.t("weekly-first", { first: mondayText(view, state.first) }));
  return { text: lines.join("\n\n"), keyboard };
}

/**
 * 📤 → 📅 Каждый понедельник: turns the weekly export on or off for the owner who presses it. The
 * sending is weeklyExport.ts's scheduler, through {@link sendWeeklyExport}, from `hour` on Mondays.
 */
export function weeklyExportScreen(kit: OwnerKit, parts: { readonly hour: number }): Composer<OwnerContext> {
  const composer = new Composer<OwnerContext>();
  onButton(composer, "exw", async (ctx) => {
    const on = (await weeklyExportOwners(kit.store)).has(ctx.from?.id ?? 0);
    await kit.answer(ctx);
    await kit.show(ctx, weeklyScreen(kit.view(ctx), parts.hour, { on }));
  });
  onButton(composer, "exwt", async (ctx, [on]) => {
    const ownerId = ctx.from?.id ?? 0;
    const first = await setWeeklyExport(kit.store, ownerId, on, kit.clock.now(), kit.timeZone);
    kit.log.info("weekly_export_set", { ownerId, on });
    await kit.answer(ctx, ctx.t(on ? "weekly-turned-on" : "weekly-turned-off"));
    await kit.show(ctx, weeklyScreen(kit.view(ctx), parts.hour, first === null ? { on: false } : { on: true, first }));
  });
  return composer;
}

export interface WeeklyExportDeps {
  readonly api: Api;
  readonly viewFor: (ownerId: number) => Promise<View>;
  readonly context: SegmentContext;
  readonly limitBytes?: number;
}

/**
 * The weekly export to one owner: every lead, and the orders of the week before `week.week`, as
 * XLSX documents (in parts over Telegram's limit). An owner who blocked the bot is logged and not
 * retried; anything else is thrown, and the scheduler tries again.
 */
export async function sendWeeklyExport(kit: OwnerKit, deps: WeeklyExportDeps, ownerId: number, week: ExportWeek): Promise<void> {
  const view = await deps.viewFor(ownerId);
  const from = dayOf(week.from, kit.timeZone);
  const through = dayOf(week.to - 1, kit.timeZone);
  const subjects: { subject: ExportSubject; what: string; name: string }[] = [
    { subject: { kind: "leads", context: deps.context }, what: view.t("export-what-leads"), name: `leads-${week.week}` },
    { subject: { kind: "orders", from: week.from, to: week.to }, what: view.t("export-what-period", { from, to: through }), name: `orders-${from}-${through}` },
  ];
  try {
    await deps.api.sendMessage(ownerId, view.t("weekly-header", { from, to: through }), { parse_mode: "HTML" });
    for (const found of subjects) await sendFiles(kit, deps, view, ownerId, found);
  } catch (error) {
    if (!(error instanceof GrammyError && (error.error_code === 403 || error.error_code === 400))) throw error;
    kit.log.warn("weekly_export_unreachable", { ownerId, week: week.week, ...describeError(error) });
  }
}

async function sendFiles(kit: OwnerKit, deps: WeeklyExportDeps, view: View, ownerId: number, found: { subject: ExportSubject; what: string; name: string }): Promise<void> {
  const limitBytes = deps.limitBytes ?? telegramUploadLimit;
  const result = await writeExport(kit.store, found.subject, "xlsx", { name: found.name, limitBytes });
  try {
    const total = result.files.length;
    for (const [i, file] of result.files.entries()) {
      const caption = i > 0 ? view.t("export-part", { n: i + 1, total }) : [view.t("export-done", { what: found.what, rows: result.rows }), result.split ? view.t("export-split", { total, mb: Math.floor(limitBytes / 1024 / 1024) }) : ""].filter(Boolean).join("\n");
      await deps.api.sendDocument(ownerId, new InputFile(file, basename(file)), { caption, parse_mode: "HTML" });
    }
  } finally {
    await rm(result.dir, { recursive: true, force: true });
  }
}
