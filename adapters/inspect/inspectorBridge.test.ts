import type { Update } from "grammy/types";
import { afterEach, describe, expect, it } from "vitest";
import { createCustomerRuntime, type CustomerRuntimeOptions } from "../../actors/customerRuntime.ts";
import type { CrmStore } from "../../actors/store.port.ts";
import { aiSummaryMachine } from "../../machines/aiSummary.machine.ts";
import { checkoutMachine } from "../../machines/checkout.machine.ts";
import { openSqliteStore } from "../sqlite/sqliteStore.ts";
import { setFlowObserver, startFlow, stepFlow } from "../telegram/flowState.ts";
import * as updates from "../telegram/testing/telegramUpdates.ts";
import { createInspectorBridge } from "./inspectorBridge.ts";
import { hiddenValue } from "./personalRedaction.ts";
import { recordingInspector } from "./testing/recordingInspector.ts";
import { currentUpdateChat, traceUpdateChats } from "./updateChats.ts";

const stores: CrmStore[] = [];
afterEach(async () => {
  setFlowObserver(null);
  for (const store of stores.splice(0)) await store.close();
});

async function runtimeWith(observe: CustomerRuntimeOptions["observe"]) {
  const store = await openSqliteStore({ path: ":memory:" });
  stores.push(store);
  return createCustomerRuntime({ store, clock: { now: () => Date.parse("2026-11-23T07:00:00Z") }, ...(observe ? { observe } : {}) });
}

describe("customer actors in the inspector", () => {
  it("shows a dispatched event as the customer's actor, the event, and the snapshot after it", async () => {
    const { inspector, sent, kinds } = recordingInspector();
    const bridge = createInspectorBridge({ inspector });
    const runtime = await runtimeWith(bridge.customer);

    await runtime.dispatch(501, { type: "start", source: "vk_post", name: "Анна", username: "anna", key: "k1" });
    await runtime.dispatch(501, { type: "catalog_view", key: "k2" });

    expect(kinds()).toEqual([
      "@xstate.actor customer-501",
      "@xstate.event customer-501",
      "@xstate.snapshot customer-501",
      "@xstate.event customer-501",
      "@xstate.snapshot customer-501",
    ]);
    const [actor, started, afterStart, viewed, afterView] = sent;
    expect(actor).toMatchObject({ type: "@xstate.actor", name: "customer 501", snapshot: { status: "active", value: "new" } });
    expect(actor?.type === "@xstate.actor" ? JSON.parse(actor.definition ?? "{}") : null).toMatchObject({ id: "customer 501", initial: "new" });
    expect(started).toMatchObject({ type: "@xstate.event", event: { type: "start", source: "vk_post" } });
    expect(afterStart).toMatchObject({ type: "@xstate.snapshot", event: { type: "start" }, snapshot: { value: "new", context: { userId: 501, source: "vk_post", name: "Анна" } } });
    expect(viewed).toMatchObject({ event: { type: "catalog_view" } });
    expect(afterView).toMatchObject({ snapshot: { value: "engaged", context: { userId: 501 } } });
    expect(bridge.counts()).toEqual({ actors: 1, events: 2 });
  });

  it("passes on only the customers asked for", async () => {
    const { inspector, kinds } = recordingInspector();
    const runtime = await runtimeWith(createInspectorBridge({ inspector, users: new Set([501]) }).customer);

    await runtime.dispatch(502, { type: "start", key: "a" });
    await runtime.dispatch(501, { type: "start", key: "b" });
    await runtime.dispatch(502, { type: "catalog_view", key: "c" });

    expect(kinds()).toEqual(["@xstate.actor customer-501", "@xstate.event customer-501", "@xstate.snapshot customer-501"]);
  });

  it("passes on everyone when the filter is empty", async () => {
    const { inspector, kinds } = recordingInspector();
    const runtime = await runtimeWith(createInspectorBridge({ inspector, users: new Set() }).customer);
    await runtime.dispatch(502, { type: "start", key: "a" });
    expect(kinds()).toContain("@xstate.actor customer-502");
  });

  it("hides names, phones and typed texts when asked, and keeps the rest", async () => {
    const { inspector, sent } = recordingInspector({ hidePersonal: true });
    const runtime = await runtimeWith(createInspectorBridge({ inspector }).customer);

    await runtime.dispatch(501, { type: "start", source: "friend", name: "Анна", username: "anna", key: "a" });
    await runtime.dispatch(501, { type: "contact_shared", phone: "+79991234567", key: "b" });
    await runtime.addNote(501, "звонить после шести", "c");

    const text = JSON.stringify(sent);
    for (const secret of ["Анна", "anna", "+79991234567", "звонить"]) expect(text).not.toContain(secret);
    expect(sent.at(-1)).toMatchObject({ snapshot: { value: "new", context: { userId: 501, source: "friend", name: hiddenValue, phone: hiddenValue, notes: [{ text: hiddenValue }] } } });
  });
});

