import type { Cart, CartLine, CustomerEvent, TimerEvent } from "./customer.types.ts";

/**
 * The cart's arithmetic, shared by the customer machine (which applies a change) and the bot
 * (actors/cart.ts, which checks a change against the catalog before dispatching it).
 */

/** Enough for any shop of this size, and a cap on what one chat can make the bot render. */
export const maxCartLines = 30;
export const maxLineQty = 99;

export const emptyCart: Cart = { rev: 0, lines: [] };

/** A quantity as the cart keeps it: a whole number from 0 to {@link maxLineQty}; anything else is 0. */
function clampQty(qty: number): number {
  return Number.isFinite(qty) ? Math.min(maxLineQty, Math.max(0, Math.floor(qty))) : 0;
}

/** How many of a product the cart holds (0 when it has no line for it). */
export function qtyOf(cart: Cart, productId: string): number {
  return cart.lines.find((line) => line.productId === productId)?.qty ?? 0;
}

/**
 * The cart with one product at `qty` (0 removes its line); `rev` moves only when something
 * changed. A new line beyond {@link maxCartLines} is not added.
 */
export function withQty(cart: Cart, productId: string, qty: number): Cart {
  const wanted = clampQty(qty);
  const exists = cart.lines.some((line) => line.productId === productId);
  if (wanted === qtyOf(cart, productId) || (!exists && cart.lines.length >= maxCartLines)) return cart;
  const lines =
    wanted === 0
      ? cart.lines.filter((line) => line.productId !== productId)
      : exists
        ? cart.lines.map((line) => (line.productId === productId ? { productId, qty: wanted } : line))
        : [...cart.lines, { productId, qty: wanted }];
  return { rev: cart.rev + 1, lines };
}

/** Adds `qty` (at least one) of a product, up to {@link maxLineQty} on its line. */
export function addLine(cart: Cart, productId: string, qty: number): Cart {
  return withQty(cart, productId, qtyOf(cart, productId) + Math.max(1, clampQty(qty)));
}

/** Lowers a line by one; at zero the line goes. */
export function decreaseLine(cart: Cart, productId: string): Cart {
  return withQty(cart, productId, qtyOf(cart, productId) - 1);
}

export function removeLine(cart: Cart, productId: string): Cart {
  return withQty(cart, productId, 0);
}

/**
 * The cart as the bot found it against the catalog: the given lines, each product once, within
 * the limits, lines at zero dropped.
 */
export function adjustLines(cart: Cart, lines: readonly CartLine[]): Cart {
  const kept: CartLine[] = [];
  for (const line of lines) {
    const qty = clampQty(line.qty);
    if (qty > 0 && kept.length < maxCartLines && !kept.some((other) => other.productId === line.productId)) kept.push({ productId: line.productId, qty });
  }
  const same = kept.length === cart.lines.length && kept.every((line, index) => line.productId === cart.lines[index]?.productId && line.qty === cart.lines[index]?.qty);
  return same ? cart : { rev: cart.rev + 1, lines: kept };
}

/** The cart after an order or `/forget`: no lines, and a new `rev` so older buttons are refused. */
export function clearedCart(cart: Cart): Cart {
  return cart.lines.length === 0 ? cart : { rev: cart.rev + 1, lines: [] };
}

/** The cart after an event: the one place that says which events change it and how. */
export function cartAfter(cart: Cart, event: CustomerEvent | TimerEvent): Cart {
  switch (event.type) {
    case "add_to_cart":
      return addLine(cart, event.productId, event.qty);
    case "cart_item_decreased":
      return decreaseLine(cart, event.productId);
    case "cart_item_removed":
      return removeLine(cart, event.productId);
    case "cart_adjusted":
      return adjustLines(cart, event.lines);
    case "order_created":
    case "data_erased":
      return clearedCart(cart);
    default:
      return cart;
  }
}
