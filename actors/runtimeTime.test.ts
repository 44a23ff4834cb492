import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { manualClock } from "../adapters/storeContract.ts";
import { customerMachine } from "../machines/customer.machine.ts";
import { createCustomerRuntime, systemClock, type Clock, type CustomerRuntimeOptions } from "./customerRuntime.ts";
import { provideCustomerSettings } from "./customerSettings.ts";
import type { CrmStore, TimerRow } from "./store.port.ts";
import { createTimerScheduler } from "./timerScheduler.ts";

const minute = 60_000;
const day = 24 * 60 * minute;
const t0 = Date.parse("2026-03-02T07:00:00Z");
const reminderId = "xstate.after.cartReminder.customer.cart.filled.shopping.waiting";
const dormancyId = "xstate.after.dormancy.customer.activity.active";
/** Armed by every first reminder; it sends only when the shop turned the second reminder on. */
const secondReminderId = "xstate.after.secondReminder.customer.cart.filled.shopping.reminded";
const settings = {
  cartReminderMinutes: 120,
  dormantDays: 30,
  timeZone: "Europe/Moscow",
  quietHours: { from: 22, to: 9 },
  consentVersion: "v2",
  consultant: { maxQuestions: 20, windowMs: 3_600_000, timeoutMs: 60_000 },
} as const;

