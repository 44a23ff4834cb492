/**
 * Test support for adapters/postgres/pgAnalyticsSchema.test.ts: the same row writes applied to a
 * migrated SQLite database and to a migrated PostgreSQL one, and the projections of both read back in
 * one comparable shape. Writes go to `crm_leads`, `crm_orders` and `crm_actor_states` directly, as the
 * stores write them (the lead by upsert), so what is compared is the triggers alone.
 */
import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import type { Pool } from "pg";
import fc from "fast-check";
import { stages } from "../../machines/customer.types.ts";
import { orderStatuses, paymentMethods } from "../../machines/order.types.ts";
import { useCohortTimeZone } from "../sqlite/sqliteCohorts.ts";
import { syncLifecycleZone } from "../sqlite/sqliteLifecycle.ts";
import { pgUseCohortTimeZone } from "./pgCohortSchema.ts";
import { syncPgLifecycleZone } from "./pgLifecycleSchema.ts";

const hour = 3_600_000;
const week = 7 * 24 * hour;
/** Monday 2026-03-02 00:00 UTC: the weeks around it hold the spring clock changes of Europe and America. */
export const base = Date.parse("2026-03-02T00:00:00Z");

/** A lead's columns the projections read; the JSON ones as values, written as JSON text (SQLite) or JSONB. */
export interface LeadRow {
  readonly source: string | null;
  readonly firstSeenAt: number | null;
  readonly lastSeenAt: number | null;
  readonly stage: string;
  readonly ordersCount: number;
  readonly lifetimeValue: number;
  readonly consentAt: number | null;
  readonly consentVersion: string | null;
  readonly phone: string | null;
  readonly tags: unknown;
  readonly stageDates: unknown;
  readonly erasedAt: number | null;
  readonly blockedAt: number | null;
  readonly dormantSince: number | null;
  readonly unsubscribedAt: number | null;
  readonly lastSeq: number;
}

/** An order's columns the cohort projection reads. */
export interface OrderRow {
  readonly userId: number;
  readonly total: number;
  readonly at: number;
  readonly status: string;
  readonly payment: string;
  readonly paidAt: number | null;
}

/** One write, applied alike to both databases. */
export type Write =
  | { readonly kind: "lead"; readonly userId: number; readonly patch: Partial<LeadRow> }
  | { readonly kind: "deleteLead"; readonly userId: number }
  | { readonly kind: "order"; readonly orderId: string; readonly patch: Partial<OrderRow> }
  | { readonly kind: "deleteOrder"; readonly orderId: string }
  | { readonly kind: "orderActor" | "deleteOrderActor"; readonly orderId: string }
  | { readonly kind: "zone"; readonly timeZone: string; readonly now: number };

const newLead: LeadRow = {
  source: null, firstSeenAt: null, lastSeenAt: null, stage: "new", ordersCount: 0, lifetimeValue: 0, consentAt: null, consentVersion: null, phone: null,
  tags: [], stageDates: {}, erasedAt: null, blockedAt: null, dormantSince: null, unsubscribedAt: null, lastSeq: 0,
};
const newOrder: OrderRow = { userId: 1, total: 0, at: base, status: "placed", payment: "cash", paidAt: null };

/** Zones with and without clock changes, a half-hour one, and one whose clocks moved at midnight. */
export const timeZones = ["UTC", "Europe/Moscow", "Europe/Berlin", "America/New_York", "Asia/Tehran", "Australia/Lord_Howe"] as const;

