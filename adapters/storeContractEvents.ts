import { describe, expect, it } from "vitest";
import { createCustomerRuntime, type CustomerRuntime } from "../actors/customerRuntime.ts";
import type { CrmStore } from "../actors/store.port.ts";
import { customerMachineVersion } from "../machines/customer.machine.ts";
import { at, type ContractHarness, manualClock } from "./storeContract.ts";

/**
 * The event log and what is read from it: stages, order counts, daily stats and their stage moves,
 * first and last seen, redelivered events and malformed dispatches. Part of the main store contract
 * (storeContract.ts), against each store.
 */
export function eventsContract({ setup, stores, runtimes }: ContractHarness): void {
  it("logs an event with its payload and time", async () => {
    const { store, runtime } = await setup();
    const result = await runtime.dispatch(1, { type: "start", source: "instagram_ads", key: "u1:start" });
    expect(result).toMatchObject({ userId: 1, stage: "new", duplicate: false });
    const events = await store.events(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ userId: 1, type: "start", payload: { source: "instagram_ads" }, at: at("2026-01-27T10:00:00Z"), key: "u1:start" });
  });

  it("returns a user's events filtered by type, by time and with a limit", async () => {
    const { store, runtime, clock } = await setup();
    await runtime.dispatch(1, { type: "start", key: "k1" });
    clock.advance(60_000);
    await runtime.dispatch(1, { type: "catalog_view", key: "k2" });
    clock.advance(60_000);
    await runtime.dispatch(1, { type: "product_view", productId: "p1", key: "k3" });
    clock.advance(60_000);
    await runtime.dispatch(1, { type: "product_view", productId: "p2", key: "k4" });
    expect((await store.events(1, { types: ["product_view"] })).map((event) => event.payload["productId"])).toEqual(["p1", "p2"]);
    const since = at("2026-01-27T10:01:00Z");
    const until = at("2026-01-27T10:03:00Z");
    expect((await store.events(1, { since, until })).map((event) => event.type)).toEqual(["catalog_view", "product_view"]);
    expect((await store.events(1, { limit: 2 })).map((event) => event.key)).toEqual(["k3", "k4"]);
    expect(await store.events(1, { types: ["order_created"] })).toEqual([]);
  });

  it("computes the stage from the events", async () => {
    const { store, runtime } = await setup();
    expect(await store.stage(1)).toBeNull();
    await runtime.dispatch(1, { type: "start", key: "a" });
    expect(await store.stage(1)).toBe("new");
    await runtime.dispatch(1, { type: "catalog_view", key: "b" });
    expect(await store.stage(1)).toBe("engaged");
  });

  it("only ever raises the stage", async () => {
    const { store, runtime } = await setup();
    await runtime.dispatch(1, { type: "add_to_cart", productId: "p1", qty: 1, key: "a" });
    const lower = await runtime.dispatch(1, { type: "catalog_view", key: "b" });
    expect(lower.stage).toBe("cart");
    expect(await store.stage(1)).toBe("cart");
  });

  it("counts orders, and a second order makes a repeat customer", async () => {
    const { store, runtime } = await setup();
    expect(await store.ordersCount(1)).toBe(0);
    await runtime.dispatch(1, { type: "order_created", orderId: "A-1", total: 100, currency: "RUB", key: "o1" });
    expect(await store.ordersCount(1)).toBe(1);
    expect(await store.stage(1)).toBe("customer");
    await runtime.dispatch(1, { type: "order_created", orderId: "A-2", total: 50.5, currency: "RUB", key: "o2" });
    expect(await store.ordersCount(1)).toBe(2);
    expect(await store.stage(1)).toBe("repeat");
    expect((await store.lead(1))?.lifetimeValue).toBe(150.5);
  });

  it("reports daily stats for a calendar day in the configured time zone", async () => {
    const { store, runtime, clock } = await setup();
    // 23:30 in Moscow on the 27th is 20:30 UTC: it belongs to the 27th there.
    clock.set(at("2026-01-27T20:30:00Z"));
    await runtime.dispatch(1, { type: "start", key: "a" });
    await runtime.dispatch(1, { type: "order_created", orderId: "A-1", total: 990, currency: "RUB", key: "b" });
    await runtime.dispatch(2, { type: "start", key: "c" });
    // 00:30 in Moscow on the 28th.
    clock.set(at("2026-01-27T21:30:00Z"));
    await runtime.dispatch(3, { type: "start", key: "d" });
    await runtime.dispatch(1, { type: "order_created", orderId: "A-2", total: 10, currency: "RUB", key: "e" });

    const day = await store.dailyStats("2026-01-27", "Europe/Moscow");
    expect(day).toEqual({
      day: "2026-01-27",
      timeZone: "Europe/Moscow",
      newLeads: 2,
      eventsByType: { start: 2, order_created: 1 },
      orders: 1,
      revenue: 990,
      stageMoves: { new: 2, customer: 1 },
    });
    const next = await store.dailyStats("2026-01-28", "Europe/Moscow");
    expect(next).toMatchObject({ newLeads: 1, eventsByType: { start: 1, order_created: 1 }, orders: 1, revenue: 10, stageMoves: { new: 1, repeat: 1 } });
    const utc = await store.dailyStats("2026-01-27", "UTC");
    expect(utc).toMatchObject({ newLeads: 3, orders: 2, revenue: 1000 });
  });

  describe("stage moves in daily stats", () => {
    // Vladivostok is UTC+10 all year: its day 2026-01-28 starts at 2026-01-27T14:00Z, inside the UTC day 2026-01-27.
    const zone = "Asia/Vladivostok";
    const moves = async (store: CrmStore, day: string, timeZone = zone) => (await store.dailyStats(day, timeZone)).stageMoves;

    /** Customer 1 goes new → engaged → cart on the 27th and checkout → customer on the 28th; customer 2 skips from new to customer. */
    async function twoJourneys(runtime: CustomerRuntime, clock: ReturnType<typeof manualClock>): Promise<void> {
      clock.set(at("2026-01-27T01:00:00Z"));
      await runtime.dispatch(1, { type: "start", key: "1:start" });
      clock.advance(60_000);
      await runtime.dispatch(1, { type: "catalog_view", key: "1:catalog" });
      clock.advance(60_000);
      await runtime.dispatch(1, { type: "product_view", productId: "p1", key: "1:product" });
      await runtime.dispatch(1, { type: "add_to_cart", productId: "p1", qty: 1, key: "1:cart" });
      clock.set(at("2026-01-27T13:59:59.999Z"));
      await runtime.dispatch(2, { type: "start", key: "2:start" });
      clock.set(at("2026-01-27T14:00:00Z"));
      await runtime.dispatch(2, { type: "order_created", orderId: "B-1", total: 500, currency: "RUB", key: "2:order" });
      clock.set(at("2026-01-27T14:30:00Z"));
      await runtime.dispatch(1, { type: "checkout_started", key: "1:checkout" });
      await runtime.dispatch(1, { type: "contact_shared", phone: "+79990000001", key: "1:contact" });
      await runtime.dispatch(1, { type: "order_created", orderId: "A-1", total: 990, currency: "RUB", key: "1:order" });
    }

    /** Exactly what `twoJourneys` entered, day by day, in Vladivostok and in UTC. */
    async function expectTwoJourneys(store: CrmStore): Promise<void> {
      expect(await moves(store, "2026-01-26")).toEqual({});
      expect(await moves(store, "2026-01-27")).toEqual({ new: 2, engaged: 1, cart: 1 });
      expect(await moves(store, "2026-01-28")).toEqual({ checkout: 1, customer: 2 });
      expect(await moves(store, "2026-01-29")).toEqual({});
      expect(await moves(store, "2026-01-27", "UTC")).toEqual({ new: 2, engaged: 1, cart: 1, checkout: 1, customer: 2 });
    }

    it("counts the customers who entered each stage on each day of the time zone, a skipped stage not at all", async () => {
      const { store, runtime, clock } = await setup();
      await twoJourneys(runtime, clock);
      await expectTwoJourneys(store);
      expect(await store.dailyStats("2026-01-28", zone)).toMatchObject({ newLeads: 0, orders: 2, revenue: 1490 });
    });

    it("counts a customer as new on the day of their first act, not when the owner first tagged them", async () => {
      const { store, runtime, clock } = await setup();
      clock.set(at("2026-01-27T03:00:00Z"));
      await runtime.toggleTag(3, "vip", "3:tag");
      expect(await store.stage(3)).toBe("new");
      expect(await moves(store, "2026-01-27")).toEqual({});
      clock.set(at("2026-01-28T03:00:00Z"));
      await runtime.dispatch(3, { type: "start", key: "3:start" });
      expect(await moves(store, "2026-01-27")).toEqual({});
      expect(await moves(store, "2026-01-28")).toEqual({ new: 1 });
    });

    it("counts a move once through redelivery, a replayed snapshot, recovery, /forget and a reopen", async () => {
      const { dir, store, runtime, clock } = await setup();
      await twoJourneys(runtime, clock);
      clock.set(at("2026-01-28T02:00:00Z"));
      expect((await runtime.dispatch(1, { type: "add_to_cart", productId: "p1", qty: 1, key: "1:cart" })).duplicate).toBe(true);
      expect((await runtime.dispatch(2, { type: "order_created", orderId: "B-1", total: 500, currency: "RUB", key: "2:order" })).duplicate).toBe(true);
      await expectTwoJourneys(store);

      // Customer 1's snapshot is unreadable: the next event replays the log and saves the same stage dates again.
      await runtime.close();
      const lead1 = await store.lead(1);
      if (!lead1) throw new Error("lead 1 missing");
      await store.transact((tx) => tx.saveActor({ lead: lead1, snapshot: "{not json", machineVersion: customerMachineVersion, lastSeq: 1, previousStage: "customer" }));
      const replaying = createCustomerRuntime({ store, clock });
      runtimes.push(replaying);
      expect((await replaying.dispatch(1, { type: "catalog_view", key: "1:later" })).stage).toBe("customer");
      expect(await replaying.recover()).toBe(0);
      await replaying.forget(2, "2:forget");
      await expectTwoJourneys(store);
      expect(await moves(store, "2026-01-28")).toEqual({ checkout: 1, customer: 2 });

      await replaying.close();
      await store.close();
      stores.splice(stores.indexOf(store), 1);
      const again = await setup({ dir });
      expect(await again.runtime.recover()).toBe(0);
      await expectTwoJourneys(again.store);
    });
  });

  it("records first and last seen", async () => {
    const { store, runtime, clock } = await setup();
    expect(await store.seen(1)).toBeNull();
    await runtime.dispatch(1, { type: "start", key: "a" });
    clock.advance(3_600_000);
    await runtime.dispatch(1, { type: "catalog_view", key: "b" });
    expect(await store.seen(1)).toEqual({ firstSeenAt: at("2026-01-27T10:00:00Z"), lastSeenAt: at("2026-01-27T11:00:00Z") });
  });

  it("follows a full customer journey through every stage", async () => {
    const { store, runtime, clock } = await setup();
    const steps = [
      [{ type: "start", source: "ads", username: "anna", key: "j1" }, "new"],
      [{ type: "catalog_view", key: "j2" }, "engaged"],
      [{ type: "product_view", productId: "tea-1", key: "j3" }, "engaged"],
      [{ type: "add_to_cart", productId: "tea-1", qty: 2, key: "j4" }, "cart"],
      [{ type: "checkout_started", key: "j5" }, "checkout"],
      [{ type: "contact_shared", phone: "+79991234567", key: "j6" }, "checkout"],
      [{ type: "order_created", orderId: "A-1", total: 1980, currency: "RUB", key: "j7" }, "customer"],
      [{ type: "order_created", orderId: "A-2", total: 990, currency: "RUB", key: "j8" }, "repeat"],
    ] as const;
    for (const [event, stage] of steps) {
      clock.advance(60_000);
      expect((await runtime.dispatch(7, event)).stage).toBe(stage);
    }
    const lead = await store.lead(7);
    expect(lead).toMatchObject({ userId: 7, username: "anna", source: "ads", stage: "repeat", ordersCount: 2, lifetimeValue: 2970, lastOrderId: "A-2", phone: "+79991234567" });
    expect(Object.keys(lead?.stageEnteredAt ?? {})).toEqual(["new", "engaged", "cart", "checkout", "customer", "repeat"]);
    expect(lead?.stageEnteredAt.cart).toBe(at("2026-01-27T10:04:00Z"));
    expect((await store.events(7)).map((event) => event.type)).toEqual(steps.map(([event]) => event.type));
  });

  it("keeps customers' events apart", async () => {
    const { store, runtime } = await setup();
    await Promise.all([
      runtime.dispatch(1, { type: "start", key: "1a" }),
      runtime.dispatch(2, { type: "start", key: "2a" }),
      runtime.dispatch(1, { type: "add_to_cart", productId: "p", qty: 1, key: "1b" }),
    ]);
    expect((await store.events(1)).map((event) => event.key)).toEqual(["1a", "1b"]);
    expect((await store.events(2)).map((event) => event.key)).toEqual(["2a"]);
    expect(await store.stage(1)).toBe("cart");
    expect(await store.stage(2)).toBe("new");
  });

  it("starts with an empty events table", async () => {
    const { store } = await setup();
    expect(await store.events(1)).toEqual([]);
    expect(await store.funnel()).toMatchObject({ total: 0 });
  });

  it("counts a redelivered event once and answers with the first result", async () => {
    const { store, runtime } = await setup();
    const order = { type: "order_created", orderId: "A-1", total: 500, currency: "RUB", key: "tg:9001:order_created" } as const;
    const first = await runtime.dispatch(1, order);
    await runtime.dispatch(1, { type: "order_created", orderId: "A-2", total: 700, currency: "RUB", key: "tg:9002:order_created" });
    const again = await runtime.dispatch(1, order);
    // A duplicate's snapshot is the customer as they are now, after A-2.
    expect({ ...again, snapshot: null }).toEqual({ ...first, duplicate: true, snapshot: null });
    const [same1, same2] = await Promise.all([
      runtime.dispatch(2, { type: "add_to_cart", productId: "p", qty: 1, key: "dup" }),
      runtime.dispatch(2, { type: "add_to_cart", productId: "p", qty: 1, key: "dup" }),
    ]);
    expect(same2).toEqual({ ...same1, duplicate: true });
    expect(await store.ordersCount(1)).toBe(2);
    expect((await store.lead(1))?.lifetimeValue).toBe(1200);
    expect(await store.events(2)).toHaveLength(1);
  });

  it("knows whether any event's key starts with a prefix: an update already applied, across /forget, a failed unit and a reopen", async () => {
    const { dir, store, runtime } = await setup();
    expect(await store.hasEventKeyPrefix("")).toBe(false);
    await runtime.dispatch(5, { type: "consent_given", version: "v1", key: "shop:51:consent_given" });
    await runtime.dispatch(5, { type: "contact_shared", phone: "+79990000005", key: "shop:5:contact_shared" });
    await runtime.dispatch(5, { type: "search", query: "чай ё", key: "shop:7:поиск" });
    await runtime.dispatch(6, { type: "add_to_cart", productId: "p", qty: 1, key: "order:SO-1" });
    await expect(
      store.transact((tx) => {
        tx.appendEvent({ userId: 6, type: "search", payload: "{}", at: at("2026-01-27T10:00:00Z"), key: "shop:9:search" });
        throw new Error("the unit fails");
      }),
    ).rejects.toThrow("the unit fails");
    await runtime.forget(5, "shop:8:forget");
    const probe = async (s: CrmStore) =>
      Promise.all(["shop:5:", "shop:51:", "shop:7:", "shop:8:", "shop:9:", "shop:4:", "shop:52:", "shop:_:", "shop:5", "order:", "order:SO-2", "", "shop:7:поиск", "t:"].map((prefix) => s.hasEventKeyPrefix(prefix)));
    const expected = [true, true, true, true, false, false, false, false, true, true, false, true, true, false];
    expect(await probe(store)).toEqual(expected);
    await runtime.close();
    await store.close();
    stores.splice(stores.indexOf(store), 1);
    expect(await probe((await setup({ dir })).store)).toEqual(expected);
  });

  it("rejects malformed dispatches with a clear error and stores nothing", async () => {
    const { store, runtime } = await setup();
    await expect(runtime.dispatch(-1, { type: "start", key: "x" })).rejects.toThrow(/user id/);
    await expect(runtime.dispatch(1, { type: "start", key: "" })).rejects.toThrow(/key/);
    await expect(runtime.dispatch(1, { type: "teleport", key: "y" } as never)).rejects.toThrow(/unknown event type/);
    await expect(runtime.dispatch(1, { type: "search", query: "чай ".repeat(3_000), key: "z" })).rejects.toThrow(/payload is limited/);
    await expect(runtime.dispatch(1, { type: "start", key: "t", at: Number.NaN })).rejects.toThrow(/finite/);
    expect(await store.events(1)).toEqual([]);
  });
}
