import type { StatelyInspectionEvent } from "@statelyai/inspect";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createCustomerActors } from "../../actors/customerActors.ts";
import { createCustomerRuntime, InvalidEventError } from "../../actors/customerRuntime.ts";
import type { EffectHandlers, EffectOutcome } from "../../actors/effects.port.ts";
import type { CrmStore } from "../../actors/store.port.ts";
import { customerEffects, customerMachine } from "../../machines/customer.machine.ts";
import type { CustomerEffectParams, CustomerEventInput } from "../../machines/customer.types.ts";
import { openSqliteStore } from "../sqlite/sqliteStore.ts";
import { manualClock } from "../storeContract.ts";
import { createInspectorBridge, type InspectorBridgeOptions } from "./inspectorBridge.ts";
import { hiddenValue } from "./personalRedaction.ts";
import { recordingInspector } from "./testing/recordingInspector.ts";

const minute = 60_000;
const t0 = Date.parse("2026-11-23T07:00:00Z");
const reminderId = "xstate.after.cartReminder.customer.cart.filled.shopping.waiting";

type Handler = () => Promise<EffectOutcome>;
const handlersWith = (overrides: Partial<Record<keyof CustomerEffectParams, Handler>>): EffectHandlers<CustomerEffectParams> =>
  Object.fromEntries(customerEffects.map((type) => [type, overrides[type] ?? (async () => ({ outcome: "done" }))])) as unknown as EffectHandlers<CustomerEffectParams>;

const dirs: string[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The customer actors on a real SQLite file and a manual clock, watched by a bridge into a recording inspector. */
function watched(options: { handlers?: Partial<Record<keyof CustomerEffectParams, Handler>>; bridge?: Partial<InspectorBridgeOptions>; hidePersonal?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "inspect-bridge-"));
  dirs.push(dir);
  const clock = manualClock(t0);
  const store: CrmStore = openSqliteStore({ path: join(dir, "crm.sqlite"), clock });
  const recording = recordingInspector({ hidePersonal: options.hidePersonal ?? false });
  const bridge = createInspectorBridge({ inspector: recording.inspector, ...options.bridge });
  const actors = createCustomerActors({
    store,
    clock,
    machine: customerMachine,
    handlers: handlersWith(options.handlers ?? {}),
    observe: bridge.hooks.observe,
    effects: { observe: bridge.hooks.observeEffects, maxAttempts: 3 },
  });
  bridge.hooks.onActors({ runtime: actors.runtime, queues: store });
  closers.push(async () => {
    await actors.stop();
    await store.close();
  });
  return { ...recording, bridge, actors, runtime: actors.runtime, store, clock };
}

/** The events one actor received, as `type`, in order. */
const eventsTo = (sent: readonly StatelyInspectionEvent[], sessionId: string): string[] =>
  sent.flatMap((event) => (event.type === "@xstate.event" && event.sessionId === sessionId ? [String(event.event.type)] : []));

const lastSnapshotOf = (sent: readonly StatelyInspectionEvent[], sessionId: string) => sent.filter((event) => event.type === "@xstate.snapshot" && event.sessionId === sessionId).at(-1);

