import type { Pool } from "pg";
import { lifetimeValueEdges, weekShiftMs, zoneOffsetMs } from "../../actors/lifecycle.ts";
import { afterRow, triggerFunction } from "./pgTriggerSql.ts";

/**
 * The weekly lifecycle and lifetime-value projections on PostgreSQL: the twins of
 * adapters/sqlite/sqliteLifecycle.ts (SQLite migration 14), same tables. Weeks are filed at the fixed
 * offset of `crm_lifecycle_zone`, as in SQLite: the offset is a literal of the triggers' WHEN clauses
 * (which cannot read a table), so that a commit whose last-seen time stays in its week calls nothing,
 * and `syncPgLifecycleZone` recreates the triggers when the configured zone's offset differs.
 */

/** The default TIME_ZONE's offset (Europe/Moscow, +3 h), as SQLite's migration 14 files weeks until a store opens with its zone. */
const moscowOffsetMs = 3 * 3_600_000;

/** The advisory lock key under which one process at a time changes the lifecycle's offset. */
export const lifecycleZoneLockKey = 15_000_000_003n;

const weekMs = 604_800_000;

const functions = `
  CREATE TABLE crm_lifecycle (week INTEGER NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('new', 'returning', 'reactivated')), n INTEGER NOT NULL, PRIMARY KEY (week, kind));
  CREATE TABLE crm_lifecycle_zone (id INTEGER PRIMARY KEY CHECK (id = 1), offset_ms BIGINT NOT NULL, backfilled_through BIGINT);
  INSERT INTO crm_lifecycle_zone (id, offset_ms) VALUES (1, ${moscowOffsetMs});
  CREATE FUNCTION crm_lifecycle_count(p_week bigint, p_kind text) RETURNS void LANGUAGE sql
    AS $$ INSERT INTO crm_lifecycle (week, kind, n) VALUES (p_week, p_kind, 1) ON CONFLICT (week, kind) DO UPDATE SET n = crm_lifecycle.n + 1 $$;
  -- A lead first seen: new in its first week, and its last week too when that is a later one. TG_ARGV[0] is the week shift.
  ${triggerFunction(
    "crm_lifecycle_first_write",
    `w_first := (coalesce(NEW.first_seen_at, NEW.last_seen_at) + w_shift) / ${weekMs};
    w_last := (NEW.last_seen_at + w_shift) / ${weekMs};
    PERFORM crm_lifecycle_count(w_first, 'new');
    IF w_last > w_first THEN PERFORM crm_lifecycle_count(w_last, CASE WHEN w_last = w_first + 1 THEN 'returning' ELSE 'reactivated' END); END IF;`,
    `w_shift bigint := TG_ARGV[0]::bigint; w_first bigint; w_last bigint;`,
  )}
  -- A customer's first act of a later week.
  ${triggerFunction(
    "crm_lifecycle_move_write",
    `w_now := (NEW.last_seen_at + w_shift) / ${weekMs};
    w_before := (OLD.last_seen_at + w_shift) / ${weekMs};
    PERFORM crm_lifecycle_count(w_now, CASE WHEN w_now = w_before + 1 THEN 'returning' ELSE 'reactivated' END);`,
    `w_shift bigint := TG_ARGV[0]::bigint; w_now bigint; w_before bigint;`,
  )}`;

/** The lifecycle triggers at one offset, created or replaced: the twins of SQLite's `lifecycleTriggers`. */
export function pgLifecycleTriggers(offsetMs: number): string {
  const shift = String(weekShiftMs(offsetMs));
  const week = (at: string): string => `((${at} + ${shift}) / ${weekMs})`;
  return [
    afterRow("crm_lifecycle_insert", "INSERT ON crm_leads", "NEW.last_seen_at IS NOT NULL", "crm_lifecycle_first_write", [shift]),
    afterRow("crm_lifecycle_first", "UPDATE OF last_seen_at ON crm_leads", "OLD.last_seen_at IS NULL AND NEW.last_seen_at IS NOT NULL", "crm_lifecycle_first_write", [shift]),
    afterRow("crm_lifecycle_update", "UPDATE OF last_seen_at ON crm_leads", `${week("NEW.last_seen_at")} > ${week("OLD.last_seen_at")}`, "crm_lifecycle_move_write", [shift]),
  ].join("\n");
}

/** The counts the leads already stored give (their first week, and their last when later), and the offset they were filed at. */
export function pgLifecycleBackfill(offsetMs: number): string {
  const shift = weekShiftMs(offsetMs);
  const first = `((coalesce(first_seen_at, last_seen_at) + ${shift}) / ${weekMs})`;
  const last = `((last_seen_at + ${shift}) / ${weekMs})`;
  return `DELETE FROM crm_lifecycle;
    INSERT INTO crm_lifecycle (week, kind, n) SELECT r.week, r.kind, count(*) FROM (
      SELECT ${first} AS week, 'new' AS kind FROM crm_leads WHERE last_seen_at IS NOT NULL
      UNION ALL SELECT ${last}, CASE WHEN ${last} = ${first} + 1 THEN 'returning' ELSE 'reactivated' END FROM crm_leads WHERE last_seen_at IS NOT NULL AND ${last} > ${first}
    ) r GROUP BY r.week, r.kind;
    UPDATE crm_lifecycle_zone SET offset_ms = ${offsetMs}, backfilled_through = (SELECT max(last_seen_at) FROM crm_leads);`;
}