describe("chat flows in the inspector", () => {
  /** A stand-in for a bot: its handler steps flows, as the shop and owner bots do. */
  function fakeBot(handler: () => void) {
    return { handleUpdate: async (_update: Update): Promise<void> => handler() };
  }

  it("shows each flow step as the flow's actor in its chat, the event, and the state after it", async () => {
    const { inspector, sent, kinds } = recordingInspector();
    const bridge = createInspectorBridge({ inspector });
    setFlowObserver((step) => bridge.flow(step, currentUpdateChat()));
    const shop = fakeBot(() => {
      const phone = startFlow(checkoutMachine, { orderId: "SO-1" });
      stepFlow(checkoutMachine, stepFlow(checkoutMachine, phone, { type: "CONTACT_SHARED", phone: "79991234567" }), { type: "DELIVERY", text: "Москва" });
    });
    traceUpdateChats(shop, "shop");

    await shop.handleUpdate(updates.privateText(updates.user(501), "Москва"));

    expect(kinds()).toEqual(["@xstate.actor shop-501-checkout", "@xstate.event shop-501-checkout", "@xstate.snapshot shop-501-checkout", "@xstate.event shop-501-checkout", "@xstate.snapshot shop-501-checkout"]);
    expect(sent[0]).toMatchObject({ name: "checkout · shop chat 501", snapshot: { value: "phone" } });
    expect(sent[2]).toMatchObject({ event: { type: "CONTACT_SHARED" }, snapshot: { value: "delivery", context: { phone: "+79991234567" } } });
    expect(sent[4]).toMatchObject({ snapshot: { value: "confirming" } });
    expect(currentUpdateChat()).toBeUndefined();
  });

  it("keeps a filtered customer's own flows and the owner's flows about them, and nothing else", async () => {
    const { inspector, kinds } = recordingInspector();
    const bridge = createInspectorBridge({ inspector, users: new Set([501]) });
    setFlowObserver((step) => bridge.flow(step, currentUpdateChat()));
    const checkout = () => stepFlow(checkoutMachine, startFlow(checkoutMachine, { orderId: "SO-1" }), { type: "PHONE_TYPED", text: "+79991234567" });
    const shop = fakeBot(checkout);
    const owner = fakeBot(() => {
      stepFlow(aiSummaryMachine, startFlow(aiSummaryMachine, undefined), { type: "REQUEST", userId: 777 });
      stepFlow(aiSummaryMachine, startFlow(aiSummaryMachine, undefined), { type: "REQUEST", userId: 501 });
    });
    traceUpdateChats(shop, "shop");
    traceUpdateChats(owner, "owner");

    await shop.handleUpdate(updates.privateText(updates.user(777), "+79991234567"));
    await shop.handleUpdate(updates.privateText(updates.user(501), "+79991234567"));
    await owner.handleUpdate(updates.privateText(updates.user(1), "/crm"));

    expect(kinds()).toEqual([
      "@xstate.actor shop-501-checkout",
      "@xstate.event shop-501-checkout",
      "@xstate.snapshot shop-501-checkout",
      "@xstate.actor owner-1-aiSummary",
      "@xstate.event owner-1-aiSummary",
      "@xstate.snapshot owner-1-aiSummary",
    ]);
  });

  it("never changes a flow, even when the inspector throws", () => {
    setFlowObserver(() => {
      throw new Error("the inspector is down");
    });
    const next = stepFlow(checkoutMachine, startFlow(checkoutMachine, { orderId: "SO-1" }), { type: "PHONE_TYPED", text: "+79991234567" });
    expect(next.value).toBe("delivery");
  });
});
