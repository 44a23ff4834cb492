import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { pgLeadUpsert, pgLeadValues, type LeadRow } from "./pgAnalyticsTwins.ts";
import { migratedDatabase } from "./testing/freshDatabase.ts";

/**
 * Migration 4: the counters nearly every unit touches are updated at COMMIT, so a unit that saves a
 * lead leaves the funnel's row free for other processes until it commits, and the count is right after.
 */

const clients: pg.Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.end();
});

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  clients.push(client);
  return client;
}

const base = Date.parse("2026-11-02T10:00:00Z");
const lead: LeadRow = {
  source: "ads", firstSeenAt: base, lastSeenAt: base, stage: "new", ordersCount: 1, lifetimeValue: 990, consentAt: null, consentVersion: null,
  phone: null, tags: [], stageDates: { new: base }, erasedAt: null, blockedAt: null, dormantSince: null, unsubscribedAt: null, lastSeq: 1,
};

describe("PostgreSQL migration 4: the shared counters at COMMIT", () => {
  it("leaves the funnel, stage-time and lifetime-value rows unlocked while a unit runs, and counts its lead once it commits", async () => {
    const url = await migratedDatabase("deferred_counters");
    const [unit, other] = [await connect(url), await connect(url)];
    await unit.query("BEGIN");
    await unit.query(pgLeadUpsert, pgLeadValues(7, lead));
    // Another process's unit takes the same rows at once instead of queueing behind this one.
    await other.query("BEGIN");
    await expect(other.query("SELECT count FROM crm_funnel WHERE stage = 'new' FOR UPDATE NOWAIT")).resolves.toMatchObject({ rows: [{ count: 0 }] });
    await expect(other.query("SELECT n FROM crm_stage_time WHERE metric = 'lead' FOR UPDATE NOWAIT")).resolves.toMatchObject({ rowCount: 0 });
    await expect(other.query("SELECT customers FROM crm_ltv_buckets FOR UPDATE NOWAIT")).resolves.toMatchObject({ rowCount: 0 });
    await other.query("COMMIT");
    await unit.query("COMMIT");
    expect((await other.query("SELECT count FROM crm_funnel WHERE stage = 'new'")).rows).toEqual([{ count: 1 }]);
    expect((await other.query("SELECT n::int AS n FROM crm_stage_time WHERE metric = 'lead'")).rows).toEqual([{ n: 1 }]);
    expect((await other.query("SELECT sum(customers)::int AS customers FROM crm_ltv_buckets")).rows).toEqual([{ customers: 1 }]);
  });

  it("counts nothing of a unit that rolls back", async () => {
    const url = await migratedDatabase("deferred_rollback");
    const unit = await connect(url);
    await unit.query("BEGIN");
    await unit.query(pgLeadUpsert, pgLeadValues(8, lead));
    await unit.query("ROLLBACK");
    expect((await unit.query("SELECT count FROM crm_funnel WHERE stage = 'new'")).rows).toEqual([{ count: 0 }]);
    expect((await unit.query("SELECT count(*)::int AS n FROM crm_stage_time")).rows).toEqual([{ n: 0 }]);
  });
});
