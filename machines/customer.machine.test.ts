import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createActor } from "xstate";
import { toDirectedGraph, type DirectedGraphNode } from "xstate/graph";
import { customerMachine } from "./customer.machine.ts";
import { customerEventArb as eventArb } from "../actors/fixtures/customerEvents.ts";
import { customerEventTypes, stageRank, stages, type CustomerEvent, type Stage } from "./customer.types.ts";

const isStage = (value: unknown): value is Stage => typeof value === "string" && (stages as readonly string[]).includes(value);

function stageOf(node: { key: string }): Stage {
  if (!isStage(node.key)) throw new Error(`not a stage: ${node.key}`);
  return node.key;
}

function collectEdges(node: DirectedGraphNode): Array<{ source: Stage; target: Stage; event: string }> {
  const own = node.edges.map((edge) => ({ source: stageOf(edge.source), target: stageOf(edge.target), event: edge.label.text }));
  return [...own, ...node.children.flatMap(collectEdges)];
}

describe("customer funnel graph", () => {
  it("has exactly the six stages", () => {
    expect(Object.keys(customerMachine.root.states)).toEqual([...stages]);
  });

  it("has no transition whose target ranks below its source", () => {
    const graph = toDirectedGraph(customerMachine);
    for (const edge of graph.edges) expect(edge.target, `root --${edge.label.text}-->`).toBe(edge.source);
    const edges = graph.children.flatMap(collectEdges);
    expect(edges).toHaveLength(17);
    for (const edge of edges) {
      expect(stageRank[edge.target], `${edge.source} --${edge.event}--> ${edge.target}`).toBeGreaterThanOrEqual(stageRank[edge.source]);
    }
  });

  it("keeps every transition of the root targetless, so a lower event leaves the stage alone", () => {
    const rootTransitions = [...customerMachine.root.transitions.values()].flat();
    expect(rootTransitions.length).toBe(customerEventTypes.length);
    for (const transition of rootTransitions) expect(transition.target).toBeUndefined();
  });

  it("walks every state node's own transitions upward too", () => {
    let checked = 0;
    for (const node of Object.values(customerMachine.root.states)) {
      const source = stageOf(node);
      for (const transition of [...node.transitions.values()].flat()) {
        for (const target of transition.target ?? []) {
          checked++;
          expect(stageRank[stageOf(target)]).toBeGreaterThan(stageRank[source]);
        }
      }
    }
    expect(checked).toBe(17);
  });
});

/** The rule, stated independently of the machine: the highest stage implied so far; repeat from the second order. */
function expectedStage(events: ReadonlyArray<Omit<CustomerEvent, "at">>): Stage {
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

describe("customer funnel property", () => {
  it("never lowers the stage, and always sits at the highest stage the events imply (100k sequences)", () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 12 }), (events) => {
        const actor = createActor(customerMachine, { input: { userId: 1 } }).start();
        let previous = 1;
        events.forEach((event, index) => {
          actor.send({ ...event, at: 1_000 + index } as CustomerEvent);
          const stage = actor.getSnapshot().value;
          expect(stageRank[stage]).toBeGreaterThanOrEqual(previous);
          previous = stageRank[stage];
          expect(stage).toBe(expectedStage(events.slice(0, index + 1)));
        });
        actor.stop();
      }),
      { numRuns: 100_000 },
    );
  });
});

