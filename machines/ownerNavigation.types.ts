/**
 * The vocabulary of where the owner is in the owner bot: the screen they look at and what they
 * tapped. Navigation needs no clock; a report names its day as text, so its events carry no `at`.
 */

/** How the owner reached a client's card; `BACK` from the card returns there (the leads page) or to the CRM. */
export type CardSource = "leads" | "search" | "notification";

/** What each screen shows. Plain JSON: it lives in the owner's grammY session. */
export interface OwnerNavigationContext {
  /** The first lead on the leads page: a non-negative integer, kept while the owner looks at a card. */
  readonly leadsOffset: number;
  /** The client of the card or history shown last; null until one is opened. */
  readonly userId: number | null;
  /** The first message on the history page: a non-negative integer. */
  readonly historyOffset: number;
  /** The day of the report shown last, `YYYY-MM-DD`; null until one is opened. */
  readonly day: string | null;
  /** How the card of `userId` was opened; null before any card, or when history was opened for another client. */
  readonly cardFrom: CardSource | null;
}

/** Every tap of the owner bot's menus. Each is taken in every screen except `BACK`, which depends on the screen. */
export type OwnerNavigationEvent =
  | { readonly type: "MENU" }
  | { readonly type: "CRM" }
  | { readonly type: "FUNNEL" }
  | { readonly type: "ORDERS" }
  /** A page of leads from `offset`; a negative or fractional offset shows the first page. */
  | { readonly type: "LEADS"; readonly offset: number }
  | { readonly type: "CARD"; readonly userId: number; readonly from: CardSource }
  /** A page of a client's chat history from `offset`; a negative or fractional offset shows the first page. */
  | { readonly type: "HISTORY"; readonly userId: number; readonly offset: number }
  /** The daily report of `day`, `YYYY-MM-DD`; anything else, or a day not on the calendar, is ignored. */
  | { readonly type: "REPORT"; readonly day: string }
  | { readonly type: "BACK" };
