import type { DatabaseSync, SQLInputValue, SQLOutputValue, StatementSync } from "node:sqlite";
import { pageBounds, pageOf } from "../../actors/paging.ts";
import { redactOrder } from "../../actors/personalData.ts";
import { orderJustPlaced, type CrmQueries, type OrderChange, type OrderItem, type OrderLine, type StoredOrder, type StoreTx } from "../../actors/store.port.ts";
import { orderStatuses, paymentMethods, type Invoice, type OrderStatus, type PaymentMethod } from "../../machines/order.types.ts";

type Row = Record<string, SQLOutputValue>;

const num = (value: SQLOutputValue | undefined): number => Number(value ?? 0);
const numOrNull = (value: SQLOutputValue | undefined): number | null => (value === null || value === undefined ? null : Number(value));
const strOrNull = (value: SQLOutputValue | undefined): string | null => (value === null || value === undefined ? null : String(value));
const jsonOr = <T>(value: SQLOutputValue | undefined, fallback: T): T => {
  try {
    return typeof value === "string" ? (JSON.parse(value) as T) : fallback;
  } catch {
    return fallback;
  }
};
const asStatus = (value: SQLOutputValue | undefined): OrderStatus =>
  (orderStatuses as readonly string[]).includes(String(value)) ? (String(value) as OrderStatus) : orderJustPlaced.status;
const asPayment = (value: SQLOutputValue | undefined): PaymentMethod =>
  (paymentMethods as readonly string[]).includes(String(value)) ? (String(value) as PaymentMethod) : orderJustPlaced.payment;

export function orderFromRow(row: Row): StoredOrder {
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

/** Each field an order's actor may change, with its column and how it is written. */
const changeColumns: { readonly [K in keyof Required<OrderChange>]: readonly [column: string, value: (v: Required<OrderChange>[K]) => SQLInputValue] } = {
  status: ["status", (v) => v],
  invoice: ["invoice", (v) => (v === null ? null : JSON.stringify(v))],
  paidAt: ["paid_at", (v) => v],
  shippedAt: ["shipped_at", (v) => v],
  deliveredAt: ["delivered_at", (v) => v],
  cancelledAt: ["cancelled_at", (v) => v],
  refundedAt: ["refunded_at", (v) => v],
  tracking: ["tracking", (v) => v],
  cancelReason: ["cancel_reason", (v) => v],
  chargeId: ["charge_id", (v) => v],
  rating: ["rating", (v) => v],
  items: ["items", (v) => JSON.stringify(v)],
  total: ["total", (v) => v],
};
const isChangeField = (field: string): field is keyof OrderChange => Object.hasOwn(changeColumns, field);

/**
 * Whether the order brought money in, in SQL: `bringsRevenue` of store.port.ts, which the contract
 * holds both stores to. A row without an order actor (no `crm_actor_states` row: placed before
 * orders were actors) counts at once; the look-up is by primary key, and only for placed cash rows.
 */
export const revenueRule = `status NOT IN ('cancelled', 'refunding', 'refunded') AND (paid_at IS NOT NULL OR status = 'delivered'
  OR (status = 'placed' AND payment = 'cash' AND NOT EXISTS (SELECT 1 FROM crm_actor_states s WHERE s.actor = 'order:' || crm_orders.order_id)))`;

const allColumns =
  "order_id, user_id, items, total, currency, phone, delivery, at, status, payment, invoice, paid_at, shipped_at, delivered_at, cancelled_at, refunded_at, tracking, cancel_reason, charge_id, rating";

/** Every column of an order, in the order of `allColumns`. */
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
    save: db.prepare(`INSERT INTO crm_orders (${allColumns}) VALUES (${allColumns.split(",").map(() => "?").join(", ")})`),
    rewrite: db.prepare(`UPDATE crm_orders SET ${allColumns.split(", ").map((column) => `${column} = ?`).join(", ")} WHERE order_id = ?`),
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
    for (const field of fields) if (!isChangeField(field)) throw new Error(`updateOrder: ${field} is not a field an order's actor changes`);
    if (change.status !== undefined && !(orderStatuses as readonly string[]).includes(change.status)) throw new Error(`updateOrder: unknown status ${String(change.status)}`);
    const known = fields.filter(isChangeField);
    const id = known.join(",");
    let statement = updates.get(id);
    if (!statement) {
      const set = known.map((field) => `${changeColumns[field][0]} = ?`).join(", ");
      statement = db.prepare(known.length === 0 ? "SELECT 1 AS changes FROM crm_orders WHERE order_id = ?" : `UPDATE crm_orders SET ${set} WHERE order_id = ?`);
      updates.set(id, statement);
    }
    const values = known.map((field) => (changeColumns[field][1] as (v: unknown) => SQLInputValue)(change[field]));
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
        const byStatus: Partial<Record<OrderStatus, number>> = {};
        let count = 0;
        let paid = 0;
        let revenue = 0;
        for (const row of sql.byStatusIn.all(from, to)) {
          byStatus[asStatus(row["status"])] = (byStatus[asStatus(row["status"])] ?? 0) + num(row["n"]);
          count += num(row["n"]);
          paid += num(row["paid"]);
          revenue += num(row["revenue"]);
        }
        revenue = Math.round(revenue * 100) / 100;
        const lines: OrderLine[] = sql.latestIn.all(from, to, Math.max(0, Math.floor(latest))).map((row) => ({
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
