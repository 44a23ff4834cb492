import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { customerEffects, customerMachine, customerWrites } from "./customer.machine.ts";
import { customerEventArb, pauseArb } from "../actors/fixtures/customerEvents.ts";
import { customerActs, customerEventTypes, emittedEventTypes, stageRank, stages, type CustomerEvent, type Stage } from "./customer.types.ts";
import { startLiveCustomer } from "./testing/liveCustomer.ts";

type StateNode = (typeof customerMachine)["root"];
type Transition = NonNullable<ReturnType<StateNode["transitions"]["get"]>>[number];

const isStage = (value: unknown): value is Stage => typeof value === "string" && (stages as readonly string[]).includes(value);

function descendants(node: StateNode): StateNode[] {
  return Object.values(node.states).flatMap((child) => [child, ...descendants(child)]);
}

const transitionsOf = (node: StateNode): Transition[] => [...node.transitions.values(), ...(node.always ? [node.always] : [])].flat();
const regionOf = (node: StateNode): string => node.path[0] ?? "";

/** The names of a list of actions as written: `"record"`, `{ type: "recordOrder", params }`, or a built-in's type. */
function actionNames(actions: readonly unknown[]): string[] {
  return actions.map((action) => {
    if (typeof action === "string") return action;
    if ((typeof action === "object" || typeof action === "function") && action !== null && "type" in action) return String(action.type);
    return "inline function";
  });
}