describe("customers in the inspector", () => {
  it("shows every committed event to the customer's actor, keyed, with the snapshot after it, and the machine drawn from its definition", async () => {
    const { sent, kinds, runtime, bridge } = watched();
    await runtime.dispatch(501, { type: "start", source: "vk_post", name: "Анна", username: "anna", key: "k1" });
    await runtime.dispatch(501, { type: "catalog_view", key: "k2" });

    const customer = kinds().filter((kind) => kind.endsWith(" customer-501"));
    expect(customer).toEqual(["@xstate.actor customer-501", "@xstate.event customer-501", "@xstate.snapshot customer-501", "@xstate.event customer-501", "@xstate.snapshot customer-501"]);
    const [actor, started, afterStart, viewed, afterView] = sent.filter((event) => event.sessionId === "customer-501");
    expect(actor).toMatchObject({ type: "@xstate.actor", name: "customer 501", snapshot: { status: "active", value: { funnel: "new", activity: "active" } } });
    expect(actor?.type === "@xstate.actor" ? JSON.parse(actor.definition ?? "{}") : null).toMatchObject({ id: "customer 501", type: "parallel", states: { funnel: { initial: "new" }, cart: { initial: "empty" } } });
    expect(started).toMatchObject({ type: "@xstate.event", event: { type: "start", source: "vk_post", key: "k1" } });
    expect(afterStart).toMatchObject({ event: { type: "start" }, snapshot: { value: { funnel: "new" }, context: { userId: 501, source: "vk_post", name: "Анна" } } });
    expect(viewed).toMatchObject({ event: { type: "catalog_view", key: "k2" } });
    expect(afterView).toMatchObject({ snapshot: { value: { funnel: "engaged" }, context: { userId: 501 } } });
    expect(bridge.counts()).toMatchObject({ events: 2 });
  });

  it("shows a timer set, cancelled when its state is left, set again, and fired with its key and due time", async () => {
    const { sent, runtime, actors, clock } = watched();
    await runtime.dispatch(501, { type: "consent_given", version: "v1", key: "a" });
    const added = await runtime.dispatch(501, { type: "add_to_cart", productId: "sencha", qty: 1, key: "b" });
    await runtime.dispatch(501, { type: "checkout_started", key: "c" });
    clock.advance(5 * minute);
    const back = await runtime.dispatch(501, { type: "checkout_cancelled", key: "d" });
    const dueAt = t0 + 125 * minute;
    clock.set(dueAt + 1_000);
    await actors.timers.fireDue(clock.now());

    const timerEvents = sent.flatMap((event) => (event.type === "@xstate.event" && event.sessionId === "timers" && "timer" in event.event && event.event["timer"] === "cartReminder" ? [event] : []));
    expect(timerEvents.map((event) => [event.event.type, event.sourceId])).toEqual([
      ["timer.set", "customer-501"],
      ["timer.cancelled", "customer-501"],
      ["timer.set", "customer-501"],
      ["timer.fired", undefined],
    ]);
    const firstKey = `t:customer:501:${added.seq}:${reminderId}`;
    const againKey = `t:customer:501:${back.seq}:${reminderId}`;
    expect(timerEvents.map((event) => event.event)).toMatchObject([
      { actor: "customer:501", state: "customer.cart.filled.shopping.waiting", delayMs: 120 * minute, dueAt: new Date(t0 + 120 * minute).toISOString(), key: firstKey },
      { key: firstKey, dueAt: new Date(t0 + 120 * minute).toISOString() },
      { key: againKey, dueAt: new Date(dueAt).toISOString() },
      { key: againKey, dueAt: new Date(dueAt).toISOString(), lateMs: 1_000, to: "customer-501" },
    ]);
    const firing = sent.find((event) => event.type === "@xstate.event" && event.sessionId === "customer-501" && event.event.type === reminderId);
    expect(firing).toMatchObject({ sourceId: "timers", event: { key: againKey, dueAt: new Date(dueAt).toISOString(), lateMs: 1_000 } });
    expect(lastSnapshotOf(sent, "customer-501")).toMatchObject({ event: { type: reminderId }, snapshot: { value: { cart: { filled: { shopping: "reminded" } } } } });
    const timers = lastSnapshotOf(sent, "timers");
    const armed = Object.keys((timers?.type === "@xstate.snapshot" && (timers.snapshot as { context?: { armed?: object } }).context?.armed) || {});
    // Left armed: the dormancy, and the second reminder (which sends only when the shop turned it on).
    expect(armed.map((key) => key.split(":").at(-1))).toEqual(expect.arrayContaining(["xstate.after.dormancy.customer.activity.active", "xstate.after.secondReminder.customer.cart.filled.shopping.reminded"]));
    expect(armed).toHaveLength(2);
    expect(armed).not.toContain(againKey);
  });

  it("reads the timers a watched customer had armed before the session, and shows their cancellation with the key and due time they had", async () => {
    const dir = mkdtempSync(join(tmpdir(), "inspect-bridge-"));
    dirs.push(dir);
    const clock = manualClock(t0);
    const before = openSqliteStore({ path: join(dir, "crm.sqlite"), clock });
    const earlier = createCustomerRuntime({ store: before, clock });
    await earlier.dispatch(501, { type: "consent_given", version: "v1", key: "a" });
    const added = await earlier.dispatch(501, { type: "add_to_cart", productId: "sencha", qty: 1, key: "b" });
    await earlier.close();
    await before.close();

    const store = openSqliteStore({ path: join(dir, "crm.sqlite"), clock });
    closers.push(() => store.close());
    const { inspector, sent } = recordingInspector();
    const bridge = createInspectorBridge({ inspector, users: new Set([501]) });
    const runtime = createCustomerRuntime({ store, clock, observe: bridge.customer });
    bridge.connect({ runtime, queues: store });
    closers.push(() => runtime.close());
    clock.advance(minute);
    await runtime.dispatch(501, { type: "checkout_started", key: "c" });

    const key = `t:customer:501:${added.seq}:${reminderId}`;
    expect(sent.filter((event) => event.sessionId === "timers")).toMatchObject([
      { type: "@xstate.actor" },
      { type: "@xstate.event", sourceId: "customer-501", event: { type: "timer.cancelled", timer: "cartReminder", key, dueAt: new Date(t0 + 120 * minute).toISOString() } },
      { type: "@xstate.snapshot", snapshot: { context: { total: 1, armed: { [`t:customer:501:1:xstate.after.dormancy.customer.activity.active`]: { timer: "dormancy" } } } } },
    ]);
  });

  it("lists the soonest 50 armed timers in the view's snapshot, and counts them all", async () => {
    const { sent, runtime, clock } = watched();
    for (let userId = 1; userId <= 60; userId++) {
      await runtime.dispatch(userId, { type: "start", key: `s${userId}` });
      clock.advance(1_000);
    }
    const last = lastSnapshotOf(sent, "timers");
    const context = (last?.type === "@xstate.snapshot" ? last.snapshot : {}) as { context?: { armed?: Record<string, { actor: string }>; total?: number } };
    expect(context.context?.total).toBe(60);
    expect(Object.values(context.context?.armed ?? {}).map((timer) => timer.actor)).toEqual(Array.from({ length: 50 }, (_, index) => `customer:${index + 1}`));
  });

  it("shows an effect queued by a step, then delivered, with its reply coming back from the outbox", async () => {
    const { sent, runtime, actors, clock } = watched({ handlers: { sendCartReminder: async () => ({ outcome: "done", reply: { type: "reminder_sent" } }) } });
    await runtime.dispatch(501, { type: "consent_given", version: "v1", key: "a" });
    await runtime.dispatch(501, { type: "add_to_cart", productId: "sencha", qty: 1, key: "b" });
    clock.set(t0 + 120 * minute);
    await actors.timers.fireDue(clock.now());
    await actors.effects.drain();

    const outbox = sent.filter((event) => event.type === "@xstate.event" && event.sessionId === "effects");
    expect(outbox.map((event) => (event.type === "@xstate.event" ? [event.event.type, event.event["effect"], event.sourceId] : []))).toEqual([
      ["effect.queued", "sendCartReminder", "customer-501"],
      ["effect.delivering", "sendCartReminder", undefined],
      ["effect.delivered", "sendCartReminder", undefined],
    ]);
    const key = outbox[0]?.type === "@xstate.event" ? String(outbox[0].event["key"]) : "";
    expect(key).toMatch(/^e:customer:501:\d+:0$/);
    expect(outbox[0]).toMatchObject({ event: { params: { lines: [{ productId: "sencha", qty: 1 }] } } });
    expect(sent.find((event) => event.type === "@xstate.event" && event.event.type === "reminder_sent")).toMatchObject({ sessionId: "customer-501", sourceId: "effects", event: { key: `${key}:done` } });
    expect(lastSnapshotOf(sent, "effects")).toMatchObject({ snapshot: { context: { outbox: {} } } });
  });

  it("shows an effect that failed after its retries, each attempt on the way, and keeps it in the outbox as failed", async () => {
    const { sent, runtime, actors, clock, bridge } = watched({ handlers: { notifyOwnersOfOrder: async () => ({ outcome: "retry", reason: "Telegram said 500" }) } });
    await runtime.dispatch(501, { type: "order_created", orderId: "SO-1", total: 10, currency: "RUB", key: "o" });
    for (let round = 0; round < 4; round++) {
      await actors.effects.drain();
      clock.advance(10 * minute);
    }

    expect(eventsTo(sent, "effects")).toEqual(["effect.queued", "effect.delivering", "effect.retry", "effect.delivering", "effect.retry", "effect.delivering", "effect.failed"]);
    const failed = sent.filter((event) => event.type === "@xstate.event" && event.event.type === "effect.failed");
    expect(failed).toMatchObject([{ event: { effect: "notifyOwnersOfOrder", attempt: 3, reason: "Telegram said 500" } }]);
    expect(lastSnapshotOf(sent, "effects")).toMatchObject({ snapshot: { context: { outbox: { [String(failed[0]?.type === "@xstate.event" && failed[0].event["key"])]: { status: "failed", attempts: 3 } } } } });
    expect(bridge.counts()).toMatchObject({ effects: 7 });
  });

  it("shows an effect dropped by its handler, gone from the outbox, and a fact the machine emits as the customer's own event", async () => {
    const { sent, runtime, actors, clock } = watched({ handlers: { notifyOwnersOfOrder: async () => ({ outcome: "drop", reason: "the owner blocked the bot" }) } });
    const started = await runtime.dispatch(501, { type: "start", key: "s" });
    await runtime.dispatch(501, { type: "order_created", orderId: "SO-1", total: 10, currency: "RUB", key: "o" });
    await actors.effects.drain();
    expect(eventsTo(sent, "effects")).toEqual(["effect.queued", "effect.delivering", "effect.dropped"]);
    expect(lastSnapshotOf(sent, "effects")).toMatchObject({ snapshot: { context: { outbox: {}, total: 0 } } });

    clock.advance(31 * 24 * 60 * minute);
    await actors.timers.fireDue(clock.now());
    const firing = `t:customer:501:${started.seq}:xstate.after.dormancy.customer.activity.active`;
    expect(sent.filter((event) => event.type === "@xstate.event" && event.event.type === "dormant")).toMatchObject([{ sessionId: "customer-501", sourceId: "customer-501", event: { key: `${firing}#0` } }]);
  });

  it("makes each customer's actor real: send dispatches a durable event, keyed inspect:…, and the inspector shows it committed", async () => {
    const { sent, runtime, store, bridge } = watched();
    await runtime.dispatch(501, { type: "start", key: "a" });
    const anna = await bridge.customerActor(501);
    const seen: string[] = [];
    anna.subscribe((snapshot) => seen.push(snapshot.value.funnel));

    anna.send({ type: "catalog_view" });
    anna.send({ type: "add_to_cart", productId: "sencha", qty: 2 });
    await bridge.settled();

    const events = await store.events(501);
    expect(events.map((event) => event.type)).toEqual(["start", "catalog_view", "add_to_cart"]);
    expect(events.slice(1).map((event) => event.key)).toEqual([expect.stringMatching(/^inspect:[0-9a-f]{8}:1$/), expect.stringMatching(/^inspect:[0-9a-f]{8}:2$/)]);
    expect(anna.getSnapshot().value.funnel).toBe("cart");
    expect(anna.getSnapshot().context.cart.lines).toEqual([{ productId: "sencha", qty: 2 }]);
    expect(seen).toEqual(["engaged", "cart"]);
    expect(eventsTo(sent, "customer-501")).toEqual(["start", "catalog_view", "add_to_cart"]);
    expect(await runtime.snapshotOf(501)).toMatchObject({ value: { funnel: "cart" } });
  });

  it("shows a customer not seen yet at their stored state when asked for their actor, and sends to them", async () => {
    const { kinds, sent, runtime, bridge } = watched();
    const sent502 = await bridge.send(502, { type: "start", source: "friend" });
    expect(sent502).toMatchObject({ duplicate: false, stage: "new" });
    await runtime.dispatch(503, { type: "start", key: "x" });
    expect(kinds().filter((kind) => kind.startsWith("@xstate.actor customer-"))).toEqual(["@xstate.actor customer-502", "@xstate.actor customer-503"]);
    expect(sent[0]).toMatchObject({ type: "@xstate.actor", sessionId: "customer-502", snapshot: { value: { funnel: "new", activity: "unseen" } } });
  });

  it("hands what the runtime refuses to onSendFailed and stores nothing; refuses a customer outside the filter and a bridge not connected", async () => {
    const refused: string[] = [];
    const { store, bridge } = watched({ bridge: { users: new Set([501]), onSendFailed: (userId, event, error) => refused.push(`${userId} ${event.type} ${error instanceof InvalidEventError ? error.message : "?"}`) } });
    const anna = await bridge.customerActor(501);
    anna.send({ type: "no_such_event" } as unknown as CustomerEventInput);
    anna.send({ type: "dormant" } as unknown as CustomerEventInput);
    await bridge.settled();
    expect(refused).toEqual(["501 no_such_event unknown event type: no_such_event", "501 dormant dormant is emitted by the machine, never dispatched"]);
    expect(await store.events(501)).toEqual([]);
    await expect(bridge.customerActor(502)).rejects.toThrow("customer 502 is not watched (the inspector was started with --user 501)");

    const unconnected = createInspectorBridge({ inspector: recordingInspector().inspector });
    await expect(unconnected.send(501, { type: "catalog_view" })).rejects.toThrow("the inspector is not connected to the customer runtime");
  });

  it("passes on only the customers asked for: their actor, timers and effects", async () => {
    const { kinds, runtime, actors } = watched({ bridge: { users: new Set([501]) } });
    await runtime.dispatch(502, { type: "start", key: "a" });
    await runtime.dispatch(502, { type: "order_created", orderId: "SO-2", total: 5, currency: "RUB", key: "b" });
    await actors.effects.drain();
    expect(kinds()).toEqual([]);

    await runtime.dispatch(501, { type: "start", key: "c" });
    expect(kinds()).toEqual(["@xstate.actor customer-501", "@xstate.event customer-501", "@xstate.snapshot customer-501", "@xstate.actor timers", "@xstate.event timers", "@xstate.snapshot timers"]);
  });

  it("passes on everyone when the filter is empty", async () => {
    const { kinds, runtime } = watched({ bridge: { users: new Set() } });
    await runtime.dispatch(502, { type: "start", key: "a" });
    expect(kinds()).toContain("@xstate.actor customer-502");
  });

  it("hides names, phones and typed texts when asked, and keeps the rest", async () => {
    const { sent, runtime } = watched({ hidePersonal: true });
    await runtime.dispatch(501, { type: "start", source: "friend", name: "Анна", username: "anna", key: "a" });
    await runtime.dispatch(501, { type: "contact_shared", phone: "+79991234567", key: "b" });
    await runtime.addNote(501, "звонить после шести", "c");

    const text = JSON.stringify(sent);
    for (const secret of ["Анна", "anna", "+79991234567", "звонить"]) expect(text).not.toContain(secret);
    expect(lastSnapshotOf(sent, "customer-501")).toMatchObject({ snapshot: { context: { userId: 501, source: "friend", name: hiddenValue, phone: hiddenValue, notes: [{ text: hiddenValue }] } } });
  });
});
