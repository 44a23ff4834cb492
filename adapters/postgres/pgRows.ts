import type { Pool } from "pg";
import type { Lead, StoredEvent, StoredMessage } from "../../actors/store.port.ts";
import { stages, type CustomerEventType, type Language, type Stage } from "../../machines/customer.types.ts";

/** What the read side needs of `pg`: a pool (or a client) that runs one statement with bound values. */
export type PgQueryable = Pick<Pool, "query">;

/** A row as `pg` returns it: BIGINT and NUMERIC as text, JSONB already parsed, DOUBLE PRECISION and INTEGER as numbers. */
export type PgRow = Record<string, unknown>;

/** Runs one statement and returns its rows. */
export async function rowsOf(pool: PgQueryable, text: string, values: readonly unknown[] = []): Promise<PgRow[]> {
  const result = await pool.query<PgRow>(text, [...values]);
  return result.rows;
}

export const num = (value: unknown): number => Number(value ?? 0);
export const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
export const strOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/** A JSON column, whether the schema keeps it as JSONB (parsed by `pg`) or as text; text that does not parse reads as `fallback`. */
export function jsonOr<T>(value: unknown, fallback: T): T {
  if (value === null || value === undefined) return fallback;
  if (typeof value !== "string") return value as T;
  try {
    return JSON.parse(value) as T;
  } catch {
    return fallback;
  }
}

const asStage = (value: unknown): Stage => {
  const stage = String(value);
  return (stages as readonly string[]).includes(stage) ? (stage as Stage) : "new";
};
const asLanguage = (value: unknown): Language => (value === "en" ? "en" : "ru");

/**
 * The stage dates in the order the stages were entered, as the runtime wrote them: JSONB keeps an
 * object's keys in an order of its own, and a stage is only ever entered after the ones below it.
 */
function stageDates(dates: Record<string, number>): Lead["stageEnteredAt"] {
  const rank = (key: string): number => {
    const index = (stages as readonly string[]).indexOf(key);
    return index === -1 ? stages.length : index;
  };
  return Object.fromEntries(Object.entries(dates).sort(([a], [b]) => rank(a) - rank(b)));
}

/** The lead columns, in the order of the SQLite store's `leadColumns`. */
export const leadColumns =
  "user_id, username, name, source, first_seen_at, last_seen_at, stage, orders_count, lifetime_value, last_order_id, consent_at, consent_version, phone, tags, notes, stage_entered_at, erased_at, blocked_at, dormant_since, last_reminder_at, reminders_sent, consent_declined, language, unsubscribed_at";

export function leadFromRow(row: PgRow): Lead {
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
    stageEnteredAt: stageDates(jsonOr<Record<string, number>>(row["stage_entered_at"], {})),
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
export function eventFromRow(row: PgRow): StoredEvent {
  return {
    seq: num(row["seq"]),
    userId: num(row["user_id"]),
    type: String(row["type"]) as CustomerEventType,
    payload: jsonOr<Record<string, unknown>>(row["payload"], {}),
    at: num(row["ts"]),
    key: String(row["key"]),
  };
}

export function messageFromRow(row: PgRow): StoredMessage {
  return {
    id: num(row["id"]),
    userId: num(row["user_id"]),
    direction: row["direction"] === "out" ? "out" : "in",
    type: row["type"] === "ai_response" ? "ai_response" : "text",
    text: String(row["text"]),
    at: num(row["ts"]),
  };
}

/** A LIMIT of "no limit" (null) or a whole number ≥ 0, as the SQLite store reads `limit`. */
export const limitOrAll = (limit: number | undefined): number | null => (limit === undefined ? null : Math.max(0, Math.floor(limit)));
