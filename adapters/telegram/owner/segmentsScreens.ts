import { InlineKeyboard } from "grammy";
import type { SavedSegment, SegmentFilter, Range } from "../../../actors/segments.port.ts";
import type { Lead } from "../../../actors/store.port.ts";
import { stageEmoji, stages } from "../../../machines/customer.types.ts";
import type { OwnerSegmentError, SegmentField } from "../../../machines/ownerSegment.types.ts";
import { clip, escapeHtml, formatDateTime, formatMoney } from "../format.ts";
import type { Screen, View } from "../screen.ts";
import { ownerButtons as b, tagHash } from "./ownerButtons.ts";
import { leadName } from "./ownerScreens.ts";

/** The typed fields in the order of their buttons' numbers (`sga`, `sgc`). */
export const segmentFields: readonly SegmentField[] = ["orders", "ltv", "firstSeen", "lastSeen", "sources"];
/** The yes/no conditions in the order of their buttons' numbers (`sgf`). */
export const segmentFlags = ["activity", "hasPhone", "consented", "blocked", "unsubscribed"] as const;
export type SegmentFlag = (typeof segmentFlags)[number];
/** The quick periods of first and last seen, in days. */
export const segmentDays = [7, 30, 90] as const;

/** What the builder's screen shows: the filter, its name, the count now, and a sample. */
export interface BuilderData {
  readonly filter: SegmentFilter;
  readonly name: string | null;
  readonly count: number;
  readonly sample: readonly Lead[];
  readonly currency: string;
  /** Whether a ✉️ hands the segment to a broadcast. */
  readonly canBroadcast: boolean;
}

const day = (view: View, at: number): string => formatDateTime(at, view.locale, view.timeZone).split(/,?\s/)[0] ?? "";

function rangeText(view: View, range: Range, show: (n: number) => string): string {
  if (range.min !== undefined && range.max !== undefined) return range.min === range.max ? show(range.min) : `${show(range.min)} – ${show(range.max)}`;
  if (range.min !== undefined) return view.t("seg-from", { value: show(range.min) });
  if (range.max !== undefined) return view.t("seg-to", { value: show(range.max) });
  return view.t("seg-any-value");
}

const flagValue = (filter: SegmentFilter, flag: SegmentFlag): string | null => {
  const value = filter[flag];
  if (value === undefined) return null;
  return typeof value === "boolean" ? (value ? "yes" : "no") : value;
};

/** Each condition set, one line each, escaped. */
export function conditionLines(view: View, filter: SegmentFilter, currency: string): string[] {
  const lines: string[] = [];
  const list = (items: readonly string[]): string => items.map((item) => escapeHtml(item)).join(", ");
  if (filter.stages?.length) lines.push(view.t("seg-line-stages", { stages: filter.stages.map((stage) => `${stageEmoji[stage]} ${view.t(`stage-${stage}`)}`).join(", ") }));
  for (const mode of ["any", "all", "none"] as const) {
    const tags = filter.tags?.[mode];
    if (tags?.length) lines.push(view.t(`seg-line-tags-${mode}`, { tags: list(tags) }));
  }
  if (filter.sources?.length) lines.push(view.t("seg-line-sources", { sources: list(filter.sources) }));
  if (filter.ordersCount) lines.push(view.t("seg-line-orders", { range: rangeText(view, filter.ordersCount, String) }));
  if (filter.lifetimeValue) lines.push(view.t("seg-line-ltv", { range: rangeText(view, filter.lifetimeValue, (n) => formatMoney(n, currency, view.locale)) }));
  if (filter.firstSeen) lines.push(view.t("seg-line-first", { range: rangeText(view, filter.firstSeen, (n) => day(view, n)) }));
  if (filter.lastSeen) lines.push(view.t("seg-line-last", { range: rangeText(view, filter.lastSeen, (n) => day(view, n)) }));
  for (const flag of segmentFlags) {
    const value = flagValue(filter, flag);
    if (value !== null) lines.push(view.t(`seg-line-${flag}-${value}`));
  }
  return lines;
}

function sampleLine(view: View, lead: Lead, index: number): string {
  const seen = lead.lastSeenAt === null ? view.t("none") : formatDateTime(lead.lastSeenAt, view.locale, view.timeZone);
  return `${index + 1}. ${stageEmoji[lead.stage]} ${leadName(lead)} — ${view.t(`stage-${lead.stage}`)} · ${seen}`;
}

const flagLabel = (view: View, filter: SegmentFilter, flag: SegmentFlag): string => view.t(`seg-btn-${flag}`, { value: view.t(`seg-state-${flagValue(filter, flag) ?? "off"}`) });

