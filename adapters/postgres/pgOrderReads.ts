import { pageBounds, pageOf } from "../../actors/paging.ts";
import { orderJustPlaced, type CrmQueries, type OrderItem, type OrderLine, type StoredOrder } from "../../actors/store.port.ts";
import { orderStatuses, paymentMethods, type Invoice, type OrderStatus, type PaymentMethod } from "../../machines/order.types.ts";
import { jsonOr, num, numOrNull, rowsOf, strOrNull, type PgQueryable, type PgRow } from "./pgRows.ts";

const asStatus = (value: unknown): OrderStatus =>
  (orderStatuses as readonly string[]).includes(String(value)) ? (String(value) as OrderStatus) : orderJustPlaced.status;
const asPayment = (value: unknown): PaymentMethod =>
  (paymentMethods as readonly string[]).includes(String(value)) ? (String(value) as PaymentMethod) : orderJustPlaced.payment;

export function orderFromRow(row: PgRow): StoredOrder {
  return {
    orderId: String(row["order_id"]),
    userId: num(row["user_id"]),
    items: jsonOr<OrderItem[]>(row["items"], []),
    total: num(row["total"]),
    currency: String(row["currency"]),
    phone: strOrNull(row["phone"]),
    delivery: strOrNull(row["delivery"]),
    at: num(row["at"]),
    status: asStatus(row["status"]),
    payment: asPayment(row["payment"]),
    invoice: jsonOr<Invoice | null>(row["invoice"], null),
    paidAt: numOrNull(row["paid_at"]),
    shippedAt: numOrNull(row["shipped_at"]),
    deliveredAt: numOrNull(row["delivered_at"]),
    cancelledAt: numOrNull(row["cancelled_at"]),
    refundedAt: numOrNull(row["refunded_at"]),
    tracking: strOrNull(row["tracking"]),
    cancelReason: strOrNull(row["cancel_reason"]),
    chargeId: strOrNull(row["charge_id"]),
    rating: numOrNull(row["rating"]),
  };
}

/**
 * `bringsRevenue` of store.port.ts in SQL, as the SQLite store's `revenueRule`: a row without an
 * order actor (no `crm_actor_states` row: placed before orders were actors) counts at once.
 */
export const pgRevenueRule = `status NOT IN ('cancelled', 'refunding', 'refunded') AND (paid_at IS NOT NULL OR status = 'delivered'
  OR (status = 'placed' AND payment = 'cash' AND NOT EXISTS (SELECT 1 FROM crm_actor_states s WHERE s.actor = 'order:' || crm_orders.order_id)))`;

const orderColumns =
  "order_id, user_id, items, total, currency, phone, delivery, at, status, payment, invoice, paid_at, shipped_at, delivered_at, cancelled_at, refunded_at, tracking, cancel_reason, charge_id, rating";

/** Newest first; orders placed at the same instant, the one stored last first (SQLite's rowid: `seq` here). */
const newestFirst = "ORDER BY at DESC, seq DESC";

/** The statements of the order reads. */
export const orderReadsSql = {
  order: `SELECT ${orderColumns} FROM crm_orders WHERE order_id = $1`,
  ofUser: `SELECT ${orderColumns} FROM crm_orders WHERE user_id = $1 ${newestFirst} LIMIT $2 OFFSET $3`,
  inStatus: `SELECT ${orderColumns} FROM crm_orders WHERE status = $1 ${newestFirst} LIMIT $2 OFFSET $3`,
  newest: `SELECT ${orderColumns} FROM crm_orders ${newestFirst} LIMIT $1 OFFSET $2`,
  byStatusIn: `SELECT status, count(*) AS n, count(CASE WHEN ${pgRevenueRule} THEN 1 END) AS paid, coalesce(sum(CASE WHEN ${pgRevenueRule} THEN total END), 0) AS revenue
    FROM crm_orders WHERE at >= $1 AND at < $2 GROUP BY status`,
  latestIn: `SELECT user_id, order_id, total, currency, at FROM crm_orders WHERE at >= $1 AND at < $2 ${newestFirst} LIMIT $3`,
} as const;

/** The orders read model's queries (`crm_orders`) on PostgreSQL, as the SQLite store's `sqliteOrders` answers them. */
export function pgOrderReads(pool: PgQueryable): Pick<CrmQueries, "ordersSummary" | "orders" | "order" | "ordersByStatus"> {
  return {
    async ordersSummary({ from, to, latest = 5 }) {
      const [groups, newest] = await Promise.all([
        rowsOf(pool, orderReadsSql.byStatusIn, [from, to]),
        rowsOf(pool, orderReadsSql.latestIn, [from, to, Math.max(0, Math.floor(latest))]),
      ]);
      const byStatus: Partial<Record<OrderStatus, number>> = {};
      let count = 0;
      let paid = 0;
      let revenue = 0;
      for (const row of groups) {
        const status = asStatus(row["status"]);
        byStatus[status] = (byStatus[status] ?? 0) + num(row["n"]);
        count += num(row["n"]);
        paid += num(row["paid"]);
        revenue += num(row["revenue"]);
      }
      revenue = Math.round(revenue * 100) / 100;
      const lines: OrderLine[] = newest.map((row) => ({
        userId: num(row["user_id"]),
        orderId: String(row["order_id"]),
        total: num(row["total"]),
        currency: String(row["currency"]),
        at: num(row["at"]),
      }));
      const inOrder: Partial<Record<OrderStatus, number>> = {};
      for (const status of orderStatuses) if (byStatus[status] !== undefined) inOrder[status] = byStatus[status];
      return { from, to, count, byStatus: inOrder, revenue, average: paid === 0 ? 0 : Math.round((revenue / paid) * 100) / 100, latest: lines };
    },
    async orders(userId, request) {
      const { offset, limit } = pageBounds(request);
      return pageOf((await rowsOf(pool, orderReadsSql.ofUser, [userId, limit + 1, offset])).map(orderFromRow), offset, limit);
    },
    async order(orderId) {
      const row = (await rowsOf(pool, orderReadsSql.order, [orderId]))[0];
      return row ? orderFromRow(row) : null;
    },
    async ordersByStatus(status, request) {
      const { offset, limit } = pageBounds(request);
      const rows = status === null ? await rowsOf(pool, orderReadsSql.newest, [limit + 1, offset]) : await rowsOf(pool, orderReadsSql.inStatus, [status, limit + 1, offset]);
      return pageOf(rows.map(orderFromRow), offset, limit);
    },
  };
}
