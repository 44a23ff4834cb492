import { recipientStates, type RecipientRow, type RecipientState } from "../actors/broadcastStore.port.ts";
import type { CatalogChange, CatalogEditor, CategoryRow, ProductRow, StoredCatalogEdit } from "../actors/catalogStore.port.ts";
import {
  orderJustPlaced,
  type Lead,
  type OrderChange,
  type OrderItem,
  type OrderLine,
  type OrdersSummary,
  type StoredEffect,
  type StoredEvent,
  type StoredMessage,
  type StoredOrder,
  type TimerRow,
} from "../actors/store.port.ts";
import { stages, type CustomerEventType, type Language, type Stage } from "../machines/customer.types.ts";
import { orderStatuses, paymentMethods, type Invoice, type OrderStatus, type PaymentMethod } from "../machines/order.types.ts";
import { categoryRow, productRow } from "./catalog/catalogRows.ts";

/**
 * A row of the read model as either SQL store returns it, so one mapper serves both: SQLite gives
 * numbers, text, null (and blobs); `pg` gives BIGINT and NUMERIC as numbers (adapters/postgres/pgTypes.ts),
 * JSONB already parsed and TEXT as text. The column names are the same in both schemas.
 */
export type StoreRow = Record<string, unknown>;

export const num = (value: unknown): number => Number(value ?? 0);
export const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
export const strOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/**
 * A JSON column, kept as text (SQLite, and PostgreSQL's TEXT columns) or as JSONB (parsed by `pg`):
 * text that does not parse, null and a blob read as `fallback`.
 */
export function jsonOr<T>(value: unknown, fallback: T): T {
  if (typeof value === "string") {
    try {
      return JSON.parse(value) as T;
    } catch {
      return fallback;
    }
  }
  if (value === null || value === undefined || value instanceof Uint8Array) return fallback;
  return value as T;
}

export const asStage = (value: unknown): Stage => {
  const stage = String(value);
  return (stages as readonly string[]).includes(stage) ? (stage as Stage) : "new";
};
const asLanguage = (value: unknown): Language => (value === "en" ? "en" : "ru");

/** The lead columns both stores select, in the order SQLite's `saveLeadSql` writes them. */
export const leadColumns =
  "user_id, username, name, source, first_seen_at, last_seen_at, stage, orders_count, lifetime_value, last_order_id, consent_at, consent_version, phone, tags, notes, stage_entered_at, erased_at, blocked_at, dormant_since, last_reminder_at, reminders_sent, consent_declined, language, unsubscribed_at";

/** A row of `crm_leads` as the port returns it; a JSON column that does not parse reads as empty. */
export function leadFromRow(row: StoreRow): Lead {
  return {
    userId: num(row["user_id"]),
    username: strOrNull(row["username"]),
    name: strOrNull(row["name"]),
    source: strOrNull(row["source"]),
    firstSeenAt: numOrNull(row["first_seen_at"]),
    lastSeenAt: numOrNull(row["last_seen_at"]),
    stage: asStage(row["stage"]),
    ordersCount: num(row["orders_count"]),
    lifetimeValue: num(row["lifetime_value"]),
    lastOrderId: strOrNull(row["last_order_id"]),
    consentAt: numOrNull(row["consent_at"]),
    consentVersion: strOrNull(row["consent_version"]),
    phone: strOrNull(row["phone"]),
    tags: jsonOr<string[]>(row["tags"], []),
    notes: jsonOr(row["notes"], []),
    stageEnteredAt: jsonOr(row["stage_entered_at"], {}),
    erasedAt: numOrNull(row["erased_at"]),
    blockedAt: numOrNull(row["blocked_at"]),
    dormantSince: numOrNull(row["dormant_since"]),
    lastReminderAt: numOrNull(row["last_reminder_at"]),
    remindersSent: num(row["reminders_sent"]),
    unsubscribedAt: numOrNull(row["unsubscribed_at"]),
    consentDeclined: strOrNull(row["consent_declined"]),
    language: asLanguage(row["language"]),
  };
}

/** The event columns every read of `crm_events` selects. */
export const eventColumns = "seq, user_id, type, payload, ts, key";

/** A row of `crm_events` as the port returns it (a payload that does not parse reads as empty). */
export function eventFromRow(row: StoreRow): StoredEvent {
  return {
    seq: num(row["seq"]),
    userId: num(row["user_id"]),
    type: String(row["type"]) as CustomerEventType,
    payload: jsonOr<Record<string, unknown>>(row["payload"], {}),
    at: num(row["ts"]),
    key: String(row["key"]),
  };
}

/** A row of `crm_messages` as the port returns it. */
export function messageFromRow(row: StoreRow): StoredMessage {
  return {
    id: num(row["id"]),
    userId: num(row["user_id"]),
    direction: row["direction"] === "out" ? "out" : "in",
    type: row["type"] === "ai_response" ? "ai_response" : "text",
    text: String(row["text"]),
    at: num(row["ts"]),
  };
}

export const asOrderStatus = (value: unknown): OrderStatus =>
  (orderStatuses as readonly string[]).includes(String(value)) ? (String(value) as OrderStatus) : orderJustPlaced.status;
const asPayment = (value: unknown): PaymentMethod =>
  (paymentMethods as readonly string[]).includes(String(value)) ? (String(value) as PaymentMethod) : orderJustPlaced.payment;

