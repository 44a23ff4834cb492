import { afterEach, describe, expect, it } from "vitest";
import { orderMachineVersion } from "../machines/order.machine.ts";
import { completeByKind, MissingEffectHandlerError } from "./effectWorker.ts";
import { createCustomerActors } from "./customerActors.ts";
import { customerHandlers, hour, minute, openOrderWorld, recordingOrderHandlers, storeKinds, t0, type OrderWorld } from "./fixtures/orderWorld.ts";
import type { OrderEffectHandlers } from "./orders.port.ts";
import { createOrderRuntime } from "./orderRuntime.ts";
import { provideOrderSettings } from "./orderSettings.ts";
import { settlementHandlers } from "./orderSettlement.ts";
import type { CrmStore, StoredEffect } from "./store.port.ts";
import { fireByKind } from "./timerScheduler.ts";

async function until(check: () => Promise<boolean> | boolean, ms = 5_000): Promise<void> {
  for (let waited = 0; !(await check()) && waited < ms; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe.each(storeKinds)("%s: order actors in the composition: handlers, settings, routing, restarts", (kind) => {
  const worlds: OrderWorld[] = [];
  afterEach(async () => {
    for (const world of worlds.splice(0)) {
      await world.close().catch(() => undefined);
      world.remove();
    }
  });

  async function world(options: Parameters<typeof openOrderWorld>[0] = {}): Promise<OrderWorld> {
    const opened = await openOrderWorld({ kind, ...options });
    worlds.push(opened);
    return opened;
  }

  it("refuses to start without a handler for an order effect that reaches Telegram", async () => {
    const w = await world();
    const { askForRating: _missing, ...handlers } = recordingOrderHandlers([]);
    const creating = () => createCustomerActors({ store: w.store, handlers: customerHandlers(), orders: { handlers: handlers as OrderEffectHandlers } });
    expect(creating).toThrow(MissingEffectHandlerError);
    expect(creating).toThrow(/askForRating/);
  });

  it("gives the machine ORDER_PAYMENT_MINUTES and ORDER_FEEDBACK_HOURS; feedback 0 never asks for a rating", async () => {
    const w = await world({ orders: { machine: provideOrderSettings({ paymentMinutes: 5, feedbackHours: 0 }) } });
    await w.readyToConfirm(1);
    await w.confirm(1, { orderId: "SO-1", payment: "provider" });
    expect(w.store.timersOf("order:SO-1")).toMatchObject([{ dueAt: t0 + 5 * minute }]);
    await w.readyToConfirm(2);
    await w.confirm(2, { orderId: "SO-2", payment: "cash" });
    await w.orders.send("SO-2", { type: "shipped", by: "owner", key: "s" });
    await w.orders.send("SO-2", { type: "delivered", by: "owner", key: "d" });
    expect(w.store.timersOf("order:SO-2")).toEqual([]);
    w.clock.advance(48 * hour);
    await w.settle();
    expect(w.asked("askForRating")).toEqual([]);
    expect(await w.store.order("SO-1")).toMatchObject({ status: "cancelled" });
    expect(() => provideOrderSettings({ paymentMinutes: 0, feedbackHours: -1 })).toThrow(/paymentMinutes.*feedbackHours/);
  });

  it("sends each timer and each completed effect to the runtime of its actor's kind, and refuses a kind nobody runs", async () => {
    const fired: string[] = [];
    const fire = fireByKind({ customer: async (row) => (fired.push(`customer ${row.key}`), { fired: true }), order: async (row) => (fired.push(`order ${row.key}`), { fired: true }) });
    const row = (actor: string) => ({ actor, sendId: "x", dueAt: 0, event: "{}", key: `t:${actor}:1:x` });
    await fire(row("order:SO-1"), 0);
    await fire(row("customer:7"), 0);
    await expect(fire(row("broadcast:1"), 0)).rejects.toThrow(/broadcast/);
    await expect(fire(row("constructor:1"), 0)).rejects.toThrow(/constructor/);
    expect(fired).toEqual(["order t:order:SO-1:1:x", "customer t:customer:7:1:x"]);
    const complete = completeByKind({ order: async () => "order" });
    const effect = (actor: string): StoredEffect => ({ key: `e:${actor}:1:0`, actor, type: "x", params: "{}", createdAt: 0, attempts: 0, nextAt: 0, status: "pending", lastError: null });
    expect(await complete(effect("order:SO-1"))).toBe("order");
    await expect(complete(effect("customer:7"))).rejects.toThrow(/customer/);
  });

  it("applies a settlement delivered twice to the customer once", async () => {
    const w = await world();
    await w.readyToConfirm(3);
    await w.confirm(3, { orderId: "SO-3", payment: "cash" });
    const settle = settlementHandlers(() => w.actors.runtime).settleCustomer;
    const request = { key: "e:order:SO-3:2:3", actor: "order:SO-3", type: "settleCustomer" as const, params: { userId: 3, orderId: "SO-3", amount: 500 }, attempt: 1 };
    const signal = new AbortController().signal;
    expect(await settle(request, signal)).toEqual({ outcome: "done" });
    expect(await settle({ ...request, attempt: 2 }, signal)).toEqual({ outcome: "done" });
    expect((await w.store.lead(3))?.lifetimeValue).toBe(500);
    expect(await w.store.events(3, { types: ["order_settled"] })).toHaveLength(1);
  });

  it("continues an order's life after the store is closed and opened again: its timer is still armed and fires once, its moves go on", { timeout: 15_000 }, async () => {
    const first = await world();
    await first.readyToConfirm(4);
    await first.confirm(4, { orderId: "SO-4", payment: "stars" });
    await first.readyToConfirm(5);
    await first.confirm(5, { orderId: "SO-5", payment: "stars" });
    await first.orders.send("SO-5", { type: "payment_received", by: "payment", chargeId: "c5", amount: 280, currency: "XTR", key: "pay:c5" });
    await first.settle();
    await first.close();
    worlds.splice(worlds.indexOf(first), 1);

    const second = await world({ dir: first.dir, seed: false });
    expect(second.store.timersOf("order:SO-4")).toMatchObject([{ dueAt: t0 + 60 * minute }]);
    expect(second.orders.view("SO-5")?.status).toBe("paid");
    second.clock.advance(2 * hour);
    await second.actors.start();
    await until(async () => (await second.store.order("SO-4"))?.status === "cancelled");
    expect(await second.store.order("SO-4")).toMatchObject({ status: "cancelled", cancelReason: "payment_timeout" });
    expect(second.stockOf("tea")).toBe(9);
    expect(await second.orders.send("SO-5", { type: "shipped", by: "owner", key: "s5" })).toEqual({ kind: "applied", from: "paid", status: "shipped" });
    expect(await second.orders.send("SO-5", { type: "payment_received", by: "payment", chargeId: "c5", amount: 280, currency: "XTR", key: "pay:c5" })).toEqual({ kind: "duplicate", status: "shipped" });
    await until(() => second.store.effectsCount().pending === 0);
    expect(second.store.loadActorEvents("order:SO-4").filter((row) => row.key.startsWith("t:"))).toHaveLength(1);
    expect((await second.store.lead(5))?.lifetimeValue).toBe(500);
  });

  it("rebuilds a stale or other-version order snapshot from its log, with its timers deduplicated by their keys", async () => {
    const w = await world();
    await w.readyToConfirm(6);
    await w.confirm(6, { orderId: "SO-6", payment: "stars" });
    const stateBefore = w.store.loadActorState("order:SO-6");
    const [timerBefore] = w.store.timersOf("order:SO-6");
    await w.store.transact((tx) => tx.saveActorState("order:SO-6", { snapshot: "{}", machineVersion: orderMachineVersion, lastSeq: 0 }));
    const stale: CrmStore = { ...w.store, staleActorStates: () => ["order:SO-6", "customer:6"] };
    const runtime = createOrderRuntime({ store: stale, clock: w.clock });
    expect(await runtime.recover()).toBe(1);
    expect(w.store.loadActorState("order:SO-6")).toEqual(stateBefore);
    expect(w.store.timersOf("order:SO-6")).toEqual([timerBefore]);
    await w.store.transact((tx) => tx.saveActorState("order:SO-6", { snapshot: stateBefore?.snapshot ?? "", machineVersion: orderMachineVersion - 1, lastSeq: stateBefore?.lastSeq ?? 0 }));
    const bumped = createOrderRuntime({ store: w.store, clock: w.clock });
    expect(bumped.view("SO-6")?.status).toBe("awaiting_payment");
    expect(await bumped.send("SO-6", { type: "invoice_requested", by: "customer", key: "again" })).toMatchObject({ kind: "applied" });
    expect(w.store.loadActorState("order:SO-6")?.machineVersion).toBe(orderMachineVersion);
    expect(w.store.timersOf("order:SO-6")).toEqual([timerBefore]);
    await runtime.close();
    await bumped.close();
  });
});
