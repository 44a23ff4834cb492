import type { DatabaseSync } from "node:sqlite";
import { cohortMatrix, lastWeekStarts, weekStartsFrom, type CohortCell } from "../../actors/cohorts.ts";
import type { CohortReads } from "../../actors/cohorts.port.ts";
import { revenueRule } from "../storeRows.ts";

/**
 * The weekly cohort projection (issue 14). SQLite has no time zones, so the week starts (Monday
 * 00:00 in the projection's time zone, DST included) are rows of `crm_cohort_weeks`, computed in JS
 * (actors/cohorts.ts); a trigger finds an instant's week with one seek. Rows are keyed by week start:
 * - `crm_cohort_orders`: what each order adds now (its week, whether it counts as ordering, its revenue);
 * - `crm_cohort_activity`: per customer and week, how many such orders and their revenue;
 * - `crm_cohort_cells`: per cohort and week, the customers with an order and the revenue;
 * - `crm_cohort_sizes`: per cohort, its customers.
 * A customer's cohort is the week of `first_seen_at`, none once `erased_at` is set (`/forget`).
 */

/** The first and the number of week starts kept: Monday 1969-12-29 on, about 130 years. */
const firstWeek = Date.parse("1969-12-29T00:00:00Z");
const weekCount = 6_800;

const weekOf = (at: string): string => `(SELECT w.start_at FROM crm_cohort_weeks w WHERE w.start_at <= (${at}) ORDER BY w.start_at DESC LIMIT 1)`;
const cohortOf = (lead: "old" | "new"): string => `(CASE WHEN ${lead}.erased_at IS NULL AND ${lead}.first_seen_at IS NOT NULL THEN ${weekOf(`${lead}.first_seen_at`)} END)`;
const counts = "status NOT IN ('cancelled', 'refunding', 'refunded')";
const addCells = "ON CONFLICT (cohort, week) DO UPDATE SET customers = customers + excluded.customers, revenue = revenue + excluded.revenue;";

/** Takes the order's contribution out, recomputes it from its row (if any), and adds it back. */
const resyncOrder = (id: string): string => `
    UPDATE crm_cohort_activity SET orders = crm_cohort_activity.orders - c.live, revenue = crm_cohort_activity.revenue - c.revenue
      FROM crm_cohort_orders c WHERE c.order_id = ${id} AND crm_cohort_activity.user_id = c.user_id AND crm_cohort_activity.week = c.week;
    DELETE FROM crm_cohort_orders WHERE order_id = ${id};
    INSERT INTO crm_cohort_orders (order_id, user_id, week, live, revenue)
      SELECT order_id, user_id, ${weekOf("at")}, ${counts}, CASE WHEN ${revenueRule} THEN total ELSE 0 END FROM crm_orders WHERE order_id = ${id};
    INSERT INTO crm_cohort_activity (user_id, week, orders, revenue)
      SELECT user_id, week, live, revenue FROM crm_cohort_orders WHERE order_id = ${id} AND week IS NOT NULL
      ON CONFLICT (user_id, week) DO UPDATE SET orders = orders + excluded.orders, revenue = revenue + excluded.revenue;`;

/** Adds (sign 1) or takes out (-1) a customer and their activity to or from a cohort (null: none). */
const moveMember = (cohort: string, userId: string, sign: 1 | -1): string => `
    INSERT INTO crm_cohort_sizes (cohort, customers) SELECT k.c, ${sign} FROM (SELECT ${cohort} AS c) k WHERE k.c IS NOT NULL
      ON CONFLICT (cohort) DO UPDATE SET customers = customers + excluded.customers;
    INSERT INTO crm_cohort_cells (cohort, week, customers, revenue)
      SELECT k.c, a.week, ${sign} * (a.orders > 0), ${sign} * a.revenue FROM (SELECT ${cohort} AS c) k, crm_cohort_activity a
      WHERE k.c IS NOT NULL AND a.user_id = ${userId} ${addCells}`;

const activityToCells = (customers: string, revenue: string): string => `
    INSERT INTO crm_cohort_cells (cohort, week, customers, revenue)
      SELECT k.c, new.week, ${customers}, ${revenue}
      FROM (SELECT ${weekOf("l.first_seen_at")} AS c FROM crm_leads l WHERE l.user_id = new.user_id AND l.erased_at IS NULL AND l.first_seen_at IS NOT NULL) k
      WHERE k.c IS NOT NULL ${addCells}`;

