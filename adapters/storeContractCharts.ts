import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { CrmStore, Lead } from "../actors/store.port.ts";
import { manualClock, type OpenStore } from "./storeContract.ts";
import { anOrderOf } from "./storeContractCatalog.ts";
import { aLead } from "./storeContractQueues.ts";

const t0 = Date.parse("2026-03-02T07:00:00Z");
const day = 86_400_000;

/** The charts' reads (actors/chartReads.port.ts) against each store: the same orders, the same groups. */
export function chartReadsContract(name: string, openStore: OpenStore): void {
  describe(`store contract: ${name}: chart reads`, () => {
    const dirs: string[] = [];
    const open: CrmStore[] = [];
    afterEach(async () => {
      for (const store of open.splice(0)) await store.close();
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    });

    async function fresh(): Promise<{ dir: string; store: CrmStore }> {
      const dir = mkdtempSync(join(tmpdir(), `crm-charts-${name}-`));
      dirs.push(dir);
      const store = await openStore(dir, { clock: manualClock(t0) });
      open.push(store);
      return { dir, store };
    }

    async function saveLead(store: CrmStore, lead: Lead): Promise<void> {
      await store.transact((tx) => {
        const seq = tx.appendEvent({ userId: lead.userId, type: "start", payload: "{}", at: t0, key: `lead:${lead.userId}` });
        tx.saveActor({ lead, snapshot: "{}", machineVersion: 1, lastSeq: seq ?? 0, previousStage: null });
      });
    }

    it("groups the period's orders by their customer's source, counting only revenue that came in, the largest first", async () => {
      const { dir, store } = await fresh();
      await saveLead(store, aLead(1, { source: "instagram" }));
      await saveLead(store, aLead(2, { source: "instagram" }));
      await saveLead(store, aLead(3, { source: "vk" }));
      await saveLead(store, aLead(4));
      await store.transact((tx) => {
        const orders = [
          anOrderOf("I1", 1, t0, { total: 100, status: "paid", payment: "stars", paidAt: t0 }),
          anOrderOf("I2", 1, t0 + 1, { total: 50, status: "delivered", deliveredAt: t0 }),
          anOrderOf("I3", 2, t0 + 2, { total: 999, status: "cancelled", cancelledAt: t0 }),
          anOrderOf("V1", 3, t0 + 3, { total: 400.5, status: "paid", payment: "provider", paidAt: t0 }),
          anOrderOf("N1", 4, t0 + 4, { total: 70, status: "awaiting_payment", payment: "stars" }),
          // Outside the period: the day after.
          anOrderOf("V2", 3, t0 + day, { total: 10_000, status: "paid", payment: "stars", paidAt: t0 + day }),
        ];
        for (const order of orders) {
          tx.saveOrder(order);
          tx.saveActorState(`order:${order.orderId}`, { snapshot: "{}", machineVersion: 1, lastSeq: 0 });
        }
      });
      const expected = [
        { source: "vk", orders: 1, customers: 1, revenue: 400.5 },
        { source: "instagram", orders: 3, customers: 2, revenue: 150 },
        { source: null, orders: 1, customers: 1, revenue: 0 },
      ];
      expect(await store.revenueBySource({ from: t0, to: t0 + day })).toEqual(expected);
      await store.close();
      open.splice(open.indexOf(store), 1);
      const again = await openStore(dir, { clock: manualClock(t0) });
      open.push(again);
      expect(await again.revenueBySource({ from: t0, to: t0 + day })).toEqual(expected);
      expect(await again.revenueBySource({ from: t0 + day, to: t0 + 2 * day })).toEqual([{ source: "vk", orders: 1, customers: 1, revenue: 10_000 }]);
    });

    it("counts the customers who entered each stage in a period, a skipped stage not entered, the same after a reopen", async () => {
      const { dir, store } = await fresh();
      await saveLead(store, aLead(1, { stage: "cart", stageEnteredAt: { new: t0, engaged: t0 + 1, cart: t0 + day } }));
      await saveLead(store, aLead(2, { stage: "customer", stageEnteredAt: { new: t0 - day, engaged: t0 + 2, customer: t0 + 3 } }));
      await saveLead(store, aLead(3, { stage: "new", stageEnteredAt: { new: t0 + 4 } }));
      const expected = { new: 2, engaged: 2, cart: 0, checkout: 0, customer: 1, repeat: 0 };
      expect(await store.stageEntries({ from: t0, to: t0 + day })).toEqual(expected);
      expect(await store.stageEntries({ from: t0 - day, to: t0 + 2 * day })).toEqual({ new: 3, engaged: 2, cart: 1, checkout: 0, customer: 1, repeat: 0 });
      expect(await store.stageEntries({ from: t0 + day, to: t0 })).toEqual({ new: 0, engaged: 0, cart: 0, checkout: 0, customer: 0, repeat: 0 });
      await store.close();
      open.splice(open.indexOf(store), 1);
      const again = await openStore(dir, { clock: manualClock(t0) });
      open.push(again);
      expect(await again.stageEntries({ from: t0, to: t0 + day })).toEqual(expected);
    });

    it("answers nothing for a period without orders, or an empty or reversed one", async () => {
      const { store } = await fresh();
      await saveLead(store, aLead(1, { source: "instagram" }));
      await store.transact((tx) => tx.saveOrder(anOrderOf("A", 1, t0, { total: 10 })));
      expect(await store.revenueBySource({ from: t0 + 1, to: t0 + day })).toEqual([]);
      expect(await store.revenueBySource({ from: t0, to: t0 })).toEqual([]);
      expect(await store.revenueBySource({ from: t0 + day, to: t0 })).toEqual([]);
      // A row without an order actor (placed before orders were actors) counts at once, as in the order summary.
      expect(await store.revenueBySource({ from: t0, to: t0 + 1 })).toEqual([{ source: "instagram", orders: 1, customers: 1, revenue: 10 }]);
    });
  });
}
