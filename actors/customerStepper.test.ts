import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createActor } from "xstate";
import { customerMachine } from "../machines/customer.machine.ts";
import type { CustomerEvent } from "../machines/customer.types.ts";
import { createCustomerStepper } from "./customerStepper.ts";
import { customerEventArb } from "./fixtures/customerEvents.ts";

describe("customer stepper", () => {
  it("steps exactly as a live XState actor does, snapshot for snapshot", () => {
    const stepper = createCustomerStepper();
    fc.assert(
      fc.property(fc.array(customerEventArb, { maxLength: 15 }), (events) => {
        const actor = createActor(customerMachine, { input: { userId: 9 } }).start();
        let snapshot = stepper.initial(9);
        events.forEach((event, index) => {
          const timed = { ...event, at: 10 + index } as CustomerEvent;
          actor.send(timed);
          snapshot = stepper.step(snapshot, timed);
        });
        expect(snapshot.value).toBe(actor.getSnapshot().value);
        expect(snapshot.context).toEqual(actor.getSnapshot().context);
        expect(stepper.persist(snapshot)).toBe(JSON.stringify(actor.getPersistedSnapshot()));
        actor.stop();
      }),
      { numRuns: 5_000 },
    );
  });

  it("persists a snapshot that a live actor restores from", () => {
    const stepper = createCustomerStepper();
    const snapshot = stepper.step(stepper.initial(3), { type: "add_to_cart", productId: "p1", qty: 2, at: 50 });
    const restored = createActor(customerMachine, { snapshot: customerMachine.resolveState(JSON.parse(stepper.persist(snapshot))), input: { userId: 3 } }).start();
    restored.send({ type: "checkout_started", at: 60 });
    expect(restored.getSnapshot().value).toBe("checkout");
    expect(restored.getSnapshot().context.stageEnteredAt).toEqual({ new: 50, cart: 50, checkout: 60 });
  });
});
