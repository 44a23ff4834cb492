import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { pageBounds, pageOf } from "../../actors/paging.ts";
import { redactOrder } from "../../actors/personalData.ts";
import type { CrmQueries, OrderChange, StoredOrder, StoreTx } from "../../actors/store.port.ts";
import { orderStatuses } from "../../machines/order.types.ts";
import { isOrderChangeField, orderChangeColumns, orderColumns, orderFromRow, ordersSummaryOf, revenueRule } from "../storeRows.ts";


/** Every column of an order, in the order of `orderColumns`. */
function rowValues(order: StoredOrder): SQLInputValue[] {
  return [
    order.orderId,
    order.userId,
    JSON.stringify(order.items),
    order.total,
    order.currency,
    order.phone,
    order.delivery,
    order.at,
    order.status,
    order.payment,
    order.invoice === null ? null : JSON.stringify(order.invoice),
    order.paidAt,
    order.shippedAt,
    order.deliveredAt,
    order.cancelledAt,
    order.refundedAt,
    order.tracking,
    order.cancelReason,
    order.chargeId,
    order.rating,
  ];
}

export interface SqliteOrders {
  readonly writes: Pick<StoreTx, "saveOrder" | "updateOrder">;
  readonly queries: Pick<CrmQueries, "ordersSummary" | "orders" | "order" | "ordersByStatus">;
  /** `/forget` of the customer's orders (inside the erasing unit): returns their ids, whose actors are redacted too. */
  redactOrdersOf(userId: number): string[];
}

/**
 * The orders read model (`crm_orders`, migrations 2 and 8): saved by the customer's `recordOrder`,
 * then moved by the order's actor through `updateOrder`. Each write queues the order for the Sheets
 * mirror through `queueMirror`, in the same transaction.
 */
export function sqliteOrders(db: DatabaseSync, queueMirror: (orderId: string) => void): SqliteOrders {
  const sql = {
    save: db.prepare(`INSERT INTO crm_orders (${orderColumns}) VALUES (${orderColumns.split(",").map(() => "?").join(", ")})`),
    rewrite: db.prepare(`UPDATE crm_orders SET ${orderColumns.split(", ").map((column) => `${column} = ?`).join(", ")} WHERE order_id = ?`),
    order: db.prepare("SELECT * FROM crm_orders WHERE order_id = ?"),
    ofUser: db.prepare("SELECT * FROM crm_orders WHERE user_id = ? ORDER BY at DESC, rowid DESC LIMIT ? OFFSET ?"),
    allOfUser: db.prepare("SELECT * FROM crm_orders WHERE user_id = ?"),
    inStatus: db.prepare("SELECT * FROM crm_orders WHERE status = ? ORDER BY at DESC, rowid DESC LIMIT ? OFFSET ?"),
    newest: db.prepare("SELECT * FROM crm_orders ORDER BY at DESC, rowid DESC LIMIT ? OFFSET ?"),
    byStatusIn: db.prepare(
      `SELECT status, count(*) AS n, count(CASE WHEN ${revenueRule} THEN 1 END) AS paid, coalesce(sum(CASE WHEN ${revenueRule} THEN total END), 0) AS revenue
       FROM crm_orders WHERE at >= ? AND at < ? GROUP BY status`,
    ),
    latestIn: db.prepare("SELECT user_id, order_id, total, currency, at FROM crm_orders WHERE at >= ? AND at < ? ORDER BY at DESC, rowid DESC LIMIT ?"),
  };
  const updates = new Map<string, StatementSync>();

  function updateOrder(orderId: string, change: OrderChange): void {
    const fields = Object.keys(change).filter((field) => change[field as keyof OrderChange] !== undefined);
    for (const field of fields) if (!isOrderChangeField(field)) throw new Error(`updateOrder: ${field} is not a field an order's actor changes`);
    if (change.status !== undefined && !(orderStatuses as readonly string[]).includes(change.status)) throw new Error(`updateOrder: unknown status ${String(change.status)}`);
    const known = fields.filter(isOrderChangeField);
    const id = known.join(",");
    let statement = updates.get(id);
    if (!statement) {
      const set = known.map((field) => `${orderChangeColumns[field][0]} = ?`).join(", ");
      statement = db.prepare(known.length === 0 ? "SELECT 1 AS changes FROM crm_orders WHERE order_id = ?" : `UPDATE crm_orders SET ${set} WHERE order_id = ?`);
      updates.set(id, statement);
    }
    const values = known.map((field) => (orderChangeColumns[field][1] as (v: unknown) => SQLInputValue)(change[field]));
    const found = known.length === 0 ? statement.get(orderId) !== undefined : statement.run(...values, orderId).changes > 0;
    if (!found) throw new Error(`order ${orderId} is not stored`);
    queueMirror(orderId);
  }

  return {
    writes: {
      saveOrder(order) {
        if (sql.order.get(order.orderId)) throw new Error(`order ${order.orderId} is already stored`);
        sql.save.run(...rowValues(order));
        queueMirror(order.orderId);
      },
      updateOrder,
    },
    queries: {
      async ordersSummary({ from, to, latest = 5 }) {
        return ordersSummaryOf(from, to, sql.byStatusIn.all(from, to), sql.latestIn.all(from, to, Math.max(0, Math.floor(latest))));
      },
      async orders(userId, request) {
        const { offset, limit } = pageBounds(request);
        return pageOf(sql.ofUser.all(userId, limit + 1, offset).map(orderFromRow), offset, limit);
      },
      async order(orderId) {
        const row = sql.order.get(orderId);
        return row ? orderFromRow(row) : null;
      },
      async ordersByStatus(status, request) {
        const { offset, limit } = pageBounds(request);
        const rows = status === null ? sql.newest.all(limit + 1, offset) : sql.inStatus.all(status, limit + 1, offset);
        return pageOf(rows.map(orderFromRow), offset, limit);
      },
    },
    redactOrdersOf(userId) {
      const ids: string[] = [];
      for (const order of sql.allOfUser.all(userId).map(orderFromRow)) {
        const redacted = redactOrder(order);
        sql.rewrite.run(...rowValues(redacted), order.orderId);
        ids.push(order.orderId);
      }
      return ids;
    },
  };
}
