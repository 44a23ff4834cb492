import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { CrmStore, Lead, StoredOrder } from "../actors/store.port.ts";
import { manualClock, type OpenStore } from "./storeContract.ts";
import { anOrderOf } from "./storeContractCatalog.ts";
import { aLead } from "./storeContractQueues.ts";

const day = 86_400_000;
const week = 7 * day;
/** Monday 2026-03-02 00:00 UTC: the start of a cohort week in UTC. */
const monday = Date.parse("2026-03-02T00:00:00Z");
const now = monday + 4 * week + 2 * day;
const utc = { weeks: 5, now, timeZone: "UTC" };

/** The weekly cohort reads (actors/cohorts.port.ts) against each store: the same leads and orders, the same matrix. */
export function cohortContract(name: string, openStore: OpenStore): void {
  describe(`store contract: ${name}: weekly cohorts`, () => {
    const dirs: string[] = [];
    const open: CrmStore[] = [];
    afterEach(async () => {
      for (const store of open.splice(0)) await store.close();
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    });

    async function fresh(): Promise<{ dir: string; store: CrmStore }> {
      const dir = mkdtempSync(join(tmpdir(), `crm-cohorts-${name}-`));
      dirs.push(dir);
      const store = await openStore(dir, { clock: manualClock(now) });
      open.push(store);
      return { dir, store };
    }

    async function reopen(dir: string, store: CrmStore): Promise<CrmStore> {
      await store.close();
      open.splice(open.indexOf(store), 1);
      const again = await openStore(dir, { clock: manualClock(now) });
      open.push(again);
      return again;
    }

    async function saveLead(store: CrmStore, lead: Lead, seen: "first" | "again" = "first"): Promise<void> {
      await store.transact((tx) => {
        const seq = tx.appendEvent({ userId: lead.userId, type: "start", payload: "{}", at: lead.firstSeenAt ?? 0, key: `lead:${lead.userId}:${seen}:${lead.erasedAt ?? ""}` });
        tx.saveActor({ lead, snapshot: "{}", machineVersion: 1, lastSeq: seq ?? 0, previousStage: seen === "first" ? null : lead.stage });
      });
    }

    /** Orders with an order actor, as the runtime places them. */
    async function place(store: CrmStore, ...orders: StoredOrder[]): Promise<void> {
      await store.transact((tx) => {
        for (const order of orders) {
          tx.saveOrder(order);
          tx.saveActorState(`order:${order.orderId}`, { snapshot: "{}", machineVersion: 1, lastSeq: 0 });
        }
      });
    }

    const paid = (orderId: string, userId: number, at: number, total: number): StoredOrder =>
      anOrderOf(orderId, userId, at, { total, status: "paid", payment: "stars", paidAt: at });

    it("counts a customer who ordered in weeks 0 and 2 in both, with each week's revenue, the same after a reopen", async () => {
      const { dir, store } = await fresh();
      await saveLead(store, aLead(1, { firstSeenAt: monday + day }));
      await saveLead(store, aLead(2, { firstSeenAt: monday + 3 * day }));
      await saveLead(store, aLead(3, { firstSeenAt: monday + week }));
      await place(store, paid("A1", 1, monday + 2 * day, 100), paid("A2", 1, monday + 2 * week + day, 250.5), paid("A3", 1, monday + 2 * week + 2 * day, 49.5));
      await place(store, paid("B1", 2, monday + 4 * day, 70), anOrderOf("C1", 3, monday + week + day, { total: 900, status: "placed", payment: "cash" }));
      const expected = {
        timeZone: "UTC",
        cohorts: [
          { weekStart: monday, size: 2, ordered: [2, 0, 1, 0, 0], revenue: [170, 0, 300, 0, 0] },
          // A placed cash order with an actor: an order, but no money in yet.
          { weekStart: monday + week, size: 1, ordered: [1, 0, 0, 0], revenue: [0, 0, 0, 0] },
          { weekStart: monday + 2 * week, size: 0, ordered: [0, 0, 0], revenue: [0, 0, 0] },
          { weekStart: monday + 3 * week, size: 0, ordered: [0, 0], revenue: [0, 0] },
          { weekStart: monday + 4 * week, size: 0, ordered: [0], revenue: [0] },
        ],
      };
      expect(await store.cohorts(utc)).toEqual(expected);
      const again = await reopen(dir, store);
      expect(await again.cohorts(utc)).toEqual(expected);
      expect((await again.cohorts({ ...utc, weeks: 2 })).cohorts.map((row) => row.weekStart)).toEqual([monday + 3 * week, monday + 4 * week]);
    });

    it("takes a refunded or cancelled order's revenue out, and its customer when it was their only order that week", async () => {
      const { store } = await fresh();
      await saveLead(store, aLead(1, { firstSeenAt: monday }));
      await saveLead(store, aLead(2, { firstSeenAt: monday }));
      await place(store, paid("A1", 1, monday + day, 100), paid("A2", 1, monday + day + 1, 40), paid("B1", 2, monday + week, 300));
      await place(store, anOrderOf("B2", 2, monday + week + 1, { total: 60, status: "placed", payment: "cash" }));
      const before = (await store.cohorts(utc)).cohorts[0];
      expect(before).toEqual({ weekStart: monday, size: 2, ordered: [1, 1, 0, 0, 0], revenue: [140, 300, 0, 0, 0] });
      await store.transact((tx) => {
        tx.updateOrder("A1", { status: "refunded", refundedAt: now });
        tx.updateOrder("B1", { status: "refunded", refundedAt: now });
        tx.updateOrder("B2", { status: "delivered", deliveredAt: now });
      });
      expect((await store.cohorts(utc)).cohorts[0]).toEqual({ weekStart: monday, size: 2, ordered: [1, 1, 0, 0, 0], revenue: [40, 60, 0, 0, 0] });
      await store.transact((tx) => {
        tx.updateOrder("A2", { status: "cancelled", cancelledAt: now });
        tx.updateOrder("B2", { status: "refunded", refundedAt: now });
      });
      expect((await store.cohorts(utc)).cohorts[0]).toEqual({ weekStart: monday, size: 2, ordered: [0, 0, 0, 0, 0], revenue: [0, 0, 0, 0, 0] });
    });

    it("takes a customer who erased their data out of their cohort's size, orders and revenue", async () => {
      const { dir, store } = await fresh();
      await saveLead(store, aLead(1, { firstSeenAt: monday }));
      await saveLead(store, aLead(2, { firstSeenAt: monday + day }));
      await place(store, paid("A1", 1, monday + week, 100), paid("B1", 2, monday + week, 30));
      expect((await store.cohorts(utc)).cohorts[0]).toEqual({ weekStart: monday, size: 2, ordered: [0, 2, 0, 0, 0], revenue: [0, 130, 0, 0, 0] });
      await store.transact((tx) => {
        tx.erasePersonalData(1);
        const seq = tx.appendEvent({ userId: 1, type: "data_erased", payload: "{}", at: now, key: "erase:1" });
        tx.saveActor({ lead: aLead(1, { firstSeenAt: monday, erasedAt: now }), snapshot: "{}", machineVersion: 1, lastSeq: seq ?? 0, previousStage: "new" });
      });
      const expected = { weekStart: monday, size: 1, ordered: [0, 1, 0, 0, 0], revenue: [0, 30, 0, 0, 0] };
      expect((await store.cohorts(utc)).cohorts[0]).toEqual(expected);
      expect((await (await reopen(dir, store)).cohorts(utc)).cohorts[0]).toEqual(expected);
    });

    it("starts weeks on Monday in the asked time zone: a Sunday evening in UTC is already Monday in Moscow", async () => {
      const { store } = await fresh();
      // Sunday 2026-03-08 22:30 UTC is Monday 01:30 in Moscow (UTC+3).
      const sundayNight = monday + week - 90 * 60_000;
      await saveLead(store, aLead(1, { firstSeenAt: sundayNight }));
      await place(store, paid("A1", 1, sundayNight + 60_000, 80));
      const inUtc = await store.cohorts(utc);
      expect(inUtc.cohorts[0]).toEqual({ weekStart: monday, size: 1, ordered: [1, 0, 0, 0, 0], revenue: [80, 0, 0, 0, 0] });
      const moscow = await store.cohorts({ ...utc, timeZone: "Europe/Moscow" });
      const moscowMonday = monday + week - 3 * 3_600_000;
      expect(moscow.timeZone).toBe("Europe/Moscow");
      expect(moscow.cohorts.map((row) => row.weekStart)).toEqual([0, 1, 2, 3, 4].map((n) => moscowMonday - week + n * week));
      expect(moscow.cohorts[0]?.size).toBe(0);
      expect(moscow.cohorts[1]).toEqual({ weekStart: moscowMonday, size: 1, ordered: [1, 0, 0, 0], revenue: [80, 0, 0, 0] });
      // A customer first seen after the switch is counted in Moscow weeks too; and back in UTC, as before.
      await saveLead(store, aLead(2, { firstSeenAt: moscowMonday - 60_000 }));
      expect((await store.cohorts({ ...utc, timeZone: "Europe/Moscow" })).cohorts[0]?.size).toBe(1);
      expect((await store.cohorts(utc)).cohorts[0]?.size).toBe(2);
    });

    it("answers an empty shop with empty cohorts, and no cohorts for zero weeks", async () => {
      const { store } = await fresh();
      const empty = await store.cohorts({ ...utc, weeks: 3 });
      expect(empty).toEqual({
        timeZone: "UTC",
        cohorts: [
          { weekStart: monday + 2 * week, size: 0, ordered: [0, 0, 0], revenue: [0, 0, 0] },
          { weekStart: monday + 3 * week, size: 0, ordered: [0, 0], revenue: [0, 0] },
          { weekStart: monday + 4 * week, size: 0, ordered: [0], revenue: [0] },
        ],
      });
      expect(await store.cohorts({ ...utc, weeks: 0 })).toEqual({ timeZone: "UTC", cohorts: [] });
    });
  });
}
