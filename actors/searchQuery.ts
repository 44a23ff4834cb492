import type { Lead } from "./store.port.ts";

/**
 * Search works on words, made the same way for every store: lower case, Latin diacritics removed
 * (é → e, as SQLite's `remove_diacritics 2` does; Cyrillic й and ё stay themselves), and split
 * between letters and digits, so that `smirnov740` is the words `smirnov` and `740`.
 */
export function searchWordsOf(text: string): string[] {
  return text
    .normalize("NFD")
    .replace(/(\p{Script=Latin})\p{M}+/gu, "$1")
    .normalize("NFC")
    .toLocaleLowerCase()
    .replace(/(\p{L})(?=\p{N})|(\p{N})(?=\p{L})/gu, "$1$2 ")
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
}

/**
 * The words a phone is found by: all its digits, and its last 10, 7 and 4, so that
 * "+7 (999) 123", "9991234567" and "4567" all find "+79991234567".
 */
export function phoneSearchTokens(phone: string | null): string[] {
  const digits = (phone ?? "").replace(/\D/g, "");
  return digits.length === 0 ? [] : [digits, digits.slice(-10), digits.slice(-7), digits.slice(-4)];
}

/** Everything a lead is found by, as one line of words: username, name, phone, the text of notes, tags. */
export function leadSearchText(lead: Pick<Lead, "username" | "name" | "phone" | "notes" | "tags">): string {
  return [
    ...searchWordsOf(lead.username ?? ""),
    ...searchWordsOf(lead.name ?? ""),
    ...phoneSearchTokens(lead.phone),
    ...lead.notes.flatMap((note) => searchWordsOf(note.text)),
    ...lead.tags.flatMap(searchWordsOf),
  ].join(" ");
}

/** How a free-text owner query is read, the same way by every store. */
export interface SearchQuery {
  /** Set when the whole query is a plausible Telegram user id. */
  readonly userId: number | null;
  /** Words, each matched as the start of a word; all must match. */
  readonly terms: readonly string[];
}

const phoneLike = /^\+?[\d\s()-]{5,}$/;

export function parseSearchQuery(raw: string): SearchQuery {
  const query = raw.trim().slice(0, 200);
  const digitsOnly = /^\d{1,15}$/.test(query);
  const userId = digitsOnly && Number.isSafeInteger(Number(query)) && Number(query) > 0 ? Number(query) : null;
  if (phoneLike.test(query)) return { userId, terms: [query.replace(/\D/g, "")] };
  return { userId, terms: searchWordsOf(query).slice(0, 8) };
}
