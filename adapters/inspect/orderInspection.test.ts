import type { StatelyInspectionEvent } from "@statelyai/inspect";
import { afterEach, describe, expect, it } from "vitest";
import { hour, openOrderWorld, t0, type OrderWorld } from "../../actors/fixtures/orderWorld.ts";
import { provideOrderSettings } from "../../actors/orderSettings.ts";
import { createInspectorBridge, type InspectorBridgeOptions } from "./inspectorBridge.ts";
import { recordingInspector } from "./testing/recordingInspector.ts";

const worlds: OrderWorld[] = [];
afterEach(async () => {
  for (const world of worlds.splice(0)) {
    await world.close();
    world.remove();
  }
});

const paymentTimeout = "xstate.after.paymentTimeout.order.awaiting_payment";

/** Customers and orders on a real SQLite file and a manual clock, watched by a bridge into a recording inspector. */
async function watched(bridgeOptions: Partial<InspectorBridgeOptions> = {}) {
  const recording = recordingInspector();
  const bridge = createInspectorBridge({ inspector: recording.inspector, ...bridgeOptions });
  const orderMachine = provideOrderSettings({ paymentMinutes: 60, feedbackHours: 24 });
  const world = await openOrderWorld({
    orders: { machine: orderMachine, observe: bridge.hooks.observeOrders },
    actors: { observe: bridge.hooks.observe, effects: { observe: bridge.hooks.observeEffects } },
  });
  worlds.push(world);
  bridge.hooks.onActors({ runtime: world.actors.runtime, queues: world.store, orderMachine });
  return { ...recording, bridge, world };
}

const eventsOf = (sent: readonly StatelyInspectionEvent[], sessionId: string) =>
  sent.flatMap((event) => (event.type === "@xstate.event" && event.sessionId === sessionId ? [event] : []));
const snapshotsOf = (sent: readonly StatelyInspectionEvent[], sessionId: string) =>
  sent.flatMap((event) => (event.type === "@xstate.snapshot" && event.sessionId === sessionId ? [event.snapshot as { value?: unknown; context?: Record<string, unknown> }] : []));
const viewEvents = (sent: readonly StatelyInspectionEvent[], sessionId: "timers" | "effects", actor: string) =>
  eventsOf(sent, sessionId).filter((event) => event.event["actor"] === actor).map((event) => [event.event.type, event.sourceId, event.event["timer"] ?? event.event["effect"]]);

