/**
 * The vocabulary of the owner typing a period of orders to export (issue 14): the two days, or why
 * the text was not read. Plain JSON and bounded: it lives in the owner's session.
 */

/** Why the last text was not taken; the bot turns it into a hint and asks again. */
export type OwnerExportError = "unreadable" | "reversed" | "too_long";

/** The longest period that can be typed, in days (a few years of orders). */
export const maxExportDays = 3660;

export interface OwnerExportContext {
  /** The period typed, as calendar days `YYYY-MM-DD` (both included, in the shop's zone); null until one is read. */
  readonly from: string | null;
  readonly to: string | null;
  readonly error: OwnerExportError | null;
}

export type OwnerExportEvent =
  /** The owner tapped "📅 Период…" on the 📤 screen. */
  | { readonly type: "START" }
  | { readonly type: "TEXT"; readonly text: string }
  | { readonly type: "CANCEL" };
