import type { StorageAdapter } from "grammy";

/**
 * What the shop bot keeps per private chat, through grammY's session storage: only what is on the
 * screen. Everything the customer did (the cart, the checkout, the consultant, a "not now" to the
 * terms, the orders) lives in their actor, committed with the event that did it; a lost or
 * deleted session loses nothing but the pages of the last search.
 *
 * Bump `v` when the shape changes: a session of another version is read as a fresh chat.
 */
export interface ShopSession {
  v: 3;
  /** The products the last search found, in result order, for its pages; never the words searched for. */
  search: { readonly ids: readonly string[] } | null;
}

/** The most product ids a search keeps for its pages. */
export const maxSearchIds = 120;

/** The session key of a private chat with the shop bot. */
export const shopSessionKey = (chatId: number): string => `shop:${chatId}`;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A stored session in today's shape, or undefined to start the chat afresh. Versions 1 and 2 held
 * the cart, the checkout (with a phone and an address) and the consultant's state; those now live
 * in the customer's actor, and such a session is not read at all: its pages of search results say
 * they are out of date, and the next write replaces it.
 */
export function upgradeShopSession(stored: unknown): ShopSession | undefined {
  if (!isRecord(stored) || stored["v"] !== 3) return undefined;
  const search = stored["search"];
  if (search === null) return { v: 3, search: null };
  if (!isRecord(search) || !Array.isArray(search["ids"])) return undefined;
  const ids = search["ids"].filter((id): id is string => typeof id === "string").slice(0, maxSearchIds);
  return { v: 3, search: { ids } };
}

/** Sessions read through {@link upgradeShopSession}, so an older one is never read as today's. */
export function shopSessionStorage(storage: StorageAdapter<ShopSession>): StorageAdapter<ShopSession> {
  return {
    read: async (key) => upgradeShopSession(await storage.read(key)),
    write: (key, value) => storage.write(key, value),
    delete: (key) => storage.delete(key),
  };
}
