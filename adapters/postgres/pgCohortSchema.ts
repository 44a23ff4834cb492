import type { Pool } from "pg";
import { weekStartsFrom } from "../../actors/cohorts.ts";
import { revenueRule } from "../storeRows.ts";
import { afterRow, triggerFunction } from "./pgTriggerSql.ts";

/**
 * The weekly cohort projection on PostgreSQL: the twin of adapters/sqlite/sqliteCohorts.ts (SQLite
 * migration 13), with the same tables keyed by week start. The week starts stay rows of
 * `crm_cohort_weeks` computed by actors/cohorts.ts, although PostgreSQL knows time zones: the reads
 * key their weeks by that same code (`lastWeekStarts`), so a week start computed by PostgreSQL's own
 * time zone data, where it differs from Node's (a release apart, or a midnight that a clock change
 * skips), would miss its cells. A zone change rebuilds the projection (`pgUseCohortTimeZone`) under
 * an advisory lock that every cohort trigger takes shared, so no order commits a week of the old zone
 * into the new projection.
 */

/** The first and the number of week starts kept: Monday 1969-12-29 on, about 130 years (as SQLite). */
const firstWeek = Date.parse("1969-12-29T00:00:00Z");
const weekCount = 6_800;

/** The advisory lock key of the cohort projection's time zone: taken shared by its triggers, exclusive by a rebuild. */
export const cohortZoneLockKey = 15_000_000_002n;
const sharedLock = `PERFORM pg_advisory_xact_lock_shared(${cohortZoneLockKey});`;

const counts = "status NOT IN ('cancelled', 'refunding', 'refunded')";
const addCells = "ON CONFLICT (cohort, week) DO UPDATE SET customers = crm_cohort_cells.customers + excluded.customers, revenue = crm_cohort_cells.revenue + excluded.revenue;";

const functions = `
  CREATE FUNCTION crm_cohort_week(p_at bigint) RETURNS bigint LANGUAGE sql STABLE
    AS $$ SELECT w.start_at FROM crm_cohort_weeks w WHERE w.start_at <= p_at ORDER BY w.start_at DESC LIMIT 1 $$;
  -- Takes the order's contribution out, recomputes it from its row (if any), and adds it back.
  CREATE FUNCTION crm_cohort_resync(p_order text) RETURNS void LANGUAGE plpgsql AS $fn$
  BEGIN
    ${sharedLock}
    UPDATE crm_cohort_activity a SET orders = a.orders - c.live, revenue = a.revenue - c.revenue
      FROM crm_cohort_orders c WHERE c.order_id = p_order AND a.user_id = c.user_id AND a.week = c.week;
    DELETE FROM crm_cohort_orders WHERE order_id = p_order;
    INSERT INTO crm_cohort_orders (order_id, user_id, week, live, revenue)
      SELECT order_id, user_id, crm_cohort_week(at), (${counts})::int, CASE WHEN ${revenueRule} THEN total ELSE 0 END FROM crm_orders WHERE order_id = p_order;
    INSERT INTO crm_cohort_activity (user_id, week, orders, revenue)
      SELECT user_id, week, live, revenue FROM crm_cohort_orders WHERE order_id = p_order AND week IS NOT NULL
      ON CONFLICT (user_id, week) DO UPDATE SET orders = crm_cohort_activity.orders + excluded.orders, revenue = crm_cohort_activity.revenue + excluded.revenue;
  END $fn$;
  -- Adds (sign 1) or takes out (-1) a customer and their activity to or from a cohort (null: none).
  CREATE FUNCTION crm_cohort_move(p_cohort bigint, p_user bigint, p_sign integer) RETURNS void LANGUAGE plpgsql AS $fn$
  BEGIN
    IF p_cohort IS NULL THEN RETURN; END IF;
    INSERT INTO crm_cohort_sizes (cohort, customers) VALUES (p_cohort, p_sign)
      ON CONFLICT (cohort) DO UPDATE SET customers = crm_cohort_sizes.customers + excluded.customers;
    INSERT INTO crm_cohort_cells (cohort, week, customers, revenue)
      SELECT p_cohort, a.week, p_sign * (a.orders > 0)::int, p_sign * a.revenue FROM crm_cohort_activity a WHERE a.user_id = p_user
      ${addCells}
  END $fn$;`;

