import type { Page, PageRequest } from "./store.port.ts";

/** Offset and limit of a page request, clamped to what a Telegram screen can show (1 to 100). */
export function pageBounds(request: PageRequest | undefined): { offset: number; limit: number } {
  const offset = Math.max(0, Math.floor(request?.offset ?? 0));
  const limit = Math.min(100, Math.max(1, Math.floor(request?.limit ?? 10)));
  return { offset, limit };
}

/** A page from rows fetched with one extra row, which only tells whether there are more. */
export function pageOf<T>(rows: readonly T[], offset: number, limit: number): Page<T> {
  return { items: rows.slice(0, limit), offset, limit, hasMore: rows.length > limit };
}
