/**
 * What a customer may type into the checkout and the consultant, checked by the shop bot before it
 * dispatches anything (so that text that is refused is never kept), and by the customer machine.
 */

/** The longest question sent to the AI, in characters (code points). */
export const maxQuestionChars = 1000;

/** The longest delivery text kept, in characters (code points). */
export const maxDeliveryChars = 500;

const zeroWidth = /[\u200B-\u200D\u2060\uFEFF]/g;
/** Spaces of any width, ASCII and typographic hyphens, dots and parentheses: how people format a number. */
const formatting = /[\p{Zs}\t\-\u2010-\u2015\u2212.()]/gu;
const phoneShape = /^\+?(\d{10,15})$/;

/**
 * A phone number as the shop stores it: `+` and 10 to 15 digits, or null if the text is not one.
 * Formatting is dropped and a leading `8` or `7` is kept as typed: no country is guessed.
 *
 * @example
 * normalizePhone("8 (999) 123-45-67"); // "+89991234567"
 * normalizePhone("79991234567"); // "+79991234567", as Telegram shares a contact
 * normalizePhone("call me"); // null
 */
export function normalizePhone(text: string): string | null {
  const compact = text.replace(zeroWidth, "").trim().replace(formatting, "");
  const digits = phoneShape.exec(compact)?.[1];
  return digits === undefined ? null : `+${digits}`;
}

