import type { OrderEvent, OrderTimerEvent, OrderWriteParams } from "../machines/order.types.ts";
import type { ActorLogReads } from "./actorLog.port.ts";
import { NotDurableError } from "./durableMachine.ts";
import { timerRowOf, type RecordedAction } from "./durableStep.ts";
import { changedColumns, orderActor, projectionOf, replayOrder, restoreOrderSnapshot, statusOf, type OrderSnapshot, type OrderStepper } from "./orderStepper.ts";
import type { NewEffect, OrderChange, StoreTx, TimerRow } from "./store.port.ts";

/** A live order: its snapshot, how far into its log it is, and what its row in the read model says. */
export interface OrderCell {
  snapshot: OrderSnapshot;
  lastSeq: number;
  projection: OrderChange;
}

/** An event before the runtime gives it its seq: its type, its time and its fields. */
export type UnsequencedOrderEvent = { readonly type: string; readonly at: number } & Readonly<Record<string, unknown>>;

/** A durable step of an order, as an observer (the inspector, the property tests) sees it. */
export interface OrderTransition {
  readonly orderId: string;
  readonly key: string;
  readonly event: OrderEvent | OrderTimerEvent;
  readonly snapshot: OrderSnapshot;
  readonly actions: readonly RecordedAction[];
}

/** One transaction's state for orders: its writes, the orders it changed, and what the scheduler and worker must hear of. */
export interface OrderUnit {
  readonly tx: StoreTx;
  readonly dirty: Map<string, OrderCell>;
  readonly trace: OrderTransition[];
  earliestTimer: number | null;
  effectsQueued: number;
}

/** What a unit needs to activate and step orders: the store's reads, the step, the machine version and the live orders. */
export interface OrderUnitDeps {
  readonly store: ActorLogReads;
  readonly stepper: OrderStepper;
  readonly machineVersion: number;
  /** Live orders, most recently used last; a unit reads them but writes only its own `dirty` copies. */
  readonly cells: Map<string, OrderCell>;
}

/** A fresh unit over a transaction: nothing changed yet. */
export const newOrderUnit = (tx: StoreTx): OrderUnit => ({ tx, dirty: new Map(), trace: [], earliestTimer: null, effectsQueued: 0 });

function noteTimer(unit: OrderUnit, dueAt: number): void {
  if (unit.earliestTimer === null || dueAt < unit.earliestTimer) unit.earliestTimer = dueAt;
}

/** An order read from the store: its snapshot (replayed when the stored one cannot be trusted), and the timers a replay recomputed. */
interface ReadOrder {
  readonly cell: OrderCell;
  /** Non-null when the snapshot was rebuilt from the log: the timers the log leaves armed. */
  readonly replayedTimers: readonly TimerRow[] | null;
}

/** The order's stored state, or a replay of its log when the snapshot is missing, stale, of another version, or damaged. Reads only. */
function readOrder(deps: OrderUnitDeps, orderId: string): ReadOrder | null {
  const actor = orderActor(orderId);
  const stored = deps.store.loadActorState(actor);
  const fresh = stored && stored.machineVersion === deps.machineVersion && stored.lastSeq >= stored.logSeq ? restoreOrderSnapshot(deps.stepper, orderId, stored.snapshot) : undefined;
  if (fresh && stored) return { cell: { snapshot: fresh, lastSeq: stored.lastSeq, projection: projectionOf(fresh) }, replayedTimers: null };
  const log = deps.store.loadActorEvents(actor);
  if (log.length === 0) return null;
  const replayed = replayOrder(deps.stepper, orderId, log);
  if (statusOf(replayed.snapshot) === null) return null;
  // The row may lag behind a replay under a new machine: an empty projection makes the next save write it whole.
  return { cell: { snapshot: replayed.snapshot, lastSeq: log.at(-1)?.seq ?? 0, projection: {} }, replayedTimers: replayed.timers };
}

/** The order's snapshot as last committed, without writing anything (a replay stays in memory): what `view` shows. */
export function peekOrder(deps: OrderUnitDeps, orderId: string): OrderSnapshot | null {
  return deps.cells.get(orderId)?.snapshot ?? readOrder(deps, orderId)?.cell.snapshot ?? null;
}

