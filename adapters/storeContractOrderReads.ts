import { expect, it } from "vitest";
import { anOrder, at, type ContractHarness } from "./storeContract.ts";

/**
 * The orders the customer runtime records: the period summary, a customer's orders with pages, and a
 * duplicate order id. Part of the main store contract (storeContract.ts), against each store.
 */
export function orderReadsContract({ setup, stores }: ContractHarness): void {
  it("summarises orders for a period", async () => {
    const { store, runtime, clock } = await setup();
    await runtime.dispatch(1, { type: "order_created", orderId: "A-1", total: 100, currency: "RUB", key: "1" });
    clock.advance(1_000);
    await runtime.dispatch(2, { type: "order_created", orderId: "A-2", total: 250, currency: "RUB", key: "2" });
    clock.advance(86_400_000);
    await runtime.dispatch(1, { type: "order_created", orderId: "A-3", total: 1, currency: "RUB", key: "3" });
    const from = at("2026-01-27T00:00:00Z");
    const summary = await store.ordersSummary({ from, to: from + 86_400_000 });
    // Placed without a payment method, as every order was before orders were actors: no order actor
    // will ever move them, so they count as revenue at once, as the customers' lifetime value counts them.
    expect(summary).toMatchObject({ count: 2, byStatus: { placed: 2 }, revenue: 350, average: 175 });
    expect(summary.latest.map((order) => order.orderId)).toEqual(["A-2", "A-1"]);
    expect(summary.latest[0]).toMatchObject({ userId: 2, total: 250, currency: "RUB" });
    await store.transact((tx) => tx.updateOrder("A-1", { status: "delivered", deliveredAt: clock.now() }));
    await store.transact((tx) => tx.updateOrder("A-2", { status: "paid", paidAt: clock.now() }));
    expect(await store.ordersSummary({ from, to: from + 86_400_000 })).toMatchObject({ count: 2, byStatus: { paid: 1, delivered: 1 }, revenue: 350, average: 175 });
  });

  it("stores orders and lists a customer's orders, the newest first, with pages", async () => {
    const { dir, store } = await setup();
    const t = at("2026-01-27T10:00:00Z");
    const orders = [anOrder("SO-1", 1, t), anOrder("SO-2", 1, t + 2_000), anOrder("SO-3", 1, t + 1_000), anOrder("SO-4", 1, t + 2_000), anOrder("SO-5", 2, t)];
    await store.transact((tx) => orders.slice(0, 2).forEach((order) => tx.saveOrder(order)));
    await store.transact((tx) => orders.slice(2).forEach((order) => tx.saveOrder(order)));
    const first = await store.orders(1, { limit: 2 });
    expect(first.items.map((order) => order.orderId)).toEqual(["SO-4", "SO-2"]);
    expect(first).toMatchObject({ offset: 0, limit: 2, hasMore: true });
    const rest = await store.orders(1, { offset: 2, limit: 2 });
    expect(rest.items.map((order) => order.orderId)).toEqual(["SO-3", "SO-1"]);
    expect(rest.hasMore).toBe(false);
    expect((await store.orders(1)).items).toHaveLength(4);
    expect(await store.orders(99)).toEqual({ items: [], offset: 0, limit: 10, hasMore: false });
    expect(await store.order("SO-3")).toEqual(orders[2]);
    expect(await store.order("SO-404")).toBeNull();

    await store.close();
    stores.splice(stores.indexOf(store), 1);
    const again = await setup({ dir });
    expect(await again.store.order("SO-5")).toEqual(orders[4]);
    expect((await again.store.orders(1)).items.map((order) => order.orderId)).toEqual(["SO-4", "SO-2", "SO-3", "SO-1"]);
  });

  it("refuses an order id already stored, and keeps nothing of that unit of work", async () => {
    const { dir, store } = await setup();
    const t = at("2026-01-27T10:00:00Z");
    await store.transact((tx) => tx.saveOrder(anOrder("SO-1", 1, t)));
    const event = { userId: 1, type: "catalog_view", payload: "{}", at: t, key: "kept-or-not" } as const;
    await expect(
      store.transact((tx) => {
        tx.appendEvent(event);
        tx.saveOrder(anOrder("SO-1", 1, t + 1, 999));
      }),
    ).rejects.toThrow(/SO-1 is already stored/);
    await expect(store.transact((tx) => [anOrder("SO-2", 1, t), anOrder("SO-2", 1, t)].forEach((order) => tx.saveOrder(order)))).rejects.toThrow(
      /SO-2 is already stored/,
    );
    const [racing, late] = await Promise.allSettled([
      store.transact((tx) => tx.saveOrder(anOrder("SO-3", 1, t))),
      store.transact((tx) => tx.saveOrder(anOrder("SO-3", 2, t))),
    ]);
    expect(racing.status).toBe("fulfilled");
    expect(late.status).toBe("rejected");
    expect(await store.events(1)).toEqual([]);
    expect(await store.order("SO-1")).toEqual(anOrder("SO-1", 1, t));
    expect(await store.order("SO-2")).toBeNull();
    expect((await store.order("SO-3"))?.userId).toBe(1);

    await store.close();
    stores.splice(stores.indexOf(store), 1);
    const again = await setup({ dir });
    expect((await again.store.orders(1)).items.map((order) => order.orderId)).toEqual(["SO-3", "SO-1"]);
    expect(await again.store.transact((tx) => tx.appendEvent(event))).toEqual(expect.any(Number));
  });
}