/** The builder: what is set, how many match now, five of them, and a button for each condition. */
export function builderScreen(view: View, data: BuilderData, notice?: string): Screen {
  const lines = conditionLines(view, data.filter, data.currency);
  const text = [
    notice,
    data.name === null ? view.t("seg-title-new") : view.t("seg-title", { name: escapeHtml(data.name) }),
    "",
    ...(lines.length > 0 ? lines.map((line) => `• ${line}`) : [view.t("seg-no-conditions")]),
    "",
    view.t("seg-count", { count: data.count }),
    ...(data.sample.length > 0 ? ["", view.t("seg-sample"), ...data.sample.map((lead, i) => sampleLine(view, lead, i))] : []),
  ].filter((line) => line !== undefined);
  const keyboard = new InlineKeyboard()
    .text(view.t("seg-btn-stages"), b.encode("sgstg")).text(view.t("seg-btn-tags"), b.encode("sgtg")).row()
    .text(flagLabel(view, data.filter, "activity"), b.encode("sgf", 0)).text(view.t("seg-btn-sources"), b.encode("sga", 4)).row()
    .text(view.t("seg-btn-orders"), b.encode("sga", 0)).text(view.t("seg-btn-ltv"), b.encode("sga", 1)).row()
    .text(view.t("seg-btn-first"), b.encode("sgtm", 0)).text(view.t("seg-btn-last"), b.encode("sgtm", 1)).row()
    .text(flagLabel(view, data.filter, "hasPhone"), b.encode("sgf", 1)).text(flagLabel(view, data.filter, "consented"), b.encode("sgf", 2)).row()
    .text(flagLabel(view, data.filter, "blocked"), b.encode("sgf", 3)).text(flagLabel(view, data.filter, "unsubscribed"), b.encode("sgf", 4)).row()
    .text(view.t("seg-btn-save"), b.encode("sgs"));
  if (data.canBroadcast) keyboard.text(view.t("seg-btn-broadcast"), b.encode("sgbc"));
  keyboard.row().text(view.t("seg-btn-clear"), b.encode("sgclr")).text(view.t("seg-btn-list"), b.encode("sgl")).row().text(view.t("btn-back"), b.encode("crm"));
  return { text: text.join("\n"), keyboard };
}

/** The stages as toggles. */
export function stagesScreen(view: View, filter: SegmentFilter): Screen {
  const keyboard = new InlineKeyboard();
  stages.forEach((stage, i) => {
    const on = filter.stages?.includes(stage) ?? false;
    keyboard.text(`${on ? "✅" : "▫️"} ${stageEmoji[stage]} ${view.t(`stage-${stage}`)}`, b.encode("sgst", i));
    if (i % 2 === 1) keyboard.row();
  });
  return { text: view.t("seg-stages-title"), keyboard: keyboard.row().text(view.t("seg-btn-done"), b.encode("sgv")) };
}

/** The tags offered (the owner's set and those in the filter), each cycling off → any → all → none. */
export function tagsScreen(view: View, filter: SegmentFilter, tags: readonly string[]): Screen {
  const keyboard = new InlineKeyboard();
  for (const tag of tags.slice(0, 40)) {
    const mode = (["any", "all", "none"] as const).find((m) => filter.tags?.[m]?.includes(tag));
    keyboard.text(`${mode === undefined ? "▫️" : view.t(`seg-tag-${mode}`)} ${clip(tag, 32)}`, b.encode("sgt", tagHash(tag))).row();
  }
  return { text: view.t("seg-tags-title"), keyboard: keyboard.text(view.t("seg-btn-done"), b.encode("sgv")) };
}

/** First or last seen: the quick periods, typed dates, or no condition. */
export function timeScreen(view: View, which: 0 | 1): Screen {
  const keyboard = new InlineKeyboard();
  for (const days of segmentDays) keyboard.text(view.t("seg-days", { days }), b.encode("sgd", which, days));
  keyboard.row().text(view.t("seg-btn-type-dates"), b.encode("sga", which === 0 ? 2 : 3)).text(view.t("seg-btn-remove"), b.encode("sgc", which === 0 ? 2 : 3));
  return { text: view.t(which === 0 ? "seg-first-title" : "seg-last-title"), keyboard: keyboard.row().text(view.t("btn-back"), b.encode("sgv")) };
}

/** Asks for a typed value (a range, dates, sources) or a name, with why the last one was refused. */
export function promptScreen(view: View, field: SegmentField | "name", error: OwnerSegmentError | null, extra: Record<string, string | number> = {}): Screen {
  const hint = error === null ? null : view.t(`seg-error-${error}`, extra);
  const keyboard = new InlineKeyboard().text(view.t("seg-btn-cancel"), b.encode("sgx"));
  if (field !== "name") keyboard.text(view.t("seg-btn-remove"), b.encode("sgc", segmentFields.indexOf(field)));
  return { text: [hint, view.t(`seg-ask-${field}`, extra)].filter((line) => line !== null).join("\n\n"), keyboard };
}

/** 📂 The saved segments with their counts now: open one, delete one, or build a new one. */
export function savedScreen(view: View, saved: readonly { readonly segment: SavedSegment; readonly count: number }[], notice?: string): Screen {
  const keyboard = new InlineKeyboard();
  for (const { segment, count } of saved.slice(0, 30)) {
    keyboard.text(`🎯 ${clip(segment.name, 40)} (${count})`, b.encode("sgop", segment.id)).text("🗑", b.encode("sgdel", segment.id)).row();
  }
  keyboard.text(view.t("seg-btn-new"), b.encode("sgo")).row().text(view.t("btn-back"), b.encode("crm"));
  const text = [notice, view.t("seg-saved-title"), ...(saved.length === 0 ? [view.t("seg-saved-none")] : [])].filter((line) => line !== undefined);
  return { text: text.join("\n"), keyboard };
}

/** Asks before a saved segment is deleted. */
export function deleteScreen(view: View, segment: SavedSegment): Screen {
  const keyboard = new InlineKeyboard().text(view.t("seg-btn-delete-yes"), b.encode("sgdok", segment.id)).text(view.t("seg-btn-cancel"), b.encode("sgl"));
  return { text: view.t("seg-delete-ask", { name: escapeHtml(segment.name) }), keyboard };
}