describe("customer facts", () => {
  it("skips straight to customer on a first order from new, and records when each stage was entered", () => {
    const actor = createActor(customerMachine, { input: { userId: 7 } }).start();
    actor.send({ type: "start", source: "instagram_ads", username: "anna", at: 100 });
    actor.send({ type: "order_created", orderId: "A-1", total: 990, currency: "RUB", at: 200 });
    const { value, context } = actor.getSnapshot();
    expect(value).toBe("customer");
    expect(context.stageEnteredAt).toEqual({ new: 100, customer: 200 });
    expect(context).toMatchObject({ source: "instagram_ads", username: "anna", ordersCount: 1, lifetimeValue: 990, lastOrderId: "A-1" });
  });

  it("updates last seen and counters on a lower event but keeps the stage", () => {
    const actor = createActor(customerMachine, { input: { userId: 7 } }).start();
    actor.send({ type: "add_to_cart", productId: "p1", qty: 1, at: 100 });
    actor.send({ type: "catalog_view", at: 500 });
    const { value, context } = actor.getSnapshot();
    expect(value).toBe("cart");
    expect(context.lastSeenAt).toBe(500);
    expect(context.firstSeenAt).toBe(100);
  });

  it("does not count owner actions or outgoing messages as the customer being seen", () => {
    const actor = createActor(customerMachine, { input: { userId: 7 } }).start();
    actor.send({ type: "start", at: 100 });
    actor.send({ type: "note_added", text: "called back", at: 900 });
    actor.send({ type: "tags_changed", added: ["vip", "opt"], at: 901 });
    actor.send({ type: "tags_changed", removed: ["opt"], at: 902 });
    actor.send({ type: "message_out", messageType: "ai_response", chars: 10, at: 903 });
    const { context } = actor.getSnapshot();
    expect(context.lastSeenAt).toBe(100);
    expect(context.tags).toEqual(["vip"]);
    expect(context.notes).toEqual([{ at: 900, text: "called back" }]);
  });

  it("clears consent on revocation and keeps the first deep-link source", () => {
    const actor = createActor(customerMachine, { input: { userId: 7 } }).start();
    actor.send({ type: "start", source: "ads", at: 1 });
    actor.send({ type: "start", source: "friend", at: 2 });
    actor.send({ type: "consent_given", version: "v2", at: 3 });
    expect(actor.getSnapshot().context).toMatchObject({ consentAt: 3, consentVersion: "v2", source: "ads" });
    actor.send({ type: "consent_revoked", at: 4 });
    expect(actor.getSnapshot().context).toMatchObject({ consentAt: null, consentVersion: null });
  });

  it("records a block as a fact that keeps its first time and the stage, and clears it on any act of the customer", () => {
    const actor = createActor(customerMachine, { input: { userId: 7 } }).start();
    actor.send({ type: "add_to_cart", productId: "p1", qty: 1, at: 100 });
    actor.send({ type: "blocked", at: 200 });
    actor.send({ type: "blocked", at: 300 });
    actor.send({ type: "note_added", text: "called, no answer", at: 400 });
    expect(actor.getSnapshot().value).toBe("cart");
    expect(actor.getSnapshot().context).toMatchObject({ blockedAt: 200, lastSeenAt: 100 });
    actor.send({ type: "unblocked", at: 500 });
    expect(actor.getSnapshot().context).toMatchObject({ blockedAt: null, lastSeenAt: 500 });
    actor.send({ type: "blocked", at: 600 });
    actor.send({ type: "catalog_view", at: 700 });
    expect(actor.getSnapshot().value).toBe("cart");
    expect(actor.getSnapshot().context.blockedAt).toBeNull();
    actor.stop();
  });

  it("erases the personal facts on data_erased, keeping the stage, the counts and the stage dates", () => {
    const actor = createActor(customerMachine, { input: { userId: 7 } }).start();
    actor.send({ type: "start", source: "ads", username: "anna_k", name: "Анна К", at: 1 });
    actor.send({ type: "contact_shared", phone: "+79991234567", at: 2 });
    actor.send({ type: "consent_given", version: "v1", at: 3 });
    actor.send({ type: "note_added", text: "prefers oolong", at: 4 });
    actor.send({ type: "tags_changed", added: ["vip"], at: 5 });
    actor.send({ type: "order_created", orderId: "SO-1", total: 990, currency: "RUB", at: 6 });
    const before = actor.getSnapshot();
    actor.send({ type: "data_erased", at: 7 });
    const after = actor.getSnapshot();
    expect(after.value).toBe("customer");
    expect(after.context).toMatchObject({
      username: null,
      name: null,
      phone: null,
      notes: [],
      tags: [],
      consentAt: null,
      consentVersion: null,
      erasedAt: 7,
      source: "ads",
      ordersCount: 1,
      lifetimeValue: 990,
      firstSeenAt: 1,
    });
    expect(after.context.stageEnteredAt).toEqual(before.context.stageEnteredAt);
    actor.stop();
  });
});
