import { orderActor, type ActorLogTx, type StoredActorEvent } from "../../actors/actorLog.port.ts";
import { redactEventPayload, redactOrderEventPayload, redactOrderJson } from "../../actors/personalData.ts";
import { leadSearchText } from "../../actors/searchQuery.ts";
import type { ActorWrite, NewEvent, OrderChange, StoredEvent, StoredOrder, StoreTx } from "../../actors/store.port.ts";
import { orderStatuses } from "../../machines/order.types.ts";
import type { CustomerEventType } from "../../machines/customer.types.ts";
import { eventColumns, eventFromRow, jsonOr, leadColumns } from "./pgRows.ts";
import { isOrderChangeField, orderChangeColumns } from "../storeRows.ts";
import type { RowKind } from "./pgUnit.ts";
import type { PgUnitState } from "./pgUnitState.ts";

function saveLeadParams(write: ActorWrite): unknown[] {
  const { lead } = write;
  return [
    lead.userId, lead.username, lead.name, lead.source, lead.firstSeenAt, lead.lastSeenAt, lead.stage, lead.ordersCount, lead.lifetimeValue,
    lead.lastOrderId, lead.consentAt, lead.consentVersion, lead.phone, JSON.stringify(lead.tags), JSON.stringify(lead.notes),
    JSON.stringify(lead.stageEnteredAt), lead.erasedAt, lead.blockedAt, lead.dormantSince ?? null, lead.lastReminderAt ?? null,
    lead.remindersSent ?? 0, lead.consentDeclined ?? null, lead.language ?? "ru", lead.unsubscribedAt ?? null,
    write.machineVersion, write.snapshot, write.lastSeq, leadSearchText(lead),
  ];
}

const orderColumns = "order_id, user_id, items, total, currency, phone, delivery, at, status, payment, invoice, paid_at, shipped_at, delivered_at, cancelled_at, refunded_at, tracking, cancel_reason, charge_id, rating";
const orderColumnList = orderColumns.split(", ");

function orderValues(order: StoredOrder): unknown[] {
  return [
    order.orderId, order.userId, JSON.stringify(order.items), order.total, order.currency, order.phone, order.delivery, order.at, order.status,
    order.payment, order.invoice === null ? null : JSON.stringify(order.invoice), order.paidAt, order.shippedAt, order.deliveredAt,
    order.cancelledAt, order.refundedAt, order.tracking, order.cancelReason, order.chargeId, order.rating,
  ];
}


function actorEventFromRow(row: Record<string, unknown>): StoredActorEvent {
  return { seq: Number(row["seq"]), actor: String(row["actor"]), type: String(row["type"]), payload: jsonOr<Record<string, unknown>>(row["payload"], {}), at: Number(row["ts"]), key: String(row["key"]) };
}

/** Whether a key is stored: what a prepared unit found, else one probe of the unique index. */
function keyStored(state: PgUnitState, table: "crm_events" | "crm_actor_events", key: string): boolean {
  const checked = table === "crm_events" ? state.keysChecked.get(key) : undefined;
  if (checked !== undefined) return checked;
  return state.read(`SELECT 1 FROM ${table} WHERE key = $1`, [key]).length > 0;
}

/** The unit's new events as one multi-row INSERT; a key another process stored meanwhile makes the unit a duplicate. */
const eventRows: RowKind = {
  name: "events",
  build: (rows) => ({
    sql: `INSERT INTO crm_events (${eventColumns}) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[])
          ON CONFLICT (key) DO NOTHING RETURNING key`,
    params: [0, 1, 2, 3, 4, 5].map((column) => rows.map((row) => row[column])),
  }),
  check(result, rows) {
    if (result.rowCount === rows.length) return undefined;
    const stored = new Set(result.rows.map((row) => String(row["key"])));
    const lost = rows.find((row) => !stored.has(String(row[5])));
    return { kind: "duplicate", key: String(lost?.[5]), customers: lost ? [Number(lost[1])] : [], actors: [] };
  },
};

const leadColumnList = `${leadColumns}, machine_version, snapshot, last_seq, search_text`.split(", ");
/** The type of each column of `leadColumnList`, for unnest. */
const leadTypes = [
  "bigint", "text", "text", "text", "bigint", "bigint", "text", "integer", "double precision", "text", "bigint", "text", "text", "jsonb", "text",
  "jsonb", "bigint", "bigint", "bigint", "bigint", "integer", "text", "text", "bigint", "integer", "text", "bigint", "text",
];

