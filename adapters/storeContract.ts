import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { formatMessagesForAi } from "../actors/conversation.ts";
import { createCustomerRuntime, replayLog, type Clock, type CustomerRuntime } from "../actors/customerRuntime.ts";
import { orderJustPlaced, type CrmStore, type MirrorItem, type StoredOrder } from "../actors/store.port.ts";
import { customerMachineVersion } from "../machines/customer.machine.ts";
import { catalogContract } from "./storeContractCatalog.ts";
import { orderActorsContract } from "./storeContractOrders.ts";
import { durableQueuesContract } from "./storeContractQueues.ts";

/** Opens (or reopens) a store kept in `dir`; the contract passes its manual clock, so queue times are exact. */
export type OpenStore = (dir: string, options?: { readonly clock?: Clock }) => Promise<CrmStore>;

/** A clock the test moves by hand. */
export function manualClock(start: number): Clock & { set(at: number): void; advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    set: (at) => {
      now = at;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

const at = (iso: string): number => Date.parse(iso);

/**
 * Personal data that `seedPersonalData` stores and `/forget` must erase, as it would be found in a
 * file or a row: case-folded, and a phone by its digits (the search index keeps those as words).
 */
export const personalTraces = ["79991234567", "ivan_secret", "secretov", "zamoskvorechye", "quartzfan", "lenina"] as const;

/**
 * Customer 7, with personal data in every place a store keeps it: events, messages, lead, search
 * words, an order (placed as the machine places one: a checkout, then `order_created`, whose
 * `recordOrder` saves the order with the checkout's phone and delivery in the same unit).
 */
export async function seedPersonalData(runtime: CustomerRuntime, store: CrmStore): Promise<StoredOrder> {
  await runtime.dispatch(7, { type: "start", source: "ads", username: "ivan_secret", name: "Ivan Secretov", key: "7:start" });
  await runtime.dispatch(7, { type: "consent_given", version: "v1", key: "7:consent" });
  await runtime.logMessage(7, { direction: "in", type: "text", text: "Deliver to Zamoskvorechye, please", key: "7:m1" });
  await runtime.logMessage(7, { direction: "out", type: "ai_response", text: "Zamoskvorechye is two days away", key: "7:m2" });
  await runtime.dispatch(7, { type: "search", query: "gift for Secretov", key: "7:search" });
  await runtime.dispatch(7, { type: "checkout_started", key: "7:checkout" });
  await runtime.dispatch(7, { type: "contact_shared", phone: "+79991234567", key: "7:contact" });
  await runtime.dispatch(7, { type: "delivery_given", text: "Lenina street 5, flat 42", key: "7:delivery" });
  await runtime.addNote(7, "Lives in Zamoskvorechye, call +79991234567", "7:note");
  await runtime.toggleTag(7, "quartzfan", "7:tag");
  const items = [{ productId: "tea-1", title: "Green tea", price: 990, qty: 2 }];
  await runtime.dispatch(7, { type: "order_created", orderId: "SO-7A", total: 1980, currency: "RUB", items, key: "7:order" });
  const order = await store.order("SO-7A");
  if (order?.phone !== "+79991234567" || order.delivery !== "Lenina street 5, flat 42") throw new Error(`the order was not stored with the checkout's phone and delivery: ${JSON.stringify(order)}`);
  return order;
}

/**
 * Where a contract looks for what an erasure must leave nowhere: for SQLite and the JSON store, the
 * bytes of every file of the store's folder ({@link tracesInFiles}); a store whose data lives
 * elsewhere (a PostgreSQL server) gives its own reader. Each hit is "where: string".
 */
export type TraceReader = (dir: string, traces: readonly string[]) => string[];

/** Every file under `dir` that holds one of the strings, case-folded, as "file: string". */
export function tracesInFiles(dir: string, traces: readonly string[]): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    const text = readFileSync(path).toString("latin1").toLowerCase();
    for (const trace of traces) if (text.includes(trace.toLowerCase())) found.push(`${name}: ${trace}`);
  }
  return found;
}

const anOrder = (orderId: string, userId: number, time: number, total = 100): StoredOrder => ({
  orderId,
  userId,
  items: [{ productId: "p1", title: "Пуэр", price: total, qty: 1 }],
  total,
  currency: "RUB",
  phone: null,
  delivery: null,
  at: time,
  ...orderJustPlaced,
});

/**
 * One behaviour, every backend: the 18 scenarios of the original system's CRM tests plus the
 * runtime's guarantees, run unchanged against each store; and the durable actor's timers, effects
 * and dormant counts (storeContractQueues.ts).
 */