describe("durable timers, on an injected clock", () => {
  const dirs: string[] = [];
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function newDir(): string {
    const dir = mkdtempSync(join(tmpdir(), "crm-time-"));
    dirs.push(dir);
    return dir;
  }

  /** The store in `dir`, a runtime and a scheduler over it; closing stops all three (a clean restart). */
  function open(dir: string, clock: Clock, options: Partial<CustomerRuntimeOptions> = {}) {
    const store = openSqliteStore({ path: join(dir, "crm.sqlite"), clock });
    const runtime = createCustomerRuntime({ store, clock, ...options });
    const scheduler = createTimerScheduler({ queues: store, fire: (row, at) => runtime.fireTimer(row, at), clock, batchSize: 2 });
    runtime.listen({ timersArmed: scheduler.armed });
    let open = true;
    const close = async (): Promise<void> => {
      if (!open) return;
      open = false;
      await scheduler.stop();
      await runtime.close();
      await store.close();
    };
    closers.push(close);
    return { store, runtime, scheduler, close };
  }

  const keysOf = async (store: CrmStore, userId: number, type: string): Promise<string[]> =>
    (await store.events(userId)).filter((event) => event.type === type).map((event) => event.key);

  it("fires a timer once when it falls due, and not a millisecond before", async () => {
    const clock = manualClock(t0);
    const { store, runtime, scheduler } = open(newDir(), clock);
    await runtime.dispatch(1, { type: "consent_given", version: "v1", key: "a" });
    const added = await runtime.dispatch(1, { type: "add_to_cart", productId: "tea", qty: 1, key: "b" });
    const dueAt = t0 + 120 * minute;
    await scheduler.fireDue(dueAt - 1);
    expect(store.effectsOf("customer:1")).toEqual([]);
    await scheduler.fireDue(dueAt);
    await scheduler.fireDue(dueAt + 60 * minute);
    expect(await keysOf(store, 1, reminderId)).toEqual([`t:customer:1:${added.seq}:${reminderId}`]);
    expect(store.effectsOf("customer:1")).toMatchObject([{ type: "sendCartReminder", params: '{"lines":[{"productId":"tea","qty":1}],"language":"ru"}' }]);
    expect(store.timersOf("customer:1").map((timer) => timer.sendId).sort()).toEqual([dormancyId, secondReminderId]);
    expect(scheduler.stats()).toMatchObject({ fired: 1, stale: 0, failed: 0 });
  });

  it("cancels the cart reminder when its state is left: checkout, an order, an emptied cart, /forget", async () => {
    const clock = manualClock(t0);
    const { store, runtime, scheduler } = open(newDir(), clock);
    const leavers = [
      { type: "checkout_started" },
      { type: "order_created", orderId: "SO-1", total: 1, currency: "RUB" },
      { type: "cart_item_removed", productId: "tea" },
      { type: "data_erased" },
    ] as const;
    for (const [index, leaver] of leavers.entries()) {
      const userId = index + 1;
      await runtime.dispatch(userId, { type: "consent_given", version: "v1", key: `${userId}:a` });
      await runtime.dispatch(userId, { type: "add_to_cart", productId: "tea", qty: 1, key: `${userId}:b` });
      expect(store.timersOf(`customer:${userId}`).map((timer) => timer.sendId)).toContain(reminderId);
      await runtime.dispatch(userId, { ...leaver, key: `${userId}:c`, at: t0 + 10 * minute });
      expect(store.timersOf(`customer:${userId}`).map((timer) => timer.sendId)).toEqual([dormancyId]);
    }
    await scheduler.fireDue(t0 + 5 * 60 * minute);
    for (const userId of [1, 2, 3, 4]) expect(store.effectsOf(`customer:${userId}`).filter((effect) => effect.type === "sendCartReminder")).toEqual([]);
    expect(scheduler.stats().fired).toBe(0);
  });

  it("fires overdue timers at start-up, the oldest due first, after the process was down", { timeout: 20_000 }, async () => {
    const dir = newDir();
    const clock = manualClock(t0);
    const first = open(dir, clock);
    await first.runtime.dispatch(1, { type: "consent_given", version: "v1", key: "1a" });
    await first.runtime.dispatch(1, { type: "add_to_cart", productId: "tea", qty: 1, key: "1b", at: t0 + 30 * minute });
    await first.runtime.dispatch(2, { type: "consent_given", version: "v1", key: "2a" });
    await first.runtime.dispatch(2, { type: "add_to_cart", productId: "cup", qty: 1, key: "2b", at: t0 + 10 * minute });
    await first.runtime.dispatch(3, { type: "consent_given", version: "v1", key: "3a" });
    await first.runtime.dispatch(3, { type: "add_to_cart", productId: "pot", qty: 1, key: "3b", at: t0 + 20 * minute });
    await first.close();
    clock.set(t0 + 6 * 60 * minute);
    const second = open(dir, clock);
    second.scheduler.start();
    for (let waited = 0; second.scheduler.stats().fired < 3 && waited < 10_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    const firings = (await Promise.all([1, 2, 3].map(async (userId) => (await second.store.events(userId)).filter((event) => event.type === (reminderId as string)))))
      .flat()
      .sort((a, b) => a.seq - b.seq);
    expect(firings.map((event) => event.userId)).toEqual([2, 3, 1]);
    expect(firings.map((event) => event.at)).toEqual([clock.now(), clock.now(), clock.now()]);
    expect(second.scheduler.stats().lateness).toEqual([230, 220, 210].map((minutes) => minutes * minute));
  });

  it("ignores a stale firing: a row re-armed or cancelled since it was read changes nothing", async () => {
    const clock = manualClock(t0);
    const { store, runtime } = open(newDir(), clock);
    await runtime.dispatch(1, { type: "add_to_cart", productId: "tea", qty: 1, key: "a" });
    const [armed] = store.timersOf("customer:1").filter((timer) => timer.sendId === reminderId);
    if (!armed) throw new Error("no reminder armed");
    await runtime.dispatch(1, { type: "add_to_cart", productId: "tea", qty: 1, key: "b", at: t0 + 5 * minute });
    expect(await runtime.fireTimer(armed, armed.dueAt)).toEqual({ fired: false });
    const rearmed = store.timersOf("customer:1").find((timer) => timer.sendId === reminderId);
    expect(rearmed?.dueAt).toBe(t0 + 125 * minute);
    await runtime.dispatch(1, { type: "checkout_started", key: "c", at: t0 + 6 * minute });
    if (!rearmed) throw new Error("no reminder re-armed");
    expect(await runtime.fireTimer(rearmed, rearmed.dueAt)).toEqual({ fired: false });
    expect((await store.events(1)).map((event) => event.type)).toEqual(["add_to_cart", "add_to_cart", "checkout_started"]);
    expect((await runtime.snapshotOf(1)).value.cart).toEqual({ filled: "checkingOut" });
  });

  it("replays a customer after a version bump, and the timers it recreates keep their keys and fire once", async () => {
    const dir = newDir();
    const clock = manualClock(t0);
    const first = open(dir, clock);
    await first.runtime.dispatch(1, { type: "consent_given", version: "v1", key: "a" });
    await first.runtime.dispatch(1, { type: "add_to_cart", productId: "tea", qty: 1, key: "b" });
    const before = first.store.timersOf("customer:1");
    await first.store.transact((tx) => tx.setTimer({ actor: "customer:1", sendId: "xstate.after.gone.customer.old", dueAt: t0 + minute, event: '{"type":"xstate.after.gone.customer.old"}', key: "t:customer:1:1:xstate.after.gone.customer.old" }));
    await first.close();
    clock.set(t0 + 3 * 60 * minute);
    const second = open(dir, clock, { machineVersion: 99 });
    await second.scheduler.fireDue(clock.now());
    await second.scheduler.fireDue(clock.now() + minute);
    expect(second.scheduler.stats()).toMatchObject({ fired: 1, stale: 1 });
    expect(await keysOf(second.store, 1, reminderId)).toEqual([before.find((timer) => timer.sendId === reminderId)?.key]);
    expect(await keysOf(second.store, 1, "xstate.after.gone.customer.old")).toEqual([]);
    expect(second.store.timersOf("customer:1").filter((timer) => timer.sendId !== secondReminderId)).toEqual(before.filter((timer) => timer.sendId === dormancyId));
    expect(second.store.loadActor(1)?.machineVersion).toBe(99);
    expect(second.store.effectsOf("customer:1").map((effect) => effect.type)).toEqual(["sendCartReminder"]);
  });

  it("keeps one firing per arming in the log across a restart, and a restored machine keeps the original due time", async () => {
    const dir = newDir();
    const clock = manualClock(t0);
    const first = open(dir, clock);
    await first.runtime.dispatch(1, { type: "add_to_cart", productId: "tea", qty: 1, key: "a" });
    const armed: TimerRow[] = first.store.timersOf("customer:1").map((timer) => ({ ...timer }));
    await first.scheduler.fireDue(t0 + 120 * minute);
    await first.close();
    const second = open(dir, clock);
    for (const row of armed) await second.runtime.fireTimer(row, t0 + 121 * minute);
    await second.scheduler.fireDue(t0 + 29 * day);
    expect(await keysOf(second.store, 1, reminderId)).toHaveLength(1);
    expect(second.store.timersOf("customer:1").map((timer) => timer.dueAt)).toEqual([t0 + 30 * day]);
  });

  it("defers a reminder due in the quiet hours to the morning in the shop's time zone, and sends it only with consent to the current terms", async () => {
    const clock = manualClock(t0);
    const { store, runtime, scheduler } = open(newDir(), clock, { machine: provideCustomerSettings(settings) });
    const evening = Date.parse("2026-03-02T17:30:00Z"); // 20:30 in Moscow: due at 22:30, in the quiet hours
    await runtime.dispatch(1, { type: "consent_given", version: "v2", key: "1a", at: evening });
    await runtime.dispatch(1, { type: "add_to_cart", productId: "tea", qty: 2, key: "1b", at: evening });
    await runtime.dispatch(2, { type: "consent_given", version: "v1", key: "2a", at: evening });
    await runtime.dispatch(2, { type: "add_to_cart", productId: "tea", qty: 2, key: "2b", at: evening });
    await scheduler.fireDue(evening + 120 * minute);
    expect((await runtime.snapshotOf(1)).value.cart).toEqual({ filled: { shopping: "quiet" } });
    expect(store.effectsOf("customer:1")).toEqual([]);
    const morning = Date.parse("2026-03-03T06:00:00Z"); // 09:00 in Moscow
    expect(store.timersOf("customer:1").find((timer) => timer.sendId.includes("untilMorning"))?.dueAt).toBe(morning);
    await scheduler.fireDue(morning - 1);
    expect(store.effectsOf("customer:1")).toEqual([]);
    clock.set(morning);
    await scheduler.fireDue(morning);
    const [reminder] = store.effectsOf("customer:1");
    expect(reminder).toMatchObject({ type: "sendCartReminder", params: '{"lines":[{"productId":"tea","qty":2}],"language":"ru"}' });
    expect(store.effectsOf("customer:2")).toEqual([]);
    if (!reminder) throw new Error("no reminder queued");
    await runtime.completeEffect(reminder, { type: "reminder_sent" });
    expect(await store.lead(1)).toMatchObject({ remindersSent: 1, lastReminderAt: morning });
  });

  it("turns a customer idle for 30 days dormant, as an emitted fact after its firing, and any act makes them active again", async () => {
    const clock = manualClock(t0);
    const armings: string[] = [];
    const { store, runtime, scheduler } = open(newDir(), clock, {
      observe: ({ timersSet }) => armings.push(...timersSet.filter((timer) => timer.sendId === dormancyId).map((timer) => timer.key)),
    });
    for (let days = 0; days < 10; days++) await runtime.dispatch(1, { type: "catalog_view", key: `v${days}`, at: t0 + days * day });
    expect(armings).toHaveLength(1);
    await scheduler.fireDue(t0 + 30 * day);
    expect((await runtime.snapshotOf(1)).value.activity).toBe("active");
    expect(armings).toHaveLength(2);
    await scheduler.fireDue(t0 + 39 * day - 1);
    expect(await store.lead(1)).toMatchObject({ dormantSince: null });
    await scheduler.fireDue(t0 + 39 * day);
    const firing = (await store.events(1)).filter((event) => event.type === (dormancyId as string)).at(-1);
    expect(await keysOf(store, 1, "dormant")).toEqual([`${firing?.key}#0`]);
    expect(await store.lead(1)).toMatchObject({ dormantSince: t0 + 39 * day, stage: "engaged" });
    expect((await store.funnel()).dormant).toBe(1);
    const back = await runtime.dispatch(1, { type: "catalog_view", key: "back", at: t0 + 50 * day });
    expect(await keysOf(store, 1, "reactivated")).toEqual(["back#0"]);
    expect(back.snapshot.context.dormantSince).toBeNull();
    expect(store.timersOf("customer:1").map((timer) => timer.dueAt)).toEqual([t0 + 80 * day]);
  });

  it("wakes early, on a real clock, for a timer a commit arms sooner than it planned to look", { timeout: 10_000 }, async () => {
    const machine = customerMachine.provide({ delays: { cartReminder: 40 } });
    const { store, runtime, scheduler } = open(newDir(), systemClock, { machine });
    scheduler.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await runtime.dispatch(1, { type: "consent_given", version: "v1", key: "a" });
    await runtime.dispatch(1, { type: "add_to_cart", productId: "tea", qty: 1, key: "b" });
    for (let waited = 0; store.effectsOf("customer:1").length === 0 && waited < 5_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(store.effectsOf("customer:1").map((effect) => effect.type)).toEqual(["sendCartReminder"]);
    expect(scheduler.stats().fired).toBe(1);
  });

  it("after a round, wakes for the next timer it knew of, even when a commit during the round armed a later one", { timeout: 10_000 }, async () => {
    const machine = customerMachine.provide({ delays: { cartReminder: 40 } });
    const store = openSqliteStore({ path: join(newDir(), "crm.sqlite") });
    const runtime = createCustomerRuntime({ store, machine });
    const later = Date.now() + 30_000;
    // While the round that fires customer 1's reminder runs, customer 3 arms one due in 30 s.
    const fire = async (row: TimerRow, at: number) => {
      const firing = await runtime.fireTimer(row, at);
      if (row.actor === "customer:1") await runtime.dispatch(3, { type: "add_to_cart", productId: "tea", qty: 1, key: "c", at: later });
      return firing;
    };
    const scheduler = createTimerScheduler({ queues: store, fire, clock: systemClock });
    runtime.listen({ timersArmed: scheduler.armed });
    closers.push(async () => {
      await scheduler.stop();
      await runtime.close();
      await store.close();
    });
    scheduler.start();
    await runtime.dispatch(1, { type: "add_to_cart", productId: "tea", qty: 1, key: "a" });
    await runtime.dispatch(2, { type: "add_to_cart", productId: "tea", qty: 1, key: "b", at: Date.now() + 100 });
    const reminded = (userId: number) => store.timersOf(`customer:${userId}`).every((timer) => timer.sendId !== reminderId);
    for (let waited = 0; !reminded(2) && waited < 5_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(reminded(1)).toBe(true);
    expect(reminded(2)).toBe(true);
    expect(reminded(3)).toBe(false);
  });

  it("waits a second before trying again when every firing of a round failed, rather than looping", { timeout: 10_000 }, async () => {
    const store = openSqliteStore({ path: join(newDir(), "crm.sqlite") });
    const at = Date.now() - 1_000;
    await store.transact((tx) => tx.setTimer({ actor: "customer:1", sendId: reminderId, dueAt: at, event: JSON.stringify({ type: reminderId }), key: `t:customer:1:1:${reminderId}` }));
    let attempts = 0;
    const fire = async () => {
      attempts++;
      throw new Error("the store is failing");
    };
    const scheduler = createTimerScheduler({ queues: store, fire, clock: systemClock });
    closers.push(async () => {
      await scheduler.stop();
      await store.close();
    });
    scheduler.start();
    for (let waited = 0; attempts === 0 && waited < 5_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(attempts).toBe(1);
    expect(scheduler.stats().failed).toBe(1);
  });
});
