/** How the bots write money, dates and user text in Telegram's HTML. */

export { escapeHtml } from "../../actors/conversation.ts";

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** `1 290 ₽`, `$12.50`: whole amounts without decimals, in the reader's locale. */
export function formatMoney(amount: number, currency: string, locale: string): string {
  const whole = Number.isInteger(amount);
  const key = `${locale}|${currency}|${whole}`;
  let format = moneyFormats.get(key);
  if (!format) {
    try {
      // Building a formatter costs far more than using one; there are only a few of them.
      format = new Intl.NumberFormat(locale, { style: "currency", currency, minimumFractionDigits: whole ? 0 : 2, maximumFractionDigits: whole ? 0 : 2 });
    } catch {
      return `${amount} ${currency}`;
    }
    moneyFormats.set(key, format);
  }
  return format.format(amount);
}

/** `23.11.2026, 14:05` in the given IANA zone. */
export function formatDateTime(at: number, locale: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "short", timeZone }).format(at);
}

/** Cuts user text for display in a line (a search query echoed back, a title), adding an ellipsis. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}
