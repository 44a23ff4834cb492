import type { DatabaseSync } from "node:sqlite";
import { lifecycleSeries, weekOf, lifetimeValueEdges, lifetimeValueStats, weekShiftMs, zoneOffsetMs, type WeekCounts } from "../../actors/lifecycle.ts";
import type { LifecycleReads } from "../../actors/lifecycle.port.ts";

/** The default TIME_ZONE's offset (Europe/Moscow, +3 h, no summer time): what migration 14 files weeks by until a store opens with its zone. */
const moscowOffsetMs = 3 * 3_600_000;

/** The Monday-start week of a time in ms, at the offset baked into the triggers. */
const week = (at: string, shift: number): string => `((${at} + ${shift}) / 604800000)`;

/** What a lead first seen counts: `new` in its first week, and its last week too when that is a later one (a lead older than the projection). */
function firstSeen(row: "new" | "l", shift: number): string {
  const first = week(`coalesce(${row}.first_seen_at, ${row}.last_seen_at)`, shift);
  const last = week(`${row}.last_seen_at`, shift);
  const from = row === "l" ? " FROM crm_leads l WHERE l.last_seen_at IS NOT NULL" : "";
  const and = row === "l" ? " AND" : " WHERE";
  return `SELECT ${first} AS week, 'new' AS kind${from}
    UNION ALL SELECT ${last}, CASE WHEN ${last} = ${first} + 1 THEN 'returning' ELSE 'reactivated' END${from}${and} ${last} > ${first}`;
}

const count = (rows: string, n: string): string =>
  `INSERT INTO crm_lifecycle (week, kind, n) SELECT week, kind, ${n} FROM (${rows}) WHERE true GROUP BY week, kind ON CONFLICT (week, kind) DO UPDATE SET n = n + excluded.n;`;

/**
 * The lifecycle triggers at one offset. An ordinary commit saves the lead with `last_seen_at` in
 * the same week as before, so the WHEN clauses (integer arithmetic on the row) are false and
 * nothing is written; a customer's first act of a week counts them once.
 */
export function lifecycleTriggers(offsetMs: number): string {
  const shift = weekShiftMs(offsetMs);
  const [now, before] = [week("new.last_seen_at", shift), week("old.last_seen_at", shift)];
  return `
  DROP TRIGGER IF EXISTS crm_lifecycle_insert;
  DROP TRIGGER IF EXISTS crm_lifecycle_first;
  DROP TRIGGER IF EXISTS crm_lifecycle_update;
  CREATE TRIGGER crm_lifecycle_insert AFTER INSERT ON crm_leads WHEN new.last_seen_at IS NOT NULL BEGIN
    ${count(firstSeen("new", shift), "count(*)")}
  END;
  CREATE TRIGGER crm_lifecycle_first AFTER UPDATE OF last_seen_at ON crm_leads WHEN old.last_seen_at IS NULL AND new.last_seen_at IS NOT NULL BEGIN
    ${count(firstSeen("new", shift), "count(*)")}
  END;
  CREATE TRIGGER crm_lifecycle_update AFTER UPDATE OF last_seen_at ON crm_leads WHEN ${now} > ${before} BEGIN
    INSERT INTO crm_lifecycle (week, kind, n) VALUES (${now}, CASE WHEN ${now} = ${before} + 1 THEN 'returning' ELSE 'reactivated' END, 1)
      ON CONFLICT (week, kind) DO UPDATE SET n = n + 1;
  END;`;
}

/** The counts the leads already stored give: their first week, and their last week when later (nothing in between is known). */
export function lifecycleBackfill(offsetMs: number): string {
  const shift = weekShiftMs(offsetMs);
  return `DELETE FROM crm_lifecycle;
    ${count(firstSeen("l", shift), "count(*)")}
    UPDATE crm_lifecycle_zone SET offset_ms = ${offsetMs}, backfilled_through = (SELECT max(last_seen_at) FROM crm_leads);`;
}

const bucketOf = (value: string): string =>
  `(CASE ${lifetimeValueEdges.map((edge, i) => ({ edge, i })).slice(1).reverse().map(({ edge, i }) => `WHEN ${value} >= ${edge} THEN ${i}`).join(" ")} ELSE 0 END)`;
const sourceKey = (source: string): string => `(CASE WHEN ${source} IS NULL THEN '' ELSE '=' || ${source} END)`;

/** A lead's lifetime value added to (sign 1) or taken from (−1) both histograms, when it ordered. */
function ltv(row: "new" | "old", sign: 1 | -1): string {
  const value = `${row}.lifetime_value`;
  const cents = `${sign} * CAST(round(${value} * 100) AS INTEGER)`;
  const upsert = "ON CONFLICT DO UPDATE SET customers = customers + excluded.customers, cents = cents + excluded.cents;";
  return `INSERT INTO crm_ltv_buckets (bucket, customers, cents) SELECT ${bucketOf(value)}, ${sign}, ${cents} WHERE ${row}.orders_count > 0 ${upsert}
    INSERT INTO crm_ltv_sources (source_key, customers, cents) SELECT ${sourceKey(`${row}.source`)}, ${sign}, ${cents} WHERE ${row}.orders_count > 0 ${upsert}`;
}

/**
 * Migration 14: the weekly lifecycle (`crm_lifecycle`: week × new/returning/reactivated, from
 * which dormant follows) and the lifetime-value histograms (by bucket of the 1-2-5 money scale and
 * by source, customers and cents), kept by triggers on crm_leads and filled from the leads already
 * there. Weeks are filed at a fixed offset (`crm_lifecycle_zone`): Moscow's here, the configured
 * TIME_ZONE's once the store opens (`syncLifecycleZone`).
 */
