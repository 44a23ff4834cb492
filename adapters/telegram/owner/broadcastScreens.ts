import { InlineKeyboard } from "grammy";
import type { InlineKeyboardButton, MessageEntity } from "grammy/types";
import type { BroadcastProgress, BroadcastReport } from "../../../actors/broadcasts.port.ts";
import type { SavedSegment } from "../../../actors/segments.port.ts";
import type { ProductRow } from "../../../actors/catalogStore.port.ts";
import type { BroadcastDraft, ComposeError, DraftButton, MessageProblem } from "../../../machines/ownerBroadcast.types.ts";
import { clip, escapeHtml, formatDateTime, formatMoney } from "../format.ts";
import type { Screen, View } from "../screen.ts";
import { ownerButtons as b } from "./ownerButtons.ts";
import { bar } from "./ownerScreens.ts";
import { broadcastKeyboard } from "../shop/shopBroadcastDelivery.ts";
import type { Language } from "../../../machines/customer.types.ts";

/**
 * The owner's broadcast screens, pure: composing (each step and why an input was refused), the
 * preview as customers see it, the live progress, the report and the list. Whatever the owner or a
 * customer typed is escaped here.
 */

const cancelRow = (view: View, keyboard: InlineKeyboard): InlineKeyboard => keyboard.row().text(view.t("btn-cancel"), b.encode("bcx"));
const date = (view: View, at: number): string => formatDateTime(at, view.locale, view.timeZone);

/** Where an entity starts, as the owner counts: the 1-based character (code point) of its UTF-16 offset. */
const positionOf = (text: string, offset: number): number => [...text.slice(0, Math.max(0, offset))].length + 1;

function problemText(view: View, problem: MessageProblem, text: string): string {
  if (problem.kind === "empty" || problem.kind === "not_text") return view.t(`bc-problem-${problem.kind}`);
  if (problem.kind === "too_long") return view.t("bc-problem-too_long", { length: problem.length, max: problem.max });
  const vars = { type: escapeHtml(problem.type), position: positionOf(text, problem.offset), fragment: escapeHtml(clip(text.slice(problem.offset, problem.offset + problem.length), 30)) };
  if (problem.kind === "entity_overlap") return view.t("bc-problem-entity_overlap", { ...vars, other: escapeHtml(problem.other), otherPosition: positionOf(text, problem.otherOffset) });
  return view.t(`bc-problem-${problem.kind}`, vars);
}

/** Why a step was refused, in the owner's words; `text` is the refused message, for where its entity is. */
export function composeErrorText(view: View, error: ComposeError, text = ""): string {
  if (error.kind === "message") return `⚠️ ${problemText(view, error.problem, text)}`;
  return `⚠️ ${view.t(`bc-error-${error.kind}`, { zone: view.timeZone })}`;
}

const withError = (view: View, body: string, error: ComposeError | null, text?: string): string => (error ? `${composeErrorText(view, error, text)}\n\n${body}` : body);

/** ✍️ The first question: the message, with why the last one was refused. */
export function writeScreen(view: View, error: ComposeError | null = null, refused?: string): Screen {
  return { text: withError(view, view.t("bc-write"), error, refused), keyboard: cancelRow(view, new InlineKeyboard()) };
}

/** The message is taken: a button under it? (a product, the catalog, a link, or none) */
export function buttonScreen(view: View, photoAllowed: boolean): Screen {
  const keyboard = new InlineKeyboard()
    .text(view.t("bc-btn-none"), b.encode("bcbtn", 0))
    .row()
    .text(view.t("bc-btn-product"), b.encode("bcbtn", 3))
    .text(view.t("bc-btn-catalog"), b.encode("bcbtn", 1))
    .text(view.t("bc-btn-url"), b.encode("bcbtn", 2))
    .row()
    .text(view.t("bc-btn-edit-text"), b.encode("bcedit", 0));
  return { text: `${view.t("bc-message-ok")}${photoAllowed ? "" : `\n${view.t("bc-photo-off")}`}\n\n${view.t("bc-button-ask")}`, keyboard: cancelRow(view, keyboard) };
}

