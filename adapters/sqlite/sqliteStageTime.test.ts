import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { migrations } from "./sqliteSchema.ts";
import { stageTimeSql } from "./sqliteStageTime.ts";
import { openSqliteStore } from "./sqliteStore.ts";

const day = 86_400_000;

describe("sqlite migration 12: the time-in-stage histogram", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("fills the histogram from the leads a database already holds, a lead with damaged stage dates counting as none", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-schema-"));
    dirs.push(dir);
    const path = join(dir, "crm.sqlite");
    const old = new DatabaseSync(path);
    old.exec(`${migrations.slice(0, 11).join(";\n")}; PRAGMA user_version = 11;`);
    const insert = old.prepare(
      `INSERT INTO crm_leads (user_id, username, source, first_seen_at, last_seen_at, stage, orders_count, lifetime_value, tags, notes,
       stage_entered_at, machine_version, snapshot, last_seq, search_text) VALUES (?, NULL, NULL, 0, 0, ?, 0, 0, '[]', '[]', ?, 5, '{}', 0, '')`,
    );
    insert.run(1, "customer", JSON.stringify({ new: 0, cart: day, customer: 3 * day }));
    insert.run(2, "customer", JSON.stringify({ new: 0, customer: 40 * day }));
    insert.run(3, "new", "{not json");
    old.close();

    const store = openSqliteStore({ path });
    try {
      const figures = await store.stageTimes();
      expect(figures.leads).toBe(2);
      expect(figures.stages.new.count).toBe(2);
      expect(figures.stages.cart).toEqual({ count: 1, medianMs: 1.5 * day, p90Ms: 1.9 * day });
      expect({ count: figures.firstOrder.count, within7Days: figures.within7Days, within30Days: figures.within30Days }).toEqual({ count: 2, within7Days: 1, within30Days: 1 });
    } finally {
      await store.close();
    }
  });

  it("reads the figures from the histogram alone, never from the leads", () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-stage-plan-"));
    dirs.push(dir);
    const db = new DatabaseSync(join(dir, "crm.sqlite"));
    db.exec(migrations.join(";\n"));
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN ${stageTimeSql}`)
      .all()
      .map((row) => String(row["detail"]))
      .join("; ");
    db.close();
    expect(plan).toContain("crm_stage_time");
    expect(plan).not.toContain("crm_leads");
  });
});