/** Every column of `crm_orders`, in the order SQLite's order writes bind them. */
export const orderColumns =
  "order_id, user_id, items, total, currency, phone, delivery, at, status, payment, invoice, paid_at, shipped_at, delivered_at, cancelled_at, refunded_at, tracking, cancel_reason, charge_id, rating";

/** A row of `crm_orders` as the port returns it; an unknown status or payment reads as a just-placed order's. */
export function orderFromRow(row: StoreRow): StoredOrder {
  return {
    orderId: String(row["order_id"]),
    userId: num(row["user_id"]),
    items: jsonOr<OrderItem[]>(row["items"], []),
    total: num(row["total"]),
    currency: String(row["currency"]),
    phone: strOrNull(row["phone"]),
    delivery: strOrNull(row["delivery"]),
    at: num(row["at"]),
    status: asOrderStatus(row["status"]),
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
 * Whether the order brought money in, in SQL both dialects run: `bringsRevenue` of store.port.ts,
 * which the contract holds every store to. A row without an order actor (no `crm_actor_states`
 * row: placed before orders were actors) counts at once; the look-up is by primary key, and only
 * for placed cash rows.
 */
export const revenueRule = `status NOT IN ('cancelled', 'refunding', 'refunded') AND (paid_at IS NOT NULL OR status = 'delivered'
  OR (status = 'placed' AND payment = 'cash' AND NOT EXISTS (SELECT 1 FROM crm_actor_states s WHERE s.actor = 'order:' || crm_orders.order_id)))`;

/**
 * `ordersSummary` from the rows of its two statements, the same in both stores: `groups` has a row
 * per status (`status`, `n`, `paid`, `revenue`), `newest` the latest orders of the range.
 */
export function ordersSummaryOf(from: number, to: number, groups: readonly StoreRow[], newest: readonly StoreRow[]): OrdersSummary {
  const byStatus: Partial<Record<OrderStatus, number>> = {};
  let count = 0;
  let paid = 0;
  let revenue = 0;
  for (const row of groups) {
    const status = asOrderStatus(row["status"]);
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
}

const strOrUndefined = (value: unknown): string | undefined => (value === null || value === undefined ? undefined : String(value));

/** A row of `crm_products`, checked as every catalog row is (catalogRows.ts); `hidden` is SQLite's 0/1 or pg's boolean. */
export function productFromRow(row: StoreRow): ProductRow {
  const stock = row["stock"];
  return productRow({
    id: String(row["product_id"]),
    categoryId: String(row["category_id"]),
    title: String(row["title"]),
    description: String(row["description"]),
    price: num(row["price"]),
    currency: String(row["currency"]),
    photo: strOrUndefined(row["photo"]),
    stock: stock === null || stock === undefined ? undefined : num(stock),
    hidden: row["hidden"] === true || (typeof row["hidden"] !== "boolean" && num(row["hidden"]) !== 0),
    position: num(row["position"]),
  });
}

/** A row of `crm_categories`, checked as every catalog row is (catalogRows.ts). */
export function categoryFromRow(row: StoreRow): CategoryRow {
  return categoryRow({ id: String(row["category_id"]), title: String(row["title"]), emoji: strOrUndefined(row["emoji"]), position: num(row["position"]) });
}

/** A JSON column of the catalog's log, as text or as parsed JSONB; text that does not parse throws. */
const parsed = (value: unknown): unknown => (typeof value === "string" ? JSON.parse(value) : value);

/** A row of `crm_catalog_log`: who edited the catalog, when, and how. */
export function editFromRow(row: StoreRow): StoredCatalogEdit {
  return { seq: num(row["seq"]), at: num(row["ts"]), by: parsed(row["editor"]) as CatalogEditor, change: parsed(row["change"]) as CatalogChange };
}

const recipientStateNames: ReadonlySet<string> = new Set(recipientStates);

/** A row of `crm_broadcast_recipients`; an unknown state reads as pending. */
export function recipientFromRow(row: StoreRow): RecipientRow {
  const state = String(row["state"]);
  return {
    userId: num(row["user_id"]),
    state: (recipientStateNames.has(state) ? state : "pending") as RecipientState,
    attempts: num(row["attempts"]),
    reason: strOrNull(row["reason"]),
    at: numOrNull(row["at"]),
  };
}

/** A durable timer's columns, and its row as the port's {@link TimerRow}. */
export const timerColumns = "actor, send_id, due_at, event, key";

export function timerFromRow(row: StoreRow): TimerRow {
  return { actor: String(row["actor"]), sendId: String(row["send_id"]), dueAt: Number(row["due_at"]), event: String(row["event"]), key: String(row["key"]) };
}

/** An effect's columns, and its row as the port's {@link StoredEffect}. */
export const effectColumns = "key, actor, type, params, created_at, attempts, next_at, status, last_error";

export function effectFromRow(row: StoreRow): StoredEffect {
  return {
    key: String(row["key"]),
    actor: String(row["actor"]),
    type: String(row["type"]),
    params: String(row["params"]),
    createdAt: Number(row["created_at"]),
    attempts: Number(row["attempts"]),
    nextAt: Number(row["next_at"]),
    status: row["status"] === "failed" ? "failed" : "pending",
    lastError: strOrNull(row["last_error"]),
  };
}

/** Each field an order's actor may change, with its column and how it is written (JSON columns as text, which both stores take). */
export const orderChangeColumns: { readonly [K in keyof Required<OrderChange>]: readonly [column: string, value: (v: Required<OrderChange>[K]) => string | number | null] } = {
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

export const isOrderChangeField = (field: string): field is keyof OrderChange => Object.hasOwn(orderChangeColumns, field);
