import type { SnapshotFrom } from "xstate";
import { orderEffects, orderMachine, orderWrites, type OrderMachine } from "../machines/order.machine.ts";
import { orderStatuses, type OrderEvent, type OrderStatus, type OrderTimerEvent } from "../machines/order.types.ts";
import type { StoredActorEvent } from "./actorLog.port.ts";
import { createDurableStepper, createTimerFold, type RecordedAction } from "./durableStep.ts";
import type { OrderChange, TimerRow } from "./store.port.ts";

/** An order as its machine holds it: its state, and its context of facts. */
export type OrderSnapshot = SnapshotFrom<OrderMachine>;

/** The writes and effects the order machine may name: what `assertDurable` checks it against. */
export const orderDurableActions = { writes: orderWrites, effects: orderEffects };

const actorPrefix = "order:";

/** The actor id of an order in the actor log, and in timer and effect rows. */
export const orderActor = (orderId: string): string => `${actorPrefix}${orderId}`;

/** The order id of an `order:<id>` actor, or null for any other actor. */
export function orderIdOf(actor: string): string | null {
  return actor.startsWith(actorPrefix) && actor.length > actorPrefix.length ? actor.slice(actorPrefix.length) : null;
}

const statuses: ReadonlySet<string> = new Set(orderStatuses);

/** The order's status: its top-level state (`delivered` has states of its own for the rating); null before `order_placed`. */
export function statusOf(snapshot: OrderSnapshot): OrderStatus | null {
  const value: unknown = snapshot.value;
  const top = typeof value === "string" ? value : typeof value === "object" && value !== null ? Object.keys(value)[0] : undefined;
  return top !== undefined && statuses.has(top) ? (top as OrderStatus) : null;
}

/** What the orders read model keeps of a snapshot: the row's columns that the order's moves change. */
export function projectionOf(snapshot: OrderSnapshot): OrderChange {
  const { context } = snapshot;
  return {
    status: statusOf(snapshot) ?? "placed",
    invoice: context.invoice,
    items: context.items,
    total: context.total,
    paidAt: context.paidAt,
    shippedAt: context.shippedAt,
    deliveredAt: context.deliveredAt,
    cancelledAt: context.cancelledAt,
    refundedAt: context.refundedAt,
    tracking: context.tracking,
    cancelReason: context.cancelReason,
    chargeId: context.chargeId,
    rating: context.rating,
  };
}

/** The columns of `after` that differ from `before`: what a step writes to the order's row. */
export function changedColumns(before: OrderChange, after: OrderChange): OrderChange | null {
  const changed: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(after)) {
    if (JSON.stringify(value) !== JSON.stringify((before as Record<string, unknown>)[column])) changed[column] = value;
  }
  return Object.keys(changed).length === 0 ? null : (changed as OrderChange);
}

/** The order machine as a recording step function (see createDurableStepper), one shared scope for every order. */
export function createOrderStepper(machine: OrderMachine = orderMachine) {
  const stepper = createDurableStepper(machine, orderDurableActions);
  return { ...stepper, initialOf: (orderId: string) => stepper.initial({ orderId }) };
}

/** The order machine's recording step, as the runtime and the replay use it. */
export type OrderStepper = ReturnType<typeof createOrderStepper>;

/** The machine event a stored log row stands for, stamped with the row's time and seq. */
export function orderEventFromLog(row: StoredActorEvent): OrderEvent | OrderTimerEvent {
  return { ...row.payload, type: row.type, at: row.at, seq: row.seq } as OrderEvent | OrderTimerEvent;
}

/** An order rebuilt from its log: what activation writes back when its stored snapshot cannot be trusted. */
export interface ReplayedOrder {
  readonly snapshot: OrderSnapshot;
  /** The timers the log leaves armed, with the keys and due times their arming gave them. */
  readonly timers: readonly TimerRow[];
}

/**
 * Replays an order's log from the initial state, recomputing the timers it leaves armed. Pure: the
 * same log always gives the same snapshot and the same timer rows; writes and effects are not redone.
 */
export function replayOrder(stepper: OrderStepper, orderId: string, log: readonly StoredActorEvent[]): ReplayedOrder {
  const fold = createTimerFold(orderActor(orderId));
  let { snapshot, actions: initial } = stepper.initialOf(orderId);
  let pendingInitial: readonly RecordedAction[] | null = initial;
  for (const row of log) {
    fold.fired(row.key);
    const step = stepper.step(snapshot, orderEventFromLog(row));
    if (pendingInitial) fold.apply(row, pendingInitial);
    pendingInitial = null;
    fold.apply(row, step.actions);
    snapshot = step.snapshot;
  }
  return { snapshot, timers: fold.rows() };
}

/**
 * A stored snapshot of this order, restored as a live actor would restore it, or undefined when it
 * cannot be trusted (not JSON, not active, another order's, a state the machine does not have).
 */
export function restoreOrderSnapshot(stepper: OrderStepper, orderId: string, json: string): OrderSnapshot | undefined {
  try {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const { status, context } = parsed as { status?: unknown; context?: { orderId?: unknown } };
    if (status !== "active" || context?.orderId !== orderId) return undefined;
    const snapshot = stepper.restore(parsed);
    return statusOf(snapshot) === null ? undefined : snapshot;
  } catch {
    return undefined;
  }
}
