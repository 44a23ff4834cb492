import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { CrmStore, Lead, NewEffect, StoreTx, TimerRow } from "../actors/store.port.ts";
import type { Stage } from "../machines/customer.types.ts";
import { manualClock, tracesInFiles, type OpenStore, type TraceReader } from "./storeContract.ts";

const t0 = Date.parse("2026-01-27T10:00:00Z");

/** A timer of `actor`, keyed as the runtime keys them (the arming event's seq in the middle). */
export const aTimer = (actor: string, sendId: string, dueAt: number, seq = 1): TimerRow => ({
  actor,
  sendId,
  dueAt,
  event: JSON.stringify({ type: sendId }),
  key: `t:${actor}:${seq}:${sendId}`,
});

export const anEffect = (key: string, actor = "customer:1", createdAt = t0, params: Record<string, unknown> = { n: 1 }): NewEffect => ({
  key,
  actor,
  type: "sendCartReminder",
  params: JSON.stringify(params),
  createdAt,
});

/** A lead with every fact the read model holds, the new ones included. */
export function aLead(userId: number, facts: Partial<Lead> = {}): Lead {
  return {
    userId,
    username: null,
    name: null,
    source: null,
    firstSeenAt: t0,
    lastSeenAt: t0,
    ordersCount: 0,
    lifetimeValue: 0,
    lastOrderId: null,
    consentAt: null,
    consentVersion: null,
    phone: null,
    tags: [],
    notes: [],
    stageEnteredAt: { new: t0 },
    erasedAt: null,
    blockedAt: null,
    dormantSince: null,
    lastReminderAt: null,
    remindersSent: 0,
    unsubscribedAt: null,
    consentDeclined: null,
    language: "ru",
    stage: "new",
    ...facts,
  };
}

/** What the funnel says is dormant: the total, and each stage that has any. */
async function dormantCounts(store: CrmStore): Promise<{ total: number; byStage: Partial<Record<Stage, number>> }> {
  const funnel = await store.funnel();
  const byStage: Partial<Record<Stage, number>> = {};
  for (const step of funnel.steps) if (step.dormant !== 0) byStage[step.stage] = step.dormant;
  return { total: funnel.dormant, byStage };
}

/**
 * The durable actor's rows (docs/actor-runtime.md): timers, the effect outbox, the new lead facts
 * and the funnel's dormant counts, through the store alone, against each store.
 */