/** Times around `base`: anywhere in 20 weeks either side, or a millisecond or so from a week's edge at some offset. */
const time = fc.oneof(
  fc.integer({ min: -20 * week, max: 20 * week }).map((ms) => base + ms),
  fc.tuple(fc.integer({ min: -20, max: 20 }), fc.constantFrom(0, 3, 1, -4, -5, 3.5, 10.5), fc.integer({ min: -1, max: 1 })).map(([k, offset, ms]) => base + k * week - offset * hour + ms),
);
/** A value or null, null one time in `odds` (fast-check's `freq`). */
const maybe = <T>(arb: fc.Arbitrary<T>, odds = 2): fc.Arbitrary<T | null> => fc.option(arb, { nil: null, freq: odds });
/** Mostly null: an erasure is rare. */
const rarely = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
/** Money: whole cents mostly, and values whose cents are a tie or just off one in binary, where rounding rules differ. */
const money = fc.oneof(fc.integer({ min: 0, max: 200_000 }).map((cents) => cents / 100), fc.constantFrom(0.125, 1.005, 2.675, 0.015, 0.5, 1e10, 3e9 + 0.005));
const stageDates = fc.oneof(
  { weight: 6, arbitrary: fc.record(Object.fromEntries(stages.map((stage) => [stage, time])) as Record<(typeof stages)[number], fc.Arbitrary<number>>, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>([], "new", 5, { new: "x" }, { new: true, cart: base }, { bogus: base, new: base + hour }) },
);
const tags = fc.oneof(
  { weight: 6, arbitrary: fc.array(fc.constantFrom("vip", "b2b", "late", "опт", "VIP"), { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>({ a: "vip" }, "vip", [1, "vip", null, ["x"]], null) },
);

const leadPatch: fc.Arbitrary<Partial<LeadRow>> = fc.record(
  {
    source: maybe(fc.constantFrom("ads", "blog", "friend", "канал")),
    firstSeenAt: maybe(time, 6),
    lastSeenAt: maybe(time, 6),
    stage: fc.constantFrom(...stages, "bogus"),
    ordersCount: fc.integer({ min: 0, max: 3 }),
    lifetimeValue: money,
    consentAt: maybe(time),
    consentVersion: maybe(fc.constantFrom("v1", "v2")),
    phone: maybe(fc.constant("+79990000000")),
    tags,
    stageDates,
    erasedAt: rarely(time),
    blockedAt: maybe(time),
    dormantSince: maybe(time),
    unsubscribedAt: maybe(time),
    lastSeq: fc.integer({ min: 0, max: 1000 }),
  },
  { requiredKeys: [] },
);
const orderPatch: fc.Arbitrary<Partial<OrderRow>> = fc.record(
  { userId: fc.integer({ min: 1, max: 6 }), total: money, at: time, status: fc.constantFrom(...orderStatuses), payment: fc.constantFrom(...paymentMethods), paidAt: maybe(time) },
  { requiredKeys: [] },
);
const userId = fc.integer({ min: 1, max: 6 });
const orderId = fc.constantFrom("A", "B", "C", "D", "E");

/** A random write: mostly lead and order changes, sometimes an erasure-like patch, a deletion, an order actor, a zone change. */
export const aWrite: fc.Arbitrary<Write> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant("lead" as const), userId, patch: leadPatch }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("deleteLead" as const), userId }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("order" as const), orderId, patch: orderPatch }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("deleteOrder" as const), orderId }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom("orderActor" as const, "deleteOrderActor" as const), orderId }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("zone" as const), timeZone: fc.constantFrom(...timeZones), now: fc.constantFrom(base, base + 20 * week) }) },
);

/** Final rows, each written once: what a copy loads. */
export interface RowsState {
  readonly leads: readonly (readonly [number, LeadRow])[];
  readonly orders: readonly (readonly [string, OrderRow])[];
  readonly orderActors: readonly string[];
}

/** A few leads, orders and order actors, at least one lead and one order. */
export const someRows: fc.Arbitrary<RowsState> = fc.record({
  leads: fc.uniqueArray(fc.tuple(userId, leadPatch.map((patch): LeadRow => ({ ...newLead, ...patch }))), { selector: ([id]) => id, minLength: 1, maxLength: 6 }),
  orders: fc.uniqueArray(fc.tuple(orderId, orderPatch.map((patch): OrderRow => ({ ...newOrder, ...patch }))), { selector: ([id]) => id, minLength: 1, maxLength: 5 }),
  orderActors: fc.uniqueArray(orderId, { maxLength: 5 }),
});

const leadColumns = [
  "user_id", "source", "first_seen_at", "last_seen_at", "stage", "orders_count", "lifetime_value", "consent_at", "consent_version", "phone", "tags", "notes",
  "stage_entered_at", "machine_version", "snapshot", "last_seq", "search_text", "erased_at", "blocked_at", "dormant_since", "unsubscribed_at",
] as const;
const jsonColumns = new Set(["tags", "stage_entered_at"]);

function leadValues(id: number, lead: LeadRow): SQLInputValue[] {
  return [
    id, lead.source, lead.firstSeenAt, lead.lastSeenAt, lead.stage, lead.ordersCount, lead.lifetimeValue, lead.consentAt, lead.consentVersion, lead.phone,
    JSON.stringify(lead.tags), "[]", JSON.stringify(lead.stageDates), 5, `{"seq":${lead.lastSeq}}`, lead.lastSeq, "", lead.erasedAt, lead.blockedAt, lead.dormantSince, lead.unsubscribedAt,
  ];
}

