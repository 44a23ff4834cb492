import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { chartsSql } from "./sqliteCharts.ts";
import { openSqliteStore } from "./sqliteStore.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("sqlite chart reads", () => {
  it("reads revenue by source from a range of the orders' time index and each lead by its key, and stage entries from a range of the stage moves' index, never a scan", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-charts-plan-"));
    dirs.push(dir);
    const path = join(dir, "crm.sqlite");
    await openSqliteStore({ path }).close();
    const db = new DatabaseSync(path);
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${chartsSql.bySource}`).all(0, 1).map((row) => String(row["detail"])).join("; ");
    const entries = db.prepare(`EXPLAIN QUERY PLAN ${chartsSql.stageEntries}`).all("cart", 0, 1).map((row) => String(row["detail"])).join("; ");
    db.close();
    expect(entries).toContain("SEARCH crm_stage_moves USING COVERING INDEX crm_stage_moves_by_stage (stage=? AND at>? AND at<?)");
    expect(plan).toContain("SEARCH crm_orders USING INDEX crm_orders_by_at (at>? AND at<?)");
    expect(plan).toMatch(/SEARCH l USING INTEGER PRIMARY KEY \(rowid=\?\)/);
    expect(plan).not.toMatch(/SCAN crm_orders|SCAN l\b/);
  });
});
