import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SegmentFilterError } from "../actors/segmentFilter.ts";
import type { SegmentContext, SegmentFilter } from "../actors/segments.port.ts";
import type { CrmStore, Lead } from "../actors/store.port.ts";
import { customerMachineVersion } from "../machines/customer.machine.ts";
import { manualClock, type OpenStore } from "./storeContract.ts";

const t0 = Date.parse("2026-03-01T10:00:00Z");
const day = 86_400_000;
const context: SegmentContext = { consentVersion: "v2" };

const blank = {
  username: null,
  name: null,
  source: null,
  firstSeenAt: t0 - 100 * day,
  lastSeenAt: t0 - day,
  stage: "new",
  ordersCount: 0,
  lifetimeValue: 0,
  lastOrderId: null,
  consentAt: null,
  consentVersion: null,
  phone: null,
  tags: [],
  notes: [],
  stageEnteredAt: {},
  erasedAt: null,
  blockedAt: null,
  dormantSince: null,
  lastReminderAt: null,
  remindersSent: 0,
  unsubscribedAt: null,
  consentDeclined: null,
  language: "ru",
} as const;

/** A lead as the read model keeps it, with what the test sets (an `unsubscribedAt` too). */
const aLead = (userId: number, facts: Partial<Lead> & { readonly unsubscribedAt?: number | null } = {}): Lead => ({ ...blank, userId, ...facts }) as Lead;

/**
 * The cast of the condition tests: one lead per fact, so each condition picks a known set.
 * 1 new, 2 engaged/instagram/phone, 3 cart/dormant/tags, 4 customer/consented v2, 5 repeat/blocked,
 * 6 erased (consented, phone, tags: in no segment), 7 consented to an older version, 8 unsubscribed.
 */
const cast: readonly Lead[] = [
  aLead(1, { firstSeenAt: t0 - 10 * day, lastSeenAt: t0 - 2 * day }),
  aLead(2, { stage: "engaged", source: "instagram_ads", phone: "+79990000002", lastSeenAt: t0 - 3 * day }),
  aLead(3, { stage: "cart", dormantSince: t0 - 5 * day, tags: ["постоянный", "опт"], firstSeenAt: t0 - 200 * day, lastSeenAt: t0 - 40 * day }),
  aLead(4, { stage: "customer", ordersCount: 1, lifetimeValue: 1000, consentAt: t0 - 50 * day, consentVersion: "v2", tags: ["постоянный"], source: "vk" }),
  aLead(5, { stage: "repeat", ordersCount: 5, lifetimeValue: 12_500.5, blockedAt: t0 - day, tags: ["VIP"], lastSeenAt: null }),
  aLead(6, { stage: "repeat", ordersCount: 3, phone: null, consentAt: t0 - 20 * day, consentVersion: "v2", erasedAt: t0 - 10 * day, tags: [] }),
  aLead(7, { stage: "checkout", consentAt: t0 - 30 * day, consentVersion: "v1", phone: "+79990000007" }),
  aLead(8, { stage: "engaged", unsubscribedAt: t0 - day, source: "instagram_ads" }),
];

async function saveLeads(store: CrmStore, leads: readonly Lead[]): Promise<void> {
  await store.transact((tx) => {
    for (const lead of leads) tx.saveActor({ lead, snapshot: "{}", machineVersion: customerMachineVersion, lastSeq: 0, previousStage: null });
  });
}

