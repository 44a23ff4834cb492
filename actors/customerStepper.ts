import { customerEffects, customerMachine, customerWrites } from "../machines/customer.machine.ts";
import { emittedEventTypes, type CustomerEvent, type TimerEvent } from "../machines/customer.types.ts";
import type { CustomerMachine, CustomerSnapshot } from "./customerSnapshot.ts";
import { createDurableStepper, createTimerFold, type RecordedAction } from "./durableStep.ts";
import type { StoredEvent, TimerRow } from "./store.port.ts";

/** The writes and effects the customer machine may name: what `assertDurable` checks it against. */
export const customerDurableActions = { writes: customerWrites, effects: customerEffects };

/** The actor id of a customer in timer and effect rows. */
export const customerActor = (userId: number): string => `customer:${userId}`;

/** The user id of a `customer:<id>` actor, or null for any other actor. */
export function customerIdOf(actor: string): number | null {
  if (!actor.startsWith("customer:")) return null;
  const id = Number(actor.slice("customer:".length));
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

const emitted: ReadonlySet<string> = new Set(emittedEventTypes);

/** Whether a log row is a fact the machine emitted: appended to the log, never stepped (a live actor never receives its own emits). */
export const isEmittedType = (type: string): boolean => emitted.has(type);

/**
 * The customer machine as a recording step function (see createDurableStepper): one shared scope
 * for every customer, the step's timers, writes, effects and emitted facts returned as data.
 */
export function createCustomerStepper(machine: CustomerMachine = customerMachine) {
  const stepper = createDurableStepper(machine, customerDurableActions);
  return {
    ...stepper,
    initialOf: (userId: number) => stepper.initial({ userId }),
  };
}

export type CustomerStepper = ReturnType<typeof createCustomerStepper>;

/** The machine event a stored log row stands for, stamped with the row's time and seq. */
export function eventFromLog(row: StoredEvent): CustomerEvent | TimerEvent {
  return { ...row.payload, type: row.type, at: row.at, seq: row.seq } as CustomerEvent | TimerEvent;
}

export interface Replayed {
  readonly snapshot: CustomerSnapshot;
  /** The timers the log leaves armed, with the keys and due times their arming gave them. */
  readonly timers: readonly TimerRow[];
  /** What the initial states decided, when the log is empty: it belongs to the customer's first event. */
  readonly initial: readonly RecordedAction[] | null;
}

/**
 * Replays a customer's log from the initial state, recomputing the timers it leaves armed. Pure:
 * the same log always gives the same snapshot and the same timer rows. Writes and effects are
 * not redone (they were committed when the events first happened); emitted facts are not stepped.
 */
export function replayCustomer(stepper: CustomerStepper, userId: number, log: readonly StoredEvent[]): Replayed {
  const fold = createTimerFold(customerActor(userId));
  let { snapshot, actions: initial } = stepper.initialOf(userId);
  let pendingInitial: readonly RecordedAction[] | null = initial;
  for (const row of log) {
    if (isEmittedType(row.type)) continue;
    fold.fired(row.key);
    const step = stepper.step(snapshot, eventFromLog(row));
    if (pendingInitial) fold.apply(row, pendingInitial);
    pendingInitial = null;
    fold.apply(row, step.actions);
    snapshot = step.snapshot;
  }
  return { snapshot, timers: fold.rows(), initial: pendingInitial };
}

const defaultStepper = createCustomerStepper();

/** The snapshot a log replays to, with the default machine. */
export function replayLog(userId: number, log: readonly StoredEvent[], stepper: CustomerStepper = defaultStepper): CustomerSnapshot {
  return replayCustomer(stepper, userId, log).snapshot;
}
