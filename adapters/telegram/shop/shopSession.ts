import { emptyCart, type Cart } from "../../../actors/cart.ts";
import type { PersistedFlow } from "../flowState.ts";

/**
 * What the shop bot keeps per private chat, through grammY's session storage: the cart, the
 * checkout and consultant machines, and small bits of navigation. Kept small and plain JSON.
 * Bump `v` (and add a migration) when the shape changes.
 */
export interface ShopSession {
  v: 1;
  cart: Cart;
  checkout: PersistedFlow | null;
  consultant: PersistedFlow | null;
  /** The consent version the customer said "not now" to, so they are not asked again until it changes. */
  consentDeclined: string | null;
  /** The last order placed from this chat, so a second "confirm" on an old summary says so. */
  lastOrderId: string | null;
  /** The last search, for its result pages. */
  lastSearch: string | null;
}

export function initialShopSession(): ShopSession {
  return { v: 1, cart: emptyCart, checkout: null, consultant: null, consentDeclined: null, lastOrderId: null, lastSearch: null };
}