/**
 * Fills the projection from the leads and orders there (the weeks must be there): the migration's
 * backfill, and the rebuild when the time zone changes. The activity rows' trigger fills the cells.
 */
export const cohortBackfill = `
  DELETE FROM crm_cohort_cells; DELETE FROM crm_cohort_sizes; DELETE FROM crm_cohort_activity; DELETE FROM crm_cohort_orders;
  INSERT INTO crm_cohort_orders (order_id, user_id, week, live, revenue)
    SELECT order_id, user_id, ${weekOf("at")}, ${counts}, CASE WHEN ${revenueRule} THEN total ELSE 0 END FROM crm_orders WHERE true;
  INSERT INTO crm_cohort_activity (user_id, week, orders, revenue)
    SELECT user_id, week, sum(live), sum(revenue) FROM crm_cohort_orders WHERE week IS NOT NULL GROUP BY user_id, week;
  INSERT INTO crm_cohort_sizes (cohort, customers)
    SELECT c, count(*) FROM (SELECT ${weekOf("first_seen_at")} AS c FROM crm_leads WHERE erased_at IS NULL AND first_seen_at IS NOT NULL) WHERE c IS NOT NULL GROUP BY c;`;

/**
 * Migration 13: the weekly cohort projection, kept by triggers as orders and leads commit, and
 * filled from what is there, with weeks in UTC; a store asked for another time zone rebuilds it
 * once in that zone (`sqliteCohorts`). An ordinary customer commit pays only the lead trigger's
 * WHEN (first seen and erasure do not change); an order's insert or status change, a few seeks.
 */
export const cohortMigration = `
  CREATE TABLE crm_cohort_zone (id INTEGER PRIMARY KEY CHECK (id = 1), time_zone TEXT NOT NULL);
  INSERT INTO crm_cohort_zone (id, time_zone) VALUES (1, 'UTC');
  CREATE TABLE crm_cohort_weeks (start_at INTEGER PRIMARY KEY);
  WITH RECURSIVE w(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM w WHERE i + 1 < ${weekCount})
    INSERT INTO crm_cohort_weeks (start_at) SELECT ${firstWeek} + i * 604800000 FROM w;
  CREATE TABLE crm_cohort_orders (order_id TEXT PRIMARY KEY, user_id INTEGER NOT NULL, week INTEGER, live INTEGER NOT NULL, revenue REAL NOT NULL) WITHOUT ROWID;
  CREATE TABLE crm_cohort_activity (user_id INTEGER NOT NULL, week INTEGER NOT NULL, orders INTEGER NOT NULL, revenue REAL NOT NULL, PRIMARY KEY (user_id, week)) WITHOUT ROWID;
  CREATE TABLE crm_cohort_cells (cohort INTEGER NOT NULL, week INTEGER NOT NULL, customers INTEGER NOT NULL, revenue REAL NOT NULL, PRIMARY KEY (cohort, week)) WITHOUT ROWID;
  CREATE TABLE crm_cohort_sizes (cohort INTEGER PRIMARY KEY, customers INTEGER NOT NULL);
  CREATE TRIGGER crm_cohort_activity_insert AFTER INSERT ON crm_cohort_activity BEGIN ${activityToCells("new.orders > 0", "new.revenue")} END;
  CREATE TRIGGER crm_cohort_activity_update AFTER UPDATE ON crm_cohort_activity BEGIN
    ${activityToCells("(new.orders > 0) - (old.orders > 0)", "new.revenue - old.revenue")}
  END;
  CREATE TRIGGER crm_cohort_order_insert AFTER INSERT ON crm_orders BEGIN ${resyncOrder("new.order_id")} END;
  CREATE TRIGGER crm_cohort_order_update AFTER UPDATE OF status, paid_at, total, payment, at, user_id ON crm_orders BEGIN ${resyncOrder("new.order_id")} END;
  CREATE TRIGGER crm_cohort_order_delete AFTER DELETE ON crm_orders BEGIN ${resyncOrder("old.order_id")} END;
  CREATE TRIGGER crm_cohort_order_actor AFTER INSERT ON crm_actor_states WHEN new.actor LIKE 'order:%' BEGIN ${resyncOrder("substr(new.actor, 7)")} END;
  CREATE TRIGGER crm_cohort_order_actor_delete AFTER DELETE ON crm_actor_states WHEN old.actor LIKE 'order:%' BEGIN ${resyncOrder("substr(old.actor, 7)")} END;
  CREATE TRIGGER crm_cohort_lead_insert AFTER INSERT ON crm_leads WHEN new.erased_at IS NULL AND new.first_seen_at IS NOT NULL BEGIN
    ${moveMember(cohortOf("new"), "new.user_id", 1)}
  END;
  CREATE TRIGGER crm_cohort_lead_update AFTER UPDATE OF first_seen_at, erased_at ON crm_leads
    WHEN old.first_seen_at IS NOT new.first_seen_at OR old.erased_at IS NOT new.erased_at BEGIN
    ${moveMember(cohortOf("old"), "old.user_id", -1)}
    ${moveMember(cohortOf("new"), "new.user_id", 1)}
  END;
  CREATE TRIGGER crm_cohort_lead_delete AFTER DELETE ON crm_leads WHEN old.erased_at IS NULL AND old.first_seen_at IS NOT NULL BEGIN
    ${moveMember(cohortOf("old"), "old.user_id", -1)}
  END;
  ${cohortBackfill}
`;

