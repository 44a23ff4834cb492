import { createActor, type ActorScope, type EventObject } from "xstate";
import { customerMachine } from "../machines/customer.machine.ts";
import type { CustomerEvent } from "../machines/customer.types.ts";
import type { CustomerSnapshot } from "./customerSnapshot.ts";

/**
 * The customer machine as a pure step function: (snapshot, event) → snapshot.
 *
 * A live XState actor costs about 23 KB and its creation churns the heap; a million customers cannot
 * all be live. So a customer is a virtual actor: its state is an XState snapshot, and each event is
 * applied by the machine's own `transition` with one inert actor scope shared by every customer.
 * XState's exported `transition()` does the same but builds a fresh scope (an actor) per call, which
 * costs ~25 µs; sharing one brings a step to ~3 µs, the price of `actor.send`.
 * The funnel machine only assigns, so nothing is lost by an inert scope: no action needs executing.
 */
export function createCustomerStepper() {
  const self = createActor(customerMachine, { input: { userId: 0 } });
  const scope: ActorScope<CustomerSnapshot, CustomerEvent, typeof self.system, EventObject> = {
    self,
    id: "",
    sessionId: "",
    system: self.system,
    logger: () => {},
    defer: () => {},
    emit: () => {},
    stopChild: () => {},
    actionExecutor: () => {},
  };
  return {
    initial: (userId: number): CustomerSnapshot => customerMachine.getInitialSnapshot(scope, { userId }),
    step: (snapshot: CustomerSnapshot, event: CustomerEvent): CustomerSnapshot => customerMachine.transition(snapshot, event, scope),
    /** The JSON that `createActor(machine, { snapshot })` accepts back. */
    persist: (snapshot: CustomerSnapshot): string => JSON.stringify(customerMachine.getPersistedSnapshot(snapshot)),
  };
}

export type CustomerStepper = ReturnType<typeof createCustomerStepper>;