const cohortOf = (row: "OLD" | "NEW"): string => `CASE WHEN ${row}.erased_at IS NULL AND ${row}.first_seen_at IS NOT NULL THEN crm_cohort_week(${row}.first_seen_at) END`;

const triggers = `
  ${triggerFunction(
    "crm_cohort_activity_write",
    `INSERT INTO crm_cohort_cells (cohort, week, customers, revenue)
      SELECT k.c, NEW.week,
        CASE WHEN TG_OP = 'UPDATE' THEN (NEW.orders > 0)::int - (OLD.orders > 0)::int ELSE (NEW.orders > 0)::int END,
        CASE WHEN TG_OP = 'UPDATE' THEN NEW.revenue - OLD.revenue ELSE NEW.revenue END
      FROM (SELECT crm_cohort_week(l.first_seen_at) AS c FROM crm_leads l WHERE l.user_id = NEW.user_id AND l.erased_at IS NULL AND l.first_seen_at IS NOT NULL) k
      WHERE k.c IS NOT NULL ${addCells}`,
  )}
  ${afterRow("crm_cohort_activity_insert", "INSERT ON crm_cohort_activity", null, "crm_cohort_activity_write")}
  ${afterRow("crm_cohort_activity_update", "UPDATE ON crm_cohort_activity", null, "crm_cohort_activity_write")}
  ${triggerFunction("crm_cohort_order_write", "PERFORM crm_cohort_resync(CASE WHEN TG_OP = 'DELETE' THEN OLD.order_id ELSE NEW.order_id END);")}
  ${afterRow("crm_cohort_order_insert", "INSERT ON crm_orders", null, "crm_cohort_order_write")}
  ${afterRow(
    "crm_cohort_order_update",
    "UPDATE OF status, paid_at, total, payment, at, user_id ON crm_orders",
    ["status", "paid_at", "total", "payment", "at", "user_id"].map((column) => `OLD.${column} IS DISTINCT FROM NEW.${column}`).join(" OR "),
    "crm_cohort_order_write",
  )}
  ${afterRow("crm_cohort_order_delete", "DELETE ON crm_orders", null, "crm_cohort_order_write")}
  ${triggerFunction("crm_cohort_order_actor_write", "PERFORM crm_cohort_resync(substr(CASE WHEN TG_OP = 'DELETE' THEN OLD.actor ELSE NEW.actor END, 7));")}
  ${afterRow("crm_cohort_order_actor", "INSERT ON crm_actor_states", "NEW.actor ILIKE 'order:%'", "crm_cohort_order_actor_write")}
  ${afterRow("crm_cohort_order_actor_delete", "DELETE ON crm_actor_states", "OLD.actor ILIKE 'order:%'", "crm_cohort_order_actor_write")}
  ${triggerFunction(
    "crm_cohort_lead_write",
    `${sharedLock}
    IF TG_OP <> 'INSERT' THEN PERFORM crm_cohort_move(${cohortOf("OLD")}, OLD.user_id, -1); END IF;
    IF TG_OP <> 'DELETE' THEN PERFORM crm_cohort_move(${cohortOf("NEW")}, NEW.user_id, 1); END IF;`,
  )}
  ${afterRow("crm_cohort_lead_insert", "INSERT ON crm_leads", "NEW.erased_at IS NULL AND NEW.first_seen_at IS NOT NULL", "crm_cohort_lead_write")}
  ${afterRow(
    "crm_cohort_lead_update",
    "UPDATE OF first_seen_at, erased_at ON crm_leads",
    "OLD.first_seen_at IS DISTINCT FROM NEW.first_seen_at OR OLD.erased_at IS DISTINCT FROM NEW.erased_at",
    "crm_cohort_lead_write",
  )}
  ${afterRow("crm_cohort_lead_delete", "DELETE ON crm_leads", "OLD.erased_at IS NULL AND OLD.first_seen_at IS NOT NULL", "crm_cohort_lead_write")}`;

