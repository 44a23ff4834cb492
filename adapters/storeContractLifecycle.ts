import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { CrmStore, Lead } from "../actors/store.port.ts";
import { manualClock } from "./storeContract.ts";
import { aLead } from "./storeContractQueues.ts";

/** Opens a store in `dir` with its clock and TIME_ZONE. */
export type OpenLifecycleStore = (dir: string, options: { readonly clock: { now(): number }; readonly timeZone: string }) => Promise<CrmStore>;

const hour = 3_600_000;
const day = 24 * hour;
/** Monday 2026-11-02 00:00 in Moscow (UTC+3), and the three Mondays after it. */
const w0 = Date.parse("2026-11-01T21:00:00Z");
const [w1, w2, w3] = [w0 + 7 * day, w0 + 14 * day, w0 + 21 * day];
const now = w3 + 2 * day;

/** The lifecycle and lifetime-value reads (actors/lifecycle.port.ts) against each store: the same acts, the same weeks. */
export function lifecycleContract(name: string, openStore: OpenLifecycleStore): void {
  describe(`store contract: ${name}: lifecycle and lifetime value`, () => {
    const dirs: string[] = [];
    const open: CrmStore[] = [];
    afterEach(async () => {
      for (const store of open.splice(0)) await store.close();
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    });

    async function fresh(timeZone = "Europe/Moscow"): Promise<{ dir: string; store: CrmStore; reopen: () => Promise<CrmStore> }> {
      const dir = mkdtempSync(join(tmpdir(), `crm-lifecycle-${name}-`));
      dirs.push(dir);
      const store = await openStore(dir, { clock: manualClock(now), timeZone });
      open.push(store);
      const reopen = async (): Promise<CrmStore> => {
        await store.close();
        open.splice(open.indexOf(store), 1);
        const again = await openStore(dir, { clock: manualClock(now), timeZone });
        open.push(again);
        return again;
      };
      return { dir, store, reopen };
    }

    /** A customer's act at `at`, committed as the runtime commits one: the event, and the lead seen then. */
    async function act(store: CrmStore, userId: number, at: number, facts: Partial<Lead> = {}): Promise<void> {
      const first = firstSeen.get(userId) ?? at;
      const last = Math.max(at, lastSeen.get(userId) ?? at);
      await store.transact((tx) => {
        const seq = tx.appendEvent({ userId, type: "catalog_view", payload: "{}", at, key: `act:${userId}:${at}` });
        tx.saveActor({ lead: aLead(userId, { firstSeenAt: first, lastSeenAt: last, ...facts }), snapshot: "{}", machineVersion: 1, lastSeq: seq ?? 0, previousStage: null });
      });
      firstSeen.set(userId, first);
      lastSeen.set(userId, last);
    }
    const firstSeen = new Map<number, number>();
    const lastSeen = new Map<number, number>();
    afterEach(() => {
      firstSeen.clear();
      lastSeen.clear();
    });

    it("counts new, returning and reactivated customers per Monday-start week, dormant ones from the week before, the same after a reopen", async () => {
      const { store, reopen } = await fresh();
      for (const at of [w0 + hour, w1 + day, w2 + 2 * day, w3 + hour]) await act(store, 1, at); // every week
      await act(store, 2, w0 + 3 * day);
      await act(store, 2, w2 + hour); // back after a week away
      await act(store, 2, w2 + 5 * day); // again the same week: nothing more
      await act(store, 2, w2 + 2 * hour - day * 7); // a late act from before: nothing
      await act(store, 3, w1 + 2 * hour);
      await act(store, 4, w1 + 6 * day);
      await act(store, 4, w2 + 6 * day);
      const expected = [
        { start: w0, new: 2, returning: 0, reactivated: 0, dormant: 0 },
        { start: w1, new: 2, returning: 1, reactivated: 0, dormant: 1 },
        { start: w2, new: 0, returning: 2, reactivated: 1, dormant: 1 },
        { start: w3, new: 0, returning: 1, reactivated: 0, dormant: 2 },
      ];
      expect(await store.lifecycle({ now, weeks: 4 })).toEqual(expected);
      expect(await store.lifecycle({ now, weeks: 2 })).toEqual(expected.slice(2));
      const again = await reopen();
      expect(await again.lifecycle({ now, weeks: 4 })).toEqual(expected);
      expect(await again.lifecycle({ now: w3 + 7 * day, weeks: 1 })).toEqual([{ start: w3 + 7 * day, new: 0, returning: 0, reactivated: 0, dormant: 1 }]);
    });

    it("turns a week at Monday midnight in TIME_ZONE, not in UTC", async () => {
      // Sunday 23:30 and Monday 00:30 in Moscow are the same UTC week (Sunday 20:30 and 21:30 UTC).
      const moscow = await fresh("Europe/Moscow");
      await act(moscow.store, 1, w1 - hour / 2);
      await act(moscow.store, 1, w1 + hour / 2);
      expect(await moscow.store.lifecycle({ now: w1 + day, weeks: 2 })).toEqual([
        { start: w0, new: 1, returning: 0, reactivated: 0, dormant: 0 },
        { start: w1, new: 0, returning: 1, reactivated: 0, dormant: 0 },
      ]);
      firstSeen.clear();
      lastSeen.clear();
      const utc = await fresh("UTC");
      await act(utc.store, 1, w1 - hour / 2);
      await act(utc.store, 1, w1 + hour / 2);
      const utcMonday = w0 + 3 * hour;
      expect(await utc.store.lifecycle({ now: w1, weeks: 1 })).toEqual([{ start: utcMonday, new: 1, returning: 0, reactivated: 0, dormant: 0 }]);
    });

    it("keeps the anonymous counts when a customer is erased", async () => {
      const { store } = await fresh();
      await act(store, 1, w0 + hour);
      await act(store, 1, w1 + hour);
      const before = await store.lifecycle({ now, weeks: 4 });
      await store.transact((tx) => {
        tx.erasePersonalData(1);
        tx.saveActor({ lead: aLead(1, { firstSeenAt: w0 + hour, lastSeenAt: w1 + hour, erasedAt: w1 + 2 * hour }), snapshot: "{}", machineVersion: 1, lastSeq: 0, previousStage: null });
      });
      expect(await store.lifecycle({ now, weeks: 4 })).toEqual(before);
      expect(before.map((week) => week.new + week.returning)).toEqual([1, 1, 0, 0]);
    });

    it("gives the lifetime value of the customers who ordered: buckets of the money scale, and the average per source", async () => {
      const { store, reopen } = await fresh();
      await act(store, 1, w0, { source: "instagram", ordersCount: 1, lifetimeValue: 150 });
      await act(store, 2, w0, { ordersCount: 1, lifetimeValue: 450 });
      await act(store, 3, w0, { source: "instagram", ordersCount: 1, lifetimeValue: 1200 });
      await act(store, 4, w0, { source: "vk", ordersCount: 1, lifetimeValue: 1200.5 });
      await act(store, 5, w0, { source: "vk", ordersCount: 3, lifetimeValue: 9000 });
      await act(store, 6, w0, { source: "vk" }); // never ordered
      expect(await store.lifetimeValues()).toEqual({
        customers: 5,
        total: 12_000.5,
        average: 2400.1,
        buckets: [
          { from: 100, to: 200, customers: 1, total: 150 },
          { from: 200, to: 500, customers: 1, total: 450 },
          { from: 1000, to: 2000, customers: 2, total: 2400.5 },
          { from: 5000, to: 10_000, customers: 1, total: 9000 },
        ],
        sources: [
          { source: "vk", customers: 2, total: 10_200.5, average: 5100.25 },
          { source: "instagram", customers: 2, total: 1350, average: 675 },
          { source: null, customers: 1, total: 450, average: 450 },
        ],
      });
      // The first customer orders again: their value moves to another bucket.
      await act(store, 1, w1, { source: "instagram", ordersCount: 2, lifetimeValue: 2150 });
      const again = await reopen();
      const stats = await again.lifetimeValues();
      expect(stats.buckets[0]).toEqual({ from: 200, to: 500, customers: 1, total: 450 });
      expect(stats.buckets.at(-2)).toEqual({ from: 2000, to: 5000, customers: 1, total: 2150 });
      expect(stats.sources[1]).toEqual({ source: "instagram", customers: 2, total: 3350, average: 1675 });
      expect(stats.total).toBe(14_000.5);
    });

    it("answers zeros for an empty shop, weeks and all", async () => {
      const { store } = await fresh();
      expect(await store.lifetimeValues()).toEqual({ customers: 0, total: 0, average: 0, buckets: [], sources: [] });
      const weeks = await store.lifecycle({ now, weeks: 12 });
      expect(weeks).toHaveLength(12);
      expect(weeks.at(-1)).toEqual({ start: w3, new: 0, returning: 0, reactivated: 0, dormant: 0 });
      expect(weeks[0]?.start).toBe(w3 - 11 * 7 * day);
      expect(await store.lifecycle({ now, weeks: 0 })).toEqual([]);
    });
  });
}
