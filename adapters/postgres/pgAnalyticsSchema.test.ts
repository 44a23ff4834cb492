import { DatabaseSync } from "node:sqlite";
import fc from "fast-check";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { weekStartOf } from "../../actors/cohorts.ts";
import { migrate } from "../sqlite/sqliteSchema.ts";
import { pgAnalyticsBackfill } from "./pgAnalyticsSchema.ts";
import { pgUseCohortTimeZone } from "./pgCohortSchema.ts";
import { pgLifecycleBackfill, syncPgLifecycleZone } from "./pgLifecycleSchema.ts";
import { aWrite, applyWrite, base, loadRows, pgLeadUpsert, pgLeadValues, projections, readBoth, readPg, someRows, type LeadRow, type Twins } from "./pgAnalyticsTwins.ts";
import { pgTypes } from "./pgTypes.ts";
import { dropDatabase, migratedDatabase } from "./testing/freshDatabase.ts";

const hour = 3_600_000;

describe("PostgreSQL migration 2: the analytics projections, twins of SQLite's triggers", () => {
  const pools: pg.Pool[] = [];

  afterAll(async () => {
    for (const pool of pools.splice(0)) await pool.end();
  });

  /** A migrated PostgreSQL database of its own (a copy of the migrated template) and a migrated SQLite one in memory. */
  async function freshTwins(): Promise<Twins> {
    const pool = new pg.Pool({ connectionString: await migratedDatabase("analytics"), types: pgTypes, max: 2 });
    pools.push(pool);
    const sqlite = new DatabaseSync(":memory:");
    migrate(sqlite);
    return { sqlite, pg: pool, leads: new Map(), orders: new Map() };
  }

  /** Closes both sides and drops the PostgreSQL database: a property makes dozens. */
  async function dispose(twins: Twins): Promise<void> {
    twins.sqlite.close();
    pools.splice(pools.indexOf(twins.pg), 1);
    await twins.pg.end();
    await dropDatabase(String(twins.pg.options.connectionString));
  }

  it("hold the same rows as SQLite's after the same random lead, order, actor and time-zone writes, refusing the same writes", async () => {
    const filled = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(aWrite, { minLength: 20, maxLength: 200, size: "max" }), async (writes) => {
        const twins = await freshTwins();
        try {
          for (const write of writes) {
            const { sqlite, pg: onPg } = await applyWrite(twins, write);
            expect({ write, ok: onPg.ok }, onPg.ok ? "" : onPg.error).toEqual({ write, ok: sqlite.ok });
          }
          const both = await readBoth(twins);
          expect(both.pg).toEqual(both.sqlite);
          for (const [name, lines] of Object.entries(both.sqlite)) if (lines.length > 0 && !lines.every((line) => /^\[[^,]+,0,0\]$/.test(line))) filled.add(name);
        } finally {
          await dispose(twins);
        }
      }),
      { numRuns: 10, endOnFailure: true },
    );
    expect([...filled].sort()).toEqual(Object.keys(projections).sort());
  });

  /** How many trailing columns of a projection's rows are counts: a row whose counts are all zero weighs nothing in any read. */
  const countColumns: Readonly<Record<string, number>> = {
    crm_cohort_cells: 2, crm_cohort_activity: 2, crm_cohort_sizes: 1, crm_stage_time: 1, crm_lifecycle: 1, crm_ltv_buckets: 2, crm_ltv_sources: 2,
  };
  const withoutZeros = (projection: Record<string, string[]>): Record<string, string[]> =>
    Object.fromEntries(
      Object.entries(projection)
        .filter(([name]) => name !== "crm_lifecycle_zone")
        .map(([name, lines]) => [name, lines.filter((line) => !(JSON.parse(line) as unknown[]).slice(-(countColumns[name] ?? Infinity)).every((value) => value === 0))]),
    );

  it("recomputes, from rows a copy loaded with the triggers off, the projections the triggers keep (pgAnalyticsBackfill)", async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(someRows, async (rows) => {
        const [kept, copied] = [await freshTwins(), await freshTwins()];
        try {
          await loadRows(kept.pg, rows);
          const client = await copied.pg.connect();
          try {
            await client.query("BEGIN");
            await client.query("SET LOCAL session_replication_role = replica");
            await loadRows(client, rows);
            expect((await client.query("SELECT count(*) AS n FROM crm_stage_moves")).rows).toEqual([{ n: 0 }]);
            await client.query("SET LOCAL session_replication_role = origin");
            await client.query(`${pgAnalyticsBackfill}; ${pgLifecycleBackfill(3 * hour)}`);
            await client.query("COMMIT");
          } finally {
            client.release();
          }
          const expected = withoutZeros(await readPg(kept.pg));
          expect(withoutZeros(await readPg(copied.pg))).toEqual(expected);
          compared += 1;
        } finally {
          await dispose(kept);
          await dispose(copied);
        }
      }),
      { numRuns: 8, endOnFailure: true },
    );
    expect(compared).toBe(8);
  });

  it("refuses a time zone it does not know before touching the projections", async () => {
    const twins = await freshTwins();
    try {
      await expect(pgUseCohortTimeZone(twins.pg, "Mars/Olympus_Mons")).rejects.toThrow(RangeError);
      await expect(syncPgLifecycleZone(twins.pg, "Mars/Olympus_Mons", base)).rejects.toThrow(RangeError);
      const zones = await twins.pg.query("SELECT (SELECT time_zone FROM crm_cohort_zone) AS cohorts, (SELECT offset_ms FROM crm_lifecycle_zone) AS lifecycle");
      expect(zones.rows).toEqual([{ cohorts: "UTC", lifecycle: 3 * hour }]);
    } finally {
      await dispose(twins);
    }
  });

  it("lets a second process find the zone already changed, and changes it once", async () => {
    const twins = await freshTwins();
    try {
      await Promise.all([pgUseCohortTimeZone(twins.pg, "Europe/Berlin"), pgUseCohortTimeZone(twins.pg, "Europe/Berlin")]);
      await Promise.all([syncPgLifecycleZone(twins.pg, "Europe/Berlin", base), syncPgLifecycleZone(twins.pg, "Europe/Berlin", base)]);
      const zones = await twins.pg.query("SELECT (SELECT time_zone FROM crm_cohort_zone) AS cohorts, (SELECT offset_ms FROM crm_lifecycle_zone) AS lifecycle, (SELECT count(*) FROM crm_cohort_weeks) AS weeks");
      expect(zones.rows).toEqual([{ cohorts: "Europe/Berlin", lifecycle: hour, weeks: 6800 }]);
    } finally {
      await dispose(twins);
    }
  });

  it("files an order committed during a change of time zone in the new zone's week: the rebuild waits for it", async () => {
    const twins = await freshTwins();
    const order = new pg.Client({ connectionString: String(twins.pg.options.connectionString) });
    await order.connect();
    try {
      const at = base + 2 * 24 * hour - hour;
      await order.query("BEGIN");
      await order.query("INSERT INTO crm_orders (order_id, user_id, items, total, currency, at) VALUES ('T1', 1, '[]', 10, 'RUB', $1)", [at]);
      const rebuild = pgUseCohortTimeZone(twins.pg, "Pacific/Kiritimati");
      const waiting = "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted";
      for (let tries = 0; (await twins.pg.query(waiting)).rows[0]?.["n"] === 0 && tries < 200; tries += 1) await new Promise((resolve) => setTimeout(resolve, 25));
      expect((await twins.pg.query(waiting)).rows).toEqual([{ n: 1 }]);
      await order.query("COMMIT");
      await rebuild;
      const weeks = await twins.pg.query("SELECT week FROM crm_cohort_orders WHERE order_id = 'T1'");
      expect(weeks.rows).toEqual([{ week: weekStartOf(at, "Pacific/Kiritimati") }]);
      expect(weekStartOf(at, "Pacific/Kiritimati")).not.toBe(weekStartOf(at, "UTC"));
    } finally {
      await order.end();
      await dispose(twins);
    }
  });

  describe("an ordinary commit calls no trigger function", () => {
    const lead: LeadRow = {
      source: "ads", firstSeenAt: base, lastSeenAt: base + hour, stage: "engaged", ordersCount: 0, lifetimeValue: 0, consentAt: null, consentVersion: null,
      phone: null, tags: ["vip"], stageDates: { new: base, engaged: base + hour }, erasedAt: null, blockedAt: null, dormantSince: null, unsubscribedAt: null, lastSeq: 1,
    };

    /**
     * The functions a statement called, counted by PostgreSQL's function statistics within its transaction, on a
     * connection of its own (a backend may hold counts of earlier transactions not yet flushed).
     */
    async function functionsCalledBy(url: string, sql: string, values: readonly unknown[]): Promise<string[]> {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query("SET track_functions = 'all'");
        await client.query("BEGIN");
        await client.query(sql, [...values]);
        // The counters' triggers fire at COMMIT (migration 4): run them now, so that they are counted too.
        await client.query("SET CONSTRAINTS ALL IMMEDIATE");
        const called = await client.query("SELECT funcname FROM pg_stat_xact_user_functions ORDER BY funcname");
        await client.query("COMMIT");
        return called.rows.map((row) => String(row["funcname"]));
      } finally {
        await client.end();
      }
    }

    it("an event that moves nothing: the same stage dates and tags, last seen in the same second", async () => {
      const twins = await freshTwins();
      const url = String(twins.pg.options.connectionString);
      const save = (next: LeadRow): Promise<string[]> => functionsCalledBy(url, pgLeadUpsert, pgLeadValues(7, next));
      try {
        expect(await save(lead)).toContain("crm_funnel_count_write");
        expect(await save({ ...lead, lastSeq: 2, lastSeenAt: base + hour + 400, tags: ["vip"] })).toEqual([]);
        expect(await save({ ...lead, lastSeq: 3, lastSeenAt: base + 2 * hour })).toEqual(["crm_segment_leads_change"]);
        expect(await save({ ...lead, lastSeq: 4, lastSeenAt: base + 8 * 24 * hour })).toEqual(["crm_lifecycle_count", "crm_lifecycle_move_write", "crm_segment_leads_change"]);
      } finally {
        await dispose(twins);
      }
    });

    it("an order saved with its status, payment, total and time unchanged (a tracking number added)", async () => {
      const twins = await freshTwins();
      const url = String(twins.pg.options.connectionString);
      const save = (status: string, tracking: string | null): Promise<string[]> =>
        functionsCalledBy(
          url,
          `INSERT INTO crm_orders (order_id, user_id, items, total, currency, at, status, payment, tracking) VALUES ('O1', 7, '[]', 10, 'RUB', $1, $2, 'cash', $3)
            ON CONFLICT (order_id) DO UPDATE SET user_id = excluded.user_id, total = excluded.total, at = excluded.at, status = excluded.status,
              payment = excluded.payment, paid_at = excluded.paid_at, tracking = excluded.tracking`,
          [base, status, tracking],
        );
      try {
        expect(await save("placed", null)).toEqual(["crm_cohort_activity_write", "crm_cohort_order_write", "crm_cohort_resync", "crm_cohort_week"]);
        expect(await save("placed", "RR123")).toEqual([]);
        expect(await save("shipped", "RR123")).toEqual(["crm_cohort_activity_write", "crm_cohort_order_write", "crm_cohort_resync", "crm_cohort_week"]);
      } finally {
        await dispose(twins);
      }
    });
  });
});
