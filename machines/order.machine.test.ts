import { describe, expect, it } from "vitest";
import type { EventObject } from "xstate";
import { createOrderStepper, statusOf, type OrderSnapshot } from "../actors/orderStepper.ts";
import type { RecordedAction } from "../actors/durableStep.ts";
import { orderEffects, orderMachine, orderWrites } from "./order.machine.ts";
import { orderEventRoles, orderEventTypes, orderReasons, type OrderEvent, type OrderEventInput, type PaymentMethod } from "./order.types.ts";

const stepper = createOrderStepper();
const t0 = Date.parse("2026-03-01T09:00:00Z");
const items = [{ productId: "tea", title: "Tea", price: 500, qty: 2 }];
const invoices = { stars: { currency: "XTR", amount: 560 }, provider: { currency: "RUB", amount: 100_000 }, cash: null } as const;

type Input = Exclude<OrderEventInput, { type: "order_placed" }> | { readonly type: `xstate.after.${string}` };

/** A path through the machine: the snapshot, the timers it has armed (by sendId), and the events that led there. */
interface Walker {
  readonly snapshot: OrderSnapshot;
  readonly armed: ReadonlyMap<string, EventObject>;
  readonly path: readonly string[];
}

interface Edge {
  readonly from: OrderSnapshot;
  readonly event: string;
  readonly input: Input;
  readonly to: OrderSnapshot;
  readonly actions: readonly RecordedAction[];
}

let seq = 0;
function step(walker: Walker, input: Input): { walker: Walker; actions: readonly RecordedAction[] } | null {
  const event = { ...input, at: t0 + seq * 60_000, seq: ++seq } as OrderEvent;
  if (!walker.snapshot.can(event)) return null;
  const { snapshot, actions } = stepper.step(walker.snapshot, event);
  const armed = new Map(walker.armed);
  if (input.type.startsWith("xstate.after.")) armed.delete(input.type);
  for (const action of actions) {
    if (action.kind === "timer") armed.set(action.sendId, action.event);
    if (action.kind === "cancel") armed.delete(action.sendId);
  }
  return { walker: { snapshot, armed, path: [...walker.path, input.type] }, actions };
}

function placed(payment: PaymentMethod): Walker {
  const start: Walker = { snapshot: stepper.initialOf("SO-1").snapshot, armed: new Map(), path: [] };
  const event = { type: "order_placed", by: "customer", orderId: "SO-1", userId: 7, items, total: 1000, currency: "RUB", payment, invoice: invoices[payment], language: "ru", at: t0, seq: ++seq } as const;
  const { snapshot, actions } = stepper.step(start.snapshot, event);
  const armed = new Map<string, EventObject>();
  for (const action of actions) if (action.kind === "timer") armed.set(action.sendId, action.event);
  return { snapshot, armed, path: [`order_placed(${payment})`] };
}

/** Every event a caller could send, with right and wrong payloads, plus the timers the walker has armed. */
function candidates(walker: Walker): Input[] {
  const invoice = walker.snapshot.context.invoice ?? { currency: "RUB", amount: 1000 };
  const pay = (chargeId: string, amount = invoice.amount, currency = invoice.currency): Input => ({ type: "payment_received", by: "payment", chargeId, amount, currency });
  return [
    pay("c1"),
    pay("c2"),
    pay("c3", invoice.amount + 1),
    pay("c4", invoice.amount, invoice.currency === "XTR" ? "RUB" : "XTR"),
    { type: "invoice_requested", by: "customer" },
    { type: "marked_paid", by: "owner" },
    { type: "shipped", by: "owner", tracking: "TRACK-1" },
    { type: "delivered", by: "owner" },
    { type: "cancel_requested", by: "customer", reason: "changed my mind" },
    { type: "refund_requested", by: "owner", reason: "returned" },
    { type: "refund_completed", by: "payment", chargeId: walker.snapshot.context.chargeId },
    { type: "refund_completed", by: "payment", chargeId: "c2" },
    { type: "refund_failed", by: "payment", reason: "CHARGE_NOT_FOUND" },
    { type: "repriced", by: "customer", items, total: 1100, invoice: { ...invoice, amount: invoice.amount + 10 } },
    { type: "repriced", by: "customer", items: [{ productId: "tea", title: "Tea", price: 500, qty: 1 }], total: 500, invoice },
    { type: "rated", by: "customer", stars: 5 },
    { type: "rated", by: "customer", stars: 9 },
    ...[...walker.armed.keys()].map((sendId) => ({ type: sendId as `xstate.after.${string}` })),
  ];
}

const stateIds = (snapshot: OrderSnapshot): string[] => snapshot._nodes.map((node) => node.id);
const keyOf = (walker: Walker): string => {
  const { context } = walker.snapshot;
  return JSON.stringify([walker.snapshot.value, context.payment, context.chargeId !== null, context.paidAt !== null, context.rating !== null, [...walker.armed.keys()].sort()]);
};

