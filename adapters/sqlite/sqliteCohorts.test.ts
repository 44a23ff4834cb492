import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import type { StoredOrder } from "../../actors/store.port.ts";
import { orderStatuses } from "../../machines/order.types.ts";
import { random } from "../../bench/figures.ts";
import { anOrderOf } from "../storeContractCatalog.ts";
import { aLead } from "../storeContractQueues.ts";
import { cohortBackfill, cohortsSql } from "./sqliteCohorts.ts";
import { migrations } from "./sqliteSchema.ts";
import { openSqliteStore } from "./sqliteStore.ts";

const day = 86_400_000;
const week = 7 * day;
const monday = Date.parse("2026-03-02T00:00:00Z");
const now = monday + 10 * week;

describe("sqlite: the weekly cohort projection (migration 13)", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const freshPath = (): string => {
    const dir = mkdtempSync(join(tmpdir(), "crm-cohorts-"));
    dirs.push(dir);
    return join(dir, "crm.sqlite");
  };

  it("fills the projection from the leads and orders of a database made by migration 12, leaving an erased customer out", async () => {
    const path = freshPath();
    const old = new DatabaseSync(path);
    old.exec(`${migrations.slice(0, 12).join(";\n")}; PRAGMA user_version = 12;`);
    const lead = old.prepare(
      `INSERT INTO crm_leads (user_id, username, source, first_seen_at, last_seen_at, stage, orders_count, lifetime_value, tags, notes,
       stage_entered_at, machine_version, snapshot, last_seq, search_text, erased_at) VALUES (?, NULL, NULL, ?, ?, 'customer', 1, 0, '[]', '[]', '{}', 5, '{}', 0, '', ?)`,
    );
    lead.run(1, monday + day, monday + day, null);
    lead.run(2, monday + 2 * day, monday + 2 * day, null);
    lead.run(3, monday + day, monday + day, monday + 3 * week);
    const order = old.prepare("INSERT INTO crm_orders (order_id, user_id, items, total, currency, at, status) VALUES (?, ?, '[]', ?, 'RUB', ?, ?)");
    order.run("A1", 1, 500, monday + week + day, "placed");
    order.run("A2", 1, 200, monday + week + 2 * day, "cancelled");
    order.run("B1", 2, 300, monday + 3 * day, "delivered");
    order.run("C1", 3, 999, monday + week, "delivered");
    old.close();

    const store = openSqliteStore({ path });
    const matrix = await store.cohorts({ weeks: 3, now: monday + 2 * week, timeZone: "UTC" });
    expect(matrix.cohorts[0]).toEqual({ weekStart: monday, size: 2, ordered: [1, 1, 0], revenue: [300, 500, 0] });
    await store.close();
  });

  it("opened with a TIME_ZONE, rebuilds its weeks in that zone at once, so that no button press pays for it", async () => {
    const path = freshPath();
    const store = openSqliteStore({ path, timeZone: "Asia/Tokyo" });
    await store.close();
    const db = new DatabaseSync(path);
    expect(db.prepare(cohortsSql.zone).get()?.["time_zone"]).toBe("Asia/Tokyo");
    // Monday 2026-03-02 00:00 in Tokyo is Sunday 15:00 UTC.
    expect(db.prepare("SELECT count(*) AS n FROM crm_cohort_weeks WHERE start_at = ?").get(monday - 9 * 3_600_000)?.["n"]).toBe(1);
    db.close();
  });

  it("reads the cells and sizes by their primary keys, never the leads or the orders", () => {
    const db = new DatabaseSync(":memory:");
    db.exec(migrations.join(";\n"));
    for (const statement of [cohortsSql.cells, cohortsSql.sizes]) {
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${statement}`).all().map((row) => String(row["detail"])).join("; ");
      expect(plan).toMatch(/SEARCH crm_cohort_(cells|sizes) USING (PRIMARY KEY|INTEGER PRIMARY KEY)/);
      expect(plan).not.toMatch(/crm_leads|crm_orders|SCAN/);
    }
    db.close();
  });

  it("after any mix of leads, erasures, orders, order actors and status changes, holds what a fill from scratch would", async () => {
    const path = freshPath();
    const store = openSqliteStore({ path });
    const next = random(14);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T;
    const orders: StoredOrder[] = [];
    const withActor = new Set<string>();
    const giveActor = (orderId: string, tx: { saveActorState(actor: string, state: { snapshot: string; machineVersion: number; lastSeq: number }): void }): void => {
      if (withActor.has(orderId)) return;
      withActor.add(orderId);
      tx.saveActorState(`order:${orderId}`, { snapshot: "{}", machineVersion: 1, lastSeq: 0 });
    };
    const seen = new Map<number, number>();
    const statuses = [...orderStatuses, "placed", "placed"] as const;
    for (let unit = 0; unit < 400; unit++) {
      await store.transact((tx) => {
        const userId = 1 + Math.floor(next() * 12);
        const roll = next();
        if (roll < 0.3) {
          // Seen again (erasing or not), or first seen at another time: a cohort's move.
          const firstSeenAt = seen.has(userId) && next() < 0.6 ? (seen.get(userId) ?? 0) : monday + Math.floor(next() * 8 * week);
          seen.set(userId, firstSeenAt);
          tx.saveActor({ lead: aLead(userId, { firstSeenAt, erasedAt: next() < 0.25 ? now : null }), snapshot: "{}", machineVersion: 1, lastSeq: 0, previousStage: null });
        } else if (roll < 0.65 || orders.length === 0) {
          const order = anOrderOf(`O${unit}`, userId, monday + Math.floor(next() * 9 * week), { total: 10 + Math.floor(next() * 90), status: pick(statuses), payment: pick(["cash", "stars"] as const), paidAt: next() < 0.4 ? now : null });
          tx.saveOrder(order);
          orders.push(order);
          if (next() < 0.5) giveActor(order.orderId, tx);
        } else if (roll < 0.85) {
          // One field at a time, so that each column the trigger watches is seen changing alone.
          const changes = [{ status: pick(statuses) }, { status: pick(statuses) }, { total: 5 + Math.floor(next() * 50) }, { paidAt: next() < 0.7 ? now : null }];
          tx.updateOrder(pick(orders).orderId, pick(changes));
        } else {
          giveActor(pick(orders).orderId, tx);
        }
      });
    }
    await store.close();
    const db = new DatabaseSync(path);
    const snapshot = (): unknown => ({
      cells: db.prepare("SELECT cohort, week, customers, round(revenue, 2) AS revenue FROM crm_cohort_cells WHERE customers <> 0 OR abs(revenue) > 0.001 ORDER BY cohort, week").all().map((row) => ({ ...row })),
      sizes: db.prepare("SELECT cohort, customers FROM crm_cohort_sizes WHERE customers <> 0 ORDER BY cohort").all().map((row) => ({ ...row })),
    });
    const kept = snapshot();
    expect((kept as { cells: unknown[] }).cells.length).toBeGreaterThan(5);
    db.exec(`BEGIN; ${cohortBackfill} COMMIT;`);
    expect(kept).toEqual(snapshot());
    db.close();
  });
});
