import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { manualClock } from "../adapters/storeContract.ts";
import { createCustomerRuntime } from "./customerRuntime.ts";
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

describe("customer runtime", () => {
  const dirs: string[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function setup(maxBatch?: number) {
    const dir = mkdtempSync(join(tmpdir(), "crm-runtime-"));
    dirs.push(dir);
    const base = openSqliteStore({ path: join(dir, "crm.sqlite") });
    const { store, stats } = instrumented(base);
    const clock = manualClock(Date.parse("2026-03-01T09:00:00Z"));
    const runtime = createCustomerRuntime({ store, clock, maxActive: 50, maxBatch });
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
    const { runtime, stats, store } = setup(100);
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

  it("stamps events with the injected clock unless they carry their own time", async () => {
    const { runtime, store, clock } = setup();
    await runtime.dispatch(1, { type: "start", key: "a" });
    clock.advance(90_000);
    await runtime.dispatch(1, { type: "catalog_view", key: "b", at: Date.parse("2026-03-01T08:00:00Z") });
    expect((await store.events(1)).map((event) => new Date(event.at).toISOString())).toEqual(["2026-03-01T09:00:00.000Z", "2026-03-01T08:00:00.000Z"]);
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

  it("rejects an event whose commit fails, keeps nothing of it, and carries on from the stored state", async () => {
    const { runtime, stats, store } = setup();
    await runtime.dispatch(1, { type: "catalog_view", key: "a" });
    stats.failNext = true;
    await expect(runtime.dispatch(1, { type: "order_created", orderId: "A-1", total: 10, currency: "RUB", key: "b" })).rejects.toThrow("disk full");
    expect(await store.stage(1)).toBe("engaged");
    expect((await runtime.snapshotOf(1)).context.ordersCount).toBe(0);
    const retried = await runtime.dispatch(1, { type: "order_created", orderId: "A-1", total: 10, currency: "RUB", key: "b" });
    expect(retried).toMatchObject({ stage: "customer", duplicate: false });
    expect((await runtime.snapshotOf(1)).context.ordersCount).toBe(1);
  });

  it("refuses new work once closed", async () => {
    const { runtime } = setup();
    await runtime.close();
    await expect(runtime.dispatch(1, { type: "start", key: "late" })).rejects.toThrow(/closed/);
  });

  it("tells an observer of each durable transition, and a failing observer changes nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-runtime-"));
    dirs.push(dir);
    const store = openSqliteStore({ path: join(dir, "crm.sqlite") });
    const seen: string[] = [];
    const runtime = createCustomerRuntime({
      store,
      observe: ({ userId, event, snapshot }) => {
        seen.push(`${userId}:${event.type}:${snapshot.value}`);
        throw new Error("a broken inspector");
      },
    });
    cleanups.push(async () => {
      await runtime.close();
      await store.close();
    });
    await runtime.dispatch(5, { type: "start", key: "o1" });
    await runtime.dispatch(5, { type: "add_to_cart", productId: "p", qty: 1, key: "o2" });
    await runtime.dispatch(5, { type: "add_to_cart", productId: "p", qty: 1, key: "o2" });
    expect(seen).toEqual(["5:start:new", "5:add_to_cart:cart"]);
    expect(await store.events(5)).toHaveLength(2);
  });
});
