/**
 * The vocabulary of the owner's client search: the query typed, and how many clients the bot found.
 * The search needs no clock, so its events carry no `at`.
 */

/** Why the last query was refused; the bot turns it into a hint and asks again. */
export type OwnerSearchError = "empty" | "too_long";

/** What the bot should tell the owner about a search that ran: it found no one. */
export type OwnerSearchNotice = "no_results";

/** One search in the owner's chat. Plain JSON and bounded: it lives in the owner's grammY session. */
export interface OwnerSearchContext {
  /** The query, trimmed; kept after a search without results, for the message; null when idle. */
  readonly query: string | null;
  /** The first result on the page shown: a non-negative integer. */
  readonly offset: number;
  /** How many clients the query found; 0 until it has run. */
  readonly total: number;
  /** The refusal of the last query, cleared by the next one accepted. */
  readonly error: OwnerSearchError | null;
  readonly notice: OwnerSearchNotice | null;
}

/** Everything the search reacts to; an event the current state does not list is ignored. */
export type OwnerSearchEvent =
  /** The owner tapped "search": a new search, from idle or from the results of the last one. */
  | { readonly type: "START" }
  /** The owner typed a query. */
  | { readonly type: "QUERY"; readonly text: string }
  /** The bot ran the query and found `count` clients. */
  | { readonly type: "FOUND"; readonly count: number }
  /** The owner turned to the page starting at `offset`; a negative or fractional offset shows the first page. */
  | { readonly type: "PAGE"; readonly offset: number }
  | { readonly type: "CANCEL" };
