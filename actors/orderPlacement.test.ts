import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { createCustomerActors } from "./customerActors.ts";
import { InvalidEventError, StockShortage } from "./customerRuntime.ts";
import { createOrderRuntime } from "./orderRuntime.ts";
import { customerHandlers, minute, openOrderWorld, storeKinds, t0, type OrderWorld } from "./fixtures/orderWorld.ts";

describe.each(storeKinds)("%s: placing orders in the customer's transaction: stock, row and order actor together", (kind) => {
  const worlds: OrderWorld[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const world of worlds.splice(0)) {
      await world.close();
      world.remove();
    }
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function world(options: Parameters<typeof openOrderWorld>[0] = {}): Promise<OrderWorld> {
    const opened = await openOrderWorld({ kind, ...options });
    worlds.push(opened);
    return opened;
  }

  it("sells the last 10 units to exactly 10 of 50 customers confirming at once; the other 40 hear a StockShortage, keep their carts and store no order", async () => {
    const w = await world();
    const customers = Array.from({ length: 50 }, (_, i) => 100 + i);
    await Promise.all(customers.map((userId) => w.readyToConfirm(userId)));
    const stockSeen: number[] = [];
    w.actors.runtime.listen({ effectsQueued: () => void stockSeen.push(w.stockOf("tea") ?? -1) });
    const results = await Promise.allSettled(customers.map((userId) => w.confirm(userId, { orderId: `SO-${userId}`, payment: userId % 2 === 0 ? "cash" : "stars" })));
    const placed = customers.filter((_, i) => results[i]?.status === "fulfilled");
    const short = results.flatMap((result) => (result.status === "rejected" ? [result.reason] : []));
    expect(placed).toHaveLength(10);
    expect(short).toHaveLength(40);
    for (const reason of short) {
      expect(reason).toBeInstanceOf(StockShortage);
      expect(reason).toMatchObject({ productId: "tea", available: 0 });
    }
    expect(w.stockOf("tea")).toBe(0);
    expect(Math.min(...stockSeen)).toBeGreaterThanOrEqual(0);
    expect((await w.store.ordersByStatus(null, { limit: 100 })).items.map((order) => order.userId).sort()).toEqual(placed.sort());
    for (const userId of customers.filter((id) => !placed.includes(id))) {
      const snapshot = await w.actors.runtime.snapshotOf(userId);
      expect(snapshot.context.cart.lines).toEqual([{ productId: "tea", qty: 1 }]);
      expect(snapshot.value.checkout).toBe("confirming");
      expect(await w.store.events(userId, { types: ["order_created"] })).toEqual([]);
      expect(await w.store.order(`SO-${userId}`)).toBeNull();
      expect(w.store.loadActorEvents(`order:SO-${userId}`)).toEqual([]);
    }
    for (const userId of placed) expect(w.orders.view(`SO-${userId}`)?.status).toBe(userId % 2 === 0 ? "placed" : "awaiting_payment");
  });

  it("says how many are left, and places the order once the customer asks for what there is", async () => {
    const w = await world();
    await w.readyToConfirm(1, "cup", 5);
    const refused = w.confirm(1, { orderId: "SO-1", payment: "cash", productId: "cup", qty: 5 });
    await expect(refused).rejects.toThrow(StockShortage);
    await expect(refused).rejects.toMatchObject({ productId: "cup", available: 3 });
    expect(w.stockOf("cup")).toBe(3);
    await w.actors.runtime.dispatch(1, { type: "cart_adjusted", lines: [{ productId: "cup", qty: 3 }], key: "1:adjust" });
    await w.confirm(1, { orderId: "SO-1", payment: "cash", productId: "cup", qty: 3 });
    expect(w.stockOf("cup")).toBe(0);
    expect(await w.store.order("SO-1")).toMatchObject({ status: "placed", total: 1500 });
  });

  it("places one order and takes the stock once for a confirm delivered twice", async () => {
    const w = await world();
    await w.readyToConfirm(2, "tea", 2);
    const [first, second] = await Promise.all([w.confirm(2, { orderId: "SO-2", payment: "stars", qty: 2 }), w.confirm(2, { orderId: "SO-2", payment: "stars", qty: 2 })]);
    expect([first?.duplicate, second?.duplicate]).toEqual([false, true]);
    const again = await w.confirm(2, { orderId: "SO-2", payment: "stars", qty: 2 });
    expect(again.duplicate).toBe(true);
    expect(w.stockOf("tea")).toBe(8);
    expect(w.store.loadActorEvents("order:SO-2").map((row) => row.type)).toEqual(["order_placed"]);
    expect(await w.store.ordersCount(2)).toBe(1);
  });

  it("tells the scheduler of the order's payment timer and the worker of its invoice, from the customer's commit", async () => {
    const w = await world();
    await w.readyToConfirm(3);
    const heard: string[] = [];
    w.actors.runtime.listen({ timersArmed: (dueAt) => void heard.push(`timer@${dueAt - t0}`), effectsQueued: (count) => void heard.push(`effects:${count}`) });
    await w.confirm(3, { orderId: "SO-3", payment: "stars" });
    expect(heard).toContain(`timer@${60 * minute}`);
    // The owners' notice (the customer's) and the invoice (the order's).
    expect(heard).toContain("effects:2");
    expect(w.store.effectsOf("order:SO-3").map((effect) => effect.type)).toEqual(["sendInvoice"]);
  });

  it("refuses, before anything is stored, an order with a method the shop does not take, an invoice that does not fit it, or no lines", async () => {
    const w = await world({ orders: { payments: ["stars", "cash"] } });
    await w.readyToConfirm(4);
    const refusals = [
      w.confirm(4, { orderId: "SO-4", payment: "provider" }),
      w.confirm(4, { orderId: "SO-4", payment: "stars", invoice: { currency: "RUB", amount: 280 } }),
      w.confirm(4, { orderId: "SO-4", payment: "stars", invoice: null }),
      w.confirm(4, { orderId: "SO-4", payment: "stars", invoice: { currency: "XTR", amount: 2.5 } }),
      w.confirm(4, { orderId: "SO-4", payment: "cash", invoice: { currency: "RUB", amount: 1 } }),
      w.confirm(4, { orderId: "SO 4", payment: "cash" }),
      w.actors.runtime.dispatch(4, { type: "order_created", orderId: "SO-4", total: 1, currency: "RUB", items: [], payment: "cash", invoice: null, key: "o:empty" }),
      w.actors.runtime.dispatch(4, { type: "order_created", orderId: "SO-4", total: 1, currency: "RUB", items: [{ productId: "tea", title: "Tea", price: 5, qty: 0.5 }], payment: "cash", invoice: null, key: "o:half" }),
    ];
    for (const result of await Promise.allSettled(refusals)) {
      expect(result.status).toBe("rejected");
      if (result.status === "rejected") expect(result.reason).toBeInstanceOf(InvalidEventError);
    }
    expect(await w.store.events(4, { types: ["order_created"] })).toEqual([]);
    expect(w.stockOf("tea")).toBe(10);
    const everyMethod = createOrderRuntime({ store: w.store }).placer;
    const lines = [{ productId: "tea", qty: 1 }];
    expect(everyMethod.problemOf({ orderId: "SO-4", payment: "provider", invoice: { currency: "XTR", amount: 5 }, items: lines })).toMatch(/other than XTR/);
    expect(everyMethod.problemOf({ orderId: "SO-4", payment: "provider", invoice: { currency: "RUB", amount: 5 }, items: lines })).toBeNull();
    expect(everyMethod.problemOf({ orderId: "SO-4", payment: "bitcoin", invoice: null, items: lines })).toMatch(/unknown payment method/);
  });

  it("keeps an order_created without a payment method (as the shop sent them before orders were actors) a row only, and refuses one with a method when no order runtime runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-no-orders-"));
    dirs.push(dir);
    const store = openSqliteStore({ path: join(dir, "crm.sqlite") });
    const actors = createCustomerActors({ store, handlers: customerHandlers() });
    try {
      expect(actors.orders).toBeNull();
      const items = [{ productId: "tea", title: "Tea", price: 5, qty: 1 }];
      await actors.runtime.dispatch(1, { type: "order_created", orderId: "SO-OLD", total: 5, currency: "RUB", items, key: "old" });
      expect(await store.order("SO-OLD")).toMatchObject({ status: "placed", payment: "cash" });
      expect(store.loadActorEvents("order:SO-OLD")).toEqual([]);
      expect((await store.lead(1))?.lifetimeValue).toBe(5);
      await expect(actors.runtime.dispatch(1, { type: "order_created", orderId: "SO-NEW", total: 5, currency: "RUB", items, payment: "cash", invoice: null, key: "new" })).rejects.toThrow(InvalidEventError);
    } finally {
      await actors.stop();
      await store.close();
    }
  });
});