/**
 * Fills the projection from the leads and orders there (the weeks must be there): the migration's
 * backfill, and the rebuild when the time zone changes. The activity rows' trigger fills the cells.
 */
export const pgCohortBackfill = `
  DELETE FROM crm_cohort_cells; DELETE FROM crm_cohort_sizes; DELETE FROM crm_cohort_activity; DELETE FROM crm_cohort_orders;
  INSERT INTO crm_cohort_orders (order_id, user_id, week, live, revenue)
    SELECT order_id, user_id, crm_cohort_week(at), (${counts})::int, CASE WHEN ${revenueRule} THEN total ELSE 0 END FROM crm_orders;
  INSERT INTO crm_cohort_activity (user_id, week, orders, revenue)
    SELECT user_id, week, sum(live), sum(revenue) FROM crm_cohort_orders WHERE week IS NOT NULL GROUP BY user_id, week;
  INSERT INTO crm_cohort_sizes (cohort, customers)
    SELECT c, count(*) FROM (SELECT crm_cohort_week(first_seen_at) AS c FROM crm_leads WHERE erased_at IS NULL AND first_seen_at IS NOT NULL) k
    WHERE c IS NOT NULL GROUP BY c;`;

/** SQLite migration 13's tables, weeks in UTC, functions and triggers (the backfill runs with the others). */
export const pgCohortSchema = `
  CREATE TABLE crm_cohort_zone (id INTEGER PRIMARY KEY CHECK (id = 1), time_zone TEXT NOT NULL);
  INSERT INTO crm_cohort_zone (id, time_zone) VALUES (1, 'UTC');
  CREATE TABLE crm_cohort_weeks (start_at BIGINT PRIMARY KEY);
  INSERT INTO crm_cohort_weeks (start_at) SELECT ${firstWeek}::bigint + i::bigint * 604800000 FROM generate_series(0, ${weekCount - 1}) i;
  CREATE TABLE crm_cohort_orders (order_id TEXT PRIMARY KEY, user_id BIGINT NOT NULL, week BIGINT, live INTEGER NOT NULL, revenue DOUBLE PRECISION NOT NULL);
  CREATE TABLE crm_cohort_activity (user_id BIGINT NOT NULL, week BIGINT NOT NULL, orders INTEGER NOT NULL, revenue DOUBLE PRECISION NOT NULL, PRIMARY KEY (user_id, week));
  CREATE TABLE crm_cohort_cells (cohort BIGINT NOT NULL, week BIGINT NOT NULL, customers INTEGER NOT NULL, revenue DOUBLE PRECISION NOT NULL, PRIMARY KEY (cohort, week));
  CREATE TABLE crm_cohort_sizes (cohort BIGINT PRIMARY KEY, customers INTEGER NOT NULL);
  ${functions}
  ${triggers}`;

/**
 * Makes the cohort projection's weeks those of `timeZone`, rebuilding it in one transaction if they
 * were another zone's (once per change of TIME_ZONE; seconds at a million leads); nothing otherwise.
 * Several processes may call it at once: the first rebuilds, the others find it done. An unknown zone
 * throws (RangeError) before the database is touched.
 */
export async function pgUseCohortTimeZone(pool: Pool, timeZone: string): Promise<void> {
  const zoneSql = "SELECT time_zone FROM crm_cohort_zone WHERE id = 1";
  if ((await pool.query(zoneSql)).rows[0]?.["time_zone"] === timeZone) return;
  const starts = weekStartsFrom(firstWeek + 3 * 86_400_000, weekCount, timeZone);
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [cohortZoneLockKey.toString()]);
    const current = (await client.query(zoneSql)).rows[0]?.["time_zone"];
    if (current !== timeZone) {
      await client.query("DELETE FROM crm_cohort_weeks");
      await client.query("INSERT INTO crm_cohort_weeks (start_at) SELECT DISTINCT unnest($1::bigint[])", [starts]);
      await client.query("UPDATE crm_cohort_zone SET time_zone = $1 WHERE id = 1", [timeZone]);
      await client.query(pgCohortBackfill);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