/** The unit's lead rows as one multi-row upsert (one row per customer: a customer saved twice goes in a second statement). */
const leadRows: RowKind = {
  name: "leads",
  build: (rows) => ({
    sql: `INSERT INTO crm_leads (${leadColumnList.join(", ")})
          SELECT * FROM unnest(${leadTypes.map((type, i) => `$${i + 1}::${type}[]`).join(", ")})
          ON CONFLICT (user_id) DO UPDATE SET ${leadColumnList.filter((column) => column !== "user_id").map((column) => `${column} = excluded.${column}`).join(", ")}`,
    params: leadTypes.map((_, column) => rows.map((row) => row[column])),
  }),
};

/** The unit's mirror rows as one statement: queued, or their version bumped. */
export const mirrorRows: RowKind = {
  name: "mirror",
  build: (rows) => ({
    sql: `INSERT INTO crm_mirror_outbox (kind, ref, version, queued_at) SELECT k, r, 1, q FROM unnest($1::text[], $2::text[], $3::bigint[]) AS u(k, r, q)
          ON CONFLICT (kind, ref) DO UPDATE SET version = crm_mirror_outbox.version + 1`,
    params: [0, 1, 2].map((column) => rows.map((row) => row[column])),
  }),
};

export type PgCoreWrites = Pick<StoreTx, "appendEvent" | "eventByKey" | "appendMessage" | "saveActor" | "saveOrder" | "updateOrder"> & ActorLogTx;

/**
 * The unit's writes of the customer log, leads, messages, orders and other actors' logs, buffered
 * in the open unit (pgUnit.ts). An append returns its seq at once: the key's absence is known from
 * the unit's preparation or one probe, and the seq from a block drawn after the customer's lock.
 */
export function pgCoreWrites(state: PgUnitState, queueMirror: (kind: "lead" | "order", ref: string) => void): PgCoreWrites {
  return {
    appendEvent(event: NewEvent): number | null {
      const unit = state.unit();
      if (state.appended.has(event.key)) return null;
      state.touchCustomer(event.userId);
      if (keyStored(state, "crm_events", event.key)) return null;
      const seq = unit.nextSeq("crm_events", unit.customerLock(event.userId));
      unit.writeRow(eventRows, event.key, [seq, event.userId, event.type, event.payload, event.at, event.key]);
      state.noteAppended({ seq, userId: event.userId, type: event.type, payload: jsonOr<Record<string, unknown>>(event.payload, {}), at: event.at, key: event.key });
      return seq;
    },
    eventByKey(key: string): StoredEvent | undefined {
      const own = state.appended.get(key);
      if (own) return own;
      if (state.keysChecked.get(key) === false) return undefined;
      const [row] = state.read(`SELECT ${eventColumns} FROM crm_events WHERE key = $1`, [key]);
      return row ? eventFromRow(row) : undefined;
    },
    appendMessage(message) {
      state.unit().write("INSERT INTO crm_messages (user_id, direction, type, text, ts) VALUES ($1, $2, $3, $4, $5)", [message.userId, message.direction, message.type, message.text, message.at]);
    },
    saveActor(write) {
      const unit = state.unit();
      state.touchCustomer(write.lead.userId);
      unit.writeRow(leadRows, String(write.lead.userId), saveLeadParams(write));
      queueMirror("lead", String(write.lead.userId));
    },
    saveOrder(order) {
      const unit = state.unit();
      // An id already stored fails the unit when the write is answered (with the next read or the commit): no hop of its own.
      if (state.ordersSaved.has(order.orderId)) throw new Error(`order ${order.orderId} is already stored`);
      state.ordersSaved.add(order.orderId);
      unit.write(`INSERT INTO crm_orders (${orderColumns}) VALUES (${orderColumnList.map((_, i) => `$${i + 1}`).join(", ")}) ON CONFLICT (order_id) DO NOTHING`, orderValues(order), (result) =>
        result.rowCount === 1 ? undefined : { kind: "error", error: new Error(`order ${order.orderId} is already stored`) },
      );
      queueMirror("order", order.orderId);
    },
    updateOrder(orderId: string, change: OrderChange) {
      const unit = state.unit();
      const fields = Object.keys(change).filter((field) => change[field as keyof OrderChange] !== undefined);
      for (const field of fields) if (!isOrderChangeField(field)) throw new Error(`updateOrder: ${field} is not a field an order's actor changes`);
      if (change.status !== undefined && !(orderStatuses as readonly string[]).includes(change.status)) throw new Error(`updateOrder: unknown status ${String(change.status)}`);
      const known = fields.filter(isOrderChangeField);
      const set = known.map((field, i) => `${orderChangeColumns[field][0]} = $${i + 2}`).join(", ");
      const values = known.map((field) => (orderChangeColumns[field][1] as (v: unknown) => unknown)(change[field]));
      const sql = known.length === 0 ? "SELECT 1 FROM crm_orders WHERE order_id = $1" : `UPDATE crm_orders SET ${set} WHERE order_id = $1`;
      unit.write(sql, [orderId, ...values], (result) => (result.rowCount === 1 ? undefined : { kind: "error", error: new Error(`order ${orderId} is not stored`) }));
      queueMirror("order", orderId);
    },
    appendActorEvent(event) {
      const unit = state.unit();
      if (state.appendedActor.has(event.key)) return null;
      state.touchActor(event.actor);
      if (keyStored(state, "crm_actor_events", event.key)) return null;
      const seq = unit.nextSeq("crm_actor_events", unit.actorLock(event.actor));
      unit.write("INSERT INTO crm_actor_events (seq, actor, type, payload, ts, key) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key) DO NOTHING", [seq, event.actor, event.type, event.payload, event.at, event.key], (result) =>
        result.rowCount === 1 ? undefined : { kind: "duplicate", key: event.key, customers: [], actors: [event.actor] },
      );
      state.noteAppendedActor({ seq, actor: event.actor, type: event.type, payload: jsonOr<Record<string, unknown>>(event.payload, {}), at: event.at, key: event.key });
      return seq;
    },
    actorEventByKey(key) {
      const own = state.appendedActor.get(key);
      if (own) return own;
      const [row] = state.read("SELECT seq, actor, type, payload, ts, key FROM crm_actor_events WHERE key = $1", [key]);
      return row ? actorEventFromRow(row) : undefined;
    },
    saveActorState(actor, write) {
      const unit = state.unit();
      state.touchActor(actor);
      unit.write(
        `INSERT INTO crm_actor_states (actor, machine_version, snapshot, last_seq) VALUES ($1, $2, $3, $4)
         ON CONFLICT (actor) DO UPDATE SET machine_version = excluded.machine_version, snapshot = excluded.snapshot, last_seq = excluded.last_seq`,
        [actor, write.machineVersion, write.snapshot, write.lastSeq],
      );
    },
  };
}