/** A link button: `Label https://…`, with why the last one was refused. */
export function urlScreen(view: View, error: ComposeError | null = null): Screen {
  const keyboard = new InlineKeyboard().text(view.t("bc-btn-none"), b.encode("bcbtn", 0));
  return { text: withError(view, view.t("bc-url-ask"), error), keyboard: cancelRow(view, keyboard) };
}

/** The products a button may open: those the customers see, the first 24. */
export function productsScreen(view: View, products: readonly ProductRow[]): Screen {
  const keyboard = new InlineKeyboard();
  for (const product of products.filter((row) => !row.hidden).slice(0, 24)) keyboard.text(clip(product.title, 40), b.encode("bcprod", product.id)).row();
  keyboard.text(view.t("btn-back"), b.encode("bcedit", 2));
  return { text: view.t(products.length === 0 ? "bc-products-none" : "bc-products-ask"), keyboard: cancelRow(view, keyboard) };
}

/** The audiences offered, each with its recipients now. */
export interface AudienceChoice {
  readonly everyone: number;
  readonly saved: readonly { readonly segment: SavedSegment; readonly count: number }[];
}

/** 👥 Who gets it: everyone subscribed, or a saved segment, with counts; why the last one was refused. */
export function audienceScreen(view: View, choice: AudienceChoice, error: ComposeError | null = null): Screen {
  const keyboard = new InlineKeyboard().text(view.t("bc-aud-all", { count: choice.everyone }), b.encode("bcaud", 0, 0)).row();
  for (const { segment, count } of choice.saved.slice(0, 20)) keyboard.text(`👥 ${clip(segment.name, 40)} (${count})`, b.encode("bcaud", 1, segment.id)).row();
  keyboard.text(view.t("bc-btn-edit-text"), b.encode("bcedit", 0));
  return { text: withError(view, view.t("bc-audience-ask"), error), keyboard: cancelRow(view, keyboard) };
}

/** ✅ Under the preview: the audience and its count, now, in an hour, tomorrow at 10:00, or a typed time. */
export function confirmScreen(view: View, audience: string, count: number, error: ComposeError | null = null): Screen {
  const keyboard = new InlineKeyboard()
    .text(view.t("bc-send-now"), b.encode("bcgo", 0))
    .row()
    .text(view.t("bc-send-hour"), b.encode("bcgo", 1))
    .text(view.t("bc-send-tomorrow"), b.encode("bcgo", 2))
    .row()
    .text(view.t("bc-btn-edit-text"), b.encode("bcedit", 0))
    .text(view.t("bc-btn-edit-audience"), b.encode("bcedit", 1));
  return { text: withError(view, view.t("bc-confirm", { audience: escapeHtml(audience), count, zone: view.timeZone }), error), keyboard: cancelRow(view, keyboard) };
}

/** The message exactly as a customer gets it: its text and entities, its photo, its button, and "Unsubscribe". */
export interface PreviewMessage {
  readonly text: string;
  readonly entities: MessageEntity[];
  readonly photo: string | null;
  readonly keyboard: InlineKeyboard;
}

/**
 * The customer's keyboard of a broadcast, built by the shop bot's own `broadcastKeyboard` (its one
 * button, then "Unsubscribe", in `language`); in the owner's chat a button that would call the shop
 * bot only answers that it is a preview, and a URL opens as it will for customers.
 */
export function previewMessage(draft: BroadcastDraft, button: DraftButton | null, language: Language): PreviewMessage {
  const customers = broadcastKeyboard({ text: draft.text, entities: draft.entities, photo: draft.photo, button }, language);
  const rows = customers.inline_keyboard.map((row) => row.map((key): InlineKeyboardButton => ("url" in key ? key : { text: key.text, callback_data: b.encode("bcprev") })));
  return { text: draft.text, entities: draft.entities.map((entity) => ({ ...entity }) as MessageEntity), photo: draft.photo, keyboard: new InlineKeyboard(rows) };
}

const statusEmoji: Readonly<Record<BroadcastProgress["status"], string>> = { scheduled: "🕒", sending: "📤", paused: "⏸", finished: "✅", cancelled: "✖️" };

