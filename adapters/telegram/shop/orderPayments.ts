import type { Catalog } from "../../../actors/catalog.port.ts";
import type { OrderLine } from "../../../machines/customer.types.ts";
import type { Invoice, PaymentMethod } from "../../../machines/order.types.ts";

/**
 * What an order asks the customer to pay, as pure rules the checkout, the pre-checkout answer and
 * the repricing share, so the invoice frozen at confirmation and the one checked at payment are
 * computed the same way.
 */

/** The shop's payment settings: `PAYMENTS`, `STAR_PRICE` and `ORDER_PAYMENT_MINUTES`. */
export interface PaymentSettings {
  /** The enabled methods, in the order they are offered; one alone is never asked about. */
  readonly methods: readonly PaymentMethod[];
  /** What one Telegram Star is worth in the catalog's currency; null when Stars are off. */
  readonly starPrice: number | null;
  /** How long an unpaid order waits before it is cancelled, for the customer's "pay within" line. */
  readonly paymentMinutes: number;
}

/** Pay on delivery only: what a shop without `PAYMENTS` has. */
export const cashOnly: PaymentSettings = { methods: ["cash"], starPrice: null, paymentMinutes: 60 };

const digitsCache = new Map<string, number>();

/** The decimals of a currency's minor unit (2 for RUB, 0 for JPY), as Telegram's payments count them. */
export function minorUnitDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    digitsCache.set(currency, digits);
  }
  return digits;
}

/** A quotient without float noise (890 / 1.78 is 500.00000000000006), so that a whole number of stars stays whole. */
const steady = (value: number): number => Math.round(value * 1e6) / 1e6;

/**
 * The invoice of an order of `total` (catalog currency) paid by `method`: whole stars, rounded up
 * (`XTR`), or the total in the currency's minor units for a provider; null for cash, or for Stars
 * without a star price.
 */
export function invoiceFor(method: PaymentMethod, total: number, currency: string, starPrice: number | null): Invoice | null {
  if (method === "cash") return null;
  if (method === "stars") return starPrice !== null && starPrice > 0 ? { currency: "XTR", amount: Math.max(1, Math.ceil(steady(total / starPrice))) } : null;
  return { currency, amount: Math.round(total * 10 ** minorUnitDigits(currency)) };
}

/** Whether an order's lines can still be paid as they were frozen, against the catalog as it is now. */
export type PriceCheck =
  | { readonly kind: "same" }
  /** The same products and quantities at today's prices and titles: what `repriced` carries. */
  | { readonly kind: "changed"; readonly items: readonly OrderLine[]; readonly total: number }
  /** A product is no longer sold (removed or hidden): the order cannot be repriced, only cancelled. */
  | { readonly kind: "gone"; readonly title: string };

const cents = (value: number): number => Math.round(value * 100) / 100;

/** Checks an unpaid order's frozen lines against today's catalog. In memory only: the pre-checkout answer runs it. */
export function checkPrices(items: readonly OrderLine[], catalog: Catalog): PriceCheck {
  let changed = false;
  const now: OrderLine[] = [];
  for (const line of items) {
    const product = catalog.product(line.productId);
    if (!product) return { kind: "gone", title: line.title };
    if (product.price !== line.price) changed = true;
    now.push({ productId: line.productId, title: product.title, price: product.price, qty: line.qty });
  }
  if (!changed) return { kind: "same" };
  return { kind: "changed", items: now, total: cents(now.reduce((sum, line) => sum + line.price * line.qty, 0)) };
}

/** Whether two invoices ask for the same money. */
export const sameInvoice = (a: Invoice | null, b: Invoice | null): boolean => a !== null && b !== null && a.currency === b.currency && a.amount === b.amount;
