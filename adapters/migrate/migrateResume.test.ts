import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { migratePostgres } from "../postgres/pgMigrate.ts";
import { freshDatabase } from "../postgres/testing/freshDatabase.ts";
import { migrateShop } from "./migrateShop.ts";
import { copiedTables } from "./tablePlan.ts";
import { makeShop, runMigrate } from "./testing/migrateShopFixture.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Every row of the copied tables and of the projections, as one text per table. */
async function contents(url: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = [...copiedTables, "crm_funnel", "crm_stage_moves", "crm_segment_leads", "crm_lead_tags", "crm_stage_time", "crm_cohort_orders", "crm_cohort_cells", "crm_ltv_buckets"];
    const all: Record<string, string> = {};
    for (const table of tables) {
      const rows = await client.query<{ t: string }>(`SELECT t::text AS t FROM ${table} t ORDER BY 1`);
      all[table] = rows.rows.map((row) => row.t).join("\n");
    }
    return all;
  } finally {
    await client.end();
  }
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

describe("npm run migrate killed half way", () => {
  it("continues where it stopped on the next run and ends with the same copy as a run never stopped", { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-migrate-resume-"));
    dirs.push(dir);
    const file = await makeShop(dir);
    const straight = await freshDatabase("migrate_straight");
    await migrateShop({ from: file, to: straight, progress: () => undefined });

    const url = await freshDatabase("migrate_killed");
    const setup = await connect(url);
    await migratePostgres(setup);
    await setup.end();
    // The copy reaches crm_orders after the events, messages and leads, and waits there on this lock until killed.
    const holder = await connect(url);
    await holder.query("BEGIN");
    await holder.query("LOCK TABLE crm_orders IN ACCESS EXCLUSIVE MODE");
    const watcher = await connect(url);
    let killed: Promise<unknown> = Promise.resolve();
    let copiedBefore = 0;
    try {
      let kill = (): void => undefined;
      const run = runMigrate(["--from", `sqlite:${file}`, "--to", url, "--batch-rows", "5"], (killer) => (kill = killer));
      for (;;) {
        const waiting = await watcher.query("SELECT 1 FROM pg_locks WHERE relation = 'crm_orders'::regclass AND NOT granted");
        if (waiting.rows.length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      kill();
      killed = run;
      expect((await run).signal).toBe("SIGKILL");
      const progress = await watcher.query<{ table_name: string; done: boolean; copied: string }>("SELECT table_name, done, copied FROM crm_migrate_progress ORDER BY table_name");
      expect(progress.rows.map((row) => [row.table_name, row.done])).toEqual([["crm_events", true], ["crm_leads", true], ["crm_messages", true]]);
      expect(Number((await watcher.query<{ n: string }>("SELECT count(*) AS n FROM crm_events")).rows[0]?.n)).toBeGreaterThan(5);
      copiedBefore = progress.rows.reduce((sum, row) => sum + Number(row.copied), 0);
    } finally {
      await holder.query("ROLLBACK");
      await holder.end();
      await killed;
    }
    expect(Number((await watcher.query<{ n: string }>("SELECT count(*) AS n FROM crm_orders")).rows[0]?.n)).toBe(0);
    await watcher.end();

    const resumed = await runMigrate(["--from", `sqlite:${file}`, "--to", url]);
    // Its bar starts where the killed run stopped, and stderr holds nothing else.
    const lines = resumed.stderr.trimEnd().split("\n");
    expect(lines.every((line) => line.startsWith("copying the shop ["))).toBe(true);
    expect(Number(/ (\d+) of \d+ rows$/.exec(lines[0] ?? "")?.[1])).toBe(copiedBefore);
    expect(copiedBefore).toBeGreaterThan(0);
    expect(resumed.stdout).toMatch(/counts equal; 24 customers replayed from the copy equal their snapshots\n$/);
    expect(resumed.code).toBe(0);
    expect(await contents(url)).toEqual(await contents(straight));
  });
});