/** The store's lead upsert: every column set, so each trigger's WHEN decides alone. */
function leadUpsert(param: (index: number, column: string) => string): string {
  const sets = leadColumns.filter((column) => column !== "user_id").map((column) => `${column} = excluded.${column}`).join(", ");
  return `INSERT INTO crm_leads (${leadColumns.join(", ")}) VALUES (${leadColumns.map((column, index) => param(index, column)).join(", ")})
    ON CONFLICT (user_id) DO UPDATE SET ${sets}`;
}
const sqliteLeadUpsert = leadUpsert(() => "?");
/** The lead upsert on PostgreSQL (JSON columns cast to JSONB) and its values: what the store's saveActor sends. */
export const pgLeadUpsert = leadUpsert((index, column) => `$${index + 1}${jsonColumns.has(column) ? "::jsonb" : ""}`);
export const pgLeadValues = leadValues;

const orderUpsert = (p: readonly string[]): string => `INSERT INTO crm_orders (order_id, user_id, items, total, currency, at, status, payment, paid_at)
  VALUES (${p[0]}, ${p[1]}, '[]', ${p[2]}, 'RUB', ${p[3]}, ${p[4]}, ${p[5]}, ${p[6]})
  ON CONFLICT (order_id) DO UPDATE SET user_id = excluded.user_id, total = excluded.total, at = excluded.at, status = excluded.status, payment = excluded.payment, paid_at = excluded.paid_at`;
const actorInsert = (p: string): string => `INSERT INTO crm_actor_states (actor, machine_version, snapshot, last_seq) VALUES ('order:' || ${p}, 1, '{}', 0)`;

/** Writes the rows with one client (which may have the triggers off): leads, then orders, then order actors. */
export async function loadRows(client: Pick<Pool, "query">, rows: RowsState): Promise<void> {
  for (const [id, lead] of rows.leads) await client.query(pgLeadUpsert, leadValues(id, lead));
  for (const [id, order] of rows.orders) {
    await client.query(orderUpsert(["$1", "$2", "$3", "$4", "$5", "$6", "$7"]), [id, order.userId, order.total, order.at, order.status, order.payment, order.paidAt]);
  }
  for (const id of rows.orderActors) await client.query(actorInsert("$1::text"), [id]);
}

/** Every projection of PostgreSQL alone. */
export async function readPg(pool: Pick<Pool, "query">): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [name, sql] of Object.entries(projections)) out[name] = rowsAsLines((await pool.query(sql)).rows);
  return out;
}

/** Both databases and the rows last written, so that a patch changes only what it names. */
export interface Twins {
  readonly sqlite: DatabaseSync;
  readonly pg: Pool;
  readonly leads: Map<number, LeadRow>;
  readonly orders: Map<string, OrderRow>;
}

/** What one side did with a write: nothing to report, or the error it refused it with. */
type Outcome = { readonly ok: true } | { readonly ok: false; readonly error: string };

