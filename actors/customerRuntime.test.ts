import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { manualClock } from "../adapters/storeContract.ts";
import { createMachine } from "xstate";
import { customerMachine } from "../machines/customer.machine.ts";
import type { CustomerMachine } from "./customerSnapshot.ts";
import { CommitFailed, createCustomerRuntime, InvalidEventError, type CustomerRuntimeOptions, type DispatchInput } from "./customerRuntime.ts";
import type { CrmStore, StoreTx } from "./store.port.ts";

/** A real SQLite store whose transactions are counted, and can be made to fail. */
function instrumented(store: CrmStore) {
  const stats = { transactions: 0, failNext: false };
  const wrapped: CrmStore = {
    ...store,
    transact<R>(work: (tx: StoreTx) => R): Promise<R> {
      stats.transactions++;
      if (stats.failNext) {
        stats.failNext = false;
        return store.transact((tx) => {
          work(tx);
          throw new Error("disk full");
        });
      }
      return store.transact(work);
    },
  };
  return { store: wrapped, stats };
}

const t0 = Date.parse("2026-03-01T09:00:00Z");

describe("customer runtime", () => {
  const dirs: string[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function setup(options: Partial<CustomerRuntimeOptions> = {}) {
    const dir = mkdtempSync(join(tmpdir(), "crm-runtime-"));
    dirs.push(dir);
    const clock = manualClock(t0);
    const base = openSqliteStore({ path: join(dir, "crm.sqlite"), clock });
    const { store, stats } = instrumented(base);
    const runtime = createCustomerRuntime({ store, clock, maxActive: 50, ...options });
    cleanups.push(async () => {
      await runtime.close();
      await base.close();
    });
    return { store, stats, clock, runtime };
  }

  it("commits concurrent dispatches of many customers in one transaction (group commit)", async () => {
    const { runtime, stats, store } = setup();
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => runtime.dispatch(1 + (i % 100), { type: "catalog_view", key: `v${i}` })),
    );
    expect(stats.transactions).toBe(1);
    expect(new Set(results.map((result) => result.seq)).size).toBe(300);
    expect((await store.funnel()).steps[1]?.current).toBe(100);
  });

  it("splits a burst larger than maxBatch into several transactions, in order", async () => {
    const { runtime, stats, store } = setup({ maxBatch: 100 });
    await Promise.all(Array.from({ length: 1_000 }, (_, i) => runtime.dispatch(7, { type: "search", query: String(i), key: `b${i}` })));
    expect(stats.transactions).toBe(10);
    expect((await store.events(7)).map((event) => event.payload["query"])).toEqual(Array.from({ length: 1_000 }, (_, i) => String(i)));
  });

  it("applies one customer's events in the order they were dispatched", async () => {
    const { runtime, store } = setup();
    const keys = Array.from({ length: 50 }, (_, i) => `k${i}`);
    const results = await Promise.all(keys.map((key) => runtime.dispatch(1, { type: "search", query: key, key })));
    expect(results.map((result) => result.seq)).toEqual([...results.map((result) => result.seq)].sort((a, b) => a - b));
    expect((await store.events(1)).map((event) => event.payload["query"])).toEqual(keys);
  });

  it("stamps events with the injected clock unless they carry their own time, and with their seq in the log", async () => {
    const { runtime, store, clock } = setup();
    await runtime.dispatch(1, { type: "start", key: "a" });
    clock.advance(90_000);
    await runtime.dispatch(1, { type: "catalog_view", key: "b", at: Date.parse("2026-03-01T08:00:00Z") });
    const started = await runtime.dispatch(1, { type: "checkout_started", key: "c" });
    expect((await store.events(1)).map((event) => new Date(event.at).toISOString())).toEqual(["2026-03-01T09:00:00.000Z", "2026-03-01T08:00:00.000Z", "2026-03-01T09:01:30.000Z"]);
    expect(started.snapshot.context.checkout?.orderId).toBe(`SO-${started.seq.toString(36).toUpperCase()}`);
  });

  it("resolves a dispatch with the customer's snapshot after the event, for the handler to render from", async () => {
    const { runtime } = setup();
    await runtime.dispatch(3, { type: "add_to_cart", productId: "tea", qty: 2, key: "a" });
    const result = await runtime.dispatch(3, { type: "add_to_cart", productId: "cup", qty: 1, key: "b" });
    expect(result).toMatchObject({ userId: 3, stage: "cart", duplicate: false });
    expect(result.snapshot.context.cart.lines).toEqual([{ productId: "tea", qty: 2 }, { productId: "cup", qty: 1 }]);
    const again = await runtime.dispatch(3, { type: "add_to_cart", productId: "tea", qty: 2, key: "a" });
    expect(again).toMatchObject({ seq: result.seq - 1, duplicate: true, stage: "cart" });
    expect(again.snapshot.context.cart.lines).toHaveLength(2);
  });

  it("refuses bad input before anything is queued: keys, types, users, times and payloads over 8 KB", async () => {
    const { runtime, store } = setup();
    const bad: Array<[number, DispatchInput, RegExp]> = [
      [1, { type: "start", key: "" }, /key of 1 to 200/],
      [1, { type: "start", key: "t:customer:1:1:x" }, /runtime's own/],
      [1, { type: "start", key: "e:customer:1:1:0:done" }, /runtime's own/],
      [1, { type: "start", key: "tg:1#0" }, /runtime's own/],
      [1, { type: "dormant", key: "d" }, /emitted by the machine/],
      [1, { type: "reactivated", key: "r" }, /emitted by the machine/],
      [1, { type: "xstate.after.cartReminder.customer.cart.filled.shopping.waiting", key: "x" } as unknown as DispatchInput, /unknown event type/],
      [0, { type: "start", key: "u" }, /not a user id/],
      [1, { type: "start", key: "n", at: Number.NaN }, /finite epoch/],
      [1, { type: "note_added", text: "x".repeat(8_200), key: "big" }, /limited to 8192/],
    ];
    for (const [userId, input, message] of bad) await expect(runtime.dispatch(userId, input)).rejects.toThrow(message);
    await expect(runtime.dispatch(1, { type: "dormant", key: "d" })).rejects.toBeInstanceOf(InvalidEventError);
    expect(await store.events(1)).toEqual([]);
    const items = Array.from({ length: 40 }, (_, i) => ({ productId: `product-${i}`, title: `A product with a long enough name ${i}`, price: 1_990, qty: 2 }));
    await runtime.dispatch(1, { type: "order_created", orderId: "SO-BIG", total: 159_200, currency: "RUB", items, key: "order" });
    expect((await store.order("SO-BIG"))?.items).toHaveLength(40);
  });

  it("retries a failed shared commit one event at a time, so only an event that cannot be stored fails", async () => {
    const { runtime, stats, store } = setup();
    await runtime.dispatch(1, { type: "catalog_view", key: "a" });
    stats.failNext = true;
    const outcomes = await Promise.allSettled([
      runtime.dispatch(1, { type: "order_created", orderId: "A-1", total: 10, currency: "RUB", key: "b" }),
      runtime.dispatch(2, { type: "start", key: "c" }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "fulfilled"]);
    expect(stats.transactions).toBe(4);
    expect(await store.stage(1)).toBe("customer");
    expect((await runtime.snapshotOf(1)).context.ordersCount).toBe(1);
    expect(await store.stage(2)).toBe("new");
  });

  it("rejects with CommitFailed an event whose commit fails, keeps nothing of it (timers and effects included), and carries on from the stored state", async () => {
    const { runtime, stats, store } = setup();
    await runtime.dispatch(1, { type: "consent_given", version: "v1", key: "a" });
    stats.failNext = true;
    const order = { type: "order_created", orderId: "A-1", total: 10, currency: "RUB", key: "b" } as const;
    await expect(runtime.dispatch(1, order)).rejects.toBeInstanceOf(CommitFailed);
    expect(store.effectsOf("customer:1")).toEqual([]);
    expect(await store.order("A-1")).toBeNull();
    expect(await store.stage(1)).toBe("new");
    expect((await runtime.snapshotOf(1)).context.ordersCount).toBe(0);
    stats.failNext = true;
    await expect(runtime.dispatch(1, { type: "add_to_cart", productId: "p", qty: 1, key: "c" })).rejects.toThrow("disk full");
    expect(store.timersOf("customer:1").map((timer) => timer.sendId)).toEqual(["xstate.after.dormancy.customer.activity.active"]);
    const retried = await runtime.dispatch(1, order);
    expect(retried).toMatchObject({ stage: "customer", duplicate: false });
    expect(store.effectsOf("customer:1").map((effect) => effect.type)).toEqual(["notifyOwnersOfOrder"]);
  });

  it("restores a passivated customer with its history state: a cancelled checkout takes the cart back to where it was", async () => {
    const { runtime, store } = setup({ maxActive: 0 });
    await runtime.dispatch(4, { type: "add_to_cart", productId: "p", qty: 1, key: "a" });
    await runtime.dispatch(4, { type: "checkout_started", key: "b" });
    expect(store.timersOf("customer:4").map((timer) => timer.sendId)).toEqual(["xstate.after.dormancy.customer.activity.active"]);
    const cancelled = await runtime.dispatch(4, { type: "checkout_cancelled", key: "c" });
    expect(cancelled.snapshot.value.cart).toEqual({ filled: { shopping: "waiting" } });
    expect(store.timersOf("customer:4").map((timer) => timer.sendId).sort()).toEqual([
      "xstate.after.cartReminder.customer.cart.filled.shopping.waiting",
      "xstate.after.dormancy.customer.activity.active",
    ]);
  });

  it("runs the machine's writes in the event's unit: an order with the checkout's phone and delivery, and its owners' notice in the outbox", async () => {
    const { runtime, store } = setup();
    await runtime.dispatch(5, { type: "add_to_cart", productId: "tea", qty: 1, key: "a" });
    await runtime.dispatch(5, { type: "checkout_started", key: "b" });
    await runtime.dispatch(5, { type: "contact_shared", phone: "+79990001122", key: "c" });
    await runtime.dispatch(5, { type: "delivery_given", text: "Lenina 1", key: "d" });
    const items = [{ productId: "tea", title: "Tea", price: 500, qty: 1 }];
    const placed = await runtime.dispatch(5, { type: "order_created", orderId: "SO-5", total: 500, currency: "RUB", items, key: "e" });
    expect(await store.order("SO-5")).toMatchObject({ orderId: "SO-5", userId: 5, items, total: 500, currency: "RUB", phone: "+79990001122", delivery: "Lenina 1", at: t0, status: "placed", payment: "cash" });
    expect(store.effectsOf("customer:5")).toMatchObject([{ key: `e:customer:5:${placed.seq}:0`, type: "notifyOwnersOfOrder", params: '{"orderId":"SO-5"}', attempts: 0, status: "pending" }]);
    expect(placed.snapshot.context.cart.lines).toEqual([]);
    expect(placed.snapshot.value.checkout).toBe("idle");
  });

  it("forgets a customer in the unit of data_erased: messages, pending effects, sessions, cart and checkout", async () => {
    const { runtime, store } = setup();
    await runtime.dispatch(6, { type: "consent_given", version: "v1", key: "a" });
    await runtime.logMessage(6, { direction: "in", type: "text", text: "my address is Lenina 5", key: "m" });
    await runtime.dispatch(6, { type: "add_to_cart", productId: "tea", qty: 1, key: "b" });
    await runtime.dispatch(6, { type: "order_created", orderId: "SO-6", total: 1, currency: "RUB", key: "c" });
    await runtime.dispatch(6, { type: "add_to_cart", productId: "tea", qty: 1, key: "d" });
    await store.writeSession("shop:6", '{"screen":"cart"}');
    expect(store.effectsOf("customer:6")).toHaveLength(1);
    const forgotten = await runtime.forget(6, "forget", { sessionKeys: ["shop:6"] });
    expect(await store.messages(6)).toEqual([]);
    expect(store.effectsOf("customer:6")).toEqual([]);
    expect(await store.readSession("shop:6")).toBeUndefined();
    expect(forgotten.snapshot.context.cart.lines).toEqual([]);
    expect(store.timersOf("customer:6").map((timer) => timer.sendId)).toEqual(["xstate.after.dormancy.customer.activity.active"]);
  });

  it("keeps logMessage behind consent and stores the text apart from its event", async () => {
    const { runtime, store } = setup();
    expect(await runtime.logMessage(8, { direction: "in", type: "text", text: "hi", key: "m1" })).toEqual({ logged: false, reason: "no_consent" });
    await runtime.dispatch(8, { type: "consent_given", version: "v1", key: "c" });
    expect(await runtime.logMessage(8, { direction: "in", type: "text", text: "hi", key: "m2" })).toMatchObject({ logged: true, duplicate: false });
    expect((await store.events(8)).map((event) => event.type)).toEqual(["consent_given", "message_in"]);
    expect((await store.messages(8)).map((message) => message.text)).toEqual(["hi"]);
  });

  it("tells its listeners after each commit of the earliest timer it armed and of the effects it queued", async () => {
    const { runtime } = setup();
    const heard: string[] = [];
    const stop = runtime.listen({ timersArmed: (dueAt) => heard.push(`timer ${dueAt - t0}`), effectsQueued: (count) => heard.push(`effects ${count}`) });
    await runtime.dispatch(9, { type: "catalog_view", key: "a" });
    await runtime.dispatch(9, { type: "add_to_cart", productId: "p", qty: 1, key: "b" });
    await runtime.dispatch(9, { type: "order_created", orderId: "SO-9", total: 1, currency: "RUB", key: "c" });
    stop();
    await runtime.dispatch(9, { type: "add_to_cart", productId: "p", qty: 1, key: "d" });
    expect(heard).toEqual([`timer ${30 * 86_400_000}`, `timer ${120 * 60_000}`, "effects 1"]);
  });

  it("gives the timers armed by the initial states to the customer's first event, and a replay recomputes the same row", async () => {
    const { config } = customerMachine;
    // The customer machine with its activity region starting `active`: an initial state with a timer.
    const eager = createMachine(
      { ...config, states: { ...config.states, activity: { ...config.states?.["activity"], initial: "active" } } },
      { ...customerMachine.implementations, delays: { ...customerMachine.implementations.delays, dormancy: 5_000 } } as never,
    ) as unknown as CustomerMachine;
    const { runtime, store, clock } = setup({ machine: eager });
    clock.advance(1_000);
    const refused = await runtime.logMessage(2, { direction: "in", type: "text", text: "hi", key: "m" });
    expect(refused).toEqual({ logged: false, reason: "no_consent" });
    const first = await runtime.dispatch(2, { type: "note_added", text: "first", key: "a" });
    const armed = { sendId: "xstate.after.dormancy.customer.activity.active", dueAt: t0 + 6_000, key: `t:customer:2:${first.seq}:xstate.after.dormancy.customer.activity.active` };
    expect(store.timersOf("customer:2")).toMatchObject([armed]);
    await runtime.dispatch(2, { type: "note_added", text: "second", key: "b" });
    expect(store.timersOf("customer:2")).toMatchObject([armed]);
    const replaying = createCustomerRuntime({ store, clock, machine: eager, machineVersion: 77 });
    await store.transact((tx) => tx.replaceTimers("customer:2", []));
    await replaying.dispatch(2, { type: "note_added", text: "third", key: "c" });
    await replaying.close();
    expect(store.timersOf("customer:2")).toMatchObject([armed]);
  });

  it("refuses new work once closed", async () => {
    const { runtime } = setup();
    await runtime.close();
    await expect(runtime.dispatch(1, { type: "start", key: "late" })).rejects.toThrow(/closed/);
  });

  it("tells an observer of each durable transition with the rows it wrote, and a failing observer changes nothing", async () => {
    const seen: string[] = [];
    const { runtime, store } = setup({
      observe: ({ userId, event, snapshot, timersSet }) => {
        seen.push(`${userId}:${event.type}:${snapshot.value.funnel}:${timersSet.length}`);
        throw new Error("a broken inspector");
      },
    });
    await runtime.dispatch(5, { type: "start", key: "o1" });
    await runtime.dispatch(5, { type: "add_to_cart", productId: "p", qty: 1, key: "o2" });
    await runtime.dispatch(5, { type: "add_to_cart", productId: "p", qty: 1, key: "o2" });
    expect(seen).toEqual(["5:start:new:1", "5:add_to_cart:cart:1"]);
    expect(await store.events(5)).toHaveLength(2);
  });
});