/** Breadth-first over every reachable configuration, from a placed order of each payment method. */
function walk(): { edges: Edge[]; refused: Input[]; seen: Set<string> } {
  const edges: Edge[] = [];
  const refused: Input[] = [];
  const seen = new Set<string>();
  const visited = new Set<string>();
  let frontier: Walker[] = (["cash", "stars", "provider"] as const).map(placed);
  for (let depth = 0; depth < 9 && frontier.length > 0; depth++) {
    const next: Walker[] = [];
    for (const walker of frontier) {
      if (visited.has(keyOf(walker))) continue;
      visited.add(keyOf(walker));
      for (const id of stateIds(walker.snapshot)) seen.add(id);
      for (const input of candidates(walker)) {
        const moved = step(walker, input);
        if (!moved) {
          refused.push(input);
          continue;
        }
        edges.push({ from: walker.snapshot, event: input.type, input, to: moved.walker.snapshot, actions: moved.actions });
        next.push(moved.walker);
      }
    }
    frontier = next;
  }
  return { edges, refused, seen };
}

const allStateIds = (node = orderMachine.root): string[] => [node.id, ...Object.values(node.states).flatMap((child) => allStateIds(child))];
const named = (actions: readonly RecordedAction[]): string[] => actions.flatMap((action) => (action.kind === "effect" || action.kind === "write" ? [action.name] : []));

describe("order machine graph", () => {
  const { edges, refused, seen } = walk();

  it("reaches every state it can rest in, from an order placed with cash, Stars or a provider", () => {
    const initial = stateIds(stepper.initialOf("SO-1").snapshot);
    // `delivered.arrived` only chooses, at once, between asking for feedback and not (`always`).
    const transient = allStateIds().filter((id) => (orderMachine.getStateNodeById(id).always?.length ?? 0) > 0);
    expect(transient).toEqual(["order.delivered.arrived"]);
    expect([...new Set([...initial, ...seen])].sort()).toEqual(allStateIds().filter((id) => !transient.includes(id)).sort());
  });

  it("names every effect and write it declares somewhere on the walk", () => {
    const used = new Set(edges.flatMap((edge) => named(edge.actions)));
    for (const name of [...orderEffects, ...orderWrites]) expect(used, name).toContain(name);
  });

  it("makes no move after cancelled or refunded, except refunding a late charge (the status stays)", () => {
    const fromFinal = edges.filter((edge) => statusOf(edge.from) === "cancelled" || statusOf(edge.from) === "refunded");
    expect(fromFinal.length).toBeGreaterThan(0);
    for (const edge of fromFinal) {
      expect(edge.event).toBe("payment_received");
      expect(statusOf(edge.to)).toBe(statusOf(edge.from));
      expect(named(edge.actions).some((name) => name === "refundStarPayment" || name === "askOwnersToRefund"), JSON.stringify(named(edge.actions))).toBe(true);
      expect(edge.to.context.moves.at(-1)?.note).toBe(orderReasons.lateCharge);
    }
  });

  it("cancels only before shipping, and releases the stock of every cancel exactly once", () => {
    for (const edge of edges.filter((candidate) => named(candidate.actions).includes("releaseStock"))) {
      expect(["placed", "awaiting_payment", "paid"]).toContain(statusOf(edge.from));
      expect(["cancelled", "refunding"]).toContain(statusOf(edge.to));
      expect(named(edge.actions).filter((name) => name === "releaseStock")).toHaveLength(1);
    }
    const cancels = edges.filter((edge) => edge.event === "cancel_requested");
    expect(new Set(cancels.map((edge) => statusOf(edge.from)))).toEqual(new Set(["placed", "awaiting_payment", "paid"]));
  });

  it("pays once: a paid order never takes a second charge as its payment, and refunds it instead", () => {
    for (const edge of edges.filter((candidate) => candidate.event === "payment_received" && candidate.from.context.chargeId !== null)) {
      expect(edge.to.context.chargeId).toBe(edge.from.context.chargeId);
      expect(named(edge.actions).some((name) => name === "refundStarPayment" || name === "askOwnersToRefund")).toBe(true);
      expect(named(edge.actions)).not.toContain("settleCustomer");
    }
  });

  it("settles each order at most once and takes it off the lifetime value only after it was settled", () => {
    for (const edge of edges.filter((candidate) => named(candidate.actions).includes("settleCustomer"))) expect(edge.from.context.paidAt).toBeNull();
    for (const edge of edges.filter((candidate) => named(candidate.actions).includes("unsettleCustomer"))) {
      expect(edge.from.context.paidAt).not.toBeNull();
      expect(statusOf(edge.to)).toBe("refunded");
    }
  });

  it("refuses a payment of the wrong amount or currency wherever the order is", () => {
    const forged = (input: Input): boolean => input.type === "payment_received" && (input.chargeId === "c3" || input.chargeId === "c4");
    expect(edges.filter((edge) => forged(edge.input))).toEqual([]);
    expect(refused.filter(forged).length).toBeGreaterThan(10);
  });

  it("lets each role make only its own moves", () => {
    for (const type of orderEventTypes) expect(orderEventRoles[type].length, type).toBeGreaterThan(0);
    expect(orderEventRoles.payment_received).toEqual(["payment"]);
    expect(orderEventRoles.shipped).toEqual(["owner"]);
  });
});
