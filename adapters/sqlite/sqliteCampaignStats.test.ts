import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { expect, it } from "vitest";
import { openSqliteStore } from "./sqliteStore.ts";
import { campaignStatsSql } from "./sqliteCampaignStats.ts";

it("reads the campaigns' figures through the log's indexes: by type and time, then the customer's own log from the message on", async () => {
  const dir = mkdtempSync(join(tmpdir(), "crm-campaign-plan-"));
  const path = join(dir, "crm.sqlite");
  try {
    await openSqliteStore({ path }).close();
    const db = new DatabaseSync(path);
    const plan = (sql: string, ...params: Array<string | number>): string =>
      db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...params)
        .map((row) => String(row["detail"]))
        .join("; ");
    const ofType = plan(campaignStatsSql.ofType, "reminder_sent", 0, 1);
    const after = plan(campaignStatsSql.after, 1, 0, "order_created", 1);
    db.close();
    expect(ofType).toContain("crm_events_by_type");
    expect(ofType).not.toContain("TEMP B-TREE");
    expect(after).toContain("crm_events_by_user");
    expect(after).not.toContain("TEMP B-TREE");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
