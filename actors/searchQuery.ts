/** How a free-text owner query is read, the same way by every store. */
export interface SearchQuery {
  /** Set when the whole query is a plausible Telegram user id. */
  readonly userId: number | null;
  /** Lower-cased words, each matched as a prefix; all must match. */
  readonly terms: readonly string[];
}

/** Lower case without diacritics, the way SQLite's `unicode61 remove_diacritics 2` folds words. */
export const foldText = (text: string): string => text.normalize("NFD").replace(/\p{M}/gu, "").toLocaleLowerCase();

const phoneLike = /^\+?[\d\s()-]{5,}$/;

export function parseSearchQuery(raw: string): SearchQuery {
  const query = raw.trim().slice(0, 200);
  const digitsOnly = /^\d{1,15}$/.test(query);
  const userId = digitsOnly && Number.isSafeInteger(Number(query)) && Number(query) > 0 ? Number(query) : null;
  if (phoneLike.test(query)) return { userId, terms: [query.replace(/\D/g, "")] };
  const terms = foldText(query)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((term) => term.length > 0)
    .slice(0, 8);
  return { userId, terms };
}

/**
 * The words a phone is found by, in every store: all its digits, and its last 10, 7 and 4, so that
 * "+7 (999) 123", "9991234567" and "4567" all find "+79991234567".
 */
export function phoneSearchTokens(phone: string | null): string[] {
  const digits = (phone ?? "").replace(/[+\s()-]/g, "");
  return digits.length === 0 ? [] : [digits, digits.slice(-10), digits.slice(-7), digits.slice(-4)];
}
