import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { orderJustPlaced } from "../../actors/store.port.ts";
import { manualClock } from "../storeContract.ts";
import { migrations } from "./sqliteSchema.ts";
import { openSqliteStore } from "./sqliteStore.ts";

describe("sqlite orders, order actors and the catalog (migration 8)", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const fresh = (): string => {
    const dir = mkdtempSync(join(tmpdir(), "crm-orders-sqlite-"));
    dirs.push(dir);
    return join(dir, "crm.sqlite");
  };

  it("reads an order stored before migration 8 as placed, to be paid on delivery, counted as revenue at once, and keeps its row's changes", async () => {
    const path = fresh();
    const old = new DatabaseSync(path);
    for (const sql of migrations.slice(0, 7)) old.exec(sql);
    old.exec("PRAGMA user_version = 7");
    old.prepare("INSERT INTO crm_orders (order_id, user_id, items, total, currency, phone, delivery, at) VALUES ('SO-OLD', 5, ?, 990, 'RUB', '+70000000005', 'Pickup', 1000)").run(
      JSON.stringify([{ productId: "p1", title: "Пуэр", price: 990, qty: 1 }]),
    );
    old.close();

    const store = openSqliteStore({ path, clock: manualClock(5_000) });
    const order = { ...orderJustPlaced, orderId: "SO-OLD", userId: 5, items: [{ productId: "p1", title: "Пуэр", price: 990, qty: 1 }], total: 990, currency: "RUB", phone: "+70000000005", delivery: "Pickup", at: 1000 };
    expect(await store.order("SO-OLD")).toEqual(order);
    expect((await store.ordersByStatus("placed")).items).toEqual([order]);
    // No order actor will move it: it counts at once, as every order did before orders were actors.
    expect(await store.ordersSummary({ from: 0, to: 10_000 })).toMatchObject({ count: 1, byStatus: { placed: 1 }, revenue: 990, average: 990 });
    await store.transact((tx) => tx.updateOrder("SO-OLD", { status: "delivered", deliveredAt: 2_000 }));
    expect(await store.ordersSummary({ from: 0, to: 10_000 })).toMatchObject({ count: 1, byStatus: { delivered: 1 }, revenue: 990 });
    await store.close();
  });

  it("finds orders by status and by time by walking an index, newest first, without sorting them", async () => {
    const path = fresh();
    await openSqliteStore({ path }).close();
    const db = new DatabaseSync(path);
    const plan = (sql: string, ...params: Array<string | number>) =>
      db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params).map((row) => String(row["detail"])).join("; ");
    const byStatus = plan("SELECT * FROM crm_orders WHERE status = ? ORDER BY at DESC, rowid DESC LIMIT ? OFFSET ?", "paid", 11, 0);
    expect(byStatus).toContain("crm_orders_by_status");
    expect(byStatus).not.toContain("TEMP B-TREE");
    const newest = plan("SELECT * FROM crm_orders ORDER BY at DESC, rowid DESC LIMIT ? OFFSET ?", 11, 0);
    expect(newest).toContain("crm_orders_by_at");
    expect(newest).not.toContain("TEMP B-TREE");
    expect(plan("SELECT * FROM crm_actor_events WHERE actor = ? ORDER BY seq", "order:SO-1")).toContain("crm_actor_events_by_actor");
    db.close();
  });

  it("refuses a stock below zero even from a statement that skips the store's checks", async () => {
    const path = fresh();
    await openSqliteStore({ path }).close();
    const db = new DatabaseSync(path);
    db.exec("INSERT INTO crm_products (product_id, category_id, title, description, price, currency, stock, position) VALUES ('p', 'c', 'P', '', 1, 'RUB', 1, 0)");
    expect(() => db.exec("UPDATE crm_products SET stock = stock - 2 WHERE product_id = 'p'")).toThrow(/CHECK constraint failed/);
    db.close();
  });
});
