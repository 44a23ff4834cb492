import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { aLead } from "../storeContractQueues.ts";
import { dueEffectsSql, dueTimersSql } from "./sqliteQueues.ts";
import { migrations } from "./sqliteSchema.ts";
import { openSqliteStore } from "./sqliteStore.ts";

describe("sqlite migration 7: timers, effects, the new lead facts and dormant counts", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function newPath(): string {
    const dir = mkdtempSync(join(tmpdir(), "crm-schema-"));
    dirs.push(dir);
    return join(dir, "crm.sqlite");
  }

  it("upgrades a database made by migration 6 in place: its leads read with the new facts' defaults, none dormant, no timer and no effect", async () => {
    const path = newPath();
    const old = new DatabaseSync(path);
    old.exec(`${migrations.slice(0, 6).join(";\n")}; PRAGMA user_version = 6;`);
    old
      .prepare(
        `INSERT INTO crm_leads (user_id, username, source, first_seen_at, last_seen_at, stage, orders_count, lifetime_value, tags, notes,
         stage_entered_at, machine_version, snapshot, last_seq, search_text) VALUES (1, 'anna', NULL, 1000, 1000, 'cart', 0, 0, '[]', '[]', '{"new":1000}', 2, '{}', 0, 'anna')`,
      )
      .run();
    old.exec("UPDATE crm_funnel SET count = 1 WHERE stage = 'cart'");
    old.close();

    const store = openSqliteStore({ path });
    expect(await store.lead(1)).toMatchObject({ username: "anna", dormantSince: null, lastReminderAt: null, remindersSent: 0, consentDeclined: null, language: "ru" });
    expect((await store.funnel()).dormant).toBe(0);
    expect([store.timersCount(), store.effectsCount()]).toEqual([0, { pending: 0, failed: 0 }]);
    await store.transact((tx) => {
      tx.saveActor({ lead: aLead(1, { stage: "cart", dormantSince: 9_000 }), snapshot: "{}", machineVersion: 3, lastSeq: 0, previousStage: "cart" });
      tx.setTimer({ actor: "customer:1", sendId: "dormancy", dueAt: 9_000, event: "{}", key: "t:customer:1:0:dormancy" });
    });
    expect((await store.funnel()).steps.find((step) => step.stage === "cart")).toMatchObject({ current: 1, dormant: 1 });
    await store.close();

    const db = new DatabaseSync(path);
    expect(db.prepare("PRAGMA user_version").get()?.["user_version"]).toBe(migrations.length);
    expect({ ...db.prepare("SELECT dormant_since, language FROM crm_leads WHERE user_id = 1").get() }).toEqual({ dormant_since: 9_000, language: "ru" });
    db.close();
  });

  it("finds due timers and due effects by walking an index from its start, so a million waiting cost what a hundred do", async () => {
    const path = newPath();
    await openSqliteStore({ path }).close();
    const db = new DatabaseSync(path);
    const plan = (sql: string, ...params: Array<string | number>): string =>
      db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...params)
        .map((row) => String(row["detail"]))
        .join("; ");
    const plans = {
      dueTimers: plan(dueTimersSql, 1_000, 10),
      nextTimerDue: plan("SELECT min(due_at) AS due FROM crm_timers"),
      dueEffects: plan(dueEffectsSql, 1_000, 10),
      nextEffectDue: plan("SELECT min(next_at) AS due FROM crm_effects WHERE status = 'pending'"),
      effectsOf: plan("SELECT key FROM crm_effects WHERE actor = ? ORDER BY id", "customer:1"),
    };
    db.close();
    expect(plans.dueTimers).toMatch(/USING (COVERING )?INDEX crm_timers_by_due \(due_at<\?\)/);
    expect(plans.nextTimerDue).toMatch(/USING (COVERING )?INDEX crm_timers_by_due/);
    expect(plans.dueEffects).toMatch(/USING INDEX crm_effects_due \(next_at<\?\)/);
    expect(plans.nextEffectDue).toMatch(/USING (COVERING )?INDEX crm_effects_due/);
    expect(plans.effectsOf).toMatch(/USING (COVERING )?INDEX crm_effects_by_actor \(actor=\?\)/);
    for (const detail of Object.values(plans)) expect(detail).not.toMatch(/TEMP B-TREE|SCAN crm_(timers|effects)\b(?! USING)/);
  });
});
