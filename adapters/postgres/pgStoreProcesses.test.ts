import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createCustomerRuntime, type CustomerRuntime } from "../../actors/customerRuntime.ts";
import type { CrmStore } from "../../actors/store.port.ts";
import { manualClock } from "../storeContract.ts";
import { aLead } from "../storeContractQueues.ts";
import { freshDatabase } from "./testing/freshDatabase.ts";
import { openPostgresStore } from "./pgStore.ts";

describe("PostgreSQL: several stores on one database", () => {
  const stores: CrmStore[] = [];
  const runtimes: CustomerRuntime[] = [];
  afterEach(async () => {
    for (const runtime of runtimes.splice(0)) await runtime.close();
    for (const store of stores.splice(0)) await store.close();
  });

  async function processOn(url: string) {
    const clock = manualClock(Date.parse("2026-01-27T10:00:00Z"));
    const store = await openPostgresStore({ url, clock });
    const runtime = createCustomerRuntime({ store, clock });
    stores.push(store);
    runtimes.push(runtime);
    return { store, runtime, clock };
  }

  it("never steps a cached snapshot another process moved on: the unit runs again from the store, in order, nothing lost", async () => {
    const url = await freshDatabase("stale");
    const a = await processOn(url);
    const b = await processOn(url);
    await a.runtime.dispatch(1, { type: "add_to_cart", productId: "p1", qty: 1, key: "a1" });
    await b.runtime.dispatch(1, { type: "add_to_cart", productId: "p1", qty: 1, key: "b1" });
    // A still holds customer 1 as it was after a1; its next event must see b1 first.
    const third = await a.runtime.dispatch(1, { type: "add_to_cart", productId: "p1", qty: 1, key: "a2" });
    expect(third.duplicate).toBe(false);
    expect(third.snapshot.context.cart.lines).toEqual([{ productId: "p1", qty: 3 }]);
    const log = await a.store.events(1);
    expect(log.map((event) => event.key)).toEqual(["a1", "b1", "a2"]);
    expect(log.map((event) => event.seq)).toEqual([...log.map((event) => event.seq)].sort((x, y) => x - y));
    expect(a.store.loadActor(1)?.lastSeq).toBe(log.at(-1)?.seq);
    const fresh = await processOn(url);
    const again = await fresh.runtime.dispatch(1, { type: "add_to_cart", productId: "p1", qty: 1, key: "a2" });
    expect(again).toMatchObject({ duplicate: true, seq: third.seq });
    expect(again.snapshot.context.cart.lines).toEqual([{ productId: "p1", qty: 3 }]);
  });

  it("answers a read of a cached customer as another process left them", async () => {
    const url = await freshDatabase("stale_read");
    const a = await processOn(url);
    const b = await processOn(url);
    await a.runtime.dispatch(3, { type: "add_to_cart", productId: "p1", qty: 1, key: "a1" });
    await b.runtime.dispatch(3, { type: "add_to_cart", productId: "p2", qty: 1, key: "b1" });
    expect((await a.runtime.snapshotOf(3)).context.cart.lines).toEqual([{ productId: "p1", qty: 1 }, { productId: "p2", qty: 1 }]);
  });

  it("answers a redelivered event another process stored first with that first result, whichever process gets it", async () => {
    const url = await freshDatabase("stale_dup");
    const a = await processOn(url);
    const b = await processOn(url);
    await a.runtime.dispatch(2, { type: "catalog_view", key: "v1" });
    const first = await b.runtime.dispatch(2, { type: "add_to_cart", productId: "p1", qty: 2, key: "u9" });
    const redelivered = await a.runtime.dispatch(2, { type: "add_to_cart", productId: "p1", qty: 2, key: "u9" });
    expect(redelivered).toMatchObject({ duplicate: true, seq: first.seq });
    expect(redelivered.snapshot.context.cart.lines).toEqual([{ productId: "p1", qty: 2 }]);
    expect((await a.store.events(2)).map((event) => event.key)).toEqual(["v1", "u9"]);
  });

  it("applies three processes' events on the same customers one at a time, in order, none lost or twice", async () => {
    const url = await freshDatabase("three");
    const hammer = fileURLToPath(new URL("./testing/dispatchHammer.ts", import.meta.url));
    const run = (name: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [hammer, url, name, "12", "20"], { stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("exit", (code) => resolve({ code, stderr }));
      });
    const outcomes = await Promise.all(["a", "b", "c"].map(run));
    expect(outcomes).toEqual([{ code: 0, stderr: "" }, { code: 0, stderr: "" }, { code: 0, stderr: "" }]);
    const { store, runtime } = await processOn(url);
    for (let customer = 1; customer <= 12; customer++) {
      const log = await store.events(customer);
      expect(log).toHaveLength(60);
      expect(new Set(log.map((event) => event.key)).size).toBe(60);
      for (const name of ["a", "b", "c"]) {
        const own = log.filter((event) => event.key.startsWith(`${name}:`)).map((event) => Number(event.key.split(":")[2]));
        expect(own).toEqual([...Array(20).keys()]);
      }
      expect(store.loadActor(customer)).toMatchObject({ lastSeq: log.at(-1)?.seq, logSeq: log.at(-1)?.seq });
      const now = await runtime.dispatch(customer, { type: "catalog_view", key: `check:${customer}` });
      expect(now.snapshot.context.cart.lines).toEqual([{ productId: "p1", qty: 60 }]);
      expect(now.snapshot.context.cart.rev).toBe(60);
    }
  });

  it("hands a due timer, effect or mirror item to one process at a time, and to another once the first one's lease ran out", async () => {
    const url = await freshDatabase("claims");
    const clock = manualClock(Date.parse("2026-01-27T10:00:00Z"));
    const a = await openPostgresStore({ url, clock, owner: "a", leaseMs: 400 });
    const b = await openPostgresStore({ url, clock, owner: "b", leaseMs: 400 });
    stores.push(a, b);
    const now = clock.now();
    await a.transact((tx) => {
      tx.setTimer({ actor: "customer:1", sendId: "s1", dueAt: now, event: "{}", key: "t:customer:1:1:s1" });
      tx.queueEffect({ key: "e:customer:1:1:0", actor: "customer:1", type: "sendCartReminder", params: "{}", createdAt: now });
      tx.appendEvent({ userId: 1, type: "catalog_view", payload: "{}", at: now, key: "v1" });
    });
    await a.enqueueAllForMirror();
    expect(a.dueTimers(now, 10).map((timer) => timer.key)).toEqual(["t:customer:1:1:s1"]);
    expect(a.dueEffects(now, 10).map((effect) => effect.key)).toEqual(["e:customer:1:1:0"]);
    expect((await a.pendingMirror("lead", 10)).map((item) => item.ref)).toEqual([]);
    await a.transact((tx) => tx.saveActor({ lead: aLead(1, { firstSeenAt: now, lastSeenAt: now }), snapshot: "{}", machineVersion: 1, lastSeq: 1, previousStage: null }));
    expect((await a.pendingMirror("lead", 10)).map((item) => item.ref)).toEqual(["1"]);
    // Held by a: b gets none of them, and a gets them again (its own claims).
    expect(b.dueTimers(now, 10)).toEqual([]);
    expect(b.dueEffects(now, 10)).toEqual([]);
    expect(await b.pendingMirror("lead", 10)).toEqual([]);
    expect(a.dueEffects(now, 10)).toHaveLength(1);
    // a died holding them: once the lease ran out, b takes them.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(b.dueTimers(now, 10).map((timer) => timer.key)).toEqual(["t:customer:1:1:s1"]);
    expect(b.dueEffects(now, 10).map((effect) => effect.key)).toEqual(["e:customer:1:1:0"]);
    expect((await b.pendingMirror("lead", 10)).map((item) => item.ref)).toEqual(["1"]);
    expect(a.dueEffects(now, 10)).toEqual([]);
  });
});