describe("customer machine graph", () => {
  const nodes = descendants(customerMachine.root);

  it("is parallel with the six regions in order, and the funnel has exactly the six stages", () => {
    expect(customerMachine.root.type).toBe("parallel");
    expect(Object.keys(customerMachine.root.states)).toEqual(["facts", "funnel", "cart", "checkout", "consultant", "activity"]);
    expect(Object.keys(customerMachine.root.states.funnel?.states ?? {})).toEqual([...stages]);
  });

  it("has no transition of the root, so no event is handled twice or by no one", () => {
    expect(customerMachine.root.transitions.size).toBe(0);
    expect(customerMachine.root.always).toBeUndefined();
  });

  it("moves the funnel only upward: every funnel transition targets a higher stage (17 of them)", () => {
    const edges = nodes
      .filter((node) => regionOf(node) === "funnel")
      .flatMap((node) => transitionsOf(node).flatMap((transition) => (transition.target ?? []).map((target) => ({ source: node.key, target: target.key, event: transition.eventType }))));
    expect(edges).toHaveLength(17);
    for (const edge of edges) {
      if (!isStage(edge.source) || !isStage(edge.target)) throw new Error(`not a stage: ${edge.source} → ${edge.target}`);
      expect(stageRank[edge.target], `${edge.source} --${edge.event}--> ${edge.target}`).toBeGreaterThan(stageRank[edge.source]);
    }
  });

  it("has no transition of another region that targets a funnel state", () => {
    let checked = 0;
    for (const node of nodes.filter((candidate) => regionOf(candidate) !== "funnel")) {
      for (const transition of transitionsOf(node)) {
        for (const target of transition.target ?? []) {
          checked++;
          expect(regionOf(target), `${node.id} --${transition.eventType}--> ${target.id}`).toBe(regionOf(node));
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it("records facts in the facts region only, on every event type, with targetless transitions", () => {
    const recording = customerMachine.root.states.facts?.states.recording;
    if (!recording) throw new Error("no facts.recording");
    expect([...recording.transitions.keys()].sort()).toEqual([...customerEventTypes].sort());
    for (const transition of transitionsOf(recording)) {
      expect(transition.target, transition.eventType).toBeUndefined();
      expect(actionNames(transition.actions)).toContain("record");
    }
    for (const node of nodes.filter((candidate) => regionOf(candidate) !== "facts")) {
      const named = [...transitionsOf(node).flatMap((transition) => actionNames(transition.actions)), ...actionNames(node.entry), ...actionNames(node.exit)];
      expect(named, node.id).not.toContain("record");
    }
  });

  it("uses only named actions, each an assign, a built-in or a declared effect or write", () => {
    const named = new Set(nodes.flatMap((node) => [...transitionsOf(node).flatMap((transition) => actionNames(transition.actions)), ...actionNames(node.entry), ...actionNames(node.exit)]));
    const implemented = customerMachine.implementations.actions;
    for (const name of named) {
      if (name.startsWith("xstate.")) continue;
      expect(name === "inline function" ? undefined : implemented[name], name).toBeDefined();
    }
    for (const name of [...customerEffects, ...customerWrites]) expect(named, name).toContain(name);
  });

  it("arms no timer in any initial state, and every delay is a named one the machine implements", () => {
    const live = startLiveCustomer();
    expect(live.timers().size).toBe(0);
    expect(live.actions.filter((action) => action.type === "xstate.raise")).toEqual([]);
    const delays = nodes.flatMap((node) => Object.keys(node.config.after ?? {}));
    expect(delays.sort()).toEqual(["cartReminder", "consultantTimeout", "dormancy", "secondReminder", "untilMorning", "untilMorning", "untilMorning", "winBack"]);
    for (const delay of delays) expect(customerMachine.implementations.delays[delay], delay).toBeDefined();
    live.actor.stop();
  });

  it("wakes the activity region on exactly the customer's acts", () => {
    const unseen = customerMachine.root.states.activity?.states.unseen;
    const dormant = customerMachine.root.states.activity?.states.dormant;
    expect([...(unseen?.transitions.keys() ?? [])].sort()).toEqual([...customerActs].sort());
    expect([...(dormant?.transitions.keys() ?? [])].sort()).toEqual([...customerActs].sort());
    expect(customerActs.filter((type) => (emittedEventTypes as readonly string[]).includes(type))).toEqual([]);
  });
});

/** The rule, stated independently of the machine: the highest stage implied so far; repeat from the second order. */
function expectedStage(events: ReadonlyArray<{ readonly type: CustomerEvent["type"] }>): Stage {
  let rank = 1;
  let orders = 0;
  for (const event of events) {
    if (event.type === "order_created") orders++;
    const implied =
      event.type === "order_created" ? (orders >= 2 ? 6 : 5)
      : event.type === "checkout_started" ? 4
      : event.type === "add_to_cart" ? 3
      : event.type === "catalog_view" || event.type === "product_view" || event.type === "search" ? 2
      : 1;
    rank = Math.max(rank, implied);
  }
  return stages[rank - 1] ?? "new";
}

describe("customer machine property", () => {
  it("never lowers the stage and sits at the highest stage the events imply, with timers firing between events (100k sequences)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(customerEventArb, pauseArb), { maxLength: 12 }), (steps) => {
        const live = startLiveCustomer({ at: Date.parse("2026-03-02T10:00:00Z") });
        let previous = 1;
        let cartsFilled = 0;
        steps.forEach(([event, pause], index) => {
          live.advanceBy(pause);
          if (event.type === "add_to_cart" && live.snapshot().value.cart === "empty") cartsFilled++;
          live.send(event);
          const { value, context } = live.snapshot();
          expect(stageRank[value.funnel]).toBeGreaterThanOrEqual(previous);
          previous = stageRank[value.funnel];
          expect(value.funnel).toBe(expectedStage(steps.slice(0, index + 1).map(([step]) => step)));
          expect(value.cart === "empty").toBe(context.cart.lines.length === 0);
          expect(value.checkout === "idle").toBe(context.checkout === null);
          expect(typeof value.activity === "object" && "dormant" in value.activity).toBe(context.dormantSince !== null);
        });
        live.advanceBy(31 * 86_400_000);
        expect(live.named("sendCartReminder").length).toBeLessThanOrEqual(cartsFilled);
        live.actor.stop();
      }),
      { numRuns: 100_000 },
    );
  }, 300_000);
});

describe("customer facts", () => {
  const at = Date.parse("2026-03-02T10:00:00Z");

  it("skips straight to customer on a first order from new, and records when each stage was entered", () => {
    const live = startLiveCustomer({ at });
    live.send({ type: "start", source: "instagram_ads", username: "anna", language: "en" });
    live.send({ type: "order_created", orderId: "A-1", total: 990, currency: "RUB", at: at + 100 });
    const { value, context } = live.snapshot();
    expect(value.funnel).toBe("customer");
    expect(context.stageEnteredAt).toEqual({ new: at, customer: at + 100 });
    expect(context).toMatchObject({ source: "instagram_ads", username: "anna", language: "en", ordersCount: 1, lifetimeValue: 990, lastOrderId: "A-1" });
  });

  it("counts in the lifetime value an order with a payment method only once it settles, less what was refunded; the stage moves at once", () => {
    const live = startLiveCustomer({ at });
    live.send({ type: "start", language: "en" });
    const items = [{ productId: "tea", title: "Tea", price: 500, qty: 1 }];
    live.send({ type: "order_created", orderId: "A-1", total: 500, currency: "RUB", items, payment: "stars", invoice: { currency: "XTR", amount: 280 } });
    live.send({ type: "order_created", orderId: "A-2", total: 300.1, currency: "RUB", items, payment: "cash", invoice: null });
    expect(live.snapshot().context).toMatchObject({ ordersCount: 2, lifetimeValue: 0, lastOrderId: "A-2" });
    expect(live.snapshot().value.funnel).toBe("repeat");
    live.send({ type: "order_settled", orderId: "A-1", amount: 500 });
    live.send({ type: "order_settled", orderId: "A-2", amount: 300.1 });
    expect(live.snapshot().context.lifetimeValue).toBe(800.1);
    live.send({ type: "order_refunded", orderId: "A-1", amount: 500 });
    expect(live.snapshot().context).toMatchObject({ lifetimeValue: 300.1, ordersCount: 2 });
    expect(live.snapshot().value.activity).toBe("active");
  });

  it("updates last seen on a lower event but keeps the stage, and does not count owner actions or outgoing messages", () => {
    const live = startLiveCustomer({ at });
    live.send({ type: "add_to_cart", productId: "p1", qty: 1 });
    live.send({ type: "catalog_view", at: at + 400 });
    live.send({ type: "note_added", text: "called back", at: at + 900 });
    live.send({ type: "tags_changed", added: ["vip", "opt"] });
    live.send({ type: "tags_changed", removed: ["opt"] });
    live.send({ type: "message_out", messageType: "ai_response", chars: 10 });
    live.send({ type: "cart_adjusted", lines: [{ productId: "p1", qty: 1 }] });
    const { value, context } = live.snapshot();
    expect(value.funnel).toBe("cart");
    expect(context).toMatchObject({ firstSeenAt: at, lastSeenAt: at + 400, tags: ["vip"], notes: [{ at: at + 900, text: "called back" }] });
  });

  it("keeps the first deep-link source; consent clears a decline, revocation clears consent", () => {
    const live = startLiveCustomer({ at });
    live.send({ type: "start", source: "ads" });
    live.send({ type: "start", source: "friend" });
    live.send({ type: "consent_declined", version: "v2" });
    expect(live.snapshot().context).toMatchObject({ consentDeclined: "v2", source: "ads" });
    live.send({ type: "consent_given", version: "v2", at: at + 3 });
    expect(live.snapshot().context).toMatchObject({ consentAt: at + 3, consentVersion: "v2", consentDeclined: null });
    live.send({ type: "consent_revoked" });
    expect(live.snapshot().context).toMatchObject({ consentAt: null, consentVersion: null });
  });

  it("records a block as a fact that keeps its first time and the stage, and clears it on any act of the customer", () => {
    const live = startLiveCustomer({ at });
    live.send({ type: "add_to_cart", productId: "p1", qty: 1 });
    live.send({ type: "blocked", at: at + 200 });
    live.send({ type: "blocked", at: at + 300 });
    live.send({ type: "note_added", text: "called, no answer" });
    expect(live.snapshot().value.funnel).toBe("cart");
    expect(live.snapshot().context).toMatchObject({ blockedAt: at + 200, lastSeenAt: at });
    live.send({ type: "unblocked", at: at + 500 });
    expect(live.snapshot().context).toMatchObject({ blockedAt: null, lastSeenAt: at + 500 });
  });

  it("counts the reminders that reached the customer", () => {
    const live = startLiveCustomer({ at });
    live.send({ type: "reminder_sent", at: at + 10 });
    live.send({ type: "reminder_sent", at: at + 20 });
    expect(live.snapshot().context).toMatchObject({ lastReminderAt: at + 20, remindersSent: 2, lastSeenAt: null });
  });

  it("erases the personal facts, the cart, the checkout and the consultant on data_erased, keeping the stage, the counts and the stage dates", () => {
    const live = startLiveCustomer({ at });
    live.send({ type: "start", source: "ads", username: "anna_k", name: "Анна К" });
    live.send({ type: "consent_given", version: "v1" });
    live.send({ type: "note_added", text: "prefers oolong" });
    live.send({ type: "tags_changed", added: ["vip"] });
    live.send({ type: "order_created", orderId: "SO-1", total: 990, currency: "RUB" });
    live.send({ type: "add_to_cart", productId: "p1", qty: 1 });
    live.send({ type: "checkout_started" });
    live.send({ type: "contact_shared", phone: "+79991234567" });
    live.send({ type: "delivery_given", text: "ул. Ленина, 1" });
    live.send({ type: "consultant_entered" });
    const before = live.snapshot();
    live.send({ type: "data_erased", at: at + 7 });
    const after = live.snapshot();
    expect(after.value).toMatchObject({ funnel: "customer", cart: "empty", checkout: "idle", consultant: "off" });
    expect(after.context).toMatchObject({
      username: null, name: null, phone: null, notes: [], tags: [], consentAt: null, consentVersion: null, checkout: null,
      cart: { lines: [] }, erasedAt: at + 7, source: "ads", ordersCount: 1, lifetimeValue: 990, firstSeenAt: at,
    });
    expect(after.context.stageEnteredAt).toEqual(before.context.stageEnteredAt);
    expect(live.named("erasePersonalData")).toHaveLength(1);
    expect(JSON.stringify(customerMachine.getPersistedSnapshot(after))).not.toMatch(/anna|Анна|oolong|79991234567|Ленина/);
  });
});
