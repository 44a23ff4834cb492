/**
 * The JSON store's orders read model: every order as its row is now, held in memory and rebuilt at
 * open from the `o` (orders saved) and `u` (their changes) parts of `events.jsonl`'s lines. Its
 * queries scan and sort every order, which costs nothing for a small shop (SQLite walks an index).
 */
import { pageBounds, pageOf } from "../../actors/paging.ts";
import { redactOrder } from "../../actors/personalData.ts";
import { bringsRevenue, orderJustPlaced, type CrmQueries, type OrderChange, type OrderLine, type Page, type PageRequest, type StoredOrder } from "../../actors/store.port.ts";
import { orderStatuses, type OrderStatus } from "../../machines/order.types.ts";
import type { LogLine } from "./jsonLogFormat.ts";

/** The fields an order's actor may change (`OrderChange`), each once. */
const changeFields: ReadonlySet<string> = new Set<keyof OrderChange>([
  "status",
  "invoice",
  "paidAt",
  "shippedAt",
  "deliveredAt",
  "cancelledAt",
  "refundedAt",
  "tracking",
  "cancelReason",
  "chargeId",
  "rating",
  "items",
  "total",
]);

/**
 * The change with its unset fields left out, as it goes into the log. A field no actor changes
 * (the phone, who ordered) or an unknown status is a caller bug: it throws, and the unit rolls back.
 */
export function checkedOrderChange(change: OrderChange): OrderChange {
  const kept: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(change)) {
    if (!changeFields.has(field)) throw new Error(`updateOrder: ${field} is not a field an order's actor changes`);
    if (value !== undefined) kept[field] = value;
  }
  if (change.status !== undefined && !(orderStatuses as readonly string[]).includes(change.status)) throw new Error(`updateOrder: unknown status ${String(change.status)}`);
  return kept as OrderChange;
}

/** An order as a line of an older store holds it (no status, payment or dates) reads as just placed, paid on delivery. */
const upgradeOrder = (order: StoredOrder): StoredOrder => ({ ...orderJustPlaced, ...order });

const page = <T>(all: readonly T[], request: PageRequest | undefined): Page<T> => {
  const { offset, limit } = pageBounds(request);
  return pageOf(all.slice(offset, offset + limit + 1), offset, limit);
};

const cents = (amount: number): number => Math.round(amount * 100) / 100;

/**
 * The orders read model; `hasActor` says whether an order has an order actor (one placed before
 * orders were actors has none, and counts as revenue at once: `bringsRevenue`).
 */
export function jsonOrders(hasActor: (orderId: string) => boolean) {
  const byId = new Map<string, StoredOrder>();
  /** Order ids as saved, oldest first: of two orders at one time, the later saved is the newer (as SQLite's rowid). */
  const saved: string[] = [];
  const byUser = new Map<number, string[]>();

  const rowsOf = (ids: readonly string[]): StoredOrder[] => ids.flatMap((id) => byId.get(id) ?? []);
  /** The newest first; a stable sort of the reversed list keeps the later saved first among equal times. */
  const newestFirst = (orders: readonly StoredOrder[]): StoredOrder[] => [...orders].reverse().sort((a, b) => b.at - a.at);

  function remember(order: StoredOrder): void {
    if (!byId.has(order.orderId)) {
      saved.push(order.orderId);
      const own = byUser.get(order.userId);
      if (own) own.push(order.orderId);
      else byUser.set(order.userId, [order.orderId]);
    }
    byId.set(order.orderId, upgradeOrder(order));
  }

  /** A change from the log: checked before it was written, so a field it should not hold (a hand-edited log) is passed over, not refused. */
  function change(orderId: string, fields: OrderChange): void {
    const order = byId.get(orderId);
    if (!order) return;
    const known = Object.entries(fields).filter(([field, value]) => changeFields.has(field) && value !== undefined && (field !== "status" || (orderStatuses as readonly unknown[]).includes(value)));
    byId.set(orderId, { ...order, ...Object.fromEntries(known) });
  }

  function summary(from: number, to: number, latest: number): Awaited<ReturnType<CrmQueries["ordersSummary"]>> {
    const inRange = rowsOf(saved).filter((order) => order.at >= from && order.at < to);
    const counts: Partial<Record<OrderStatus, number>> = {};
    for (const order of inRange) counts[order.status] = (counts[order.status] ?? 0) + 1;
    const byStatus: Partial<Record<OrderStatus, number>> = {};
    for (const status of orderStatuses) if (counts[status] !== undefined) byStatus[status] = counts[status];
    const paying = inRange.filter((order) => bringsRevenue({ ...order, hasActor: hasActor(order.orderId) }));
    const revenue = cents(paying.reduce((sum, order) => sum + order.total, 0));
    const lines: OrderLine[] = newestFirst(inRange)
      .slice(0, Math.max(0, Math.floor(latest)))
      .map(({ userId, orderId, total, currency, at }) => ({ userId, orderId, total, currency, at }));
    return { from, to, count: inRange.length, byStatus, revenue, average: paying.length === 0 ? 0 : cents(revenue / paying.length), latest: lines };
  }

  const queries: Pick<CrmQueries, "ordersSummary" | "orders" | "order" | "ordersByStatus"> = {
    ordersSummary: async ({ from, to, latest = 5 }) => summary(from, to, latest),
    orders: async (userId, request) => page(newestFirst(rowsOf(byUser.get(userId) ?? [])), request),
    order: async (orderId) => byId.get(orderId) ?? null,
    ordersByStatus: async (status, request) => page(newestFirst(rowsOf(saved).filter((order) => status === null || order.status === status)), request),
  };

  return {
    queries,
    has: (orderId: string): boolean => byId.has(orderId),
    /** Every order, the oldest first: what a first sync of the Sheets mirror queues. */
    all: (): StoredOrder[] => rowsOf(saved),
    /** A customer's order ids, as saved. */
    idsOf: (userId: number): readonly string[] => byUser.get(userId) ?? [],
    /** Applies a line's orders, then their changes: at open in log order, and after each line is on disk. */
    apply(line: Pick<LogLine, "o" | "u">): void {
      line.o?.forEach(remember);
      for (const [orderId, fields] of line.u ?? []) change(orderId, fields);
    },
    /** `/forget` over what is committed: the customer's orders lose the phone and the delivery details. */
    redactUser(userId: number): void {
      for (const order of rowsOf(byUser.get(userId) ?? [])) byId.set(order.orderId, redactOrder(order));
    },
  };
}
