import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { campaignStats } from "../actors/campaignStats.ts";
import type { CrmStore } from "../actors/store.port.ts";
import type { CustomerEventType } from "../machines/customer.types.ts";
import { manualClock, type OpenStore } from "./storeContract.ts";
import { anOrderOf } from "./storeContractCatalog.ts";

const t0 = Date.parse("2026-03-02T07:00:00Z");
const hour = 3_600_000;
const day = 24 * hour;

/** One customer's log line: who, what, when (and an order's id). */
type Line = readonly [userId: number, type: CustomerEventType, at: number, orderId?: string];

async function write(store: CrmStore, lines: readonly Line[]): Promise<void> {
  await store.transact((tx) => {
    lines.forEach(([userId, type, at, orderId], index) => {
      tx.appendEvent({ userId, type, payload: JSON.stringify(orderId ? { orderId, total: 100, currency: "RUB" } : {}), at, key: `c:${index}` });
    });
  });
}

/** The campaigns' figures (actors/campaignStats.port.ts) against each store: the same log in, the same figures out. */
export function campaignStatsContract(name: string, openStore: OpenStore): void {
  describe(`store contract: ${name}: campaign figures`, () => {
    const dirs: string[] = [];
    const open: CrmStore[] = [];
    afterEach(async () => {
      for (const store of open.splice(0)) await store.close();
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    });

    it("counts each campaign's messages in the period, the carts recovered within 48 h, the customers reactivated within 7 days, and the revenue of their orders", async () => {
      const dir = mkdtempSync(join(tmpdir(), `crm-campaigns-${name}-`));
      dirs.push(dir);
      const store = await openStore(dir, { clock: manualClock(t0) });
      open.push(store);
      await store.transact((tx) => {
        tx.saveOrder(anOrderOf("SO-1", 1, t0 + 10 * hour, { total: 100, status: "paid", paidAt: t0 + 10 * hour }));
        tx.saveOrder(anOrderOf("SO-2", 2, t0 + 49 * hour + 1, { total: 70, status: "paid", paidAt: t0 + 50 * hour }));
        tx.saveOrder(anOrderOf("SO-3", 3, t0 + 3 * hour, { total: 30 }));
        tx.saveOrder(anOrderOf("SO-4", 4, t0 + 2 * day, { total: 50, status: "delivered" }));
        tx.saveOrder(anOrderOf("SO-7", 7, t0, { total: 10, status: "paid", paidAt: t0 }));
        tx.saveOrder(anOrderOf("SO-8", 8, t0 + 5 * hour, { total: 20, status: "cancelled", paidAt: t0 + 5 * hour }));
      });
      await write(store, [
        [6, "reminder_sent", t0 - 1],
        [7, "order_created", t0, "SO-7"],
        [1, "reminder_sent", t0],
        [7, "reminder_sent", t0 + 1],
        [2, "reminder_sent", t0 + hour],
        [1, "order_created", t0 + 10 * hour, "SO-1"],
        [3, "reminder_sent", t0 + hour],
        [3, "second_reminder_sent", t0 + 2 * hour],
        [3, "order_created", t0 + 3 * hour, "SO-3"],
        [8, "second_reminder_sent", t0 + 4 * hour],
        [8, "order_created", t0 + 5 * hour, "SO-8"],
        [4, "winback_sent", t0 + 3 * hour],
        [5, "winback_sent", t0 + 4 * hour],
        [2, "order_created", t0 + 49 * hour + 1, "SO-2"],
        [4, "reactivated", t0 + 2 * day],
        [4, "order_created", t0 + 2 * day, "SO-4"],
        [5, "reactivated", t0 + 8 * day],
        [9, "winback_sent", t0 + day],
      ]);
      const stats = await campaignStats(store, { from: t0, to: t0 + day });
      expect(stats).toEqual({
        // Customer 3's reminder is recovered by the order after their second one; 2 ordered too late, 7 before.
        cartReminder: { sent: 4, converted: 2, orders: 2, revenue: 100 },
        // A cash order not yet delivered, and a cancelled one, bring nothing in yet.
        secondReminder: { sent: 2, converted: 2, orders: 2, revenue: 0 },
        // 5 came back after 8 days, outside the week; 9's message is outside the period.
        winBack: { sent: 2, converted: 1, orders: 1, revenue: 50 },
      });
      const empty = await campaignStats(store, { from: t0 + 10 * day, to: t0 + 11 * day });
      expect(empty.winBack).toEqual({ sent: 0, converted: 0, orders: 0, revenue: 0 });
    });

    it("finds a customer's next event of a type after a given one, within a time bound", async () => {
      const dir = mkdtempSync(join(tmpdir(), `crm-campaigns-${name}-`));
      dirs.push(dir);
      const store = await openStore(dir, { clock: manualClock(t0) });
      open.push(store);
      await write(store, [
        [1, "reminder_sent", t0],
        [2, "order_created", t0 + 1, "SO-X"],
        [1, "order_created", t0 + 2, "SO-A"],
        [1, "order_created", t0 + 3, "SO-B"],
      ]);
      const [reminder] = await store.eventsOfTypes(["reminder_sent"], { from: t0, to: t0 + 1 });
      if (!reminder) throw new Error("no reminder read back");
      expect((await store.firstEventAfter(1, reminder.seq, "order_created", t0 + 10))?.payload["orderId"]).toBe("SO-A");
      expect(await store.firstEventAfter(1, reminder.seq, "order_created", t0 + 2)).toBeNull();
      expect(await store.firstEventAfter(1, reminder.seq, "reactivated", t0 + 10)).toBeNull();
      expect(await store.eventsOfTypes(["reminder_sent", "winback_sent"], { from: t0 + 1, to: t0 + 5 })).toEqual([]);
    });
  });
}
