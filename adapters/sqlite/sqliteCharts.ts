import type { DatabaseSync } from "node:sqlite";
import { bySourceRank, type ChartReads, type SourceRevenue } from "../../actors/chartReads.port.ts";
import { stages, type Stage } from "../../machines/customer.types.ts";
import { revenueRule } from "../storeRows.ts";

/** The charts' statements, for the query-plan test. */
export const chartsSql = {
  bySource: `SELECT l.source AS source, count(*) AS orders, count(DISTINCT crm_orders.user_id) AS customers,
      coalesce(sum(CASE WHEN ${revenueRule} THEN total END), 0) AS revenue
    FROM crm_orders LEFT JOIN crm_leads l ON l.user_id = crm_orders.user_id
    WHERE at >= ? AND at < ? GROUP BY l.source`,
  stageEntries: "SELECT count(*) AS n FROM crm_stage_moves WHERE stage = ? AND at >= ? AND at < ?",
} as const;

/** The charts' reads (actors/chartReads.port.ts) on SQLite: a range of `crm_orders_by_at` (each lead by its primary key), or of `crm_stage_moves_by_stage` per stage. */
export function sqliteCharts(db: DatabaseSync, ensureOpen: () => void): ChartReads {
  const bySource = db.prepare(chartsSql.bySource);
  const stageEntries = db.prepare(chartsSql.stageEntries);
  return {
    async revenueBySource({ from, to }) {
      ensureOpen();
      const rows: SourceRevenue[] = bySource.all(from, to).map((row) => ({
        source: row["source"] === null ? null : String(row["source"]),
        orders: Number(row["orders"]),
        customers: Number(row["customers"]),
        revenue: Math.round(Number(row["revenue"]) * 100) / 100,
      }));
      return rows.sort(bySourceRank);
    },
    async stageEntries({ from, to }) {
      ensureOpen();
      return Object.fromEntries(stages.map((stage) => [stage, Number(stageEntries.get(stage, from, to)?.["n"] ?? 0)])) as Record<Stage, number>;
    },
  };
}
