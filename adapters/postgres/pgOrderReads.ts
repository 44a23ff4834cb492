import { pageBounds, pageOf } from "../../actors/paging.ts";
import type { CrmQueries } from "../../actors/store.port.ts";
import { orderColumns, orderFromRow, ordersSummaryOf, revenueRule } from "../storeRows.ts";
import { rowsOf, type PgQueryable } from "./pgRows.ts";

/** Newest first; orders placed at the same instant, the one stored last first (SQLite's rowid: `seq` here). */
const newestFirst = "ORDER BY at DESC, seq DESC";

/** The statements of the order reads. */
export const orderReadsSql = {
  order: `SELECT ${orderColumns} FROM crm_orders WHERE order_id = $1`,
  ofUser: `SELECT ${orderColumns} FROM crm_orders WHERE user_id = $1 ${newestFirst} LIMIT $2 OFFSET $3`,
  inStatus: `SELECT ${orderColumns} FROM crm_orders WHERE status = $1 ${newestFirst} LIMIT $2 OFFSET $3`,
  newest: `SELECT ${orderColumns} FROM crm_orders ${newestFirst} LIMIT $1 OFFSET $2`,
  byStatusIn: `SELECT status, count(*) AS n, count(CASE WHEN ${revenueRule} THEN 1 END) AS paid, coalesce(sum(CASE WHEN ${revenueRule} THEN total END), 0) AS revenue
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
      return ordersSummaryOf(from, to, groups, newest);
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
