import { describe, expect, it } from "vitest";
import { customerMachine } from "./customer.machine.ts";
import type { CustomerEventInput } from "./customer.types.ts";
import { throughJson } from "./testing/rehydration.ts";
import { startLiveCustomer, type LiveCustomer } from "./testing/liveCustomer.ts";

const t0 = Date.parse("2026-03-02T10:00:00Z");
const minute = 60_000;
const quietAlways = customerMachine.provide({ guards: { inQuietHours: () => true } });

type Step = CustomerEventInput | { readonly wait: number };
const steps = (live: LiveCustomer, list: readonly Step[]): void => {
  for (const step of list) {
    if ("wait" in step) live.advanceBy(step.wait);
    else live.send(step);
  }
};

const consent: Step = { type: "consent_given", version: "v1" };
const add: Step = { type: "add_to_cart", productId: "p1", qty: 1 };
const order: Step = { type: "order_created", orderId: "SO-1", total: 10, currency: "RUB" };

/** A way to reach each state of each region, and the history of the cart after a reminder. */
const reach: Readonly<Record<string, { readonly machine?: typeof customerMachine; readonly steps: readonly Step[]; readonly value: object }>> = {
  "a new customer": { steps: [], value: { facts: "recording", funnel: "new", cart: "empty", checkout: "idle", consultant: "off", activity: "unseen" } },
  engaged: { steps: [{ type: "catalog_view" }], value: { funnel: "engaged", activity: "active" } },
  "a waiting cart": { steps: [add], value: { funnel: "cart", cart: { filled: { shopping: "waiting" } } } },
  "a quiet cart": { machine: quietAlways, steps: [consent, add, { wait: 120 * minute }], value: { cart: { filled: { shopping: "quiet" } } } },
  "a reminded cart": { steps: [consent, add, { wait: 120 * minute }], value: { cart: { filled: { shopping: "reminded" } } } },
  "a skipped cart": { steps: [add, { wait: 120 * minute }], value: { cart: { filled: { shopping: "skipped" } } } },
  "a checkout at the phone step, after a reminder": {
    steps: [consent, add, { wait: 120 * minute }, { type: "checkout_started" }],
    value: { funnel: "checkout", cart: { filled: "checkingOut" }, checkout: "phone" },
  },
  "a checkout at the delivery step": { steps: [add, { type: "checkout_started" }, { type: "contact_shared", phone: "+79990000000" }], value: { checkout: "delivery" } },
  "a checkout confirming": {
    steps: [add, { type: "checkout_started" }, { type: "contact_shared", phone: "+79990000000" }, { type: "delivery_given", text: "ул. Ленина, 1" }],
    value: { checkout: "confirming" },
  },
  "a customer": { steps: [order], value: { funnel: "customer" } },
  "a repeat customer": { steps: [order, order], value: { funnel: "repeat" } },
  "a consultant listening": { steps: [consent, { type: "consultant_entered" }], value: { consultant: "listening" } },
  "a consultant thinking": { steps: [consent, { type: "consultant_entered" }, { type: "question_asked", text: "Cotton?" }], value: { consultant: "thinking" } },
  "a dormant customer": { steps: [{ type: "start" }, { wait: 30 * 24 * 60 * minute }], value: { activity: { dormant: "waiting" } } },
};

/** What happens next, sent to the original and to the restored actor alike. */
const next: readonly CustomerEventInput[] = [
  { type: "checkout_cancelled" },
  { type: "add_to_cart", productId: "p2", qty: 1 },
  { type: "question_asked", text: "And wool?" },
  { type: "consultant_answered", text: "Yes." },
  { type: "catalog_view" },
];

describe("customer rehydration", () => {
  it.each(Object.keys(reach))("restores %s from a JSON round-trip of the persisted snapshot, and goes on exactly as the original", (name) => {
    const scenario = reach[name];
    if (!scenario) throw new Error(`no way to reach ${name}`);
    const machine = scenario.machine ?? customerMachine;
    const original = startLiveCustomer({ machine, at: t0 });
    steps(original, scenario.steps);
    expect(original.snapshot().value).toMatchObject(scenario.value);
    const stored = throughJson(machine, original.snapshot());
    expect(stored.text.length).toBeLessThan(2_000);
    const restored = startLiveCustomer({ machine, at: original.now(), snapshot: stored.snapshot });
    expect(restored.snapshot().value).toEqual(original.snapshot().value);
    expect(restored.snapshot().context).toEqual(original.snapshot().context);
    const from = original.actions.length;
    next.forEach((event, index) => {
      original.send({ ...event, seq: 1_000 + index });
      restored.send({ ...event, seq: 1_000 + index });
      expect(restored.snapshot().value, event.type).toEqual(original.snapshot().value);
      expect(restored.snapshot().context, event.type).toEqual(original.snapshot().context);
    });
    expect(restored.actions).toEqual(original.actions.slice(from));
    original.actor.stop();
    restored.actor.stop();
  });
});
