import type { BroadcastDraft, ComposeError, DraftButton, DraftEntity, MessageProblem } from "./ownerBroadcast.types.ts";

/**
 * Telegram's rules for a message a bot sends, checked before the owner's broadcast is accepted, so
 * that a bad message is refused with where it is wrong, never by a Telegram error at the 1,000th
 * recipient. Pure: offsets and lengths are UTF-16 code units, as Telegram counts them.
 */

/** Telegram's limits: a text message, and a photo's caption. */
export const maxTextLength = 4096;
export const maxCaptionLength = 1024;
/** A button's label, as the owner types it. */
export const maxButtonText = 64;
/** How far ahead a broadcast may be set. */
export const maxScheduleAheadMs = 90 * 24 * 3600_000;

/** Formatting that may contain, and be part of, any entity but `code` and `pre`. */
const formatting = new Set(["bold", "italic", "underline", "strikethrough", "spoiler"]);
const quotes = new Set(["blockquote", "expandable_blockquote"]);
const known = new Set([
  ...formatting,
  ...quotes,
  "mention",
  "hashtag",
  "cashtag",
  "bot_command",
  "url",
  "email",
  "phone_number",
  "code",
  "pre",
  "text_link",
  "text_mention",
  "custom_emoji",
]);

/** An http(s) URL with a host (or, in a text link, a tg:// one), as Telegram takes in a text link or a button. */
export function isSendableUrl(text: string, allowTg = false): boolean {
  if (text.length > 2048 || /\s/.test(text)) return false;
  try {
    const url = new URL(text);
    return (url.protocol === "https:" || url.protocol === "http:" ? url.hostname.includes(".") || url.hostname === "localhost" : allowTg && url.protocol === "tg:") && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** Whether `inner` lies wholly inside `outer` (or they cover the same span). */
const within = (inner: DraftEntity, outer: DraftEntity): boolean => inner.offset >= outer.offset && inner.offset + inner.length <= outer.offset + outer.length;
const crosses = (a: DraftEntity, b: DraftEntity): boolean => a.offset < b.offset + b.length && b.offset < a.offset + a.length;

/** Whether two overlapping entities may nest as Telegram allows. */
function mayNest(a: DraftEntity, b: DraftEntity): boolean {
  if (!within(a, b) && !within(b, a)) return false;
  if (a.type === "code" || a.type === "pre" || b.type === "code" || b.type === "pre") return false;
  if (quotes.has(a.type) && quotes.has(b.type)) return false;
  return formatting.has(a.type) || formatting.has(b.type) || quotes.has(a.type) || quotes.has(b.type);
}

function entityProblem(entity: DraftEntity, textLength: number): MessageProblem | null {
  const at = { type: entity.type, offset: entity.offset, length: entity.length };
  if (!Number.isSafeInteger(entity.offset) || !Number.isSafeInteger(entity.length) || entity.offset < 0 || entity.length < 1 || entity.offset + entity.length > textLength) return { kind: "entity_range", ...at };
  if (!known.has(entity.type)) return { kind: "entity_type", ...at };
  if (entity.type === "text_link" && !isSendableUrl(entity.url ?? "", true)) return { kind: "entity_url", ...at };
  return null;
}

/**
 * The first reason Telegram would refuse this message, or null: no text (a photo needs its caption, which customers read), over its limit (a
 * caption's is 1,024), or an entity out of the text, of an unknown type, a text link without a
 * usable URL, or two entities overlapping in a way Telegram refuses (crossing, or nesting `code`,
 * `pre`, quotes in quotes, or two links).
 */
export function messageProblem(draft: BroadcastDraft): MessageProblem | null {
  const max = draft.photo === null ? maxTextLength : maxCaptionLength;
  if (draft.text.trim() === "") return { kind: "empty" };
  if (draft.text.length > max) return { kind: "too_long", length: draft.text.length, max };
  for (const entity of draft.entities) {
    const problem = entityProblem(entity, draft.text.length);
    if (problem) return problem;
  }
  const sorted = [...draft.entities].sort((a, b) => a.offset - b.offset || b.length - a.length);
  for (const [index, entity] of sorted.entries()) {
    for (const other of sorted.slice(index + 1)) {
      if (other.offset >= entity.offset + entity.length) break;
      if (crosses(entity, other) && !mayNest(entity, other)) {
        return { kind: "entity_overlap", type: other.type, offset: other.offset, length: other.length, other: entity.type, otherOffset: entity.offset };
      }
    }
  }
  return null;
}

/** `Label https://…` (the URL last) as a URL button, or why not. */
export function urlButtonOf(text: string): { readonly button: DraftButton } | { readonly error: ComposeError } {
  const words = text.trim().split(/\s+/);
  const url = words.pop() ?? "";
  const label = words.join(" ").trim();
  if (!isSendableUrl(url)) return { error: { kind: "button_url" } };
  if (label === "" || [...label].length > maxButtonText) return { error: { kind: "button_text" } };
  return { button: { kind: "url", url, text: label } };
}

/** Why a broadcast cannot go at `at` (null: now), or null. */
export function timeProblem(at: number | null, now: number): ComposeError | null {
  if (at === null) return null;
  if (at <= now) return { kind: "time_past" };
  if (at - now > maxScheduleAheadMs) return { kind: "time_far" };
  return null;
}