describe("orders in the inspector", () => {
  it("shows an order from its placement by its customer, with its machine drawn, then each step with its snapshot, timers and effects", async () => {
    const { sent, world } = await watched();
    await world.readyToConfirm(501);
    await world.confirm(501, { orderId: "SO-1", payment: "stars" });

    const actor = sent.find((event) => event.type === "@xstate.actor" && event.sessionId === "order-SO-1");
    expect(actor).toMatchObject({ name: "order SO-1", snapshot: { value: "awaiting_payment", context: { orderId: "SO-1", userId: 501 } } });
    expect(actor?.type === "@xstate.actor" ? JSON.parse(actor.definition ?? "{}") : null).toMatchObject({ id: "order SO-1", initial: "new", states: { awaiting_payment: {}, paid: {}, shipped: {}, delivered: {} } });
    expect(eventsOf(sent, "order-SO-1").map((event) => [event.event.type, event.sourceId, event.event["key"]])).toEqual([["order_placed", "customer-501", "placed:SO-1"]]);
    expect(viewEvents(sent, "timers", "order:SO-1")).toEqual([["timer.set", "order-SO-1", "paymentTimeout"]]);
    expect(eventsOf(sent, "timers").find((event) => event.event["actor"] === "order:SO-1")?.event).toMatchObject({ delayMs: hour, dueAt: new Date(t0 + hour).toISOString(), key: `t:order:SO-1:1:${paymentTimeout}` });
    expect(viewEvents(sent, "effects", "order:SO-1")).toEqual([["effect.queued", "order-SO-1", "sendInvoice"]]);

    await world.settle();
    const paid = await world.orders.send("SO-1", { type: "payment_received", by: "payment", chargeId: "stx1", amount: 280, currency: "XTR", key: "pay:stx1" });
    expect(paid).toMatchObject({ kind: "applied", status: "paid" });
    await world.settle();

    expect(eventsOf(sent, "order-SO-1").map((event) => event.event.type)).toEqual(["order_placed", "payment_received"]);
    expect(snapshotsOf(sent, "order-SO-1").map((snapshot) => snapshot.value)).toEqual(["awaiting_payment", "paid"]);
    expect(viewEvents(sent, "timers", "order:SO-1")).toEqual([
      ["timer.set", "order-SO-1", "paymentTimeout"],
      ["timer.cancelled", "order-SO-1", "paymentTimeout"],
    ]);
    // Each effect queued by a step, then delivered by the worker: the invoice, the customer's and the owners' notices, the settlement.
    const effects = viewEvents(sent, "effects", "order:SO-1");
    expect(effects).toEqual(expect.arrayContaining([["effect.delivered", undefined, "sendInvoice"], ["effect.queued", "order-SO-1", "notifyCustomerOfOrder"], ["effect.delivered", undefined, "notifyCustomerOfOrder"]]));
    expect(registrations(sent, "order-SO-1")).toBe(1);
  });

  it("shows an unpaid order's timer firing into it from `timers`, its cancel, and the stock it released", async () => {
    const { sent, world, bridge } = await watched();
    await world.readyToConfirm(502);
    await world.confirm(502, { orderId: "SO-2", payment: "stars" });
    world.clock.set(t0 + hour + 5_000);
    await world.settle();

    const firing = eventsOf(sent, "order-SO-2").find((event) => event.event.type === paymentTimeout);
    expect(firing).toMatchObject({ sourceId: "timers", event: { key: `t:order:SO-2:1:${paymentTimeout}`, dueAt: new Date(t0 + hour).toISOString(), lateMs: 5_000 } });
    expect(viewEvents(sent, "timers", "order:SO-2")).toEqual([
      ["timer.set", "order-SO-2", "paymentTimeout"],
      ["timer.fired", undefined, "paymentTimeout"],
    ]);
    expect(snapshotsOf(sent, "order-SO-2").at(-1)).toMatchObject({ value: "cancelled", context: { orderId: "SO-2" } });
    expect(bridge.orderActor("SO-2")?.getSnapshot()).toMatchObject({ value: "cancelled" });
    expect(world.stockOf("tea")).toBe(10);
    expect(bridge.counts().events).toBeGreaterThanOrEqual(2);
  });

  it("shows a cash order placed and moved by the owner, and only the orders of the customers a filter names", async () => {
    const { sent, world, bridge } = await watched({ users: new Set([601]) });
    await world.readyToConfirm(601);
    await world.confirm(601, { orderId: "SO-3", payment: "cash" });
    await world.readyToConfirm(602, "honey");
    await world.confirm(602, { orderId: "SO-4", payment: "cash", productId: "honey" });
    await world.orders.send("SO-3", { type: "shipped", by: "owner", tracking: "RA123", key: "owner:1:ship" });
    await world.orders.send("SO-4", { type: "shipped", by: "owner", tracking: null, key: "owner:2:ship" });
    await world.settle();

    expect(eventsOf(sent, "order-SO-3").map((event) => [event.event.type, event.sourceId])).toEqual([
      ["order_placed", "customer-601"],
      ["shipped", undefined],
    ]);
    expect(snapshotsOf(sent, "order-SO-3").map((snapshot) => snapshot.value)).toEqual(["placed", "shipped"]);
    expect(sent.some((event) => event.sessionId === "order-SO-4" || event.sessionId === "customer-602")).toBe(false);
    expect(JSON.stringify(eventsOf(sent, "effects"))).not.toContain("order:SO-4");
    expect(bridge.orderActor("SO-4")).toBeUndefined();
  });
});

/** How many times an actor was registered with the inspector (once, however often it moves). */
function registrations(sent: readonly StatelyInspectionEvent[], sessionId: string): number {
  return sent.filter((event) => event.type === "@xstate.actor" && event.sessionId === sessionId).length;
}
