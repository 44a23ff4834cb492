import { describe, expect, it } from "vitest";
import type { CrmStore, MirrorItem } from "../actors/store.port.ts";
import { customerMachineVersion } from "../machines/customer.machine.ts";
import { anOrder, at, type ContractHarness } from "./storeContract.ts";

/**
 * The Sheets mirror's outbox: what a unit queues, in which order, and what survives a reopen. Part of
 * the main store contract (storeContract.ts), against each store.
 */
export function mirrorContract({ setup, stores }: ContractHarness): void {
  describe("the Sheets mirror's outbox", () => {
    const t0 = at("2026-01-27T10:00:00Z");
    const lead = (ref: number, version: number, queuedAt: number): MirrorItem => ({ kind: "lead", ref: String(ref), version, queuedAt });
    const order = (ref: string, version: number, queuedAt: number): MirrorItem => ({ kind: "order", ref, version, queuedAt });
    /** An order as the machine places it: `order_created` with its lines, whose `recordOrder` saves the order in the same unit. */
    const placing = (orderId: string, key: string) =>
      ({ type: "order_created", orderId, items: [{ productId: "p1", title: "Пуэр", price: 990, qty: 1 }], total: 990, currency: "RUB", key }) as const;
    /** Completes everything pending, as a mirror that caught up would. */
    async function drained(store: CrmStore): Promise<void> {
      await store.completeMirror([...(await store.pendingMirror("lead", 1_000)), ...(await store.pendingMirror("order", 1_000))]);
      expect(await store.pendingMirrorCount()).toEqual({ leads: 0, orders: 0 });
    }

    it("queues the lead with every dispatch and the order with the event that placed it, in the same unit of work", async () => {
      const { store, runtime, clock } = await setup();
      expect(await store.pendingMirrorCount()).toEqual({ leads: 0, orders: 0 });
      await runtime.dispatch(1, { type: "start", key: "1:start" });
      expect(await store.pendingMirror("lead", 10)).toEqual([lead(1, 1, t0)]);
      clock.advance(1_000);
      await runtime.dispatch(1, placing("SO-1", "1:order"));
      expect(await store.pendingMirror("lead", 10)).toEqual([lead(1, 2, t0)]);
      expect(await store.pendingMirror("order", 10)).toEqual([order("SO-1", 1, t0 + 1_000)]);
      expect(await store.pendingMirrorCount()).toEqual({ leads: 1, orders: 1 });
    });

    it("coalesces ten changes to one customer into one item whose version counts them, queued at the first", async () => {
      const { store, runtime, clock } = await setup();
      for (let i = 0; i < 10; i++) {
        await runtime.dispatch(3, { type: "product_view", productId: `p${i}`, key: `3:view:${i}` });
        clock.advance(60_000);
      }
      expect(await store.pendingMirror("lead", 10)).toEqual([lead(3, 10, t0)]);
      expect(await store.pendingMirrorCount()).toEqual({ leads: 1, orders: 0 });
    });

    it("keeps an item that changed after the mirror read it, at its newer version, and takes a completion twice", async () => {
      const { store, runtime } = await setup();
      await runtime.dispatch(1, { type: "start", key: "1:start" });
      await runtime.dispatch(2, { type: "start", key: "2:start" });
      await runtime.dispatch(2, placing("SO-2", "2:order"));
      const read = [...(await store.pendingMirror("lead", 10)), ...(await store.pendingMirror("order", 10))];
      expect(read).toEqual([lead(1, 1, t0), lead(2, 2, t0), order("SO-2", 1, t0)]);
      await runtime.dispatch(2, { type: "catalog_view", key: "2:catalog" });
      await store.completeMirror(read);
      expect(await store.pendingMirror("lead", 10)).toEqual([lead(2, 3, t0)]);
      expect(await store.pendingMirror("order", 10)).toEqual([]);
      await store.completeMirror(read);
      await store.completeMirror([]);
      expect(await store.pendingMirror("lead", 10)).toEqual([lead(2, 3, t0)]);
      await store.completeMirror([lead(2, 3, t0), lead(2, 3, t0), lead(99, 1, t0)]);
      expect(await store.pendingMirrorCount()).toEqual({ leads: 0, orders: 0 });
    });

    it("hands out the oldest queued first, ties in the order queued, at most the limit", async () => {
      const { store, runtime, clock } = await setup();
      for (const user of [3, 1, 2]) await runtime.dispatch(user, { type: "start", key: `${user}:start` });
      clock.advance(1_000);
      await runtime.dispatch(1, { type: "catalog_view", key: "1:catalog" });
      await runtime.dispatch(4, { type: "start", key: "4:start" });
      expect(await store.pendingMirror("lead", 10)).toEqual([lead(3, 1, t0), lead(1, 2, t0), lead(2, 1, t0), lead(4, 1, t0 + 1_000)]);
      expect(await store.pendingMirror("lead", 2)).toEqual([lead(3, 1, t0), lead(1, 2, t0)]);
      expect(await store.pendingMirror("lead", 0)).toEqual([]);

      await store.completeMirror([lead(3, 1, t0)]);
      clock.advance(1_000);
      await runtime.dispatch(3, { type: "catalog_view", key: "3:catalog" });
      expect((await store.pendingMirror("lead", 10)).map((item) => item.ref)).toEqual(["1", "2", "4", "3"]);
      clock.advance(1_000);
      for (const orderId of ["SO-B", "SO-A"]) await runtime.dispatch(5, placing(orderId, `5:${orderId}`));
      expect((await store.pendingMirror("order", 1)).map((item) => item.ref)).toEqual(["SO-B"]);
      expect((await store.pendingMirror("order", 5)).map((item) => item.ref)).toEqual(["SO-B", "SO-A"]);
    });

    it("queues nothing for a unit of work that rolls back", async () => {
      const { store, runtime } = await setup();
      await runtime.dispatch(1, { type: "start", key: "1:start" });
      await runtime.dispatch(1, placing("SO-1", "1:order"));
      await drained(store);
      const saved = await store.lead(1);
      if (!saved) throw new Error("lead 1 missing");
      await expect(
        store.transact((tx) => {
          tx.saveActor({ lead: { ...saved, userId: 2 }, snapshot: "{}", machineVersion: customerMachineVersion, lastSeq: 0, previousStage: null });
          tx.saveOrder(anOrder("SO-2", 2, t0));
          throw new Error("the unit fails");
        }),
      ).rejects.toThrow("the unit fails");
      await expect(runtime.dispatch(1, placing("SO-1", "1:order-again"))).rejects.toThrow(/SO-1 is already stored/);
      expect(await store.pendingMirrorCount()).toEqual({ leads: 0, orders: 0 });
      expect(await store.pendingMirror("lead", 10)).toEqual([]);
    });

    it("queues nothing new for a redelivered event or order", async () => {
      const { store, runtime } = await setup();
      await runtime.dispatch(1, { type: "start", key: "1:start" });
      await runtime.dispatch(1, placing("SO-1", "1:order"));
      await drained(store);
      expect((await runtime.dispatch(1, { type: "start", key: "1:start" })).duplicate).toBe(true);
      expect((await runtime.dispatch(1, placing("SO-1", "1:order"))).duplicate).toBe(true);
      expect(await store.pendingMirrorCount()).toEqual({ leads: 0, orders: 0 });
    });

    it("queues the lead on /forget, so that the mirror blanks its row", async () => {
      const { store, runtime, clock } = await setup();
      await runtime.dispatch(7, { type: "contact_shared", phone: "+79991234567", key: "7:contact" });
      await drained(store);
      clock.advance(5_000);
      await runtime.forget(7, "7:forget");
      expect(await store.pendingMirror("lead", 10)).toEqual([lead(7, 1, t0 + 5_000)]);
      expect(await store.lead(7)).toMatchObject({ phone: null });
    });

    it("queues every lead and order again on enqueueAll, bumping those still pending, and counts them", async () => {
      const { store, runtime, clock } = await setup();
      expect(await store.enqueueAllForMirror()).toBe(0);
      for (const user of [2, 1, 3]) {
        await runtime.dispatch(user, { type: "start", key: `${user}:start` });
        clock.advance(1_000);
      }
      await runtime.dispatch(1, placing("SO-1", "1:order"));
      await runtime.dispatch(3, placing("SO-3", "3:order"));
      const pending = await store.pendingMirror("lead", 10);
      await store.completeMirror([...pending.filter((item) => item.ref !== "1"), ...(await store.pendingMirror("order", 10))]);
      expect(await store.pendingMirror("lead", 10)).toEqual([lead(1, 2, t0 + 1_000)]);

      clock.advance(60_000);
      const now = clock.now();
      expect(await store.enqueueAllForMirror()).toBe(5);
      expect(await store.pendingMirror("lead", 10)).toEqual([lead(1, 3, t0 + 1_000), lead(2, 1, now), lead(3, 1, now)]);
      expect(await store.pendingMirror("order", 10)).toEqual([order("SO-1", 1, now), order("SO-3", 1, now)]);
      expect(await store.pendingMirrorCount()).toEqual({ leads: 3, orders: 2 });
      expect(await store.enqueueAllForMirror()).toBe(5);
      expect((await store.pendingMirror("order", 10)).map((item) => item.version)).toEqual([2, 2]);
    });

    it("keeps pending items, their versions and completions across /forget and a reopen, and queues after them", async () => {
      const { dir, store, runtime, clock } = await setup();
      for (const user of [1, 2, 3]) await runtime.dispatch(user, { type: "contact_shared", phone: `+7999000000${user}`, key: `${user}:contact` });
      await runtime.dispatch(2, placing("SO-2", "2:order"));
      await store.completeMirror([lead(1, 1, t0)]);
      clock.advance(1_000);
      await runtime.dispatch(3, { type: "catalog_view", key: "3:catalog" });
      await runtime.forget(2, "2:forget");
      const leads = await store.pendingMirror("lead", 10);
      const orders = await store.pendingMirror("order", 10);
      expect(leads).toEqual([lead(2, 3, t0), lead(3, 2, t0)]);
      expect(orders).toEqual([order("SO-2", 1, t0)]);

      await runtime.close();
      await store.close();
      stores.splice(stores.indexOf(store), 1);
      const again = await setup({ dir });
      expect(await again.store.pendingMirror("lead", 10)).toEqual(leads);
      expect(await again.store.pendingMirror("order", 10)).toEqual(orders);
      // The reopened clock starts at t0 again: a new item ties on time and goes after the old ones.
      await again.runtime.dispatch(1, { type: "catalog_view", key: "1:catalog" });
      expect((await again.store.pendingMirror("lead", 10)).map((item) => item.ref)).toEqual(["2", "3", "1"]);
      await again.store.completeMirror(leads);
      expect(await again.store.pendingMirror("lead", 10)).toEqual([lead(1, 1, t0)]);
    });
  });
}
