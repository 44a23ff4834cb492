/**
 * Week arithmetic and the cohort matrix, shared by both stores (actors/cohorts.port.ts): the SQLite
 * projection keys its rows by week start instants computed here, the JSON store folds with them.
 */
import { dayBounds, dayOf } from "./calendar.ts";
import type { CohortMatrix, CohortRow } from "./cohorts.port.ts";
import { bringsRevenue, type StoredOrder } from "./store.port.ts";

const dayMs = 86_400_000;

const shiftDay = (day: string, days: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + days * dayMs).toISOString().slice(0, 10);

/** The Monday (`YYYY-MM-DD`) of the week an instant falls in, in a time zone. */
function mondayOf(at: number, timeZone: string): string {
  const day = dayOf(at, timeZone);
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return shiftDay(day, -((weekday + 6) % 7));
}

/** The instant the week of `at` began (Monday 00:00 in `timeZone`): a cohort's key. */
export function weekStartOf(at: number, timeZone: string): number {
  return dayBounds(mondayOf(at, timeZone), timeZone).start;
}

/** `count` successive week starts in `timeZone`, the first the week of `at`'s. DST makes a week 167 or 169 hours. */
export function weekStartsFrom(at: number, count: number, timeZone: string): number[] {
  const monday = mondayOf(at, timeZone);
  return Array.from({ length: Math.max(0, count) }, (_, index) => dayBounds(shiftDay(monday, 7 * index), timeZone).start);
}

/** The last `weeks` week starts up to the week of `now`, oldest first, counted back by calendar weeks (a DST change moves no week). */
export function lastWeekStarts(now: number, weeks: number, timeZone: string): number[] {
  const count = Math.max(0, Math.floor(weeks));
  const monday = mondayOf(now, timeZone);
  return Array.from({ length: count }, (_, index) => dayBounds(shiftDay(monday, -7 * (count - 1 - index)), timeZone).start);
}

/** One cell of the projection: a cohort's customers who ordered and its revenue in one week, both keyed by week start. */
export interface CohortCell {
  readonly cohort: number;
  readonly week: number;
  readonly customers: number;
  readonly revenue: number;
}

const cents = (amount: number): number => Math.round(amount * 100) / 100;

/** The matrix of the cohorts of `weekStarts` (oldest first, the current week last) from cells and sizes keyed by week start. */
export function cohortMatrix(weekStarts: readonly number[], cells: Iterable<CohortCell>, sizes: ReadonlyMap<number, number>, timeZone: string): CohortMatrix {
  const index = new Map(weekStarts.map((start, i) => [start, i]));
  const rows = weekStarts.map((weekStart, i) => {
    const lived = weekStarts.length - i;
    return { weekStart, size: sizes.get(weekStart) ?? 0, ordered: new Array<number>(lived).fill(0), revenue: new Array<number>(lived).fill(0) };
  });
  for (const cell of cells) {
    const from = index.get(cell.cohort);
    const to = index.get(cell.week);
    if (from === undefined || to === undefined || to < from) continue;
    const row = rows[from];
    if (!row) continue;
    row.ordered[to - from] = (row.ordered[to - from] ?? 0) + cell.customers;
    row.revenue[to - from] = (row.revenue[to - from] ?? 0) + cell.revenue;
  }
  const cohorts: CohortRow[] = rows.map((row) => ({ ...row, revenue: row.revenue.map(cents) }));
  return { timeZone, cohorts };
}

/** Whether an order counts its customer as ordering that week: it was not cancelled or refunded. */
export function orderCounts(order: Pick<StoredOrder, "status">): boolean {
  return order.status !== "cancelled" && order.status !== "refunding" && order.status !== "refunded";
}

/** A customer as the fold needs them: when first seen, and whether they erased their data. */
export interface CohortMember {
  readonly userId: number;
  readonly firstSeenAt: number | null;
  readonly erasedAt: number | null;
}

/**
 * The matrix folded from every lead and order in memory, for the JSON store (a small shop): the
 * same rules as the SQLite projection's triggers. `hasActor` tells an order placed before orders
 * were actors, which `bringsRevenue` counts at once.
 */
export function foldCohorts(
  members: Iterable<CohortMember>,
  orders: Iterable<StoredOrder>,
  hasActor: (orderId: string) => boolean,
  query: { readonly weeks: number; readonly now: number; readonly timeZone: string },
): CohortMatrix {
  const starts = lastWeekStarts(query.now, query.weeks, query.timeZone);
  const oldest = starts[0] ?? Number.POSITIVE_INFINITY;
  const cohortOf = new Map<number, number>();
  const sizes = new Map<number, number>();
  for (const member of members) {
    if (member.erasedAt !== null || member.firstSeenAt === null || member.firstSeenAt < oldest) continue;
    const cohort = weekStartOf(member.firstSeenAt, query.timeZone);
    cohortOf.set(member.userId, cohort);
    sizes.set(cohort, (sizes.get(cohort) ?? 0) + 1);
  }
  const activity = new Map<string, { cohort: number; week: number; orders: number; revenue: number }>();
  for (const order of orders) {
    const cohort = cohortOf.get(order.userId);
    if (cohort === undefined || order.at < oldest) continue;
    const week = weekStartOf(order.at, query.timeZone);
    const key = `${order.userId}:${week}`;
    const entry = activity.get(key) ?? { cohort, week, orders: 0, revenue: 0 };
    if (orderCounts(order)) entry.orders += 1;
    if (bringsRevenue({ ...order, hasActor: hasActor(order.orderId) })) entry.revenue += order.total;
    activity.set(key, entry);
  }
  const cells = [...activity.values()].map((entry) => ({ cohort: entry.cohort, week: entry.week, customers: entry.orders > 0 ? 1 : 0, revenue: entry.revenue }));
  return cohortMatrix(starts, cells, sizes, query.timeZone);
}