/** The order as this unit sees it (its own changes first), or null for an order that does not exist. A replayed order is written back by the unit, with its timers. */
export function activateOrder(deps: OrderUnitDeps, orderId: string, unit: OrderUnit): OrderCell | null {
  const own = unit.dirty.get(orderId);
  if (own) return own;
  const cached = deps.cells.get(orderId);
  if (cached) return { ...cached };
  const read = readOrder(deps, orderId);
  if (!read) return null;
  if (read.replayedTimers) {
    unit.tx.replaceTimers(orderActor(orderId), read.replayedTimers);
    for (const timer of read.replayedTimers) noteTimer(unit, timer.dueAt);
    unit.dirty.set(orderId, read.cell);
  }
  return read.cell;
}

/** Runs one recorded write of the order machine; a name without a runner is a runtime bug. */
function runOrderWrite(tx: StoreTx, name: string, params: unknown): void {
  if (name !== "releaseStock") throw new Error(`no runner for the write "${name}"`);
  tx.releaseStock((params as OrderWriteParams["releaseStock"]).items);
}

/** Turns the recorded actions of one step into rows of the unit, in the order the machine decided them. */
function applyActions(unit: OrderUnit, orderId: string, event: OrderEvent | OrderTimerEvent, actions: readonly RecordedAction[]): void {
  const actor = orderActor(orderId);
  let effectIndex = 0;
  for (const action of actions) {
    switch (action.kind) {
      case "timer": {
        const row = timerRowOf(actor, event, action);
        unit.tx.setTimer(row);
        noteTimer(unit, row.dueAt);
        break;
      }
      case "cancel":
        unit.tx.cancelTimer(actor, action.sendId);
        break;
      case "write":
        runOrderWrite(unit.tx, action.name, action.params);
        break;
      case "effect": {
        const effect: NewEffect = { key: `e:${actor}:${event.seq}:${effectIndex++}`, actor, type: action.name, params: JSON.stringify(action.params ?? {}), createdAt: event.at };
        unit.tx.queueEffect(effect);
        unit.effectsQueued++;
        break;
      }
      case "emit":
        throw new NotDurableError("order", [{ state: "(on event)", problem: `emitted "${action.event.type}", which the order's log does not keep` }]);
    }
  }
}

/** One event for one order, as `stepOrder` takes it. */
export interface OrderStepInput {
  readonly orderId: string;
  readonly cell: OrderCell;
  readonly key: string;
  readonly event: UnsequencedOrderEvent;
  readonly payload: string;
  /** The timer row this event fires: it goes before the step (which may arm it again). */
  readonly fired?: TimerRow;
  /** What the initial state decided, for the order's first event. */
  readonly initial?: readonly RecordedAction[];
}

/** Appends the event, steps it and writes what the step decided. Null when the key was already in the log. */
export function stepOrder(deps: OrderUnitDeps, unit: OrderUnit, input: OrderStepInput): { seq: number; snapshot: OrderSnapshot } | null {
  const { orderId, cell } = input;
  const actor = orderActor(orderId);
  const seq = unit.tx.appendActorEvent({ actor, type: input.event.type, payload: input.payload, at: input.event.at, key: input.key });
  if (seq === null) return null;
  if (input.fired !== undefined) unit.tx.cancelTimer(actor, input.fired.sendId);
  const event = { ...input.event, seq } as OrderEvent | OrderTimerEvent;
  const step = deps.stepper.step(cell.snapshot, event);
  const actions = input.initial ? [...input.initial, ...step.actions] : step.actions;
  applyActions(unit, orderId, event, actions);
  cell.snapshot = step.snapshot;
  cell.lastSeq = seq;
  unit.dirty.set(orderId, cell);
  unit.trace.push({ orderId, key: input.key, event, snapshot: step.snapshot, actions });
  return { seq, snapshot: step.snapshot };
}

/** Saves every order the unit changed: its snapshot, and the columns of its row that moved. */
export function saveOrders(deps: OrderUnitDeps, unit: OrderUnit): void {
  for (const [orderId, cell] of unit.dirty) {
    const projection = projectionOf(cell.snapshot);
    const changed = changedColumns(cell.projection, projection);
    if (changed) unit.tx.updateOrder(orderId, changed);
    cell.projection = projection;
    unit.tx.saveActorState(orderActor(orderId), { snapshot: deps.stepper.persist(cell.snapshot), machineVersion: deps.machineVersion, lastSeq: cell.lastSeq });
  }
}