function progressLines(view: View, progress: BroadcastProgress): string[] {
  const done = progress.total - progress.left;
  const ratio = progress.total > 0 ? done / progress.total : 0;
  const lines = [
    view.t("bc-progress-title", { emoji: statusEmoji[progress.status], id: progress.id, status: view.t(`bc-status-${progress.status}`) }),
    `${bar(ratio)} ${Math.floor(ratio * 100)}%`,
    view.t("bc-progress-counts", { sent: progress.sent, left: progress.left, blocked: progress.blocked, failed: progress.failed, total: progress.total }),
  ];
  if (progress.skipped > 0) lines.push(view.t("bc-progress-skipped", { skipped: progress.skipped }));
  if (progress.status === "scheduled") lines.push(view.t("bc-progress-starts", { at: date(view, progress.startAt) }));
  if (progress.eta !== null && progress.status === "sending") lines.push(view.t("bc-progress-eta", { at: date(view, progress.eta) }));
  if (progress.pausedUntil !== null) lines.push(view.t("bc-progress-rate-limited", { at: date(view, progress.pausedUntil) }));
  return lines;
}

function reportLines(view: View, report: BroadcastReport, currency: string): string[] {
  const failures = Object.entries(report.failures).map(([reason, count]) => view.t("bc-report-failure", { reason: escapeHtml(clip(reason, 80)), count }));
  return [
    view.t("bc-progress-title", { emoji: statusEmoji[report.status], id: report.id, status: view.t(`bc-status-${report.status}`) }),
    view.t("bc-report-delivered", { sent: report.sent, total: report.total }),
    view.t("bc-report-blocked", { blocked: report.blocked }),
    view.t("bc-report-failed", { failed: report.failed }),
    ...failures,
    ...(report.skipped > 0 ? [view.t("bc-progress-skipped", { skipped: report.skipped })] : []),
    ...(report.left > 0 ? [view.t("bc-report-left", { left: report.left })] : []),
    ...(report.inFlightAtCrashes > 0 ? [view.t("bc-report-twice", { count: report.inFlightAtCrashes })] : []),
    view.t("bc-report-orders", { orders: report.orders, revenue: formatMoney(report.revenue, currency, view.locale) }),
  ];
}

/**
 * A broadcast's message: its live progress with ⏸ ▶️ ✖️ for the moves it takes now (✖️ asks first:
 * `confirmCancel`), or, once it ended, its report.
 */
export function progressScreen(view: View, progress: BroadcastProgress, report: BroadcastReport | null, currency: string, confirmCancel = false): Screen {
  const keyboard = new InlineKeyboard();
  if (report) return { text: reportLines(view, report, currency).join("\n"), keyboard: keyboard.text(view.t("bc-list"), b.encode("bcl")) };
  const lines = progressLines(view, progress);
  if (confirmCancel) {
    keyboard.text(view.t("bc-cancel-yes"), b.encode("bccok", progress.id)).text(view.t("bc-cancel-no"), b.encode("bco", progress.id));
    return { text: [...lines, "", view.t("bc-cancel-ask")].join("\n"), keyboard };
  }
  if (progress.status === "sending") keyboard.text(view.t("bc-pause"), b.encode("bcpau", progress.id));
  if (progress.status === "paused") keyboard.text(view.t("bc-resume"), b.encode("bcres", progress.id));
  keyboard.text(view.t("bc-cancel"), b.encode("bccan", progress.id)).row();
  keyboard.text(view.t("bc-refresh"), b.encode("bco", progress.id)).text(view.t("bc-list"), b.encode("bcl"));
  return { text: lines.join("\n"), keyboard };
}

/** 📣 the recent broadcasts, each opening its progress or report, and a new one. */
export function broadcastsScreen(view: View, recent: readonly BroadcastProgress[]): Screen {
  const keyboard = new InlineKeyboard().text(view.t("bc-new"), b.encode("bcnew")).row();
  for (const progress of recent) {
    keyboard.text(`${statusEmoji[progress.status]} ${date(view, progress.startAt)} · ${progress.sent}/${progress.total}`, b.encode("bco", progress.id)).row();
  }
  keyboard.text(view.t("btn-menu"), b.encode("menu"));
  return { text: view.t(recent.length === 0 ? "bc-list-empty" : "bc-list-title"), keyboard };
}
