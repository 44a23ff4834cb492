import { afterEach, describe, expect, it } from "vitest";
import { createCustomerRuntime, type CustomerRuntime } from "../../actors/customerRuntime.ts";
import type { CrmStore } from "../../actors/store.port.ts";
import { manualClock } from "../storeContract.ts";
import { freshDatabase } from "./testing/freshDatabase.ts";
import { openPostgresStore } from "./pgStore.ts";

describe("PostgreSQL: several stores on one database", () => {
  const stores: CrmStore[] = [];
  const runtimes: CustomerRuntime[] = [];
  afterEach(async () => {
    for (const runtime of runtimes.splice(0)) await runtime.close();
    for (const store of stores.splice(0)) await store.close();
  });

  async function process(url: string) {
    const clock = manualClock(Date.parse("2026-01-27T10:00:00Z"));
    const store = await openPostgresStore({ url, clock });
    const runtime = createCustomerRuntime({ store, clock });
    stores.push(store);
    runtimes.push(runtime);
    return { store, runtime, clock };
  }

  it("never steps a cached snapshot another process moved on: the unit runs again from the store, in order, nothing lost", async () => {
    const url = await freshDatabase("stale");
    const a = await process(url);
    const b = await process(url);
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
    const fresh = await process(url);
    const again = await fresh.runtime.dispatch(1, { type: "add_to_cart", productId: "p1", qty: 1, key: "a2" });
    expect(again).toMatchObject({ duplicate: true, seq: third.seq });
    expect(again.snapshot.context.cart.lines).toEqual([{ productId: "p1", qty: 3 }]);
  });

  it("answers a redelivered event another process stored first with that first result, whichever process gets it", async () => {
    const url = await freshDatabase("stale_dup");
    const a = await process(url);
    const b = await process(url);
    await a.runtime.dispatch(2, { type: "catalog_view", key: "v1" });
    const first = await b.runtime.dispatch(2, { type: "add_to_cart", productId: "p1", qty: 2, key: "u9" });
    const redelivered = await a.runtime.dispatch(2, { type: "add_to_cart", productId: "p1", qty: 2, key: "u9" });
    expect(redelivered).toMatchObject({ duplicate: true, seq: first.seq });
    expect(redelivered.snapshot.context.cart.lines).toEqual([{ productId: "p1", qty: 2 }]);
    expect((await a.store.events(2)).map((event) => event.key)).toEqual(["v1", "u9"]);
  });
});