const bucketOf = (value: string): string =>
  `(CASE ${lifetimeValueEdges.map((edge, i) => ({ edge, i })).slice(1).reverse().map(({ edge, i }) => `WHEN ${value} >= ${edge} THEN ${i}`).join(" ")} ELSE 0 END)`;
const sourceKey = (source: string): string => `(CASE WHEN ${source} IS NULL THEN '' ELSE '=' || ${source} END)`;
const upsert = (table: string, key: string): string =>
  `ON CONFLICT (${key}) DO UPDATE SET customers = ${table}.customers + excluded.customers, cents = ${table}.cents + excluded.cents`;

const ltv = `
  CREATE TABLE crm_ltv_buckets (bucket INTEGER PRIMARY KEY, customers INTEGER NOT NULL, cents BIGINT NOT NULL);
  CREATE TABLE crm_ltv_sources (source_key TEXT PRIMARY KEY, customers INTEGER NOT NULL, cents BIGINT NOT NULL);
  -- SQLite's CAST(round(value * 100) AS INTEGER): half away from zero on the double, where PostgreSQL's round(float8) goes to even.
  CREATE FUNCTION crm_cents(value double precision) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT trunc(value * 100 + CASE WHEN value * 100 < 0 THEN -0.5::float8 ELSE 0.5::float8 END)::bigint $$;
  CREATE FUNCTION crm_ltv_add(p_value double precision, p_source text, p_sign integer) RETURNS void LANGUAGE sql AS $$
    INSERT INTO crm_ltv_buckets (bucket, customers, cents) VALUES (${bucketOf("p_value")}, p_sign, p_sign * crm_cents(p_value)) ${upsert("crm_ltv_buckets", "bucket")};
    INSERT INTO crm_ltv_sources (source_key, customers, cents) VALUES (${sourceKey("p_source")}, p_sign, p_sign * crm_cents(p_value)) ${upsert("crm_ltv_sources", "source_key")};
  $$;
  ${triggerFunction(
    "crm_ltv_write",
    `IF TG_OP <> 'INSERT' AND OLD.orders_count > 0 THEN PERFORM crm_ltv_add(OLD.lifetime_value, OLD.source, -1); END IF;
    IF TG_OP <> 'DELETE' AND NEW.orders_count > 0 THEN PERFORM crm_ltv_add(NEW.lifetime_value, NEW.source, 1); END IF;`,
  )}
  ${afterRow("crm_ltv_insert", "INSERT ON crm_leads", "NEW.orders_count > 0", "crm_ltv_write")}
  ${afterRow(
    "crm_ltv_update",
    "UPDATE OF orders_count, lifetime_value, source ON crm_leads",
    "OLD.orders_count IS DISTINCT FROM NEW.orders_count OR OLD.lifetime_value IS DISTINCT FROM NEW.lifetime_value OR OLD.source IS DISTINCT FROM NEW.source",
    "crm_ltv_write",
  )}
  ${afterRow("crm_ltv_delete", "DELETE ON crm_leads", "OLD.orders_count > 0", "crm_ltv_write")}`;

/** Both lifetime-value histograms recounted from the leads. */
export const pgLtvBackfill = `
  DELETE FROM crm_ltv_buckets; DELETE FROM crm_ltv_sources;
  INSERT INTO crm_ltv_buckets (bucket, customers, cents) SELECT ${bucketOf("lifetime_value")}, count(*), sum(crm_cents(lifetime_value)) FROM crm_leads WHERE orders_count > 0 GROUP BY 1;
  INSERT INTO crm_ltv_sources (source_key, customers, cents) SELECT ${sourceKey("source")}, count(*), sum(crm_cents(lifetime_value)) FROM crm_leads WHERE orders_count > 0 GROUP BY 1;`;

/** SQLite migration 14's tables, functions and triggers at Moscow's offset, and the lifecycle's backfill (the LTV's runs with the others). */
export const pgLifecycleSchema = [functions, pgLifecycleTriggers(moscowOffsetMs), pgLifecycleBackfill(moscowOffsetMs), ltv].join("\n");

/**
 * Files weeks at TIME_ZONE's offset now, once per open, as SQLite's `syncLifecycleZone`: when the
 * stored offset differs, the triggers are replaced, and if no lead was seen since the backfill the
 * backfill is redone at the new offset. Several processes may call it at once: one changes it, the
 * others find it done. Returns the offset.
 */
export async function syncPgLifecycleZone(pool: Pool, timeZone: string, now: number): Promise<number> {
  const offsetMs = zoneOffsetMs(timeZone, now);
  const zoneSql = "SELECT offset_ms::text AS offset_ms, backfilled_through::text AS through, (SELECT max(last_seen_at) FROM crm_leads)::text AS seen FROM crm_lifecycle_zone";
  const before = (await pool.query(zoneSql)).rows[0];
  if (before === undefined || Number(before["offset_ms"]) === offsetMs) return offsetMs;
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [lifecycleZoneLockKey.toString()]);
    const zone = (await client.query(zoneSql)).rows[0];
    if (zone !== undefined && Number(zone["offset_ms"]) !== offsetMs) {
      await client.query(pgLifecycleTriggers(offsetMs));
      await client.query(zone["seen"] === zone["through"] ? pgLifecycleBackfill(offsetMs) : `UPDATE crm_lifecycle_zone SET offset_ms = ${offsetMs}`);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  return offsetMs;
}
