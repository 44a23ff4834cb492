/** One weekly cohort: the customers first seen in one week, and what they did in each week after. */
export interface CohortRow {
  /** The instant the cohort's week began: Monday 00:00 in the asked time zone. */
  readonly weekStart: number;
  /** Customers first seen that week; a customer who erased their data (`/forget`) is left out. */
  readonly size: number;
  /**
   * Per week n = 0, 1, … after the cohort's (as many as have begun, up to the asked number): the
   * cohort's customers who placed an order that week that was not cancelled or refunded.
   */
  readonly ordered: readonly number[];
  /** Per week n: the totals of the cohort's orders placed that week that brought money in (`bringsRevenue`), rounded to cents. */
  readonly revenue: readonly number[];
}

/** The last weeks' cohorts, the oldest first; the last is the current week's. */
export interface CohortMatrix {
  readonly timeZone: string;
  readonly cohorts: readonly CohortRow[];
}

/**
 * Weekly cohort retention and revenue per cohort (issue 14): cohorts by the week (Monday-start, in
 * TIME_ZONE) a customer was first seen. SQLite keeps the matrix as a projection that triggers on
 * the orders and leads maintain as units commit, so a read is a few hundred rows at any size; the
 * JSON store, meant for a small shop, folds its leads and orders in memory.
 */
export interface CohortReads {
  /** The `weeks` most recent cohorts (the current week's included) as of `now`, weeks counted in `timeZone`. */
  cohorts(query: { readonly weeks: number; readonly now: number; readonly timeZone: string }): Promise<CohortMatrix>;
}