/** Segments (actors/segments.port.ts) against each store: the same leads in, the same members out. */
export function segmentsContract(name: string, openStore: OpenStore): void {
  describe(`store contract: ${name}: segments`, () => {
    const dirs: string[] = [];
    const open: CrmStore[] = [];

    afterEach(async () => {
      for (const store of open.splice(0)) await store.close();
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    });

    async function setup(leads: readonly Lead[] = cast, dir = mkdtempSync(join(tmpdir(), `crm-segments-${name}-`))) {
      if (!dirs.includes(dir)) dirs.push(dir);
      const store = await openStore(dir, { clock: manualClock(t0) });
      open.push(store);
      if (leads.length > 0) await saveLeads(store, leads);
      return { dir, store };
    }

    /** The members by the cursor (from the start, one page), checked against the count. */
    async function members(store: CrmStore, filter: SegmentFilter): Promise<readonly number[]> {
      const ids = await store.segmentUserIds(filter, context, 0, 1_000);
      expect(await store.countSegment(filter, context)).toBe(ids.length);
      return ids;
    }

    it("matches every condition alone, and leaves the erased customer out of all of them", async () => {
      const { store } = await setup();
      const cases: ReadonlyArray<readonly [SegmentFilter, readonly number[]]> = [
        [{}, [1, 2, 3, 4, 5, 7, 8]],
        [{ stages: ["repeat"] }, [5]],
        [{ stages: ["engaged", "cart"] }, [2, 3, 8]],
        [{ activity: "dormant" }, [3]],
        [{ activity: "active" }, [1, 2, 4, 5, 7, 8]],
        [{ sources: ["instagram_ads"] }, [2, 8]],
        [{ sources: ["vk", "instagram_ads"] }, [2, 4, 8]],
        [{ ordersCount: { min: 1 } }, [4, 5]],
        [{ lifetimeValue: { min: 1000, max: 1000 } }, [4]],
        [{ firstSeen: { min: t0 - 50 * day } }, [1]],
        [{ lastSeen: { max: t0 - 30 * day } }, [3]],
        [{ hasPhone: true }, [2, 7]],
        [{ hasPhone: false }, [1, 3, 4, 5, 8]],
        [{ consented: true }, [4]],
        [{ consented: false }, [1, 2, 3, 5, 7, 8]],
        [{ blocked: true }, [5]],
        [{ blocked: false }, [1, 2, 3, 4, 7, 8]],
        [{ unsubscribed: true }, [8]],
        [{ unsubscribed: false }, [1, 2, 3, 4, 5, 7]],
      ];
      for (const [filter, expected] of cases) expect({ filter, ids: await members(store, filter) }).toEqual({ filter, ids: expected });
    });

    it("combines conditions with AND", async () => {
      const { store } = await setup();
      expect(await members(store, { stages: ["engaged"], sources: ["instagram_ads"], unsubscribed: false })).toEqual([2]);
      expect(await members(store, { ordersCount: { min: 1 }, blocked: false, tags: { any: ["постоянный"] } })).toEqual([4]);
      expect(await members(store, { activity: "active", hasPhone: true, consented: false, lastSeen: { min: t0 - 3 * day } })).toEqual([2, 7]);
      expect(await members(store, { stages: ["new"], hasPhone: true })).toEqual([]);
    });

    it("reads ranges closed, open at either end, and a lead with no time as outside any time range", async () => {
      const { store } = await setup();
      expect(await members(store, { ordersCount: { min: 1, max: 3 } })).toEqual([4]);
      expect(await members(store, { ordersCount: { max: 0 } })).toEqual([1, 2, 3, 7, 8]);
      expect(await members(store, { ordersCount: { min: 5 } })).toEqual([5]);
      expect(await members(store, { lifetimeValue: { min: 12_500.5 } })).toEqual([5]);
      expect(await members(store, { lifetimeValue: { min: 1, max: 12_500.49 } })).toEqual([4]);
      expect(await members(store, { lastSeen: { min: t0 - 2 * day, max: t0 } })).toEqual([1, 4, 7, 8]);
      expect(await members(store, { lastSeen: {} })).toEqual([1, 2, 3, 4, 7, 8]);
      expect(await members(store, { firstSeen: { max: t0 - 100 * day } })).toEqual([2, 3, 4, 5, 7, 8]);
    });

    it("picks Cyrillic tags by any of, all of and none of, follows a lead's tags as they change, and lists the tags leads have", async () => {
      const { store } = await setup();
      expect(await members(store, { tags: { any: ["постоянный", "VIP"] } })).toEqual([3, 4, 5]);
      expect(await members(store, { tags: { all: ["постоянный", "опт"] } })).toEqual([3]);
      expect(await members(store, { tags: { none: ["постоянный"] } })).toEqual([1, 2, 5, 7, 8]);
      expect(await members(store, { tags: { any: ["ПОСТОЯННЫЙ"] } })).toEqual([]);
      expect(await members(store, { tags: { any: ["постоянный"], none: ["опт"] } })).toEqual([4]);
      expect(await store.knownTags(10)).toEqual(["VIP", "опт", "постоянный"]);
      expect(await store.knownTags(1)).toEqual(["VIP"]);
      await saveLeads(store, [aLead(3, { ...cast[2], tags: ["опт"] }), aLead(1, { ...cast[0], tags: ["постоянный"] })]);
      expect(await members(store, { tags: { any: ["постоянный"] } })).toEqual([1, 4]);
      expect(await members(store, { tags: { all: ["опт"] } })).toEqual([3]);
      expect(await store.knownTags(10)).toEqual(["VIP", "опт", "постоянный"]);
      await saveLeads(store, [aLead(5, { ...cast[4], tags: [] })]);
      expect(await store.knownTags(10)).toEqual(["опт", "постоянный"]);
    });

    it("follows a lead's stage, consent, block and erasure as they change", async () => {
      const { store } = await setup();
      await saveLeads(store, [
        aLead(1, { ...cast[0], stage: "cart", consentAt: t0, consentVersion: "v2" }),
        aLead(4, { ...cast[3], consentAt: null, consentVersion: null }),
        aLead(5, { ...cast[4], blockedAt: null }),
        aLead(2, { ...cast[1], erasedAt: t0, phone: null }),
      ]);
      expect(await members(store, { stages: ["cart"] })).toEqual([1, 3]);
      expect(await members(store, { consented: true })).toEqual([1]);
      expect(await members(store, { blocked: true })).toEqual([]);
      expect(await members(store, { sources: ["instagram_ads"] })).toEqual([8]);
    });

    it("compares times in whole seconds, finds no one for a source no lead has, and keeps a lead whose tags repeat", async () => {
      const { store } = await setup([aLead(1, { lastSeenAt: t0 + 700, tags: ["опт", "опт"] }), aLead(2, { lastSeenAt: t0 + 1_200, source: "vk" })]);
      expect(await members(store, { lastSeen: { min: t0 + 900 } })).toEqual([1, 2]);
      expect(await members(store, { lastSeen: { min: t0 + 1_000 } })).toEqual([2]);
      expect(await members(store, { lastSeen: { max: t0 + 999 } })).toEqual([1]);
      expect(await members(store, { sources: ["nobody_came_from_here"] })).toEqual([]);
      expect(await members(store, { sources: ["nobody_came_from_here", "vk"] })).toEqual([2]);
      expect(await members(store, { tags: { all: ["опт"] } })).toEqual([1]);
      await saveLeads(store, [aLead(2, { lastSeenAt: t0 + 1_200, source: "vk", tags: ["vip", "vip"] })]);
      expect(await members(store, { tags: { any: ["vip"] } })).toEqual([2]);
      expect((await store.sampleSegment({}, context, 5)).map((lead) => lead.userId)).toEqual([2, 1]);
    });

    it("consents only to the current version, and a consent given before an erasure does not stand", async () => {
      const { store } = await setup([
        aLead(1, { consentAt: t0, consentVersion: "v2" }),
        aLead(2, { consentAt: t0, consentVersion: "v1" }),
        aLead(3, { consentAt: null, consentVersion: null }),
      ]);
      expect(await members(store, { consented: true })).toEqual([1]);
      expect(await store.countSegment({ consented: true }, { consentVersion: "v1" })).toBe(1);
      expect(await store.segmentUserIds({ consented: true }, { consentVersion: "v1" }, 0, 10)).toEqual([2]);
    });

    it("walks the members by user id from a cursor in pages, none twice and none skipped", async () => {
      const leads = Array.from({ length: 25 }, (_, i) => aLead(100 + i * 3, { stage: i % 2 === 0 ? "cart" : "new", lastSeenAt: t0 - i * day }));
      const { store } = await setup(leads);
      const expected = leads.filter((lead) => lead.stage === "cart").map((lead) => lead.userId);
      const walked: number[] = [];
      let after = 0;
      for (;;) {
        const page = await store.segmentUserIds({ stages: ["cart"] }, context, after, 4);
        expect(page.length).toBeLessThanOrEqual(4);
        if (page.length === 0) break;
        walked.push(...page);
        after = page.at(-1) ?? after;
      }
      expect(walked).toEqual(expected);
      expect(await store.segmentUserIds({ stages: ["cart"] }, context, expected.at(-1) ?? 0, 10)).toEqual([]);
      expect(await store.segmentUserIds({ stages: ["cart"] }, context, 0, 0)).toEqual([]);
    });

    it("samples the most recently seen members first, whole leads, never the erased one", async () => {
      const { store } = await setup();
      const sample = await store.sampleSegment({}, context, 5);
      expect(sample.map((lead) => lead.userId)).toEqual([8, 7, 4, 1, 2]);
      expect(sample[2]).toMatchObject({ userId: 4, stage: "customer", tags: ["постоянный"], lastSeenAt: t0 - day });
      expect((await store.sampleSegment({ stages: ["repeat"] }, context, 5)).map((lead) => lead.userId)).toEqual([5]);
      expect(await store.sampleSegment({ stages: ["repeat"], blocked: false }, context, 5)).toEqual([]);
    });

    it("saves, lists, replaces by name, deletes, and keeps saved segments across a reopen", async () => {
      const { dir, store } = await setup([]);
      expect(await store.savedSegments()).toEqual([]);
      const vip = await store.saveSegment({ name: "  VIP постоянные ", filter: { tags: { all: ["постоянный", "VIP"] } }, by: 42, at: t0 });
      const dormant = await store.saveSegment({ name: "Спящие", filter: { activity: "dormant", ordersCount: { min: 1 } }, by: 43, at: t0 + 1 });
      expect(vip).not.toBe(dormant);
      expect(await store.savedSegments()).toEqual([
        { id: vip, name: "VIP постоянные", filter: { tags: { all: ["постоянный", "VIP"] } }, by: 42, at: t0 },
        { id: dormant, name: "Спящие", filter: { activity: "dormant", ordersCount: { min: 1 } }, by: 43, at: t0 + 1 },
      ]);
      expect(await store.saveSegment({ name: "Спящие", filter: { activity: "dormant" }, by: 42, at: t0 + 2 })).toBe(dormant);
      await store.close();
      open.splice(open.indexOf(store), 1);
      const reopened = (await setup([], dir)).store;
      expect((await reopened.savedSegments()).map((s) => [s.id, s.name, s.filter])).toEqual([
        [vip, "VIP постоянные", { tags: { all: ["постоянный", "VIP"] } }],
        [dormant, "Спящие", { activity: "dormant" }],
      ]);
      await reopened.deleteSegment(vip);
      await reopened.deleteSegment(9_999);
      expect((await reopened.savedSegments()).map((s) => s.id)).toEqual([dormant]);
    });

    it("refuses bad filters and names with a clear error, and runs nothing", async () => {
      const { store } = await setup();
      const bad: ReadonlyArray<readonly [unknown, RegExp]> = [
        [{ ordersCount: { min: -1 } }, /ordersCount: min is negative/],
        [{ lifetimeValue: { min: 5, max: 2 } }, /lifetimeValue: min 5 is above max 2/],
        [{ stages: ["vip"] }, /stages: unknown value "vip"/],
        [{ lastSeen: { min: Number.NaN } }, /lastSeen: min is not a finite number/],
        [{ hasPhone: "yes" }, /hasPhone: true or false/],
        [{ activity: "sleeping" }, /activity/],
        [{ tags: { some: ["a"] } }, /tags: unknown list "some"/],
        [{ tags: { any: [""] } }, /tags.any: every value is a non-empty text/],
        [{ stage: ["new"] }, /unknown condition "stage"/],
        [null, /a segment filter is an object/],
      ];
      for (const [filter, message] of bad) {
        const forged = filter as SegmentFilter;
        await expect(store.countSegment(forged, context)).rejects.toThrow(message);
        await expect(store.segmentUserIds(forged, context, 0, 10)).rejects.toBeInstanceOf(SegmentFilterError);
        await expect(store.sampleSegment(forged, context, 5)).rejects.toBeInstanceOf(SegmentFilterError);
        await expect(store.saveSegment({ name: "x", filter: forged, by: 1, at: t0 })).rejects.toThrow(message);
      }
      await expect(store.saveSegment({ name: "   ", filter: {}, by: 1, at: t0 })).rejects.toThrow(/name is empty/);
      await expect(store.saveSegment({ name: "я".repeat(65), filter: {}, by: 1, at: t0 })).rejects.toThrow(/longer than 64/);
      expect(await store.savedSegments()).toEqual([]);
    });
  });
}
