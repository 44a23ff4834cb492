import { describe, expect, it } from "vitest";
import type { Told } from "../../testing/crashCustomers.ts";
import { doubledCartItems, lateAnswers, moveNotices, orderProblems, ownerProblems, stageProblems, type PgStoreView, type TimedEvent } from "./pgCrashStore.ts";

const event = (seq: number, userId: number, type: string, key: string, ts: number, payload: Record<string, unknown> = {}): TimedEvent => ({ seq, userId, type, key, ts, payload });

function view(events: TimedEvent[], more: Partial<PgStoreView> = {}): PgStoreView {
  return { events, carts: new Map(), orders: [], timers: [], effects: [], stages: new Map(), actorEvents: [], ...more };
}

const told = (userId: number, what: string, key: string, added?: Told["added"]): Told => ({ userId, what, text: what, updateId: 1, key, ...(added ? { added } : {}) });

describe("the three-process test's checks of a PostgreSQL store", () => {
  it("finds an event applied before one the customer did first, a time that goes back, and a key twice; a log in order passes", () => {
    const inOrder = view([event(1, 7, "catalog_view", "k1", 100), event(2, 8, "catalog_view", "x1", 90), event(3, 7, "catalog_view", "k2", 100)]);
    const acts = [told(7, "first", "k1"), told(8, "other", "x1"), told(7, "second", "k2")];
    expect(orderProblems(acts, inOrder)).toEqual([]);
    const swapped = view([event(1, 7, "catalog_view", "k2", 100), event(2, 7, "catalog_view", "k1", 101)]);
    expect(orderProblems(acts, swapped)).toEqual(["customer 7: second (seq 1) was applied before first (seq 2), which the customer did first"]);
    const backwards = view([event(1, 7, "catalog_view", "k1", 100), event(2, 7, "catalog_view", "k2", 99)]);
    expect(orderProblems(acts, backwards)).toEqual(["customer 7: catalog_view (seq 2, k2) is stamped 1 ms before catalog_view (seq 1, k1), which precedes it in the log"]);
    const twice = view([event(1, 7, "catalog_view", "k1", 100), event(2, 7, "catalog_view", "k1", 100)]);
    expect(orderProblems([], twice)).toEqual(["key k1 is in the log 2 times"]);
  });

  it("finds items the store holds more of than the customer was told of, leaving out customers who erased their data", () => {
    const acts = [told(7, "add", "a1", { productId: "tea", count: 1, epoch: 0 }), told(7, "add", "a2", { productId: "tea", count: 2, epoch: 0 }), told(7, "add", "a3", { productId: "tea", count: 1, epoch: 1 })];
    const exact = view([], { carts: new Map([[7, new Map([["tea", 1]])]]), orders: [{ orderId: "SO-1", userId: 7, items: new Map([["tea", 2]]) }] });
    expect(doubledCartItems(acts, exact, new Set())).toEqual([]);
    const doubled = view([], { carts: new Map([[7, new Map([["tea", 2]])]]), orders: [{ orderId: "SO-1", userId: 7, items: new Map([["tea", 2]]) }] });
    expect(doubledCartItems(acts, doubled, new Set())).toEqual(["customer 7 was told of 3 × tea in all, and the store holds 4 (cart 2, orders 2)"]);
    expect(doubledCartItems(acts, doubled, new Set([7]))).toEqual([]);
  });

  it("finds a stage that differs from a replay of the log, and a log without a lead row", () => {
    const log = [event(1, 7, "catalog_view", "v", 100), event(2, 7, "add_to_cart", "a", 101, { productId: "tea", qty: 1 })];
    expect(stageProblems(view(log, { stages: new Map([[7, "cart"]]) }))).toEqual([]);
    expect(stageProblems(view(log, { stages: new Map([[7, "checkout"]]) }))).toEqual(["customer 7: crm_leads.stage is checkout, a replay of the log gives cart"]);
    expect(stageProblems(view(log))).toEqual(["customer 7 has events and no lead row"]);
  });

  it("finds an owner's confirmed move missing from the order's log, and a move logged twice", () => {
    const moves = [{ orderId: "SO-1", move: "marked_paid" as const, text: "✅ Заказ SO-1 отмечен оплаченным." }];
    const placed = { seq: 1, actor: "order:SO-1", type: "order_placed", key: "p", ts: 1 };
    const paid = { seq: 2, actor: "order:SO-1", type: "marked_paid", key: "m", ts: 2 };
    expect(ownerProblems(moves, view([], { actorEvents: [placed, paid] }))).toEqual([]);
    expect(ownerProblems(moves, view([], { actorEvents: [placed] }))).toEqual(['the owner was told "✅ Заказ SO-1 отмечен оплаченным.", and the log of SO-1 has no marked_paid']);
    expect(ownerProblems([], view([], { actorEvents: [placed, paid, { ...paid, seq: 3, key: "m2" }] }))).toEqual(["order:SO-1 marked_paid is in the order's log 2 times"]);
  });

  it("takes as late only an answer after its question's timeout whose AI call was redelivered after a kill, and names a customer told \"too slow\" more often than that", () => {
    const timeout = "xstate.after.consultantTimeout.customer.consultant.thinking";
    const log = [
      event(1, 7, "question_asked", "q1", 100),
      event(2, 7, timeout, "t:customer:7:1:c", 120),
      event(3, 7, "consultant_answered", "e:customer:7:1:0:done", 140, { text: "A1" }),
      event(4, 7, "question_asked", "q2", 150),
      event(5, 7, "consultant_answered", "e:customer:7:4:0:done", 160, { text: "A2" }),
    ];
    const bothRedelivered = new Set(["e:customer:7:1:0", "e:customer:7:4:0"]);
    expect(lateAnswers(view(log), bothRedelivered, new Map([[7, 1]]))).toEqual({ keys: new Set(["e:customer:7:1:0:done"]), problems: [] });
    expect(lateAnswers(view(log), new Set(), new Map([[7, 1]]))).toEqual({ keys: new Set(), problems: ['customer 7 was told "too slow" 1 time(s), and only 0 of their AI calls were in flight at a kill'] });
  });

  it("finds an owner's move the customer never heard of, and a notice seen twice beyond what was in flight at a kill", () => {
    const orders = [{ orderId: "SO-1", userId: 7, items: new Map() }];
    const actorEvents = [{ seq: 1, actor: "order:SO-1", type: "marked_paid", key: "m", ts: 1 }, { seq: 2, actor: "order:SO-1", type: "shipped", key: "s", ts: 2 }];
    const store = view([], { orders, actorEvents });
    const told = ["💳 Заказ SO-1 оплачен. Спасибо!", "🚚 Заказ SO-1 отправлен.", "💳 Заказ SO-12 оплачен. Спасибо!"];
    expect(moveNotices(store, () => told, [])).toEqual({ undelivered: [], duplicates: 0, unbounded: [] });
    expect(moveNotices(store, () => told.slice(1), [])).toEqual({ undelivered: ['customer 7 was never told "💳 Заказ SO-1 оплачен"'], duplicates: 0, unbounded: [] });
    const twice = [...told, "🚚 Заказ SO-1 отправлен."];
    expect(moveNotices(store, () => twice, [{ key: "e:order:SO-1:2:0", type: "notifyCustomerOfOrder" }])).toEqual({ undelivered: [], duplicates: 1, unbounded: [] });
    expect(moveNotices(store, () => twice, [])).toEqual({ undelivered: [], duplicates: 1, unbounded: ['customer 7 was told "🚚 Заказ SO-1 отправлен" 2 times, and only 0 of its order\'s notices were in flight at a kill'] });
  });
});
