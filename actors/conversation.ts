import type { StoredMessage } from "./store.port.ts";

/** The longest message text the CRM keeps, in UTF-16 code units. */
export const maxMessageChars = 2000;
/** Telegram's limit on one message's text. */
export const telegramMessageLimit = 4096;

/** Cuts text to `max` code units without splitting a surrogate pair (an emoji never becomes half a character). */
export function truncateText(text: string, max: number = maxMessageChars): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  const cut = last >= 0xd800 && last <= 0xdbff ? max - 1 : max;
  return text.slice(0, cut);
}

export interface ChatTurn {
  readonly role: "user" | "assistant";
  readonly content: string;
}

/**
 * The newest messages that fit in `budget` characters, oldest first. A message that does not fit
 * whole is left out rather than cut mid-thought.
 */
export function recentWithin(messages: readonly StoredMessage[], budget: number): StoredMessage[] {
  const kept: StoredMessage[] = [];
  let used = 0;
  for (const message of [...messages].sort((a, b) => a.at - b.at || a.id - b.id).reverse()) {
    if (used + message.text.length > budget) break;
    used += message.text.length;
    kept.push(message);
  }
  return kept.reverse();
}

/** The conversation for an AI context: oldest first, as chat roles, the newest turns within `budget` characters. */
export function formatMessagesForAi(messages: readonly StoredMessage[], budget = 6000): ChatTurn[] {
  return recentWithin(messages, budget).map((message) => ({ role: message.direction === "in" ? "user" : "assistant", content: message.text }));
}

const htmlEscapes: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

/** Escapes text for Telegram's HTML parse mode. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"]/g, (char) => htmlEscapes[char] ?? char);

/** Splits escaped HTML text into pieces of at most `limit`, never inside an entity or a surrogate pair. */
function splitEscaped(text: string, limit: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    let cut = limit;
    const amp = rest.lastIndexOf("&", cut - 1);
    if (amp >= 0 && rest.indexOf(";", amp) >= cut) cut = amp;
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  pieces.push(rest);
  return pieces;
}

export interface DisplayOptions {
  readonly timeZone: string;
  readonly locale?: string;
  /** Keep each page under this many characters; Telegram allows 4096. */
  readonly limit?: number;
}

/**
 * The conversation for the owner in Telegram (HTML parse mode): oldest first, each line stamped and
 * marked in (👤) or out (🤖), text escaped, split into pages that each fit one Telegram message.
 */
export function formatMessagesForDisplay(messages: readonly StoredMessage[], options: DisplayOptions): string[] {
  const limit = options.limit ?? telegramMessageLimit - 96;
  const stamp = new Intl.DateTimeFormat(options.locale ?? "ru-RU", {
    timeZone: options.timeZone,
    day: "2-digit",
    month: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  });
  const pages: string[] = [];
  let page = "";
  for (const message of [...messages].sort((a, b) => a.at - b.at || a.id - b.id)) {
    const mark = message.direction === "in" ? "👤" : message.type === "ai_response" ? "🤖" : "💬";
    const entry = `<i>${escapeHtml(stamp.format(message.at))}</i> ${mark} ${escapeHtml(message.text)}`;
    for (const piece of splitEscaped(entry, limit)) {
      if (page.length > 0 && page.length + 2 + piece.length > limit) {
        pages.push(page);
        page = "";
      }
      page = page.length === 0 ? piece : `${page}\n\n${piece}`;
    }
  }
  if (page.length > 0) pages.push(page);
  return pages;
}
