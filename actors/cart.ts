import type { Catalog, Product } from "./catalog.port.ts";
import { availability } from "./catalog.port.ts";
import type { OrderItem } from "./store.port.ts";
import type { Cart } from "../machines/customer.types.ts";
import { decreaseLine, maxCartLines, maxLineQty, qtyOf, withQty } from "../machines/customer.cart.ts";

/**
 * A customer's cart lives in their actor (machines/customer.machine.ts): product ids and
 * quantities, nothing else, so that prices and stock are always the catalog's current ones. These
 * are the pure functions the bot uses to check a change against the catalog before dispatching it;
 * the arithmetic is the machine's own (machines/customer.cart.ts), so both agree on every limit.
 */
export type { Cart, CartLine } from "../machines/customer.types.ts";
export { emptyCart, maxCartLines, maxLineQty, qtyOf, removeLine } from "../machines/customer.cart.ts";

export type AddOutcome =
  | { readonly kind: "added"; readonly cart: Cart; readonly qty: number }
  | { readonly kind: "out_of_stock" }
  | { readonly kind: "limited"; readonly limitedTo: number }
  | { readonly kind: "cart_full" };

export function itemsCount(cart: Cart): number {
  return cart.lines.reduce((sum, line) => sum + line.qty, 0);
}

/** Adds `qty` of a product, within its stock and the cart's limits. */
export function addToCart(cart: Cart, product: Product, qty = 1): AddOutcome {
  const current = qtyOf(cart, product.id);
  if (current === 0 && cart.lines.length >= maxCartLines) return { kind: "cart_full" };
  const wanted = Math.min(current + qty, maxLineQty);
  if (wanted === current) return { kind: "limited", limitedTo: current };
  const check = availability(product, wanted);
  if (check === "out_of_stock") return { kind: "out_of_stock" };
  if (check !== "ok") return { kind: "limited", limitedTo: check.limitedTo };
  return { kind: "added", cart: withQty(cart, product.id, wanted), qty: wanted };
}

/** Lowers a line by one; at zero the line goes. */
export const decrement = decreaseLine;

export interface PricedLine {
  readonly product: Product;
  readonly qty: number;
  readonly sum: number;
}

/** Why a line changed when the cart was checked against the catalog. */
export type CartNotice =
  | { readonly kind: "gone"; readonly productId: string }
  | { readonly kind: "out_of_stock"; readonly title: string }
  | { readonly kind: "limited"; readonly title: string; readonly qty: number };

export interface PricedCart {
  /** The cart after dropping what is gone and clamping what is short; same rev when nothing changed. */
  readonly cart: Cart;
  readonly lines: readonly PricedLine[];
  readonly total: number;
  /** The currency of the lines; null for an empty cart. */
  readonly currency: string | null;
  readonly notices: readonly CartNotice[];
}

const cents = (value: number): number => Math.round(value * 100) / 100;

/**
 * Checks a cart against the catalog as it is now: a product that disappeared is dropped, one out
 * of stock is dropped, a quantity above the stock is lowered; each change comes with a notice.
 */
export function priceCart(cart: Cart, catalog: Catalog): PricedCart {
  const notices: CartNotice[] = [];
  const lines: PricedLine[] = [];
  for (const line of cart.lines) {
    const product = catalog.product(line.productId);
    if (!product) {
      notices.push({ kind: "gone", productId: line.productId });
      continue;
    }
    const check = availability(product, line.qty);
    if (check === "out_of_stock") {
      notices.push({ kind: "out_of_stock", title: product.title });
      continue;
    }
    const qty = check === "ok" ? line.qty : check.limitedTo;
    if (qty !== line.qty) notices.push({ kind: "limited", title: product.title, qty });
    lines.push({ product, qty, sum: cents(product.price * qty) });
  }
  const changed = notices.length > 0;
  return {
    cart: changed ? { rev: cart.rev + 1, lines: lines.map(({ product, qty }) => ({ productId: product.id, qty })) } : cart,
    lines,
    total: cents(lines.reduce((sum, line) => sum + line.sum, 0)),
    currency: lines[0]?.product.currency ?? null,
    notices,
  };
}

/** The order lines of a priced cart: titles and prices frozen as they were when ordered. */
export function orderItemsOf(priced: PricedCart): OrderItem[] {
  return priced.lines.map(({ product, qty }) => ({ productId: product.id, title: product.title, price: product.price, qty }));
}
