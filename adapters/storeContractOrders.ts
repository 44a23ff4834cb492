import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { NewActorEvent } from "../actors/actorLog.port.ts";
import { bringsRevenue, type CrmStore, type StoredOrder } from "../actors/store.port.ts";
import { orderStatuses } from "../machines/order.types.ts";
import { aCategory, anOrderOf, aProduct, saved } from "./storeContractCatalog.ts";
import { manualClock, tracesInFiles, type OpenStore, type TraceReader } from "./storeContract.ts";

const t0 = Date.parse("2026-01-27T10:00:00Z");

const anEvent = (actor: string, type: string, key: string, payload: Record<string, unknown> = {}, at = t0): NewActorEvent => ({ actor, type, payload: JSON.stringify(payload), at, key });

/**
 * Order actors (docs/orders.md): their own log and state, the orders read model they move, and
 * what `/forget` leaves of them, through the store alone, against each store.
 */
export function orderActorsContract(name: string, openStore: OpenStore, traces: TraceReader = tracesInFiles): void {
  describe(`store contract: ${name}: order actors and the orders read model`, () => {
    const dirs: string[] = [];
    const open: CrmStore[] = [];

    afterEach(async () => {
      for (const store of open.splice(0)) await store.close();
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    });

    async function setup(dir = mkdtempSync(join(tmpdir(), `crm-orders-${name}-`))) {
      if (!dirs.includes(dir)) dirs.push(dir);
      const store = await openStore(dir, { clock: manualClock(t0) });
      open.push(store);
      return { dir, store };
    }

    async function reopen(dir: string, store: CrmStore): Promise<CrmStore> {
      await store.close();
      open.splice(open.indexOf(store), 1);
      return (await setup(dir)).store;
    }

    it("keeps an order actor's events once by key, across units and a reopen, with its state and how far its log is", async () => {
      const { dir, store } = await setup();
      expect(store.loadActorState("order:SO-1")).toBeUndefined();
      expect(store.loadActorEvents("order:SO-1")).toEqual([]);
      const first = await store.transact((tx) => {
        const placed = tx.appendActorEvent(anEvent("order:SO-1", "order_placed", "order:SO-1:placed", { orderId: "SO-1", total: 100 }));
        const again = tx.appendActorEvent(anEvent("order:SO-1", "order_placed", "order:SO-1:placed", { orderId: "other" }));
        const seen = tx.actorEventByKey("order:SO-1:placed");
        tx.appendActorEvent(anEvent("order:SO-2", "order_placed", "order:SO-2:placed"));
        tx.saveActorState("order:SO-1", { snapshot: '{"value":"placed"}', machineVersion: 1, lastSeq: placed ?? 0 });
        return { placed, again, seen };
      });
      expect(first.placed).toEqual(expect.any(Number));
      expect(first.again).toBeNull();
      expect(first.seen).toEqual({ seq: first.placed, actor: "order:SO-1", type: "order_placed", payload: { orderId: "SO-1", total: 100 }, at: t0, key: "order:SO-1:placed" });
      const paid = await store.transact((tx) => {
        expect(tx.appendActorEvent(anEvent("order:SO-1", "order_placed", "order:SO-1:placed"))).toBeNull();
        expect(tx.actorEventByKey("order:SO-1:placed")?.payload).toEqual({ orderId: "SO-1", total: 100 });
        expect(tx.actorEventByKey("nothing")).toBeUndefined();
        return tx.appendActorEvent(anEvent("order:SO-1", "marked_paid", "owner:1:paid", { by: "owner" }, t0 + 5));
      });
      expect(paid).toBeGreaterThan(first.placed ?? Infinity);
      const state = { actor: "order:SO-1", snapshot: '{"value":"placed"}', machineVersion: 1, lastSeq: first.placed, logSeq: paid };
      expect(store.loadActorState("order:SO-1")).toEqual(state);
      const log = store.loadActorEvents("order:SO-1");
      expect(log.map((event) => [event.type, event.key, event.at])).toEqual([
        ["order_placed", "order:SO-1:placed", t0],
        ["marked_paid", "owner:1:paid", t0 + 5],
      ]);
      expect(await store.actorEvents("order:SO-1")).toEqual(log);
      expect(store.loadActorEvents("order:SO-2")).toHaveLength(1);
      expect(store.loadActorState("order:SO-2")).toBeUndefined();

      const again = await reopen(dir, store);
      expect(again.loadActorState("order:SO-1")).toEqual(state);
      expect(again.loadActorEvents("order:SO-1")).toEqual(log);
      expect(await again.transact((tx) => tx.appendActorEvent(anEvent("order:SO-1", "marked_paid", "owner:1:paid")))).toBeNull();
      const later = await again.transact((tx) => tx.appendActorEvent(anEvent("order:SO-1", "shipped", "owner:1:shipped")));
      expect(later).toBeGreaterThan(paid ?? Infinity);
    });

    it("keeps nothing of a unit that fails: no actor event, state, order, order change or stock", async () => {
      const { dir, store } = await setup();
      await store.transact((tx) => {
        tx.applyCatalogEdit({ by: { kind: "owner", id: 1 }, at: t0, change: { type: "category_saved", category: aCategory("tea") } });
        tx.applyCatalogEdit(saved(aProduct("last", 5)));
        tx.saveOrder(anOrderOf("SO-1", 1, t0));
      });
      const version = store.catalogVersion();
      await expect(
        store.transact((tx) => {
          tx.reserveStock([{ productId: "last", qty: 2 }]);
          tx.saveOrder(anOrderOf("SO-2", 1, t0));
          tx.updateOrder("SO-1", { status: "cancelled", cancelledAt: t0 });
          tx.appendActorEvent(anEvent("order:SO-2", "order_placed", "order:SO-2:placed"));
          tx.saveActorState("order:SO-2", { snapshot: "{}", machineVersion: 1, lastSeq: 1 });
          throw new Error("the unit fails");
        }),
      ).rejects.toThrow("the unit fails");
      const check = async (s: CrmStore) => {
        expect(s.catalogRows().products).toEqual([aProduct("last", 5)]);
        expect(await s.order("SO-2")).toBeNull();
        expect((await s.order("SO-1"))?.status).toBe("placed");
        expect(s.loadActorEvents("order:SO-2")).toEqual([]);
        expect(s.loadActorState("order:SO-2")).toBeUndefined();
      };
      await check(store);
      expect(store.catalogVersion()).toBe(version);
      await check(await reopen(dir, store));
    });

    it("moves an order's row with updateOrder, queues it for the Sheets mirror, and refuses an order it does not hold", async () => {
      const { dir, store } = await setup();
      await store.transact((tx) => tx.saveOrder(anOrderOf("SO-1", 1, t0, { payment: "stars", status: "awaiting_payment", invoice: { currency: "XTR", amount: 56 } })));
      await store.completeMirror(await store.pendingMirror("order", 10));
      await store.transact((tx) => {
        tx.updateOrder("SO-1", { status: "paid", paidAt: t0 + 1, chargeId: "stxCHARGE1" });
        tx.updateOrder("SO-1", { status: "shipped", shippedAt: t0 + 2, tracking: "RA123456789RU" });
      });
      expect((await store.pendingMirror("order", 10)).map((item) => [item.ref, item.version])).toEqual([["SO-1", 2]]);
      await store.transact((tx) => tx.updateOrder("SO-1", { status: "delivered", deliveredAt: t0 + 3, rating: 5, tracking: null }));
      const moved: StoredOrder = {
        ...anOrderOf("SO-1", 1, t0, { payment: "stars", invoice: { currency: "XTR", amount: 56 } }),
        status: "delivered",
        paidAt: t0 + 1,
        shippedAt: t0 + 2,
        deliveredAt: t0 + 3,
        chargeId: "stxCHARGE1",
        rating: 5,
      };
      expect(await store.order("SO-1")).toEqual(moved);
      await store.transact((tx) => tx.updateOrder("SO-1", { items: [{ productId: "last", title: "Tea last", price: 90, qty: 1 }], total: 90, invoice: null }));
      expect(await store.order("SO-1")).toMatchObject({ total: 90, invoice: null, items: [{ price: 90 }], status: "delivered" });
      await expect(
        store.transact((tx) => {
          tx.updateOrder("SO-1", { status: "cancelled" });
          tx.updateOrder("SO-404", { status: "paid" });
        }),
      ).rejects.toThrow(/SO-404 is not stored/);
      expect((await store.order("SO-1"))?.status).toBe("delivered");
      const again = await reopen(dir, store);
      expect(await again.order("SO-1")).toEqual({ ...moved, total: 90, invoice: null, items: [{ productId: "last", title: "Tea last", price: 90, qty: 1 }] });
    });

    it("lists orders by status, or all of them, the newest first, in pages", async () => {
      const { dir, store } = await setup();
      await store.transact((tx) => {
        tx.saveOrder(anOrderOf("SO-1", 1, t0 + 1));
        tx.saveOrder(anOrderOf("SO-2", 2, t0 + 3));
        tx.saveOrder(anOrderOf("SO-3", 1, t0 + 2, { status: "awaiting_payment", payment: "stars" }));
        tx.saveOrder(anOrderOf("SO-4", 3, t0 + 3));
      });
      await store.transact((tx) => tx.updateOrder("SO-1", { status: "paid", paidAt: t0 + 9 }));
      const ids = (page: { readonly items: readonly StoredOrder[] }) => page.items.map((order) => order.orderId);
      expect(ids(await store.ordersByStatus("placed"))).toEqual(["SO-4", "SO-2"]);
      expect(ids(await store.ordersByStatus("paid"))).toEqual(["SO-1"]);
      expect(await store.ordersByStatus("refunded")).toEqual({ items: [], offset: 0, limit: 10, hasMore: false });
      const first = await store.ordersByStatus(null, { limit: 3 });
      expect(ids(first)).toEqual(["SO-4", "SO-2", "SO-3"]);
      expect(first.hasMore).toBe(true);
      expect(await store.ordersByStatus(null, { offset: 3, limit: 3 })).toMatchObject({ hasMore: false, items: [{ orderId: "SO-1" }] });
      const again = await reopen(dir, store);
      expect(ids(await again.ordersByStatus("placed"))).toEqual(["SO-4", "SO-2"]);
    });

    it("summarises orders by status, and counts as revenue only the orders paid or delivered and not cancelled or refunded, or placed before orders were actors", async () => {
      const { dir, store } = await setup();
      const orders: StoredOrder[] = [
        anOrderOf("A", 1, t0, { total: 1 }),
        anOrderOf("B", 1, t0, { total: 2, status: "awaiting_payment", payment: "stars" }),
        anOrderOf("C", 1, t0, { total: 4, status: "paid", payment: "stars", paidAt: t0 }),
        anOrderOf("D", 1, t0, { total: 8, status: "shipped", payment: "provider", paidAt: t0, shippedAt: t0 }),
        anOrderOf("E", 1, t0, { total: 16, status: "shipped", shippedAt: t0 }),
        anOrderOf("F", 1, t0, { total: 32, status: "delivered", deliveredAt: t0 }),
        anOrderOf("G", 1, t0, { total: 64, status: "cancelled", cancelledAt: t0 }),
        anOrderOf("H", 1, t0, { total: 128, status: "refunded", payment: "stars", paidAt: t0, refundedAt: t0 }),
        anOrderOf("I", 1, t0, { total: 256, status: "refunding", payment: "stars", paidAt: t0 }),
        anOrderOf("J", 1, t0 + 86_400_000, { total: 512, status: "paid", paidAt: t0 }),
        // Placed before orders were actors (an order_created without a payment method): a row with no actor, counted at once as the lifetime value counts it.
        anOrderOf("K", 1, t0, { total: 1_024 }),
      ];
      const olderThanActors = new Set(["K"]);
      await store.transact((tx) =>
        orders.forEach((order) => {
          tx.saveOrder(order);
          if (!olderThanActors.has(order.orderId)) tx.saveActorState(`order:${order.orderId}`, { snapshot: "{}", machineVersion: 1, lastSeq: 0 });
        }),
      );
      const expected = {
        count: 10,
        byStatus: { placed: 2, awaiting_payment: 1, paid: 1, shipped: 2, delivered: 1, cancelled: 1, refunding: 1, refunded: 1 },
        revenue: 1_068,
        average: 267,
      };
      const inRange = orders.filter((order) => order.at < t0 + 86_400_000);
      expect(inRange.filter((order) => bringsRevenue({ ...order, hasActor: !olderThanActors.has(order.orderId) })).reduce((sum, order) => sum + order.total, 0)).toBe(expected.revenue);
      expect(inRange.filter((order) => bringsRevenue(order)).map((order) => order.orderId)).toEqual(["C", "D", "F"]);
      const summary = await store.ordersSummary({ from: t0, to: t0 + 86_400_000, latest: 2 });
      expect(summary).toMatchObject(expected);
      expect(Object.keys(summary.byStatus)).toEqual(orderStatuses.filter((status) => status in summary.byStatus));
      expect(summary.latest).toHaveLength(2);
      const again = await reopen(dir, store);
      expect(await again.ordersSummary({ from: t0, to: t0 + 86_400_000 })).toMatchObject(expected);
      expect(await again.ordersSummary({ from: t0 + 86_400_000, to: t0 + 2 * 86_400_000 })).toMatchObject({ count: 1, byStatus: { paid: 1 }, revenue: 512 });
    });

    it("erases the phone and delivery details from the customer's order actors (events, state, effects), and from no other, in every file", async () => {
      const { dir, store } = await setup();
      const placed = (orderId: string, phone: string, delivery: string) => ({ orderId, phone, delivery, items: [], total: 100 });
      const context = (phone: string, delivery: string) => JSON.stringify({ value: "placed", context: { orderId: "x", phone, delivery } });
      await store.transact((tx) => {
        tx.saveOrder(anOrderOf("SO-7", 7, t0, { phone: "+79991234567", delivery: "Lenina street 5" }));
        tx.saveOrder(anOrderOf("SO-8", 8, t0, { phone: "+70000000008", delivery: "Tverskaya 8" }));
        tx.appendActorEvent(anEvent("order:SO-7", "order_placed", "order:SO-7:placed", placed("SO-7", "+79991234567", "Lenina street 5")));
        tx.appendActorEvent(anEvent("order:SO-8", "order_placed", "order:SO-8:placed", placed("SO-8", "+70000000008", "Tverskaya 8")));
        tx.saveActorState("order:SO-7", { snapshot: context("+79991234567", "Lenina street 5"), machineVersion: 1, lastSeq: 1 });
        tx.saveActorState("order:SO-8", { snapshot: context("+70000000008", "Tverskaya 8"), machineVersion: 1, lastSeq: 2 });
        tx.queueEffect({ key: "e:order:SO-7:1:0", actor: "order:SO-7", type: "notifyOwnersOfOrder", params: JSON.stringify({ orderId: "SO-7", phone: "+79991234567" }), createdAt: t0 });
      });
      // The order's second event comes in a unit of its own, and the erasure in a third, as /forget does.
      await store.transact((tx) => tx.appendActorEvent(anEvent("order:SO-7", "shipped", "order:SO-7:shipped", { tracking: "RA1" })));
      await store.transact((tx) => tx.erasePersonalData(7));
      const check = async (s: CrmStore) => {
        expect(s.loadActorEvents("order:SO-7").map((event) => event.payload)).toEqual([{ ...placed("SO-7", "", ""), phone: null, delivery: null }, { tracking: "RA1" }]);
        expect(JSON.parse(s.loadActorState("order:SO-7")?.snapshot ?? "null")).toEqual({ value: "placed", context: { orderId: "x", phone: null, delivery: null } });
        expect(s.effectsOf("order:SO-7").map((effect) => JSON.parse(effect.params))).toEqual([{ orderId: "SO-7", phone: null }]);
        expect(await s.order("SO-7")).toMatchObject({ phone: null, delivery: null, total: 100 });
        expect(s.loadActorEvents("order:SO-8")[0]?.payload).toMatchObject({ phone: "+70000000008", delivery: "Tverskaya 8" });
        expect(s.loadActorState("order:SO-8")?.snapshot).toContain("+70000000008");
      };
      await check(store);
      const again = await reopen(dir, store);
      await check(again);
      await again.close();
      open.splice(open.indexOf(again), 1);
      expect(traces(dir, ["79991234567", "lenina"])).toEqual([]);
      expect(traces(dir, ["70000000008"])).not.toEqual([]);
    });
  });
}