export { actorEventFromRow };

/**
 * The storage side of `/forget` inside the open unit: the customer's messages deleted, their event
 * payloads, orders and order actors rewritten without personal data, their search words and their
 * effects removed. Reads see the unit's own writes, so events appended earlier in it are redacted too.
 */
export function pgErase(state: PgUnitState, userId: number): void {
  const unit = state.unit();
  state.touchCustomer(userId);
  unit.write("DELETE FROM crm_messages WHERE user_id = $1", [userId]);
  for (const row of state.read(`SELECT ${eventColumns} FROM crm_events WHERE user_id = $1 ORDER BY seq`, [userId])) {
    const event = eventFromRow(row);
    const payload = JSON.stringify(redactEventPayload(event.type as CustomerEventType, event.payload));
    if (payload !== row["payload"]) unit.write("UPDATE crm_events SET payload = $1 WHERE seq = $2", [payload, event.seq]);
    const own = state.appended.get(event.key);
    if (own) state.appended.set(event.key, { ...own, payload: JSON.parse(payload) as Record<string, unknown> });
  }
  for (const row of state.read(`SELECT ${orderColumns} FROM crm_orders WHERE user_id = $1`, [userId])) {
    const orderId = String(row["order_id"]);
    // What `redactOrder` leaves of the row.
    unit.write("UPDATE crm_orders SET phone = NULL, delivery = NULL WHERE order_id = $1", [orderId]);
    redactOrderActor(state, orderActor(orderId));
  }
  unit.write("UPDATE crm_leads SET search_text = '' WHERE user_id = $1 AND search_text <> ''", [userId]);
  unit.write("DELETE FROM crm_effects WHERE actor = $1", [`customer:${userId}`]);
}

function redactOrderActor(state: PgUnitState, actor: string): void {
  const unit = state.unit();
  for (const row of state.read("SELECT seq, actor, type, payload, ts, key FROM crm_actor_events WHERE actor = $1", [actor])) {
    const event = actorEventFromRow(row);
    const payload = JSON.stringify(redactOrderEventPayload(event.type, event.payload));
    if (payload !== row["payload"]) unit.write("UPDATE crm_actor_events SET payload = $1 WHERE seq = $2", [payload, event.seq]);
  }
  const [stateRow] = state.read("SELECT snapshot FROM crm_actor_states WHERE actor = $1", [actor]);
  if (stateRow) {
    const snapshot = redactOrderJson(String(stateRow["snapshot"]));
    if (snapshot !== stateRow["snapshot"]) unit.write("UPDATE crm_actor_states SET snapshot = $1 WHERE actor = $2", [snapshot, actor]);
  }
  for (const row of state.read("SELECT key, params FROM crm_effects WHERE actor = $1", [actor])) {
    const params = redactOrderJson(String(row["params"]));
    if (params !== row["params"]) unit.write("UPDATE crm_effects SET params = $1 WHERE key = $2", [params, String(row["key"])]);
  }
}