export const lifecycleMigration = `
  CREATE TABLE crm_lifecycle (week INTEGER NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('new', 'returning', 'reactivated')), n INTEGER NOT NULL, PRIMARY KEY (week, kind)) WITHOUT ROWID;
  CREATE TABLE crm_lifecycle_zone (id INTEGER PRIMARY KEY CHECK (id = 1), offset_ms INTEGER NOT NULL, backfilled_through INTEGER);
  INSERT INTO crm_lifecycle_zone (id, offset_ms) VALUES (1, ${moscowOffsetMs});
  ${lifecycleTriggers(moscowOffsetMs)}
  ${lifecycleBackfill(moscowOffsetMs)}
  CREATE TABLE crm_ltv_buckets (bucket INTEGER PRIMARY KEY, customers INTEGER NOT NULL, cents INTEGER NOT NULL);
  CREATE TABLE crm_ltv_sources (source_key TEXT PRIMARY KEY, customers INTEGER NOT NULL, cents INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TRIGGER crm_ltv_insert AFTER INSERT ON crm_leads WHEN new.orders_count > 0 BEGIN
    ${ltv("new", 1)}
  END;
  CREATE TRIGGER crm_ltv_update AFTER UPDATE OF orders_count, lifetime_value, source ON crm_leads
    WHEN old.orders_count IS NOT new.orders_count OR old.lifetime_value IS NOT new.lifetime_value OR old.source IS NOT new.source BEGIN
    ${ltv("old", -1)}
    ${ltv("new", 1)}
  END;
  CREATE TRIGGER crm_ltv_delete AFTER DELETE ON crm_leads WHEN old.orders_count > 0 BEGIN
    ${ltv("old", -1)}
  END;
  INSERT INTO crm_ltv_buckets (bucket, customers, cents) SELECT ${bucketOf("lifetime_value")}, count(*), sum(CAST(round(lifetime_value * 100) AS INTEGER)) FROM crm_leads WHERE orders_count > 0 GROUP BY 1;
  INSERT INTO crm_ltv_sources (source_key, customers, cents) SELECT ${sourceKey("source")}, count(*), sum(CAST(round(lifetime_value * 100) AS INTEGER)) FROM crm_leads WHERE orders_count > 0 GROUP BY 1;
`;

/**
 * Files weeks at TIME_ZONE's offset now, once per open. When the stored offset differs: if no lead
 * was seen since the backfill (a store just migrated, or a new one), the backfill is redone at the
 * new offset; otherwise only the triggers change, and weeks already counted keep their bounds.
 * The store calls it at open, after the migrations.
 */
export function syncLifecycleZone(db: DatabaseSync, timeZone: string, now: number): number {
  const offsetMs = zoneOffsetMs(timeZone, now);
  const zone = db.prepare("SELECT offset_ms, backfilled_through, (SELECT max(last_seen_at) FROM crm_leads) AS seen FROM crm_lifecycle_zone").get();
  if (zone === undefined || Number(zone["offset_ms"]) === offsetMs) return offsetMs;
  const untouched = zone["seen"] === zone["backfilled_through"];
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec(lifecycleTriggers(offsetMs));
    db.exec(untouched ? lifecycleBackfill(offsetMs) : `UPDATE crm_lifecycle_zone SET offset_ms = ${offsetMs};`);
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
  return offsetMs;
}

/** The figures' statements, for the query-plan test. */
export const lifecycleSql = {
  weeks: "SELECT week, kind, n FROM crm_lifecycle WHERE week >= ? AND week <= ?",
  offset: "SELECT offset_ms FROM crm_lifecycle_zone",
  buckets: "SELECT bucket, customers, cents FROM crm_ltv_buckets WHERE customers > 0",
  sources: "SELECT source_key, customers, cents FROM crm_ltv_sources WHERE customers > 0",
} as const;

/** The lifecycle and lifetime-value reads (actors/lifecycle.port.ts) from the projections: a few dozen rows, whatever the number of leads. */
export function sqliteLifecycle(db: DatabaseSync, ensureOpen: () => void): LifecycleReads {
  const sql = { weeks: db.prepare(lifecycleSql.weeks), offset: db.prepare(lifecycleSql.offset), buckets: db.prepare(lifecycleSql.buckets), sources: db.prepare(lifecycleSql.sources) };
  return {
    async lifecycle(query) {
      ensureOpen();
      const offsetMs = Number(sql.offset.get()?.["offset_ms"] ?? moscowOffsetMs);
      const last = weekOf(query.now, offsetMs);
      const counts = new Map<number, WeekCounts>();
      for (const row of sql.weeks.all(last - Math.max(0, query.weeks), last)) {
        const week = Number(row["week"]);
        const kind = String(row["kind"]) as keyof WeekCounts;
        counts.set(week, { ...(counts.get(week) ?? { new: 0, returning: 0, reactivated: 0 }), [kind]: Number(row["n"]) });
      }
      return lifecycleSeries(counts, query, offsetMs);
    },
    async lifetimeValues() {
      ensureOpen();
      const buckets = sql.buckets.all().map((row) => ({ key: Number(row["bucket"]), customers: Number(row["customers"]), cents: Number(row["cents"]) }));
      const sources = sql.sources.all().map((row) => {
        const key = String(row["source_key"]);
        return { key: key === "" ? null : key.slice(1), customers: Number(row["customers"]), cents: Number(row["cents"]) };
      });
      return lifetimeValueStats(buckets, sources);
    },
  };
}