const outcomeOf = async (run: () => unknown): Promise<Outcome> => {
  try {
    await run();
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
};

/** Applies one write to both sides; returns both outcomes (a twin refuses what the other refuses). */
export async function applyWrite(twins: Twins, write: Write): Promise<{ sqlite: Outcome; pg: Outcome }> {
  const { sqlite, pg } = twins;
  switch (write.kind) {
    case "lead": {
      const lead = { ...(twins.leads.get(write.userId) ?? newLead), ...write.patch };
      const values = leadValues(write.userId, lead);
      const result = { sqlite: await outcomeOf(() => sqlite.prepare(sqliteLeadUpsert).run(...values)), pg: await outcomeOf(() => pg.query(pgLeadUpsert, values)) };
      if (result.sqlite.ok) twins.leads.set(write.userId, lead);
      return result;
    }
    case "deleteLead":
      twins.leads.delete(write.userId);
      return {
        sqlite: await outcomeOf(() => sqlite.prepare("DELETE FROM crm_leads WHERE user_id = ?").run(write.userId)),
        pg: await outcomeOf(() => pg.query("DELETE FROM crm_leads WHERE user_id = $1", [write.userId])),
      };
    case "order": {
      const order = { ...(twins.orders.get(write.orderId) ?? newOrder), ...write.patch };
      const values = [write.orderId, order.userId, order.total, order.at, order.status, order.payment, order.paidAt];
      const result = {
        sqlite: await outcomeOf(() => sqlite.prepare(orderUpsert(values.map(() => "?"))).run(...values)),
        pg: await outcomeOf(() => pg.query(orderUpsert(values.map((_, index) => `$${index + 1}`)), values)),
      };
      if (result.sqlite.ok) twins.orders.set(write.orderId, order);
      return result;
    }
    case "deleteOrder":
      twins.orders.delete(write.orderId);
      return {
        sqlite: await outcomeOf(() => sqlite.prepare("DELETE FROM crm_orders WHERE order_id = ?").run(write.orderId)),
        pg: await outcomeOf(() => pg.query("DELETE FROM crm_orders WHERE order_id = $1", [write.orderId])),
      };
    case "orderActor":
      return { sqlite: await outcomeOf(() => sqlite.prepare(actorInsert("?")).run(write.orderId)), pg: await outcomeOf(() => pg.query(actorInsert("$1::text"), [write.orderId])) };
    case "deleteOrderActor":
      return {
        sqlite: await outcomeOf(() => sqlite.prepare("DELETE FROM crm_actor_states WHERE actor = 'order:' || ?").run(write.orderId)),
        pg: await outcomeOf(() => pg.query("DELETE FROM crm_actor_states WHERE actor = 'order:' || $1::text", [write.orderId])),
      };
    case "zone":
      return {
        sqlite: await outcomeOf(() => {
          useCohortTimeZone(sqlite, write.timeZone);
          syncLifecycleZone(sqlite, write.timeZone, write.now);
        }),
        pg: await outcomeOf(async () => {
          await pgUseCohortTimeZone(pg, write.timeZone);
          await syncPgLifecycleZone(pg, write.timeZone, write.now);
        }),
      };
  }
}

/** Each projection as one statement both databases answer alike (segment sources by name: their ids are each side's own). */
export const projections: Readonly<Record<string, string>> = {
  crm_stage_moves: "SELECT user_id, stage, at FROM crm_stage_moves",
  crm_funnel: "SELECT stage, count, dormant FROM crm_funnel",
  crm_segment_leads: `SELECT l.user_id, l.flags, l.stage, l.last_seen, l.first_seen, l.orders_count, l.lifetime_value, s.source, l.consent_version
    FROM crm_segment_leads l LEFT JOIN crm_segment_sources s ON s.id = l.source_id`,
  crm_segment_sources: "SELECT source FROM crm_segment_sources",
  crm_lead_tags: "SELECT tag, user_id FROM crm_lead_tags",
  crm_stage_time: "SELECT metric, bucket, n FROM crm_stage_time",
  crm_cohort_zone: "SELECT time_zone FROM crm_cohort_zone",
  crm_cohort_weeks: "SELECT count(*) AS n, min(start_at) AS first, max(start_at) AS last, sum((start_at / 1000) % 86400) AS seconds FROM crm_cohort_weeks",
  crm_cohort_orders: "SELECT order_id, user_id, week, live, revenue FROM crm_cohort_orders",
  crm_cohort_activity: "SELECT user_id, week, orders, revenue FROM crm_cohort_activity",
  crm_cohort_cells: "SELECT cohort, week, customers, revenue FROM crm_cohort_cells",
  crm_cohort_sizes: "SELECT cohort, customers FROM crm_cohort_sizes",
  crm_lifecycle: "SELECT week, kind, n FROM crm_lifecycle",
  crm_lifecycle_zone: "SELECT offset_ms, backfilled_through FROM crm_lifecycle_zone",
  crm_ltv_buckets: "SELECT bucket, customers, cents FROM crm_ltv_buckets",
  crm_ltv_sources: "SELECT source_key, customers, cents FROM crm_ltv_sources",
};

/** A value as both sides compare: BIGINT and NUMERIC as numbers, money to a millionth (sums in a different order may differ in the last bit). */
const comparable = (value: unknown): unknown => {
  const number = typeof value === "bigint" ? Number(value) : value;
  return typeof number === "number" && !Number.isInteger(number) ? Math.round(number * 1e6) / 1e6 : number;
};

/** A projection's rows as sorted JSON lines: each side's own order and collation do not matter. */
export function rowsAsLines(rows: readonly Record<string, unknown>[]): string[] {
  return rows.map((row) => JSON.stringify(Object.values(row).map(comparable))).sort();
}

/** Every projection of both sides. */
export async function readBoth(twins: Twins): Promise<{ sqlite: Record<string, string[]>; pg: Record<string, string[]> }> {
  const sqlite: Record<string, string[]> = {};
  const pg: Record<string, string[]> = {};
  for (const [name, sql] of Object.entries(projections)) {
    sqlite[name] = rowsAsLines(twins.sqlite.prepare(sql).all());
    pg[name] = rowsAsLines((await twins.pg.query(sql)).rows);
  }
  return { sqlite, pg };
}
