import type { StoredEvent } from "./store.port.ts";

/** Where a page of a customer's log starts: just older than an event, or just newer than one. */
export type JourneyCursor = { readonly before: number } | { readonly after: number };

/**
 * Keyset paging of one customer's log by `seq`, for the owner's "🕘 Journey" on the client card.
 * Offsets would walk every skipped event on each press and shift when new events arrive; a seq
 * cursor is one probe of the (user, seq) index wherever the page is, and a page never repeats.
 */
export interface JourneyReads {
  /**
   * At most `limit` of the customer's events next to the cursor, always oldest first: with `before`
   * the newest ones whose seq is below it, with `after` the oldest ones whose seq is above it.
   */
  eventsBySeq(userId: number, cursor: JourneyCursor, limit: number): Promise<readonly StoredEvent[]>;
}
