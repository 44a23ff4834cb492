import type { Stage } from "../machines/customer.types.ts";

/** One deep-link source's orders in a period, for the owner's revenue-by-source chart. */
export interface SourceRevenue {
  /** The deep-link payload the customers came with; null for those who came without one. */
  readonly source: string | null;
  /** The period's orders of customers from this source, in any status. */
  readonly orders: number;
  /** The distinct customers behind those orders. */
  readonly customers: number;
  /** The totals of those orders that brought money in (`bringsRevenue`), rounded to cents. */
  readonly revenue: number;
}

/**
 * What the owner's charts read beyond the funnel and the daily order summaries: indexed range
 * queries over the orders read model, never a walk of the event log on a button press.
 */
export interface ChartReads {
  /** Orders placed in `[from, to)` grouped by their customer's source, the largest revenue first (ties: more orders, then the source's name). */
  revenueBySource(range: { readonly from: number; readonly to: number }): Promise<readonly SourceRevenue[]>;
  /**
   * How many customers entered each stage in `[from, to)` (a skipped stage is not entered), as the
   * daily report's stage moves: the funnel over a period, where `funnel()` is the funnel now.
   */
  stageEntries(range: { readonly from: number; readonly to: number }): Promise<Readonly<Record<Stage, number>>>;
}

/** The order of {@link ChartReads.revenueBySource}'s rows, shared by both stores. */
export function bySourceRank(a: SourceRevenue, b: SourceRevenue): number {
  return b.revenue - a.revenue || b.orders - a.orders || (a.source ?? "").localeCompare(b.source ?? "");
}