export function durableQueuesContract(name: string, openStore: OpenStore, traces: TraceReader = tracesInFiles): void {
  describe(`store contract: ${name}: timers, effects and dormancy`, () => {
    const dirs: string[] = [];
    const open: CrmStore[] = [];

    afterEach(async () => {
      for (const store of open.splice(0)) await store.close();
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    });

    async function setup(dir = mkdtempSync(join(tmpdir(), `crm-queues-${name}-`))) {
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

    /** Saves the lead in a unit with an event of its own, so that its snapshot is never ahead of its log. */
    async function saveLead(store: CrmStore, lead: Lead, previousStage: Stage | null, key: string, extra?: (tx: StoreTx) => void): Promise<void> {
      await store.transact((tx) => {
        const seq = tx.appendEvent({ userId: lead.userId, type: "catalog_view", payload: "{}", at: t0, key });
        tx.saveActor({ lead, snapshot: "{}", machineVersion: 1, lastSeq: seq ?? 0, previousStage });
        extra?.(tx);
      });
    }

    it("arms, re-arms, cancels and replaces timers, a unit seeing its own changes and the ones committed before it", async () => {
      const { store } = await setup();
      const seen = await store.transact((tx) => {
        const views: Array<TimerRow | undefined> = [];
        tx.setTimer(aTimer("customer:1", "remind", t0 + 100, 1));
        views.push(tx.timerOf("customer:1", "remind"));
        tx.setTimer(aTimer("customer:1", "remind", t0 + 200, 2));
        views.push(tx.timerOf("customer:1", "remind"));
        tx.cancelTimer("customer:1", "remind");
        tx.cancelTimer("customer:1", "remind");
        views.push(tx.timerOf("customer:1", "remind"));
        tx.setTimer(aTimer("customer:1", "dormancy", t0 + 300));
        tx.setTimer(aTimer("customer:1", "consultant", t0 + 400));
        tx.setTimer(aTimer("customer:2", "dormancy", t0 + 500));
        tx.replaceTimers("customer:1", [aTimer("customer:1", "remind", t0 + 600, 9)]);
        views.push(tx.timerOf("customer:1", "dormancy"), tx.timerOf("customer:1", "remind"));
        return views;
      });
      expect(seen).toEqual([
        aTimer("customer:1", "remind", t0 + 100, 1),
        aTimer("customer:1", "remind", t0 + 200, 2),
        undefined,
        undefined,
        aTimer("customer:1", "remind", t0 + 600, 9),
      ]);
      expect(store.timersOf("customer:1")).toEqual([aTimer("customer:1", "remind", t0 + 600, 9)]);
      expect(store.timersOf("customer:2")).toEqual([aTimer("customer:2", "dormancy", t0 + 500)]);
      expect(store.timersOf("customer:3")).toEqual([]);
      expect(store.timersCount()).toBe(2);
      const next = await store.transact((tx) => {
        const before = tx.timerOf("customer:2", "dormancy");
        tx.replaceTimers("customer:2", []);
        return [before, tx.timerOf("customer:2", "dormancy")];
      });
      expect(next).toEqual([aTimer("customer:2", "dormancy", t0 + 500), undefined]);
      expect(store.timersCount()).toBe(1);
    });

    it("shows a unit the timers and effects of the units before it, even while those are still being written", async () => {
      const { store } = await setup();
      await store.transact((tx) => tx.setTimer(aTimer("customer:1", "remind", t0 + 100, 1)));
      const first = store.transact((tx) => {
        tx.setTimer(aTimer("customer:1", "remind", t0 + 200, 2));
        tx.setTimer(aTimer("customer:1", "dormancy", t0 + 300, 2));
        tx.queueEffect(anEffect("e1"));
      });
      const second = store.transact((tx) => {
        const seen = { remind: tx.timerOf("customer:1", "remind")?.key, dormancy: tx.timerOf("customer:1", "dormancy")?.key };
        tx.queueEffect(anEffect("e1", "customer:1", t0, { again: true }));
        tx.replaceTimers("customer:1", [aTimer("customer:1", "consultant", t0 + 50, 3)]);
        return seen;
      });
      const third = store.transact((tx) => {
        tx.completeEffect("e1");
        return tx.timerOf("customer:1", "dormancy");
      });
      await first;
      expect(await second).toEqual({ remind: "t:customer:1:2:remind", dormancy: "t:customer:1:2:dormancy" });
      expect(await third).toBeUndefined();
      expect(store.timersOf("customer:1")).toEqual([aTimer("customer:1", "consultant", t0 + 50, 3)]);
      expect(store.effectsCount()).toEqual({ pending: 0, failed: 0 });
    });

    it("keeps no timer and no effect of a unit that rolls back, and undoes its cancels and completions", async () => {
      const { store } = await setup();
      await store.transact((tx) => {
        tx.setTimer(aTimer("customer:1", "remind", t0 + 100));
        tx.queueEffect(anEffect("e:customer:1:1:0"));
      });
      const failing = store.transact((tx) => {
        tx.setTimer(aTimer("customer:2", "remind", t0 + 50));
        tx.cancelTimer("customer:1", "remind");
        tx.queueEffect(anEffect("e:customer:2:2:0", "customer:2"));
        tx.completeEffect("e:customer:1:1:0");
        tx.replaceTimers("customer:1", [aTimer("customer:2", "remind", t0)]);
      });
      await expect(failing).rejects.toThrow(/customer:2/);
      const throwing = store.transact((tx) => {
        tx.setTimer(aTimer("customer:3", "remind", t0 + 50));
        tx.queueEffect(anEffect("e:customer:3:3:0", "customer:3"));
        throw new Error("the step failed");
      });
      await expect(throwing).rejects.toThrow("the step failed");
      expect(store.timersCount()).toBe(1);
      expect(store.dueTimers(t0 + 1_000, 10)).toEqual([aTimer("customer:1", "remind", t0 + 100)]);
      expect(store.effectsOf("customer:1").map((effect) => effect.key)).toEqual(["e:customer:1:1:0"]);
      expect(store.effectsOf("customer:2")).toEqual([]);
      expect(store.effectsOf("customer:3")).toEqual([]);
      expect(store.effectsCount()).toEqual({ pending: 1, failed: 0 });
      expect(await store.transact((tx) => tx.timerOf("customer:3", "remind"))).toBeUndefined();
    });

    it("hands out due timers earliest first, then by key, at most the limit, and knows the next due time", async () => {
      const { store } = await setup();
      expect(store.nextTimerDue()).toBeNull();
      expect(store.dueTimers(t0 + 10_000, 10)).toEqual([]);
      const late = aTimer("customer:4", "x", t0 + 500);
      const b = { ...aTimer("customer:1", "x", t0 + 300), key: "t:b" };
      const z = { ...aTimer("customer:2", "x", t0 + 100), key: "t:z" };
      const a = { ...aTimer("customer:3", "x", t0 + 300), key: "t:a" };
      await store.transact((tx) => [late, b, z, a].forEach((timer) => tx.setTimer(timer)));
      expect(store.nextTimerDue()).toBe(t0 + 100);
      expect(store.dueTimers(t0 + 300, 10)).toEqual([z, a, b]);
      expect(store.dueTimers(t0 + 300, 2)).toEqual([z, a]);
      expect(store.dueTimers(t0 + 99, 10)).toEqual([]);
      expect(store.dueTimers(t0 + 10_000, 0)).toEqual([]);
      expect(store.dueTimers(t0 + 10_000, 10)).toEqual([z, a, b, late]);
      await store.transact((tx) => tx.cancelTimer("customer:2", "x"));
      expect(store.nextTimerDue()).toBe(t0 + 300);
      await store.transact((tx) => ["customer:1", "customer:3", "customer:4"].forEach((actor) => tx.replaceTimers(actor, [])));
      expect(store.nextTimerDue()).toBeNull();
      expect(store.timersCount()).toBe(0);
    });

    it("queues an effect once per key, completes it, and hands out due effects by their next time, then as queued, at most the limit", async () => {
      const { store } = await setup();
      expect(store.nextEffectDue()).toBeNull();
      await store.transact((tx) => {
        tx.queueEffect(anEffect("e1", "customer:1", t0 + 200, { first: true }));
        tx.queueEffect(anEffect("e2", "customer:2", t0 + 100));
        tx.queueEffect(anEffect("e1", "customer:1", t0 + 200, { first: false }));
      });
      await store.transact((tx) => {
        tx.queueEffect(anEffect("e3", "customer:1", t0 + 200));
        tx.queueEffect(anEffect("e2", "customer:2", t0));
      });
      expect(store.effectsOf("customer:1")).toEqual([
        { ...anEffect("e1", "customer:1", t0 + 200, { first: true }), attempts: 0, nextAt: t0 + 200, status: "pending", lastError: null },
        { ...anEffect("e3", "customer:1", t0 + 200), attempts: 0, nextAt: t0 + 200, status: "pending", lastError: null },
      ]);
      expect(store.nextEffectDue()).toBe(t0 + 100);
      expect(store.dueEffects(t0 + 150, 10).map((effect) => effect.key)).toEqual(["e2"]);
      expect(store.dueEffects(t0 + 200, 10).map((effect) => effect.key)).toEqual(["e2", "e1", "e3"]);
      expect(store.dueEffects(t0 + 200, 2).map((effect) => effect.key)).toEqual(["e2", "e1"]);
      expect(store.dueEffects(t0 + 99, 10)).toEqual([]);
      expect(store.effectsCount()).toEqual({ pending: 3, failed: 0 });
      await store.transact((tx) => {
        tx.completeEffect("e2");
        tx.completeEffect("no such effect");
      });
      expect(store.effectsOf("customer:2")).toEqual([]);
      expect(store.nextEffectDue()).toBe(t0 + 200);
      expect(store.effectsCount()).toEqual({ pending: 2, failed: 0 });
      // Completed and queued again in one unit: a fresh effect.
      await store.recordEffectAttempt("e3", { attempts: 2, nextAt: t0 + 900, status: "pending", lastError: "timeout" });
      await store.transact((tx) => {
        tx.completeEffect("e3");
        tx.queueEffect(anEffect("e3", "customer:1", t0 + 300));
      });
      expect(store.effectsOf("customer:1")[1]).toMatchObject({ key: "e3", attempts: 0, nextAt: t0 + 300, lastError: null });
    });

    it("records an attempt on its own: a retry moves the next time, a failed effect is not due, and both survive a reopen", async () => {
      const { dir, store } = await setup();
      await store.transact((tx) => ["e1", "e2", "e3"].forEach((key) => tx.queueEffect(anEffect(key))));
      await store.recordEffectAttempt("e1", { attempts: 1, nextAt: t0 + 5_000, status: "pending", lastError: "Telegram said 502" });
      await store.recordEffectAttempt("e2", { attempts: 8, nextAt: t0 + 9_000, status: "failed", lastError: "gave up after 8 tries" });
      await store.recordEffectAttempt("never queued", { attempts: 1, nextAt: t0, status: "pending", lastError: null });
      await expect(store.recordEffectAttempt("e3", { attempts: 1, nextAt: t0, status: "lost" as "failed", lastError: null })).rejects.toThrow();
      let current = store;
      const expected = () => {
        expect(current.dueEffects(t0 + 4_999, 10).map((effect) => effect.key)).toEqual(["e3"]);
        expect(current.dueEffects(t0 + 100_000, 10).map((effect) => effect.key)).toEqual(["e3", "e1"]);
        expect(current.nextEffectDue()).toBe(t0);
        expect(current.effectsCount()).toEqual({ pending: 2, failed: 1 });
        expect(current.effectsOf("customer:1").map(({ key, attempts, nextAt, status, lastError }) => ({ key, attempts, nextAt, status, lastError }))).toEqual([
          { key: "e1", attempts: 1, nextAt: t0 + 5_000, status: "pending", lastError: "Telegram said 502" },
          { key: "e2", attempts: 8, nextAt: t0 + 9_000, status: "failed", lastError: "gave up after 8 tries" },
          { key: "e3", attempts: 0, nextAt: t0, status: "pending", lastError: null },
        ]);
      };
      expected();
      await current.transact((tx) => tx.queueEffect(anEffect("e2", "customer:1", t0 + 1)));
      expected();
      current = await reopen(dir, current);
      expected();
      await current.transact((tx) => tx.completeEffect("e2"));
      expect(current.effectsCount()).toEqual({ pending: 2, failed: 0 });
    });

    it("erases the customer's pending and failed effects with their personal data, in the unit, and no one else's", async () => {
      const { dir, store } = await setup();
      const secret = "Ostozhenka 12, flat 7";
      await store.transact((tx) => {
        tx.queueEffect(anEffect("e:7:1", "customer:7", t0, { question: secret }));
        tx.queueEffect(anEffect("e:7:2", "customer:7"));
        tx.queueEffect(anEffect("e:8:1", "customer:8"));
        tx.queueEffect(anEffect("e:70:1", "customer:70"));
      });
      await store.recordEffectAttempt("e:7:2", { attempts: 8, nextAt: t0, status: "failed", lastError: "blocked" });
      expect(traces(dir, [secret])).not.toEqual([]);
      await store.transact((tx) => {
        tx.queueEffect(anEffect("e:7:3", "customer:7", t0, { question: secret }));
        tx.erasePersonalData(7);
      });
      expect(store.effectsOf("customer:7")).toEqual([]);
      expect(store.effectsCount()).toEqual({ pending: 2, failed: 0 });
      expect(traces(dir, [secret])).toEqual([]);
      const again = await reopen(dir, store);
      expect(again.effectsOf("customer:7")).toEqual([]);
      expect([...again.effectsOf("customer:8"), ...again.effectsOf("customer:70")].map((effect) => effect.key)).toEqual(["e:8:1", "e:70:1"]);
      await again.close();
      open.splice(open.indexOf(again), 1);
      expect(traces(dir, [secret])).toEqual([]);
    });

    it("keeps timers and effects across a close and reopen, as they were last committed", async () => {
      const { dir, store } = await setup();
      await store.transact((tx) => {
        tx.setTimer(aTimer("customer:1", "remind", t0 + 100));
        tx.setTimer(aTimer("customer:1", "dormancy", t0 + 900));
        tx.setTimer(aTimer("customer:2", "remind", t0 + 50));
        tx.queueEffect(anEffect("e1"));
        tx.queueEffect(anEffect("e2", "customer:2", t0 + 10));
      });
      await store.transact((tx) => {
        tx.cancelTimer("customer:2", "remind");
        tx.setTimer(aTimer("customer:1", "remind", t0 + 200, 5));
        tx.completeEffect("e1");
      });
      const before = { timers: store.dueTimers(t0 + 10_000, 100), effects: store.dueEffects(t0 + 10_000, 100), next: store.nextTimerDue() };
      const again = await reopen(dir, store);
      expect({ timers: again.dueTimers(t0 + 10_000, 100), effects: again.dueEffects(t0 + 10_000, 100), next: again.nextTimerDue() }).toEqual(before);
      expect(before.timers.map((timer) => timer.key)).toEqual(["t:customer:1:5:remind", "t:customer:1:1:dormancy"]);
      expect(before.effects.map((effect) => effect.key)).toEqual(["e2"]);
      expect(again.timersCount()).toBe(2);
      expect(await again.transact((tx) => tx.timerOf("customer:1", "remind"))).toEqual(aTimer("customer:1", "remind", t0 + 200, 5));
    });

    it("stores the new lead facts and reads them back, across a reopen", async () => {
      const { dir, store } = await setup();
      const lead = aLead(1, { stage: "cart", dormantSince: t0 + 1, lastReminderAt: t0 + 2, remindersSent: 2, consentDeclined: "v3", language: "en", unsubscribedAt: t0 + 3 });
      await saveLead(store, lead, null, "k1");
      await saveLead(store, aLead(2), null, "k2");
      expect(await store.lead(1)).toEqual(lead);
      expect(await store.lead(2)).toEqual(aLead(2));
      const again = await reopen(dir, store);
      expect(await again.lead(1)).toEqual(lead);
      expect((await again.recentLeads()).items).toContainEqual(lead);
    });

    it("keeps the funnel's dormant counts exact as customers go dormant, come back and move up", async () => {
      const { dir, store } = await setup();
      expect(await dormantCounts(store)).toEqual({ total: 0, byStage: {} });
      await saveLead(store, aLead(1), null, "1a");
      await saveLead(store, aLead(2, { stage: "cart", dormantSince: t0 }), null, "2a");
      await saveLead(store, aLead(3, { stage: "engaged" }), null, "3a");
      expect(await dormantCounts(store)).toEqual({ total: 1, byStage: { cart: 1 } });
      await saveLead(store, aLead(3, { stage: "engaged", dormantSince: t0 + 5 }), "engaged", "3b");
      await saveLead(store, aLead(3, { stage: "engaged", dormantSince: t0 + 5, tags: ["vip"] }), "engaged", "3c");
      expect(await dormantCounts(store)).toEqual({ total: 2, byStage: { cart: 1, engaged: 1 } });
      await saveLead(store, aLead(2, { stage: "checkout" }), "cart", "2b");
      expect(await dormantCounts(store)).toEqual({ total: 1, byStage: { engaged: 1 } });
      await saveLead(store, aLead(3, { stage: "customer", dormantSince: t0 + 5 }), "engaged", "3d");
      expect(await dormantCounts(store)).toEqual({ total: 1, byStage: { customer: 1 } });
      const rolledBack = saveLead(store, aLead(1, { dormantSince: t0 + 9 }), "new", "1b", () => {
        throw new Error("the step failed");
      });
      await expect(rolledBack).rejects.toThrow("the step failed");
      expect(await dormantCounts(store)).toEqual({ total: 1, byStage: { customer: 1 } });
      await saveLead(store, aLead(1, { dormantSince: t0 + 9 }), "new", "1c");
      const funnel = await store.funnel();
      expect(funnel.steps.map((step) => [step.stage, step.current, step.dormant])).toEqual([
        ["new", 1, 1],
        ["engaged", 0, 0],
        ["cart", 0, 0],
        ["checkout", 1, 0],
        ["customer", 1, 1],
        ["repeat", 0, 0],
      ]);
      const again = await reopen(dir, store);
      expect(await again.funnel()).toEqual(funnel);
      await saveLead(again, aLead(1, { stage: "engaged" }), "new", "1d");
      expect(await dormantCounts(again)).toEqual({ total: 1, byStage: { customer: 1 } });
    });
  });
}
