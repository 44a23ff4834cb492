import type { Pool } from "pg";
import { cohortMatrix, lastWeekStarts, type CohortCell } from "../../actors/cohorts.ts";
import type { CohortReads } from "../../actors/cohorts.port.ts";
import { lifecycleSeries, lifetimeValueStats, weekOf, type WeekCounts } from "../../actors/lifecycle.ts";
import type { LifecycleReads } from "../../actors/lifecycle.port.ts";
import { pgUseCohortTimeZone } from "./pgCohortSchema.ts";
import { num, rowsOf } from "./pgRows.ts";

/** The default TIME_ZONE's offset (Europe/Moscow, +3 h), which the lifecycle files weeks at until a store opens with its zone. */
const moscowOffsetMs = 3 * 3_600_000;

/** The statements of the cohort and lifecycle reads: ranges of a few hundred rows of the projections (adapters/postgres/pgAnalyticsSchema.ts). */
export const cohortReadsSql = {
  cells: "SELECT cohort, week, customers, revenue FROM crm_cohort_cells WHERE cohort >= $1 AND cohort <= $2",
  sizes: "SELECT cohort, customers FROM crm_cohort_sizes WHERE cohort >= $1 AND cohort <= $2",
  weeks: "SELECT week, kind, n FROM crm_lifecycle WHERE week >= $1 AND week <= $2",
  offset: "SELECT offset_ms FROM crm_lifecycle_zone",
  buckets: "SELECT bucket, customers, cents FROM crm_ltv_buckets WHERE customers > 0",
  sources: "SELECT source_key, customers, cents FROM crm_ltv_sources WHERE customers > 0",
} as const;

/**
 * The weekly cohorts (actors/cohorts.port.ts) on PostgreSQL. Asked in a time zone other than the
 * projection's, it rebuilds the projection in that zone first, as SQLite does; the store makes it
 * TIME_ZONE's at open, so the owner's screens never wait for that.
 */
export function pgCohortReads(pool: Pool): CohortReads {
  return {
    async cohorts({ weeks, now, timeZone }) {
      await pgUseCohortTimeZone(pool, timeZone);
      const starts = lastWeekStarts(now, Math.min(weeks, 520), timeZone);
      const from = starts[0] ?? 0;
      const to = starts.at(-1) ?? -1;
      const [cells, sizes] = await Promise.all([rowsOf(pool, cohortReadsSql.cells, [from, to]), rowsOf(pool, cohortReadsSql.sizes, [from, to])]);
      const rows: CohortCell[] = cells.map((row) => ({ cohort: num(row["cohort"]), week: num(row["week"]), customers: num(row["customers"]), revenue: num(row["revenue"]) }));
      const bySize = new Map(sizes.map((row) => [num(row["cohort"]), num(row["customers"])]));
      return cohortMatrix(starts, rows, bySize, timeZone);
    },
  };
}

/** The weekly lifecycle and the lifetime values (actors/lifecycle.port.ts) from their projections: a few dozen rows at any size. */
export function pgLifecycleReads(pool: Pool): LifecycleReads {
  return {
    async lifecycle(query) {
      const offsetMs = num((await rowsOf(pool, cohortReadsSql.offset))[0]?.["offset_ms"] ?? moscowOffsetMs);
      const last = weekOf(query.now, offsetMs);
      const counts = new Map<number, WeekCounts>();
      for (const row of await rowsOf(pool, cohortReadsSql.weeks, [last - Math.max(0, query.weeks), last])) {
        const week = num(row["week"]);
        const kind = String(row["kind"]) as keyof WeekCounts;
        counts.set(week, { ...(counts.get(week) ?? { new: 0, returning: 0, reactivated: 0 }), [kind]: num(row["n"]) });
      }
      return lifecycleSeries(counts, query, offsetMs);
    },
    async lifetimeValues() {
      const [buckets, sources] = await Promise.all([rowsOf(pool, cohortReadsSql.buckets), rowsOf(pool, cohortReadsSql.sources)]);
      return lifetimeValueStats(
        buckets.map((row) => ({ key: num(row["bucket"]), customers: num(row["customers"]), cents: num(row["cents"]) })),
        sources.map((row) => {
          const key = String(row["source_key"]);
          return { key: key === "" ? null : key.slice(1), customers: num(row["customers"]), cents: num(row["cents"]) };
        }),
      );
    },
  };
}
