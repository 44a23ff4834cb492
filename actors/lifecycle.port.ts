/** One week of customers' activity, Monday to Monday in TIME_ZONE (PostHog's lifecycle). */
export interface LifecycleWeek {
  /** Epoch ms of the week's Monday 00:00 in TIME_ZONE (by the store's offset, see {@link LifecycleReads}). */
  readonly start: number;
  /** Customers first seen this week. */
  readonly new: number;
  /** Active this week and the week before. */
  readonly returning: number;
  /** Active this week, not the week before, but some week earlier. */
  readonly reactivated: number;
  /** Active the week before, not this week: active(w − 1) − returning(w), shown below the axis. */
  readonly dormant: number;
}

/** One bucket of the lifetime-value histogram: customers whose value is in `[from, to)` (`to` null: no upper end). */
export interface LifetimeValueBucket {
  readonly from: number;
  readonly to: number | null;
  readonly customers: number;
  /** Their lifetime values added up, to the cent. */
  readonly total: number;
}

/** Customers who ordered from one deep-link source, and their lifetime value. */
export interface LifetimeValueBySource {
  /** The deep-link payload; null for customers who came without one. */
  readonly source: string | null;
  readonly customers: number;
  readonly total: number;
  /** total ÷ customers, to the cent. */
  readonly average: number;
}

/** The lifetime value (crm_leads.lifetime_value) of the customers who ordered at least once. */
export interface LifetimeValueStats {
  readonly customers: number;
  readonly total: number;
  /** total ÷ customers, to the cent; 0 when no one ordered. */
  readonly average: number;
  /** The non-empty buckets of the fixed 1-2-5 money scale (actors/lifecycle.ts), lowest first. */
  readonly buckets: readonly LifetimeValueBucket[];
  /** Every source with a customer who ordered, the most customers first (ties: higher average, then the name). */
  readonly sources: readonly LifetimeValueBySource[];
}

/**
 * The owner's lifecycle and lifetime-value figures (issue 14). A customer is active in a week when
 * their actor committed an act of theirs (`lastSeenAt` moved into it). SQLite keeps both as small
 * projections, counted by triggers on crm_leads only when a lead's week of activity changes (once
 * per customer per week) or its orders change, so a read is a few dozen rows at any size; the JSON
 * store, meant for a small shop, folds its log and leads in memory.
 *
 * Weeks start on Monday 00:00 at TIME_ZONE's UTC offset as the store was opened (a fixed offset:
 * in a zone with summer time, an act within an hour of Monday midnight may fall in the next or the
 * previous week).
 */
export interface LifecycleReads {
  /** The `weeks` weeks up to and including the week of `now`, oldest first. */
  lifecycle(query: { readonly now: number; readonly weeks: number }): Promise<readonly LifecycleWeek[]>;
  lifetimeValues(): Promise<LifetimeValueStats>;
}
