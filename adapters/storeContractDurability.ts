import { expect, it } from "vitest";
import { replayLog } from "../actors/customerRuntime.ts";
import { customerMachineVersion } from "../machines/customer.machine.ts";
import type { ContractHarness } from "./storeContract.ts";

/**
 * What a store keeps across a reopen: acknowledged events, blocks, the process lock, passivated and
 * rebuilt snapshots, bot sessions. Part of the main store contract (storeContract.ts), against each
 * store.
 */
export function durabilityContract({ setup, stores, openStore }: ContractHarness): void {
  it("keeps everything acknowledged across a reopen", async () => {
    const { dir, store, runtime } = await setup();
    await runtime.dispatch(1, { type: "add_to_cart", productId: "p", qty: 1, key: "a" });
    await runtime.dispatch(2, { type: "consent_given", version: "v1", key: "b" });
    await runtime.logMessage(2, { direction: "in", type: "text", text: "still here?", key: "c" });
    await runtime.close();
    await store.close();
    stores.splice(stores.indexOf(store), 1);
    const again = await setup({ dir });
    expect(await again.store.stage(1)).toBe("cart");
    expect((await again.store.messages(2)).map((message) => message.text)).toEqual(["still here?"]);
    const next = await again.runtime.dispatch(1, { type: "checkout_started", key: "d" });
    expect(next.stage).toBe("checkout");
    expect(await again.runtime.dispatch(1, { type: "add_to_cart", productId: "p", qty: 1, key: "a" })).toMatchObject({ duplicate: true, stage: "cart" });
  });

  it("keeps when a customer blocked the bot on the lead, once per key, across a reopen, until they come back", async () => {
    const { dir, store, clock, runtime } = await setup();
    await runtime.dispatch(1, { type: "add_to_cart", productId: "p", qty: 1, key: "shop:1:add_to_cart" });
    clock.advance(60_000);
    const blockedAt = clock.now();
    await runtime.dispatch(1, { type: "blocked", key: "shop:2:blocked" });
    clock.advance(60_000);
    expect(await runtime.dispatch(1, { type: "blocked", key: "shop:2:blocked" })).toMatchObject({ duplicate: true, stage: "cart" });
    await runtime.settled();
    expect(await store.lead(1)).toMatchObject({ stage: "cart", blockedAt, lastSeenAt: blockedAt - 60_000 });
    expect((await store.events(1, { types: ["blocked"] })).length).toBe(1);
    await runtime.close();
    await store.close();
    stores.splice(stores.indexOf(store), 1);
    const again = await setup({ dir });
    expect(await again.store.lead(1)).toMatchObject({ blockedAt });
    await again.runtime.dispatch(1, { type: "unblocked", key: "shop:3:unblocked" });
    await again.runtime.settled();
    expect(await again.store.lead(1)).toMatchObject({ stage: "cart", blockedAt: null });
    expect(await again.store.lead(2)).toBeNull();
  });

  it("refuses a second opening while the store is open, and opens again once it is closed", async () => {
    const { dir, store } = await setup();
    await expect(openStore(dir)).rejects.toThrow(/another Shop CRM process is using this store/);
    await store.close();
    stores.splice(stores.indexOf(store), 1);
    const again = await openStore(dir);
    await again.close();
  });

  it("passivates idle customers and still answers from their snapshots", async () => {
    const { store, runtime } = await setup({ maxActive: 3 });
    for (let user = 1; user <= 20; user++) await runtime.dispatch(user, { type: "catalog_view", key: `v${user}` });
    expect(runtime.activeCount).toBeLessThanOrEqual(3);
    for (let user = 1; user <= 20; user++) await runtime.dispatch(user, { type: "add_to_cart", productId: "p", qty: 1, key: `c${user}` });
    expect(runtime.activeCount).toBeLessThanOrEqual(3);
    expect((await store.funnel()).steps.find((step) => step.stage === "cart")?.current).toBe(20);
    expect((await store.lead(1))?.stageEnteredAt.engaged).toBeDefined();
  });

  it("rebuilds a corrupt snapshot from the log, and replays one of an older machine version", async () => {
    const { dir, store, runtime } = await setup();
    await runtime.dispatch(1, { type: "add_to_cart", productId: "p", qty: 1, key: "a" });
    await runtime.dispatch(2, { type: "checkout_started", key: "b" });
    await runtime.close();
    const lead1 = await store.lead(1);
    const lead2 = await store.lead(2);
    if (!lead1 || !lead2) throw new Error("leads missing");
    await store.transact((tx) => {
      tx.saveActor({ lead: lead1, snapshot: "{not json", machineVersion: customerMachineVersion, lastSeq: 1, previousStage: "cart" });
      tx.saveActor({ lead: lead2, snapshot: JSON.stringify({ status: "active", value: "repeat", context: {} }), machineVersion: customerMachineVersion - 1, lastSeq: 2, previousStage: "checkout" });
    });
    await store.close();
    stores.splice(stores.indexOf(store), 1);

    const again = await setup({ dir });
    expect((await again.runtime.dispatch(1, { type: "catalog_view", key: "c" })).stage).toBe("cart");
    expect((await again.runtime.dispatch(2, { type: "catalog_view", key: "d" })).stage).toBe("checkout");
    for (const user of [1, 2]) {
      const fromLog = replayLog(user, again.store.loadEvents(user));
      expect(again.store.loadActor(user)?.machineVersion).toBe(customerMachineVersion);
      expect(JSON.parse(again.store.loadActor(user)?.snapshot ?? "null")).toMatchObject({ value: fromLog.value, context: fromLog.context });
    }
  });

  it("keeps bot sessions: read, write, overwrite, delete, and across a reopen", async () => {
    const { dir, store } = await setup();
    expect(await store.readSession("chat:1")).toBeUndefined();
    await store.writeSession("chat:1", JSON.stringify({ cart: ["tea-1"] }));
    await store.writeSession("chat:2", '{"step":"ask_phone","note":"Привет 👋"}');
    await store.writeSession("__proto__", "{}");
    expect(await store.readSession("chat:1")).toBe('{"cart":["tea-1"]}');
    await store.writeSession("chat:1", '{"cart":[]}');
    expect(await store.readSession("chat:1")).toBe('{"cart":[]}');
    await Promise.all(["1", "2", "3"].map((n) => store.writeSession("burst", `{"n":${n}}`)));
    expect(await store.readSession("burst")).toBe('{"n":3}');
    await store.deleteSession("chat:2");
    await store.deleteSession("never-written");
    expect(await store.readSession("chat:2")).toBeUndefined();

    await store.close();
    stores.splice(stores.indexOf(store), 1);
    const again = await setup({ dir });
    expect(await again.store.readSession("chat:1")).toBe('{"cart":[]}');
    expect(await again.store.readSession("chat:2")).toBeUndefined();
    expect(await again.store.readSession("burst")).toBe('{"n":3}');
    expect(await again.store.readSession("__proto__")).toBe("{}");
    expect(await again.store.readSession("toString")).toBeUndefined();
  });
}
