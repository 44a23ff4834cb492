/**
 * What an owner may write into a catalog field, typed in the owner bot or in a cell of an imported
 * file: one set of rules, so that the bot, a CSV and a JSON document refuse the same things with
 * the same reasons. The limits are those of the catalog file (docs/catalog.md).
 */

/** Why a value was refused; the owner bot and the import turn each into a sentence. */
export type FieldError =
  | { readonly code: "empty" }
  | { readonly code: "too_long"; readonly max: number; readonly length: number }
  | { readonly code: "not_id" }
  | { readonly code: "price_not_number" }
  | { readonly code: "price_not_positive" }
  | { readonly code: "price_decimals" }
  | { readonly code: "price_too_large" }
  | { readonly code: "stock_not_whole" }
  | { readonly code: "stock_negative" }
  | { readonly code: "stock_too_large" }
  | { readonly code: "photo_invalid" };

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: FieldError };

/** The catalog's limits, in UTF-16 units as Telegram counts them. */
export const catalogLimits = {
  /** A product's title. */
  title: 100,
  /** A product's description: short enough to fit under a photo with the title and price. */
  description: 900,
  /** A category's title, on its button. */
  categoryTitle: 64,
  /** The highest price: 999 999 999.99. */
  price: 999_999_999.99,
  /** The highest stock count. */
  stock: 1_000_000_000,
} as const;

/** What an id looks like: it travels in buttons' callback data (64 bytes). */
export const catalogIdPattern = /^[A-Za-z0-9_-]{1,24}$/;

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const fail = <T>(error: FieldError): Checked<T> => ({ ok: false, error });

/** Any run of whitespace, line breaks included, as one space: a title is one line. */
const oneLine = (text: string): string => text.replace(/\s+/gu, " ").trim();

/** A title of 1 to `max` characters, on one line. Text is kept as written (HTML and formulas too): screens escape it. */
export function checkTitle(text: string, max: number = catalogLimits.title): Checked<string> {
  const title = oneLine(text);
  if (title === "") return fail({ code: "empty" });
  return title.length <= max ? ok(title) : fail({ code: "too_long", max, length: title.length });
}

/** Dashes the owner types for "none": not tracked, no photo, no description. */
const noneMarks = new Set(["-", "—", "–", "−"]);

/** Whether typed text means "none" (`-`). */
export const meansNone = (text: string): boolean => noneMarks.has(text.trim());

/** A description of at most 900 characters, lines kept; `-` clears it. */
export function checkDescription(text: string): Checked<string> {
  const description = meansNone(text) ? "" : text.trim();
  return description.length <= catalogLimits.description ? ok(description) : fail({ code: "too_long", max: catalogLimits.description, length: description.length });
}

/** A new product's id: 1 to 24 Latin letters, digits, `_` or `-`. */
export function checkId(text: string): Checked<string> {
  const id = text.trim();
  return catalogIdPattern.test(id) ? ok(id) : fail({ code: "not_id" });
}

/** A price the catalog can hold: positive, whole cents, not absurd. */
export function checkPriceNumber(price: number): Checked<number> {
  if (!Number.isFinite(price)) return fail({ code: "price_not_number" });
  if (price <= 0) return fail({ code: "price_not_positive" });
  if (Math.abs(price * 100 - Math.round(price * 100)) > 1e-6) return fail({ code: "price_decimals" });
  return price <= catalogLimits.price ? ok(Math.round(price * 100) / 100) : fail({ code: "price_too_large" });
}

/** Spaces people put between thousands (`1 290`, Intl's narrow no-break space included). */
const groupSpaces = /[\s\u00A0\u202F\u2009]/gu;

/**
 * A typed price: digits with `.` or `,` before at most 2 decimals, spaces between thousands
 * allowed. `10.500` is refused rather than read as 10.5 or 10 500.
 *
 * @example
 * checkPrice("1 290,50"); // { ok: true, value: 1290.5 }
 * checkPrice("10.999"); // { ok: false, error: { code: "price_decimals" } }
 */
export function checkPrice(text: string): Checked<number> {
  const compact = text.replace(groupSpaces, "");
  if (/^[-−–]\d/u.test(compact) || /^0+([.,]0*)?$/.test(compact)) return fail({ code: "price_not_positive" });
  const match = /^(\d{1,15})(?:[.,](\d+))?$/.exec(compact);
  if (!match) return fail({ code: "price_not_number" });
  if ((match[2] ?? "").length > 2) return fail({ code: "price_decimals" });
  return checkPriceNumber(Number(`${match[1]}.${match[2] ?? "0"}`));
}

/** A stock count: a whole number from 0; null (not tracked) is the caller's to allow. */
export function checkStockNumber(stock: number): Checked<number> {
  if (!Number.isFinite(stock) || !Number.isInteger(stock)) return fail({ code: "stock_not_whole" });
  if (stock < 0) return fail({ code: "stock_negative" });
  return stock <= catalogLimits.stock ? ok(stock) : fail({ code: "stock_too_large" });
}

/**
 * Typed stock: a whole number from 0, or `-` for "not tracked" (null: always available).
 *
 * @example
 * checkStock("12"); // { ok: true, value: 12 }
 * checkStock("-"); // { ok: true, value: null }
 * checkStock("-3"); // { ok: false, error: { code: "stock_negative" } }
 */
export function checkStock(text: string): Checked<number | null> {
  if (meansNone(text)) return ok(null);
  const compact = text.replace(groupSpaces, "");
  if (/^[-−–]\d+([.,]\d+)?$/u.test(compact)) return fail({ code: "stock_negative" });
  if (!/^\d{1,15}$/.test(compact)) return fail({ code: "stock_not_whole" });
  return checkStockNumber(Number(compact));
}

/**
 * A photo the shop bot can send: an https link Telegram fetches, or a file_id the shop bot was
 * given. (A picture file is the catalog file's own; a photo the owner sends is kept as a file.)
 */
export function checkPhotoReference(text: string): Checked<string> {
  const photo = text.trim();
  if (/^[a-z][a-z0-9+.-]*:/i.test(photo)) return photo.startsWith("https://") && URL.canParse(photo) && !/\s/.test(photo) ? ok(photo) : fail({ code: "photo_invalid" });
  return /^[A-Za-z0-9_-]{10,200}$/.test(photo) ? ok(photo) : fail({ code: "photo_invalid" });
}