/** The statements of a read, for the query-plan test: the week starts, then the cells and sizes from the oldest cohort on. */
export const cohortsSql = {
  zone: "SELECT time_zone FROM crm_cohort_zone WHERE id = 1",
  cells: "SELECT cohort, week, customers, revenue FROM crm_cohort_cells WHERE cohort >= ? AND cohort <= ?",
  sizes: "SELECT cohort, customers FROM crm_cohort_sizes WHERE cohort >= ? AND cohort <= ?",
} as const;

/** Rebuilds the weeks in `timeZone` and the projection on them, in one transaction: once per change of TIME_ZONE. */
function reproject(db: DatabaseSync, timeZone: string): void {
  const starts = weekStartsFrom(firstWeek + 3 * 86_400_000, weekCount, timeZone);
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec("DELETE FROM crm_cohort_weeks");
    const insert = db.prepare("INSERT OR IGNORE INTO crm_cohort_weeks (start_at) VALUES (?)");
    for (const start of starts) insert.run(start);
    db.prepare("UPDATE crm_cohort_zone SET time_zone = ? WHERE id = 1").run(timeZone);
    db.exec(cohortBackfill);
    db.exec("COMMIT");
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}

/**
 * Makes the projection's weeks those of `timeZone`, rebuilding it if they were another zone's
 * (seconds at a million leads, once per change of TIME_ZONE); nothing otherwise.
 */
export function useCohortTimeZone(db: DatabaseSync, timeZone: string): void {
  if (db.prepare(cohortsSql.zone).get()?.["time_zone"] !== timeZone) reproject(db, timeZone);
}

/**
 * The cohort reads (actors/cohorts.port.ts) on SQLite: two ranges of a few hundred rows. Asked in a
 * time zone other than the projection's, it rebuilds the projection in that zone first
 * (`useCohortTimeZone`), so the app makes it TIME_ZONE's at open.
 */
export function sqliteCohorts(db: DatabaseSync, ensureOpen: () => void): CohortReads {
  const cells = db.prepare(cohortsSql.cells);
  const sizes = db.prepare(cohortsSql.sizes);
  return {
    async cohorts({ weeks, now, timeZone }) {
      ensureOpen();
      useCohortTimeZone(db, timeZone);
      const starts = lastWeekStarts(now, Math.min(weeks, 520), timeZone);
      const from = starts[0] ?? 0;
      const to = starts.at(-1) ?? -1;
      const rows: CohortCell[] = cells.all(from, to).map((row) => ({ cohort: Number(row["cohort"]), week: Number(row["week"]), customers: Number(row["customers"]), revenue: Number(row["revenue"]) }));
      const bySize = new Map(sizes.all(from, to).map((row) => [Number(row["cohort"]), Number(row["customers"])]));
      return cohortMatrix(starts, rows, bySize, timeZone);
    },
  };
}
