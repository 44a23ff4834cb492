import type { OrderEvent, OrderStatus, OrderTimerEvent } from "../machines/order.types.ts";
import { statusOf, type OrderSnapshot } from "./orderStepper.ts";
import { activateOrder, stepOrder, type OrderCell, type OrderUnit, type OrderUnitDeps, type UnsequencedOrderEvent } from "./orderUnit.ts";
import type { StoredEffect, TimerRow } from "./store.port.ts";

/** An event with its payload as the log stores it (without `type`, `at` or `seq`). */
export interface StampedOrderEvent {
  readonly event: UnsequencedOrderEvent;
  readonly payload: string;
}

/** Work for an order's next unit: a caller's event, one of its timers firing, or one of its effects completing. */
export type OrderWork =
  | ({ readonly kind: "command"; readonly orderId: string; readonly key: string } & StampedOrderEvent)
  | { readonly kind: "timer"; readonly orderId: string; readonly row: TimerRow; readonly at: number }
  | { readonly kind: "completion"; readonly orderId: string; readonly effect: StoredEffect; readonly reply: StampedOrderEvent | null };

/** How one piece of work ended. */
export type OrderOutcome =
  | { readonly kind: "applied"; readonly from: OrderStatus; readonly status: OrderStatus; readonly seq: number; readonly snapshot: OrderSnapshot }
  | { readonly kind: "refused"; readonly status: OrderStatus }
  | { readonly kind: "duplicate"; readonly status: OrderStatus }
  | { readonly kind: "unknown_order" }
  /** A timer row that is no longer the same arming (cancelled or re-armed), or of an order that does not exist: nothing changed. */
  | { readonly kind: "stale" }
  | { readonly kind: "completed"; readonly replied: boolean };

/**
 * Whether the order takes this event where it is: some transition is enabled for it (its guards
 * pass) and would move it or do something. An event it does not take is refused with nothing
 * written, rather than logged as a step that changed nothing.
 */
function accepts(cell: OrderCell, event: UnsequencedOrderEvent): boolean {
  return cell.snapshot.can({ ...event, seq: cell.lastSeq + 1 } as OrderEvent | OrderTimerEvent);
}

/** The order's status, which every order that exists has (its log starts with `order_placed`). */
const statusNow = (cell: OrderCell): OrderStatus => statusOf(cell.snapshot) ?? "placed";

function applyCommand(deps: OrderUnitDeps, unit: OrderUnit, work: Extract<OrderWork, { kind: "command" }>): OrderOutcome {
  const cell = activateOrder(deps, work.orderId, unit);
  if (!cell) return { kind: "unknown_order" };
  const from = statusNow(cell);
  if (unit.tx.actorEventByKey(work.key)) return { kind: "duplicate", status: from };
  if (!accepts(cell, work.event)) return { kind: "refused", status: from };
  const stepped = stepOrder(deps, unit, { orderId: work.orderId, cell, key: work.key, event: work.event, payload: work.payload });
  if (!stepped) return { kind: "duplicate", status: from };
  return { kind: "applied", from, status: statusOf(stepped.snapshot) ?? from, seq: stepped.seq, snapshot: stepped.snapshot };
}

function applyTimer(deps: OrderUnitDeps, unit: OrderUnit, work: Extract<OrderWork, { kind: "timer" }>): OrderOutcome {
  const { row } = work;
  const cell = activateOrder(deps, work.orderId, unit);
  if (!cell) {
    // A timer row of an order whose log is gone (an erased or damaged store): it can never fire.
    unit.tx.cancelTimer(row.actor, row.sendId);
    return { kind: "stale" };
  }
  if (unit.tx.timerOf(row.actor, row.sendId)?.key !== row.key) return { kind: "stale" };
  const { at: _at, seq: _seq, ...fields } = JSON.parse(row.event) as UnsequencedOrderEvent;
  const event = { ...fields, at: work.at };
  const { type: _type, ...payload } = event;
  const from = statusNow(cell);
  const stepped = stepOrder(deps, unit, { orderId: work.orderId, cell, key: row.key, event, payload: JSON.stringify(payload), fired: row });
  if (!stepped) {
    unit.tx.cancelTimer(row.actor, row.sendId);
    return { kind: "stale" };
  }
  return { kind: "applied", from, status: statusOf(stepped.snapshot) ?? from, seq: stepped.seq, snapshot: stepped.snapshot };
}

/** Removes the effect's row and, in the same unit, applies its reply once (keyed `<effectKey>:done`) when the order still takes it. */
function applyCompletion(deps: OrderUnitDeps, unit: OrderUnit, work: Extract<OrderWork, { kind: "completion" }>): OrderOutcome {
  unit.tx.completeEffect(work.effect.key);
  if (!work.reply) return { kind: "completed", replied: false };
  const cell = activateOrder(deps, work.orderId, unit);
  const key = `${work.effect.key}:done`;
  if (!cell || unit.tx.actorEventByKey(key) || !accepts(cell, work.reply.event)) return { kind: "completed", replied: false };
  const stepped = stepOrder(deps, unit, { orderId: work.orderId, cell, key, event: work.reply.event, payload: work.reply.payload });
  return { kind: "completed", replied: stepped !== null };
}

/** Applies one piece of work inside the unit; the caller saves the unit's orders and commits. */
export function applyOrderWork(deps: OrderUnitDeps, unit: OrderUnit, work: OrderWork): OrderOutcome {
  switch (work.kind) {
    case "command":
      return applyCommand(deps, unit, work);
    case "timer":
      return applyTimer(deps, unit, work);
    case "completion":
      return applyCompletion(deps, unit, work);
  }
}
