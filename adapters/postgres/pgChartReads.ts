import { bySourceRank, type ChartReads, type SourceRevenue } from "../../actors/chartReads.port.ts";
import { stageTimeStats } from "../../actors/stageTime.ts";
import type { StageTimeReads } from "../../actors/stageTime.port.ts";
import { stages, type Stage } from "../../machines/customer.types.ts";
import { revenueRule } from "../storeRows.ts";
import { num, rowsOf, type PgQueryable } from "./pgRows.ts";

/** The charts' and time-in-stage statements: a range of orders by time, a range of stage moves per stage, the histogram's rows. */
export const chartsSql = {
  bySource: `SELECT l.source AS source, count(*) AS orders, count(DISTINCT crm_orders.user_id) AS customers,
      coalesce(sum(CASE WHEN ${revenueRule} THEN total END), 0) AS revenue
    FROM crm_orders LEFT JOIN crm_leads l ON l.user_id = crm_orders.user_id
    WHERE at >= $1 AND at < $2 GROUP BY l.source`,
  stageEntries: `SELECT k.stage, (SELECT count(*) FROM crm_stage_moves m WHERE m.stage = k.stage AND m.at >= $1 AND m.at < $2) AS n
    FROM unnest($3::text[]) AS k(stage)`,
  stageTime: "SELECT metric, bucket, n FROM crm_stage_time WHERE n > 0",
} as const;

/** The charts' reads (actors/chartReads.port.ts) on PostgreSQL. */
export function pgChartReads(pool: PgQueryable): ChartReads {
  return {
    async revenueBySource({ from, to }) {
      const rows: SourceRevenue[] = (await rowsOf(pool, chartsSql.bySource, [from, to])).map((row) => ({
        source: row["source"] === null || row["source"] === undefined ? null : String(row["source"]),
        orders: num(row["orders"]),
        customers: num(row["customers"]),
        revenue: Math.round(num(row["revenue"]) * 100) / 100,
      }));
      return rows.sort(bySourceRank);
    },
    async stageEntries({ from, to }) {
      const found = new Map((await rowsOf(pool, chartsSql.stageEntries, [from, to, [...stages]])).map((row) => [String(row["stage"]), num(row["n"])]));
      return Object.fromEntries(stages.map((stage) => [stage, found.get(stage) ?? 0])) as Record<Stage, number>;
    },
  };
}

/** The time-in-stage figures (actors/stageTime.port.ts) from the histogram the projection keeps: a few hundred rows at most. */
export function pgStageTimeReads(pool: PgQueryable): StageTimeReads {
  return {
    async stageTimes() {
      const rows = await rowsOf(pool, chartsSql.stageTime);
      return stageTimeStats(rows.map((row) => ({ metric: String(row["metric"]), bucket: num(row["bucket"]), n: num(row["n"]) })));
    },
  };
}
