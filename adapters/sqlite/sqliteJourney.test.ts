import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { expect, it } from "vitest";
import { openSqliteStore } from "./sqliteStore.ts";
import { journeySql } from "./sqliteJourney.ts";

it("pages a customer's journey through the (user, seq) index in both directions, with no sort of its own", async () => {
  const dir = mkdtempSync(join(tmpdir(), "crm-journey-plan-"));
  const path = join(dir, "crm.sqlite");
  try {
    await openSqliteStore({ path }).close();
    const db = new DatabaseSync(path);
    const plan = (sql: string): string =>
      db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all(1, 10, 5)
        .map((row) => String(row["detail"]))
        .join("; ");
    const before = plan(journeySql.before);
    const after = plan(journeySql.after);
    db.close();
    for (const detail of [before, after]) {
      expect(detail).toContain("crm_events_by_user");
      expect(detail).not.toContain("TEMP B-TREE");
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