export function storeContract(name: string, openStore: OpenStore, traces: TraceReader = tracesInFiles): void {
  describe(`store contract: ${name}`, () => {
    const dirs: string[] = [];
    const stores: CrmStore[] = [];
    const runtimes: CustomerRuntime[] = [];

    async function setup(options: { maxActive?: number; dir?: string } = {}) {
      const dir = options.dir ?? mkdtempSync(join(tmpdir(), `crm-contract-${name}-`));
      if (!options.dir) dirs.push(dir);
      const clock = manualClock(at("2026-01-27T10:00:00Z"));
      const store = await openStore(dir, { clock });
      const runtime = createCustomerRuntime({ store, clock, maxActive: options.maxActive ?? 100 });
      stores.push(store);
      runtimes.push(runtime);
      return { dir, store, clock, runtime };
    }

    afterEach(async () => {
      for (const runtime of runtimes.splice(0)) await runtime.close();
      for (const store of stores.splice(0)) await store.close();
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    });

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

    it("starts with an empty messages table", async () => {
      const { store } = await setup();
      expect(await store.messages(1)).toEqual([]);
      expect(await store.messagesCount(1)).toBe(0);
    });

    it("logs a message of a consenting customer", async () => {
      const { store, runtime } = await setup();
      await runtime.dispatch(1, { type: "consent_given", version: "v1", key: "c" });
      const result = await runtime.logMessage(1, { direction: "in", type: "text", text: "Есть зелёный чай?", key: "m1" });
      expect(result).toMatchObject({ logged: true, duplicate: false });
      expect(await store.messages(1)).toEqual([
        { id: expect.any(Number), userId: 1, direction: "in", type: "text", text: "Есть зелёный чай?", at: at("2026-01-27T10:00:00Z") },
      ]);
      expect((await store.events(1, { types: ["message_in"] }))[0]?.payload).toEqual({ messageType: "text", chars: 17 });
    });

    it("refuses, and stores nothing, while the customer has not consented", async () => {
      const { store, runtime } = await setup();
      await runtime.dispatch(1, { type: "start", key: "s" });
      expect(await runtime.logMessage(1, { direction: "in", type: "text", text: "hello", key: "m1" })).toEqual({ logged: false, reason: "no_consent" });
      await runtime.dispatch(1, { type: "consent_given", version: "v1", key: "c" });
      await runtime.dispatch(1, { type: "consent_revoked", key: "r" });
      expect(await runtime.logMessage(1, { direction: "out", type: "ai_response", text: "hi", key: "m2" })).toEqual({ logged: false, reason: "no_consent" });
      expect(await store.messagesCount(1)).toBe(0);
      expect((await store.events(1)).map((event) => event.type)).toEqual(["start", "consent_given", "consent_revoked"]);
    });

    it("filters messages by direction and limits them to the newest", async () => {
      const { store, runtime, clock } = await setup();
      await runtime.dispatch(1, { type: "consent_given", version: "v1", key: "c" });
      for (let i = 0; i < 3; i++) {
        clock.advance(1_000);
        await runtime.logMessage(1, { direction: "in", type: "text", text: `q${i}`, key: `in${i}` });
        await runtime.logMessage(1, { direction: "out", type: "ai_response", text: `a${i}`, key: `out${i}` });
      }
      expect((await store.messages(1, { direction: "in" })).map((message) => message.text)).toEqual(["q0", "q1", "q2"]);
      expect((await store.messages(1, { direction: "out", limit: 2 })).map((message) => message.text)).toEqual(["a1", "a2"]);
      expect((await store.messages(1, { limit: 3 })).map((message) => message.text)).toEqual(["a1", "q2", "a2"]);
    });

    it("counts messages", async () => {
      const { store, runtime } = await setup();
      await runtime.dispatch(1, { type: "consent_given", version: "v1", key: "c" });
      await runtime.logMessage(1, { direction: "in", type: "text", text: "a", key: "m1" });
      await runtime.logMessage(1, { direction: "out", type: "ai_response", text: "b", key: "m2" });
      await runtime.logMessage(1, { direction: "in", type: "text", text: "c", key: "m3" });
      expect(await store.messagesCount(1)).toBe(3);
      expect(await store.messagesCount(1, { direction: "in" })).toBe(2);
    });

    it("knows whether a customer has consented", async () => {
      const { store, runtime } = await setup();
      expect(await store.hasConsent(1)).toBe(false);
      await runtime.dispatch(1, { type: "start", key: "s" });
      expect(await store.hasConsent(1)).toBe(false);
      await runtime.dispatch(1, { type: "consent_given", version: "2026-01", key: "c" });
      expect(await store.hasConsent(1)).toBe(true);
      expect((await store.lead(1))?.consentVersion).toBe("2026-01");
      await runtime.dispatch(1, { type: "consent_revoked", key: "r" });
      expect(await store.hasConsent(1)).toBe(false);
    });

    it("formats stored messages for an AI context", async () => {
      const { store, runtime, clock } = await setup();
      await runtime.dispatch(1, { type: "consent_given", version: "v1", key: "c" });
      await runtime.logMessage(1, { direction: "in", type: "text", text: "Сколько стоит пуэр?", key: "m1" });
      clock.advance(1_000);
      await runtime.logMessage(1, { direction: "out", type: "ai_response", text: "Пуэр стоит 990 ₽.", key: "m2" });
      clock.advance(1_000);
      await runtime.logMessage(1, { direction: "in", type: "text", text: "Беру!", key: "m3" });
      expect(formatMessagesForAi(await store.messages(1))).toEqual([
        { role: "user", content: "Сколько стоит пуэр?" },
        { role: "assistant", content: "Пуэр стоит 990 ₽." },
        { role: "user", content: "Беру!" },
      ]);
      expect(formatMessagesForAi(await store.messages(1), 25)).toEqual([
        { role: "assistant", content: "Пуэр стоит 990 ₽." },
        { role: "user", content: "Беру!" },
      ]);
    });

    it("keeps customers' messages apart", async () => {
      const { store, runtime } = await setup();
      await runtime.dispatch(1, { type: "consent_given", version: "v1", key: "c1" });
      await runtime.dispatch(2, { type: "consent_given", version: "v1", key: "c2" });
      await runtime.logMessage(1, { direction: "in", type: "text", text: "from one", key: "m1" });
      await runtime.logMessage(2, { direction: "in", type: "text", text: "from two", key: "m2" });
      expect((await store.messages(1)).map((message) => message.text)).toEqual(["from one"]);
      expect((await store.messages(2)).map((message) => message.text)).toEqual(["from two"]);
    });

    it("truncates a message to 2000 characters without splitting an emoji", async () => {
      const { store, runtime } = await setup();
      await runtime.dispatch(1, { type: "consent_given", version: "v1", key: "c" });
      await runtime.logMessage(1, { direction: "in", type: "text", text: "x".repeat(2500), key: "m1" });
      await runtime.logMessage(1, { direction: "in", type: "text", text: `${"y".repeat(1999)}😀tail`, key: "m2" });
      const [long, emoji] = await store.messages(1);
      expect(long?.text).toBe("x".repeat(2000));
      expect(emoji?.text).toBe("y".repeat(1999));
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

    it("computes funnel stats as customers who ever reached each stage", async () => {
      const { store, runtime } = await setup();
      await runtime.dispatch(1, { type: "start", key: "1" });
      await runtime.dispatch(2, { type: "catalog_view", key: "2" });
      await runtime.dispatch(3, { type: "add_to_cart", productId: "p", qty: 1, key: "3" });
      await runtime.dispatch(4, { type: "order_created", orderId: "A", total: 1, currency: "RUB", key: "4" });
      await runtime.dispatch(4, { type: "catalog_view", key: "4b" });
      const funnel = await store.funnel();
      expect(funnel.total).toBe(4);
      expect(funnel.steps.map((step) => [step.stage, step.current, step.reached])).toEqual([
        ["new", 1, 4],
        ["engaged", 1, 3],
        ["cart", 1, 2],
        ["checkout", 0, 1],
        ["customer", 1, 1],
        ["repeat", 0, 0],
      ]);
      expect(funnel.steps[2]).toMatchObject({ fromPrevious: 0.6667, fromNew: 0.5 });
      expect(funnel.steps[5]).toMatchObject({ fromPrevious: 0, fromNew: 0 });
    });

    it("lists recent leads, the most recently seen first, with pages", async () => {
      const { store, runtime, clock } = await setup();
      for (let user = 1; user <= 5; user++) {
        clock.advance(1_000);
        await runtime.dispatch(user, { type: "start", key: `s${user}` });
      }
      clock.advance(1_000);
      await runtime.dispatch(2, { type: "catalog_view", key: "again" });
      const first = await store.recentLeads({ limit: 2 });
      expect(first.items.map((lead) => lead.userId)).toEqual([2, 5]);
      expect(first.hasMore).toBe(true);
      const last = await store.recentLeads({ offset: 4, limit: 2 });
      expect(last.items.map((lead) => lead.userId)).toEqual([1]);
      expect(last.hasMore).toBe(false);
    });

    it("searches by user id, username, phone, notes and tags, folding case in Cyrillic too", async () => {
      const { store, runtime } = await setup();
      await runtime.dispatch(101, { type: "start", username: "Ivan_Petrov", key: "a" });
      await runtime.dispatch(102, { type: "contact_shared", phone: "+7 (999) 123-45-67", key: "b" });
      await runtime.addNote(103, "Иван просил перезвонить", "c");
      await runtime.dispatch(104, { type: "tags_changed", added: ["оптовик"], key: "d" });
      const ids = async (query: string) => (await store.search(query)).items.map((lead) => lead.userId);
      expect(await ids("102")).toEqual([102]);
      expect(await ids("ivan")).toEqual([101]);
      expect(await ids("@ivan_petrov")).toEqual([101]);
      expect(await ids("иван")).toEqual([103]);
      expect(await ids("ИВАН ПЕРЕЗВОН")).toEqual([103]);
      expect(await ids("+79991234567")).toEqual([102]);
      expect(await ids("4567")).toEqual([102]);
      expect(await ids("ОПТОВИК")).toEqual([104]);
      expect(await ids("ivan_petrov")).toEqual([101]);
      await runtime.addNote(105, "Оптовый заказ, café на Арбате", "e");
      await runtime.dispatch(106, { type: "start", username: "smirnov740", key: "f" });
      expect(await ids("оптовый")).toEqual([105]);
      expect(await ids("cafe арбат")).toEqual([105]);
      expect(await ids("Café")).toEqual([105]);
      expect(await ids("smirnov")).toEqual([106]);
      expect(await ids("smirnov740")).toEqual([106]);
      expect(await ids("smirnov74")).toEqual([106]);
      expect(await ids("nobody")).toEqual([]);
      expect(await ids("   ")).toEqual([]);
      expect(await ids('"; DROP TABLE crm_leads; --')).toEqual([]);
    });

    it("finds a lead by id", async () => {
      const { store, runtime } = await setup();
      expect(await store.lead(5)).toBeNull();
      await runtime.dispatch(5, { type: "start", source: "friend", username: "olga", key: "s" });
      expect(await store.lead(5)).toMatchObject({ userId: 5, username: "olga", source: "friend", stage: "new", tags: [], notes: [] });
    });

    it("adds notes with a timestamp and toggles tags, each as an event", async () => {
      const { store, runtime, clock } = await setup();
      await runtime.dispatch(1, { type: "start", key: "s" });
      clock.advance(5_000);
      await runtime.addNote(1, "  wants a discount ", "n1");
      await runtime.toggleTag(1, "VIP", "t1");
      await runtime.toggleTag(1, "wholesale", "t2");
      await runtime.toggleTag(1, "vip", "t3");
      const lead = await store.lead(1);
      expect(lead?.notes).toEqual([{ at: at("2026-01-27T10:00:05Z"), text: "wants a discount" }]);
      expect(lead?.tags).toEqual(["wholesale"]);
      expect((await store.events(1)).map((event) => event.type)).toEqual(["start", "note_added", "tags_changed", "tags_changed", "tags_changed"]);
      await expect(runtime.addNote(1, "   ", "n2")).rejects.toThrow(/empty/);
      await expect(runtime.toggleTag(1, "no spaces allowed", "t4")).rejects.toThrow(/tag/);
    });

    it("summarises orders for a period", async () => {
      const { store, runtime, clock } = await setup();
      await runtime.dispatch(1, { type: "order_created", orderId: "A-1", total: 100, currency: "RUB", key: "1" });
      clock.advance(1_000);
      await runtime.dispatch(2, { type: "order_created", orderId: "A-2", total: 250, currency: "RUB", key: "2" });
      clock.advance(86_400_000);
      await runtime.dispatch(1, { type: "order_created", orderId: "A-3", total: 1, currency: "RUB", key: "3" });
      const from = at("2026-01-27T00:00:00Z");
      const summary = await store.ordersSummary({ from, to: from + 86_400_000 });
      // Placed without a payment method, as every order was before orders were actors: no order actor
      // will ever move them, so they count as revenue at once, as the customers' lifetime value counts them.
      expect(summary).toMatchObject({ count: 2, byStatus: { placed: 2 }, revenue: 350, average: 175 });
      expect(summary.latest.map((order) => order.orderId)).toEqual(["A-2", "A-1"]);
      expect(summary.latest[0]).toMatchObject({ userId: 2, total: 250, currency: "RUB" });
      await store.transact((tx) => tx.updateOrder("A-1", { status: "delivered", deliveredAt: clock.now() }));
      await store.transact((tx) => tx.updateOrder("A-2", { status: "paid", paidAt: clock.now() }));
      expect(await store.ordersSummary({ from, to: from + 86_400_000 })).toMatchObject({ count: 2, byStatus: { paid: 1, delivered: 1 }, revenue: 350, average: 175 });
    });

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

    it("finds a lead by the name Telegram gives", async () => {
      const { store, runtime } = await setup();
      await runtime.dispatch(21, { type: "start", name: "Мария Кузнецова", key: "a" });
      await runtime.dispatch(22, { type: "start", username: "maria_k", key: "b" });
      expect((await store.lead(21))?.name).toBe("Мария Кузнецова");
      expect((await store.search("кузнецова")).items.map((lead) => lead.userId)).toEqual([21]);
      expect((await store.search("мария кузн")).items.map((lead) => lead.userId)).toEqual([21]);
    });

    it("stores orders and lists a customer's orders, the newest first, with pages", async () => {
      const { dir, store } = await setup();
      const t = at("2026-01-27T10:00:00Z");
      const orders = [anOrder("SO-1", 1, t), anOrder("SO-2", 1, t + 2_000), anOrder("SO-3", 1, t + 1_000), anOrder("SO-4", 1, t + 2_000), anOrder("SO-5", 2, t)];
      await store.transact((tx) => orders.slice(0, 2).forEach((order) => tx.saveOrder(order)));
      await store.transact((tx) => orders.slice(2).forEach((order) => tx.saveOrder(order)));
      const first = await store.orders(1, { limit: 2 });
      expect(first.items.map((order) => order.orderId)).toEqual(["SO-4", "SO-2"]);
      expect(first).toMatchObject({ offset: 0, limit: 2, hasMore: true });
      const rest = await store.orders(1, { offset: 2, limit: 2 });
      expect(rest.items.map((order) => order.orderId)).toEqual(["SO-3", "SO-1"]);
      expect(rest.hasMore).toBe(false);
      expect((await store.orders(1)).items).toHaveLength(4);
      expect(await store.orders(99)).toEqual({ items: [], offset: 0, limit: 10, hasMore: false });
      expect(await store.order("SO-3")).toEqual(orders[2]);
      expect(await store.order("SO-404")).toBeNull();

      await store.close();
      stores.splice(stores.indexOf(store), 1);
      const again = await setup({ dir });
      expect(await again.store.order("SO-5")).toEqual(orders[4]);
      expect((await again.store.orders(1)).items.map((order) => order.orderId)).toEqual(["SO-4", "SO-2", "SO-3", "SO-1"]);
    });

    it("refuses an order id already stored, and keeps nothing of that unit of work", async () => {
      const { dir, store } = await setup();
      const t = at("2026-01-27T10:00:00Z");
      await store.transact((tx) => tx.saveOrder(anOrder("SO-1", 1, t)));
      const event = { userId: 1, type: "catalog_view", payload: "{}", at: t, key: "kept-or-not" } as const;
      await expect(
        store.transact((tx) => {
          tx.appendEvent(event);
          tx.saveOrder(anOrder("SO-1", 1, t + 1, 999));
        }),
      ).rejects.toThrow(/SO-1 is already stored/);
      await expect(store.transact((tx) => [anOrder("SO-2", 1, t), anOrder("SO-2", 1, t)].forEach((order) => tx.saveOrder(order)))).rejects.toThrow(
        /SO-2 is already stored/,
      );
      const [racing, late] = await Promise.allSettled([
        store.transact((tx) => tx.saveOrder(anOrder("SO-3", 1, t))),
        store.transact((tx) => tx.saveOrder(anOrder("SO-3", 2, t))),
      ]);
      expect(racing.status).toBe("fulfilled");
      expect(late.status).toBe("rejected");
      expect(await store.events(1)).toEqual([]);
      expect(await store.order("SO-1")).toEqual(anOrder("SO-1", 1, t));
      expect(await store.order("SO-2")).toBeNull();
      expect((await store.order("SO-3"))?.userId).toBe(1);

      await store.close();
      stores.splice(stores.indexOf(store), 1);
      const again = await setup({ dir });
      expect((await again.store.orders(1)).items.map((order) => order.orderId)).toEqual(["SO-3", "SO-1"]);
      expect(await again.store.transact((tx) => tx.appendEvent(event))).toEqual(expect.any(Number));
    });

    it("erases a customer's personal data, keeps the facts, and leaves no trace in any file after a reopen", async () => {
      const { dir, store, runtime } = await setup();
      const order = await seedPersonalData(runtime, store);
      await runtime.dispatch(8, { type: "start", username: "olga_keeps", key: "8:start" });
      await runtime.dispatch(8, { type: "consent_given", version: "v1", key: "8:consent" });
      await runtime.dispatch(8, { type: "contact_shared", phone: "+78880001122", key: "8:contact" });
      await runtime.logMessage(8, { direction: "in", type: "text", text: "olga stays", key: "8:m" });
      const ids = async (query: string) => (await store.search(query)).items.map((lead) => lead.userId);
      expect(await ids("ivan_secret")).toEqual([7]);
      expect(await ids("secretov")).toEqual([7]);
      expect(traces(dir, personalTraces)).not.toEqual([]);

      await store.transact((tx) => tx.erasePersonalData(7));
      const erased = await runtime.dispatch(7, { type: "data_erased", key: "7:forget" });
      expect(erased.stage).toBe("customer");

      expect(await store.messages(7)).toEqual([]);
      expect(await store.messagesCount(7)).toBe(0);
      expect(Object.fromEntries((await store.events(7)).map((event) => [event.type, event.payload]))).toEqual({
        start: { source: "ads" },
        consent_given: { version: "v1" },
        message_in: { messageType: "text", chars: 33 },
        message_out: { messageType: "ai_response", chars: 31 },
        search: { query: "" },
        checkout_started: {},
        contact_shared: { phone: "" },
        delivery_given: { text: "" },
        note_added: { text: "" },
        tags_changed: {},
        order_created: { orderId: "SO-7A", total: 1980, currency: "RUB", items: order.items },
        data_erased: {},
      });
      expect(await store.order("SO-7A")).toEqual({ ...order, phone: null, delivery: null });
      const lead = await store.lead(7);
      expect(lead).toMatchObject({ stage: "customer", ordersCount: 1, lifetimeValue: 1980, lastOrderId: "SO-7A", source: "ads" });
      expect(lead).toMatchObject({ username: null, name: null, phone: null, notes: [], tags: [], consentAt: null, erasedAt: expect.any(Number) });
      for (const query of ["ivan_secret", "secretov", "+79991234567", "1234567", "zamoskvorechye", "quartzfan"]) expect(await ids(query)).toEqual([]);
      expect(await ids("olga_keeps")).toEqual([8]);
      expect(await ids("+78880001122")).toEqual([8]);
      expect((await store.messages(8)).map((message) => message.text)).toEqual(["olga stays"]);
      expect(traces(dir, personalTraces)).toEqual([]);

      await runtime.close();
      await store.close();
      stores.splice(stores.indexOf(store), 1);
      const again = await setup({ dir });
      expect(await again.store.lead(7)).toEqual(lead);
      const fromLog = replayLog(7, again.store.loadEvents(7));
      expect(fromLog.value).toMatchObject({ funnel: "customer" });
      expect(fromLog.context).toMatchObject({ username: null, name: null, phone: null, notes: [], tags: [], ordersCount: 1, lifetimeValue: 1980 });
      expect(await again.store.messages(7)).toEqual([]);
      expect((await again.store.order("SO-7A"))?.delivery).toBeNull();
      await again.runtime.close();
      await again.store.close();
      stores.splice(stores.indexOf(again.store), 1);
      expect(traces(dir, personalTraces)).toEqual([]);
    });

    it("places an order with its event exactly once, and forgets in one unit through the runtime", async () => {
      const { dir, store, runtime } = await setup();
      await runtime.dispatch(7, { type: "checkout_started", key: "7:checkout" });
      await runtime.dispatch(7, { type: "contact_shared", phone: "+79991234567", key: "7:contact" });
      await runtime.dispatch(7, { type: "delivery_given", text: "Lenina street 5", key: "7:delivery" });
      const input = { type: "order_created", orderId: "SO-1", items: [{ productId: "p1", title: "Пуэр", price: 990, qty: 1 }], total: 990, currency: "RUB", key: "7:o1" } as const;
      const placed = await runtime.dispatch(7, input);
      expect(await runtime.dispatch(7, input)).toEqual({ ...placed, duplicate: true });
      await expect(runtime.dispatch(7, { ...input, key: "7:o2" })).rejects.toThrow(/SO-1 is already stored/);
      expect((await store.events(7, { types: ["order_created"] })).map((event) => event.key)).toEqual(["7:o1"]);
      const { key: _key, type: _type, ...ordered } = input;
      expect((await store.orders(7)).items).toEqual([{ ...orderJustPlaced, ...ordered, phone: "+79991234567", delivery: "Lenina street 5", userId: 7, at: at("2026-01-27T10:00:00Z") }]);

      expect((await runtime.forget(7, "7:forget")).stage).toBe("customer");
      expect(traces(dir, ["79991234567", "lenina"])).toEqual([]);
      expect(await store.lead(7)).toMatchObject({ phone: null, ordersCount: 1, lifetimeValue: 990, erasedAt: at("2026-01-27T10:00:00Z") });
      expect(await store.order("SO-1")).toMatchObject({ phone: null, delivery: null, total: 990 });
    });

    it("erases inside the unit of work: in order with its other writes, and not at all if the unit fails", async () => {
      const { store, runtime } = await setup();
      await runtime.dispatch(7, { type: "consent_given", version: "v1", key: "c" });
      await runtime.logMessage(7, { direction: "in", type: "text", text: "before", key: "m" });
      await runtime.dispatch(7, { type: "contact_shared", phone: "+70000000002", key: "phone-committed" });
      await expect(
        store.transact((tx) => {
          tx.erasePersonalData(7);
          throw new Error("the unit fails");
        }),
      ).rejects.toThrow("the unit fails");
      expect((await store.messages(7)).map((message) => message.text)).toEqual(["before"]);
      expect((await store.events(7, { types: ["contact_shared"] }))[0]?.payload).toEqual({ phone: "+70000000002" });

      const t = at("2026-01-27T11:00:00Z");
      await store.transact((tx) => {
        tx.appendEvent({ userId: 7, type: "contact_shared", payload: JSON.stringify({ phone: "+70000000001" }), at: t, key: "phone-before" });
        tx.appendMessage({ userId: 7, direction: "in", type: "text", text: "in the unit", at: t });
        tx.saveOrder({ ...anOrder("SO-9", 7, t), delivery: "before the erasure" });
        tx.erasePersonalData(7);
        tx.appendEvent({ userId: 7, type: "note_added", payload: JSON.stringify({ text: "after the erasure" }), at: t, key: "note-after" });
        tx.appendMessage({ userId: 7, direction: "in", type: "text", text: "after", at: t });
        expect(tx.eventByKey("phone-before")?.payload).toEqual({ phone: "" });
        expect(tx.eventByKey("phone-committed")?.payload).toEqual({ phone: "" });
      });
      expect((await store.events(7, { types: ["contact_shared", "note_added"] })).map((event) => event.payload)).toEqual([
        { phone: "" },
        { phone: "" },
        { text: "after the erasure" },
      ]);
      expect((await store.messages(7)).map((message) => message.text)).toEqual(["after"]);
      expect((await store.order("SO-9"))?.delivery).toBeNull();
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

    describe("the Sheets mirror's outbox", () => {
      const t0 = at("2026-01-27T10:00:00Z");
      const lead = (ref: number, version: number, queuedAt: number): MirrorItem => ({ kind: "lead", ref: String(ref), version, queuedAt });
      const order = (ref: string, version: number, queuedAt: number): MirrorItem => ({ kind: "order", ref, version, queuedAt });
      /** An order as the machine places it: `order_created` with its lines, whose `recordOrder` saves the order in the same unit. */
      const placing = (orderId: string, key: string) =>
        ({ type: "order_created", orderId, items: [{ productId: "p1", title: "Пуэр", price: 990, qty: 1 }], total: 990, currency: "RUB", key }) as const;
      /** Completes everything pending, as a mirror that caught up would. */
      async function drained(store: CrmStore): Promise<void> {
        await store.completeMirror([...(await store.pendingMirror("lead", 1_000)), ...(await store.pendingMirror("order", 1_000))]);
        expect(await store.pendingMirrorCount()).toEqual({ leads: 0, orders: 0 });
      }

      it("queues the lead with every dispatch and the order with the event that placed it, in the same unit of work", async () => {
        const { store, runtime, clock } = await setup();
        expect(await store.pendingMirrorCount()).toEqual({ leads: 0, orders: 0 });
        await runtime.dispatch(1, { type: "start", key: "1:start" });
        expect(await store.pendingMirror("lead", 10)).toEqual([lead(1, 1, t0)]);
        clock.advance(1_000);
        await runtime.dispatch(1, placing("SO-1", "1:order"));
        expect(await store.pendingMirror("lead", 10)).toEqual([lead(1, 2, t0)]);
        expect(await store.pendingMirror("order", 10)).toEqual([order("SO-1", 1, t0 + 1_000)]);
        expect(await store.pendingMirrorCount()).toEqual({ leads: 1, orders: 1 });
      });

      it("coalesces ten changes to one customer into one item whose version counts them, queued at the first", async () => {
        const { store, runtime, clock } = await setup();
        for (let i = 0; i < 10; i++) {
          await runtime.dispatch(3, { type: "product_view", productId: `p${i}`, key: `3:view:${i}` });
          clock.advance(60_000);
        }
        expect(await store.pendingMirror("lead", 10)).toEqual([lead(3, 10, t0)]);
        expect(await store.pendingMirrorCount()).toEqual({ leads: 1, orders: 0 });
      });

      it("keeps an item that changed after the mirror read it, at its newer version, and takes a completion twice", async () => {
        const { store, runtime } = await setup();
        await runtime.dispatch(1, { type: "start", key: "1:start" });
        await runtime.dispatch(2, { type: "start", key: "2:start" });
        await runtime.dispatch(2, placing("SO-2", "2:order"));
        const read = [...(await store.pendingMirror("lead", 10)), ...(await store.pendingMirror("order", 10))];
        expect(read).toEqual([lead(1, 1, t0), lead(2, 2, t0), order("SO-2", 1, t0)]);
        await runtime.dispatch(2, { type: "catalog_view", key: "2:catalog" });
        await store.completeMirror(read);
        expect(await store.pendingMirror("lead", 10)).toEqual([lead(2, 3, t0)]);
        expect(await store.pendingMirror("order", 10)).toEqual([]);
        await store.completeMirror(read);
        await store.completeMirror([]);
        expect(await store.pendingMirror("lead", 10)).toEqual([lead(2, 3, t0)]);
        await store.completeMirror([lead(2, 3, t0), lead(2, 3, t0), lead(99, 1, t0)]);
        expect(await store.pendingMirrorCount()).toEqual({ leads: 0, orders: 0 });
      });

      it("hands out the oldest queued first, ties in the order queued, at most the limit", async () => {
        const { store, runtime, clock } = await setup();
        for (const user of [3, 1, 2]) await runtime.dispatch(user, { type: "start", key: `${user}:start` });
        clock.advance(1_000);
        await runtime.dispatch(1, { type: "catalog_view", key: "1:catalog" });
        await runtime.dispatch(4, { type: "start", key: "4:start" });
        expect(await store.pendingMirror("lead", 10)).toEqual([lead(3, 1, t0), lead(1, 2, t0), lead(2, 1, t0), lead(4, 1, t0 + 1_000)]);
        expect(await store.pendingMirror("lead", 2)).toEqual([lead(3, 1, t0), lead(1, 2, t0)]);
        expect(await store.pendingMirror("lead", 0)).toEqual([]);

        await store.completeMirror([lead(3, 1, t0)]);
        clock.advance(1_000);
        await runtime.dispatch(3, { type: "catalog_view", key: "3:catalog" });
        expect((await store.pendingMirror("lead", 10)).map((item) => item.ref)).toEqual(["1", "2", "4", "3"]);
        clock.advance(1_000);
        for (const orderId of ["SO-B", "SO-A"]) await runtime.dispatch(5, placing(orderId, `5:${orderId}`));
        expect((await store.pendingMirror("order", 1)).map((item) => item.ref)).toEqual(["SO-B"]);
        expect((await store.pendingMirror("order", 5)).map((item) => item.ref)).toEqual(["SO-B", "SO-A"]);
      });

      it("queues nothing for a unit of work that rolls back", async () => {
        const { store, runtime } = await setup();
        await runtime.dispatch(1, { type: "start", key: "1:start" });
        await runtime.dispatch(1, placing("SO-1", "1:order"));
        await drained(store);
        const saved = await store.lead(1);
        if (!saved) throw new Error("lead 1 missing");
        await expect(
          store.transact((tx) => {
            tx.saveActor({ lead: { ...saved, userId: 2 }, snapshot: "{}", machineVersion: customerMachineVersion, lastSeq: 0, previousStage: null });
            tx.saveOrder(anOrder("SO-2", 2, t0));
            throw new Error("the unit fails");
          }),
        ).rejects.toThrow("the unit fails");
        await expect(runtime.dispatch(1, placing("SO-1", "1:order-again"))).rejects.toThrow(/SO-1 is already stored/);
        expect(await store.pendingMirrorCount()).toEqual({ leads: 0, orders: 0 });
        expect(await store.pendingMirror("lead", 10)).toEqual([]);
      });

      it("queues nothing new for a redelivered event or order", async () => {
        const { store, runtime } = await setup();
        await runtime.dispatch(1, { type: "start", key: "1:start" });
        await runtime.dispatch(1, placing("SO-1", "1:order"));
        await drained(store);
        expect((await runtime.dispatch(1, { type: "start", key: "1:start" })).duplicate).toBe(true);
        expect((await runtime.dispatch(1, placing("SO-1", "1:order"))).duplicate).toBe(true);
        expect(await store.pendingMirrorCount()).toEqual({ leads: 0, orders: 0 });
      });

      it("queues the lead on /forget, so that the mirror blanks its row", async () => {
        const { store, runtime, clock } = await setup();
        await runtime.dispatch(7, { type: "contact_shared", phone: "+79991234567", key: "7:contact" });
        await drained(store);
        clock.advance(5_000);
        await runtime.forget(7, "7:forget");
        expect(await store.pendingMirror("lead", 10)).toEqual([lead(7, 1, t0 + 5_000)]);
        expect(await store.lead(7)).toMatchObject({ phone: null });
      });

      it("queues every lead and order again on enqueueAll, bumping those still pending, and counts them", async () => {
        const { store, runtime, clock } = await setup();
        expect(await store.enqueueAllForMirror()).toBe(0);
        for (const user of [2, 1, 3]) {
          await runtime.dispatch(user, { type: "start", key: `${user}:start` });
          clock.advance(1_000);
        }
        await runtime.dispatch(1, placing("SO-1", "1:order"));
        await runtime.dispatch(3, placing("SO-3", "3:order"));
        const pending = await store.pendingMirror("lead", 10);
        await store.completeMirror([...pending.filter((item) => item.ref !== "1"), ...(await store.pendingMirror("order", 10))]);
        expect(await store.pendingMirror("lead", 10)).toEqual([lead(1, 2, t0 + 1_000)]);

        clock.advance(60_000);
        const now = clock.now();
        expect(await store.enqueueAllForMirror()).toBe(5);
        expect(await store.pendingMirror("lead", 10)).toEqual([lead(1, 3, t0 + 1_000), lead(2, 1, now), lead(3, 1, now)]);
        expect(await store.pendingMirror("order", 10)).toEqual([order("SO-1", 1, now), order("SO-3", 1, now)]);
        expect(await store.pendingMirrorCount()).toEqual({ leads: 3, orders: 2 });
        expect(await store.enqueueAllForMirror()).toBe(5);
        expect((await store.pendingMirror("order", 10)).map((item) => item.version)).toEqual([2, 2]);
      });

      it("keeps pending items, their versions and completions across /forget and a reopen, and queues after them", async () => {
        const { dir, store, runtime, clock } = await setup();
        for (const user of [1, 2, 3]) await runtime.dispatch(user, { type: "contact_shared", phone: `+7999000000${user}`, key: `${user}:contact` });
        await runtime.dispatch(2, placing("SO-2", "2:order"));
        await store.completeMirror([lead(1, 1, t0)]);
        clock.advance(1_000);
        await runtime.dispatch(3, { type: "catalog_view", key: "3:catalog" });
        await runtime.forget(2, "2:forget");
        const leads = await store.pendingMirror("lead", 10);
        const orders = await store.pendingMirror("order", 10);
        expect(leads).toEqual([lead(2, 3, t0), lead(3, 2, t0)]);
        expect(orders).toEqual([order("SO-2", 1, t0)]);

        await runtime.close();
        await store.close();
        stores.splice(stores.indexOf(store), 1);
        const again = await setup({ dir });
        expect(await again.store.pendingMirror("lead", 10)).toEqual(leads);
        expect(await again.store.pendingMirror("order", 10)).toEqual(orders);
        // The reopened clock starts at t0 again: a new item ties on time and goes after the old ones.
        await again.runtime.dispatch(1, { type: "catalog_view", key: "1:catalog" });
        expect((await again.store.pendingMirror("lead", 10)).map((item) => item.ref)).toEqual(["2", "3", "1"]);
        await again.store.completeMirror(leads);
        expect(await again.store.pendingMirror("lead", 10)).toEqual([lead(1, 1, t0)]);
      });
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
  });
  durableQueuesContract(name, openStore, traces);
  catalogContract(name, openStore);
  orderActorsContract(name, openStore, traces);
}
