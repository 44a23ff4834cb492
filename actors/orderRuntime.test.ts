import { afterEach, describe, expect, it } from "vitest";
import { orderReasons } from "../machines/order.types.ts";
import { InvalidEventError } from "./customerRuntime.ts";
import { hour, minute, openOrderWorld, storeKinds, t0, type OrderWorld } from "./fixtures/orderWorld.ts";

describe.each(storeKinds)("%s: order runtime: orders as durable actors", (kind) => {
  const worlds: OrderWorld[] = [];
  afterEach(async () => {
    for (const world of worlds.splice(0)) {
      await world.close();
      world.remove();
    }
  });

  async function world(options: Parameters<typeof openOrderWorld>[0] = {}): Promise<OrderWorld> {
    const opened = await openOrderWorld({ kind, ...options });
    worlds.push(opened);
    return opened;
  }

  const ltv = async (w: OrderWorld, userId: number): Promise<number | undefined> => (await w.store.lead(userId))?.lifetimeValue;
  const logOf = (w: OrderWorld, orderId: string) => w.store.loadActorEvents(`order:${orderId}`).map((row) => row.type);

  it("takes a cash order from placed to shipped and delivered; the delivery settles it, and a day later the customer is asked for a rating once", async () => {
    const w = await world();
    await w.readyToConfirm(1, "tea", 2);
    await w.confirm(1, { orderId: "SO-C1", payment: "cash", qty: 2 });
    expect(await w.store.order("SO-C1")).toMatchObject({ status: "placed", payment: "cash", phone: "+79990001122", delivery: "Lenina 1" });
    expect(w.stockOf("tea")).toBe(8);
    expect(w.orders.view("SO-C1")).toMatchObject({ status: "placed", userId: 1, total: 1000, payment: "cash", invoice: null, placedAt: t0 });
    expect(await w.orders.send("SO-C1", { type: "shipped", by: "owner", tracking: "RU123", key: "o:1" })).toEqual({ kind: "applied", from: "placed", status: "shipped" });
    w.clock.advance(hour);
    expect(await w.orders.send("SO-C1", { type: "delivered", by: "owner", key: "o:2" })).toEqual({ kind: "applied", from: "shipped", status: "delivered" });
    await w.settle();
    expect(await ltv(w, 1)).toBe(1000);
    expect(await w.store.order("SO-C1")).toMatchObject({ status: "delivered", tracking: "RU123", deliveredAt: t0 + hour, paidAt: t0 + hour });
    expect(w.store.timersOf("order:SO-C1")).toMatchObject([{ dueAt: t0 + 25 * hour }]);
    w.clock.advance(24 * hour);
    await w.settle();
    await w.settle();
    expect(w.asked("askForRating")).toEqual([{ orderId: "SO-C1", userId: 1, language: "ru" }]);
    expect(await w.orders.send("SO-C1", { type: "rated", by: "customer", stars: 5, key: "r:1" })).toMatchObject({ kind: "applied" });
    expect(await w.orders.send("SO-C1", { type: "rated", by: "customer", stars: 4, key: "r:2" })).toEqual({ kind: "refused", status: "delivered" });
    expect(await w.store.order("SO-C1")).toMatchObject({ rating: 5 });
    expect(w.asked("notifyCustomerOfOrder").map((notice) => [notice["status"], notice["tracking"]])).toEqual([["shipped", "RU123"], ["delivered", null]]);
    expect(w.orders.view("SO-C1")?.moves.map((move) => `${move.status}:${move.by}`)).toEqual(["placed:customer", "shipped:owner", "delivered:owner"]);
  });

  it("takes a Stars order from awaiting payment to paid, shipped, delivered and refunded; the lifetime value counts it only while it is paid", async () => {
    const w = await world();
    await w.readyToConfirm(2);
    await w.confirm(2, { orderId: "SO-S1", payment: "stars" });
    await w.settle();
    expect(w.asked("sendInvoice")).toMatchObject([{ orderId: "SO-S1", payment: "stars", invoice: { currency: "XTR", amount: 280 } }]);
    expect(await ltv(w, 2)).toBe(0);
    expect(await w.orders.send("SO-S1", { type: "payment_received", by: "payment", chargeId: "ch-1", amount: 280, currency: "XTR", key: "pay:ch-1" })).toEqual({ kind: "applied", from: "awaiting_payment", status: "paid" });
    expect(w.store.timersOf("order:SO-S1")).toEqual([]);
    await w.settle();
    expect(await ltv(w, 2)).toBe(500);
    await w.orders.send("SO-S1", { type: "shipped", by: "owner", key: "o:1" });
    await w.orders.send("SO-S1", { type: "delivered", by: "owner", key: "o:2" });
    await w.settle();
    expect(await ltv(w, 2)).toBe(500);
    expect(await w.orders.send("SO-S1", { type: "refund_requested", by: "owner", reason: "returned", key: "o:3" })).toEqual({ kind: "applied", from: "delivered", status: "refunding" });
    await w.settle();
    expect(w.asked("refundStarPayment")).toEqual([{ orderId: "SO-S1", userId: 2, chargeId: "ch-1", reason: "returned" }]);
    expect(await w.store.order("SO-S1")).toMatchObject({ status: "refunded", chargeId: "ch-1" });
    await w.settle();
    expect(await ltv(w, 2)).toBe(0);
    expect((await w.store.lead(2))?.ordersCount).toBe(1);
    expect(w.store.effectsCount()).toEqual({ pending: 0, failed: 0 });
  });

  it("cancels an unpaid order when its payment window closes, releasing its stock exactly once, and tells the customer why", async () => {
    const w = await world();
    await w.readyToConfirm(3, "tea", 3);
    await w.confirm(3, { orderId: "SO-T1", payment: "stars", qty: 3 });
    expect(w.stockOf("tea")).toBe(7);
    expect(w.store.timersOf("order:SO-T1")).toMatchObject([{ dueAt: t0 + 60 * minute }]);
    w.clock.advance(59 * minute);
    await w.settle();
    expect(await w.store.order("SO-T1")).toMatchObject({ status: "awaiting_payment" });
    w.clock.advance(minute);
    const [row] = w.store.timersOf("order:SO-T1");
    await w.settle();
    expect(await w.store.order("SO-T1")).toMatchObject({ status: "cancelled", cancelReason: orderReasons.paymentTimeout, cancelledAt: t0 + 60 * minute });
    expect(w.stockOf("tea")).toBe(10);
    if (!row) throw new Error("no payment timer");
    expect(await w.orders.fireTimer(row)).toEqual({ fired: false });
    expect(await w.orders.send("SO-T1", { type: "cancel_requested", by: "customer", key: "c:1" })).toEqual({ kind: "refused", status: "cancelled" });
    expect(w.stockOf("tea")).toBe(10);
    expect(w.asked("notifyCustomerOfOrder")).toEqual([{ orderId: "SO-T1", userId: 3, status: "cancelled", by: "timer", reason: orderReasons.paymentTimeout, tracking: null, language: "ru" }]);
    expect(logOf(w, "SO-T1")).toEqual(["order_placed", "xstate.after.paymentTimeout.order.awaiting_payment"]);
  });

  it("pays an order exactly once, keyed by the charge id: a redelivered payment is a duplicate, a second charge is refunded", async () => {
    const w = await world();
    await w.readyToConfirm(4);
    await w.confirm(4, { orderId: "SO-P1", payment: "stars" });
    const payment = { type: "payment_received", by: "payment", chargeId: "ch-1", amount: 280, currency: "XTR", key: "pay:ch-1" } as const;
    await w.orders.send("SO-P1", payment);
    expect(await w.orders.send("SO-P1", payment)).toEqual({ kind: "duplicate", status: "paid" });
    expect(await w.orders.send("SO-P1", { ...payment, chargeId: "ch-2", key: "pay:ch-2" })).toEqual({ kind: "applied", from: "paid", status: "paid" });
    await w.settle();
    expect(w.asked("refundStarPayment")).toEqual([{ orderId: "SO-P1", userId: 4, chargeId: "ch-2", reason: orderReasons.secondCharge }]);
    expect(await w.store.order("SO-P1")).toMatchObject({ status: "paid", chargeId: "ch-1" });
    expect(await ltv(w, 4)).toBe(500);
    expect(logOf(w, "SO-P1").filter((type) => type === "payment_received")).toHaveLength(2);
  });

  it("refunds a payment that arrives after the order was cancelled by its timer, and tells the customer why", async () => {
    const w = await world();
    await w.readyToConfirm(5);
    await w.confirm(5, { orderId: "SO-L1", payment: "stars" });
    w.clock.advance(61 * minute);
    await w.settle();
    expect(await w.orders.send("SO-L1", { type: "payment_received", by: "payment", chargeId: "late", amount: 280, currency: "XTR", key: "pay:late" })).toEqual({ kind: "applied", from: "cancelled", status: "cancelled" });
    await w.settle();
    expect(w.asked("refundStarPayment")).toEqual([{ orderId: "SO-L1", userId: 5, chargeId: "late", reason: orderReasons.lateCharge }]);
    expect(w.asked("notifyCustomerOfOrder").at(-1)).toMatchObject({ status: "cancelled", reason: orderReasons.lateCharge });
    expect(await w.store.order("SO-L1")).toMatchObject({ status: "cancelled", chargeId: null, paidAt: null });
    expect(w.stockOf("tea")).toBe(10);
    expect(await ltv(w, 5)).toBe(0);
  });

  it("refuses forged payments (a wrong amount, a wrong currency, an unknown order) and writes nothing", async () => {
    const w = await world();
    await w.readyToConfirm(6);
    await w.confirm(6, { orderId: "SO-F1", payment: "stars" });
    const before = { log: w.store.loadActorEvents("order:SO-F1"), row: await w.store.order("SO-F1"), state: w.store.loadActorState("order:SO-F1"), effects: w.store.effectsOf("order:SO-F1") };
    const forged = { type: "payment_received", by: "payment", chargeId: "f", amount: 280, currency: "XTR", key: "pay:f" } as const;
    expect(await w.orders.send("SO-F1", { ...forged, amount: 1 })).toEqual({ kind: "refused", status: "awaiting_payment" });
    expect(await w.orders.send("SO-F1", { ...forged, currency: "RUB" })).toEqual({ kind: "refused", status: "awaiting_payment" });
    expect(await w.orders.send("SO-NONE", forged)).toEqual({ kind: "unknown_order" });
    expect({ log: w.store.loadActorEvents("order:SO-F1"), row: await w.store.order("SO-F1"), state: w.store.loadActorState("order:SO-F1"), effects: w.store.effectsOf("order:SO-F1") }).toEqual(before);
    expect(w.store.loadActorEvents("order:SO-NONE")).toEqual([]);
    expect(await w.orders.send("SO-F1", forged)).toMatchObject({ kind: "applied", status: "paid" });
  });

  it("refuses a move by the wrong role, a runtime key, a placing or an unknown type, as caller bugs, before anything is queued", async () => {
    const w = await world();
    await w.readyToConfirm(7);
    await w.confirm(7, { orderId: "SO-R1", payment: "cash" });
    const cases = [
      w.orders.send("SO-R1", { type: "shipped", by: "customer", key: "x:1" }),
      w.orders.send("SO-R1", { type: "payment_received", by: "owner", chargeId: "c", amount: 1, currency: "XTR", key: "x:2" }),
      w.orders.send("SO-R1", { type: "shipped", by: "owner", key: "t:order:SO-R1:1:x" }),
      w.orders.send("SO-R1", { type: "shipped", by: "owner", key: "" }),
      w.orders.send("SO R1", { type: "shipped", by: "owner", key: "x:3" }),
      w.orders.send("SO-R1", { type: "order_placed", by: "customer", key: "x:4" } as never),
      w.orders.send("SO-R1", { type: "teleported", by: "owner", key: "x:5" } as never),
    ];
    for (const result of await Promise.allSettled(cases)) {
      expect(result.status).toBe("rejected");
      if (result.status === "rejected") expect(result.reason).toBeInstanceOf(InvalidEventError);
    }
    expect(w.store.loadActorEvents("order:SO-R1")).toHaveLength(1);
  });

  it("refuses what the order does not take where it is: shipping an unpaid Stars order, cancelling a shipped one, delivering twice", async () => {
    const w = await world();
    await w.readyToConfirm(8);
    await w.confirm(8, { orderId: "SO-X1", payment: "stars" });
    expect(await w.orders.send("SO-X1", { type: "shipped", by: "owner", key: "x:1" })).toEqual({ kind: "refused", status: "awaiting_payment" });
    expect(await w.orders.send("SO-X1", { type: "marked_paid", by: "owner", key: "x:2" })).toEqual({ kind: "refused", status: "awaiting_payment" });
    await w.orders.send("SO-X1", { type: "payment_received", by: "payment", chargeId: "c", amount: 280, currency: "XTR", key: "pay:c" });
    await w.orders.send("SO-X1", { type: "shipped", by: "owner", key: "x:3" });
    expect(await w.orders.send("SO-X1", { type: "cancel_requested", by: "customer", key: "x:4" })).toEqual({ kind: "refused", status: "shipped" });
    await w.orders.send("SO-X1", { type: "delivered", by: "owner", key: "x:5" });
    expect(await w.orders.send("SO-X1", { type: "delivered", by: "owner", key: "x:6" })).toEqual({ kind: "refused", status: "delivered" });
    expect(w.orders.view("SO-X1")?.status).toBe("delivered");
    expect(w.orders.view("SO-NONE")).toBeNull();
    expect(w.orders.view("not an id")).toBeNull();
  });

  it("counts only settled orders in the lifetime value: a cash order marked paid, then cancelled and refunded, counts, then does not", async () => {
    const w = await world();
    await w.readyToConfirm(9);
    await w.confirm(9, { orderId: "SO-V1", payment: "cash" });
    await w.settle();
    expect(await ltv(w, 9)).toBe(0);
    await w.orders.send("SO-V1", { type: "marked_paid", by: "owner", key: "v:1" });
    await w.settle();
    expect(await ltv(w, 9)).toBe(500);
    expect(await w.orders.send("SO-V1", { type: "cancel_requested", by: "owner", reason: "out of stock at the supplier", key: "v:2" })).toEqual({ kind: "applied", from: "paid", status: "refunding" });
    expect(w.stockOf("tea")).toBe(10);
    await w.orders.send("SO-V1", { type: "refund_completed", by: "owner", key: "v:3" });
    await w.settle();
    expect(await ltv(w, 9)).toBe(0);
    expect(await w.store.order("SO-V1")).toMatchObject({ status: "refunded", cancelReason: "out of stock at the supplier" });
  });

  it("applies one order's events in the order they were sent, and many orders' events in one transaction", async () => {
    const w = await world();
    for (const userId of [11, 12, 13]) {
      await w.readyToConfirm(userId, "honey");
      await w.confirm(userId, { orderId: `SO-G${userId}`, payment: "cash", productId: "honey" });
    }
    const results = await Promise.all([
      w.orders.send("SO-G11", { type: "shipped", by: "owner", key: "g:1" }),
      w.orders.send("SO-G11", { type: "delivered", by: "owner", key: "g:2" }),
      w.orders.send("SO-G12", { type: "cancel_requested", by: "customer", key: "g:3" }),
      w.orders.send("SO-G12", { type: "shipped", by: "owner", key: "g:4" }),
      w.orders.send("SO-G13", { type: "marked_paid", by: "owner", key: "g:5" }),
    ]);
    expect(results.map((result) => ("status" in result ? result.status : result.kind))).toEqual(["shipped", "delivered", "cancelled", "cancelled", "paid"]);
    expect(results[3]?.kind).toBe("refused");
    expect(w.stockOf("honey")).toBeUndefined();
  });
});
