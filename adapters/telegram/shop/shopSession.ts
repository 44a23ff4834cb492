import type { StorageAdapter } from "grammy";
import { emptyCart, type Cart } from "../../../actors/cart.ts";
import type { PersistedFlow } from "../flowState.ts";

/**
 * What the shop bot keeps per private chat, through grammY's session storage: the cart, the
 * checkout and consultant machines, and small bits of navigation. Kept small and plain JSON.
 * Bump `v` (and add a step to {@link upgradeShopSession}) when the shape changes.
 *
 * Nothing here holds text the customer typed outside the checkout (whose phone and delivery are
 * the order's own data): a session is kept whether or not the customer consented.
 */
export interface ShopSession {
  v: 2;
  cart: Cart;
  checkout: PersistedFlow | null;
  consultant: PersistedFlow | null;
  /** The consent version the customer said "not now" to, so they are not asked again until it changes. */
  consentDeclined: string | null;
  /** The last order placed from this chat, so a second "confirm" on an old summary says so. */
  lastOrderId: string | null;
  /** The products the last search found, in result order, for its pages; never the words searched for. */
  search: { readonly ids: readonly string[] } | null;
}

/** The most product ids a search keeps for its pages. */
export const maxSearchIds = 120;

export function initialShopSession(): ShopSession {
  return { v: 2, cart: emptyCart, checkout: null, consultant: null, consentDeclined: null, lastOrderId: null, search: null };
}

/** The session key of a private chat with the shop bot. */
export const shopSessionKey = (chatId: number): string => `shop:${chatId}`;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A stored session in today's shape, or undefined to start the chat afresh. Version 1 kept the
 * last search's words (`lastSearch`), typed text kept without consent: they are dropped, and that
 * search's pages say it is out of date.
 */
export function upgradeShopSession(stored: unknown): ShopSession | undefined {
  if (!isRecord(stored)) return undefined;
  if (stored["v"] === 2) return stored as unknown as ShopSession;
  if (stored["v"] !== 1) return undefined;
  const { lastSearch: _words, ...rest } = stored;
  return { ...(rest as unknown as Omit<ShopSession, "v" | "search">), v: 2, search: null };
}

/** Sessions read through {@link upgradeShopSession}, so an older one is rewritten without what it must no longer hold. */
export function shopSessionStorage(storage: StorageAdapter<ShopSession>): StorageAdapter<ShopSession> {
  return {
    read: async (key) => upgradeShopSession(await storage.read(key)),
    write: (key, value) => storage.write(key, value),
    delete: (key) => storage.delete(key),
  };
}
