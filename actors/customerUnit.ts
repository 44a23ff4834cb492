import type { CustomerEvent, MessageDirection, MessageType, Stage, TimerEvent } from "../machines/customer.types.ts";
import { leadOf, restoreSnapshot, stageOf, type CustomerMachine, type CustomerSnapshot } from "./customerSnapshot.ts";
import { customerActor, isEmittedType, replayCustomer, replayLog, type CustomerStepper } from "./customerStepper.ts";
import { StockShortage } from "./catalogStore.port.ts";
import { runCustomerWrite, type OrderPlacing } from "./customerWrites.ts";
import type { OrderPlacer } from "./orderPlacement.ts";
import { NotDurableError } from "./durableMachine.ts";
import { timerRowOf, type RecordedAction } from "./durableStep.ts";
import type { ActorStore, NewEffect, StoredEffect, StoreTx, TimerRow } from "./store.port.ts";

/** An active customer: its snapshot, and what is known of its persisted state. */
export interface Cell {
  snapshot: CustomerSnapshot;
  /** The stage as last persisted (null: never persisted). */
  persistedStage: Stage | null;
  lastSeq: number;
  /** What the initial states decided, for a customer with no event yet: it belongs to their first event. */
  initial: readonly RecordedAction[] | null;
  /** Timers recomputed by a replay, written (replacing the stored ones) by the next unit that touches the customer. */
  replayedTimers: readonly TimerRow[] | null;
}

/** An event before the runtime gives it its seq: its type, its time and its fields. */
export type UnsequencedEvent = { readonly type: string; readonly at: number } & Readonly<Record<string, unknown>>;

/** A durable transition, as the runtime's observer sees it: the event, the snapshot after it, and every row its step wrote. */
export interface CustomerTransition {
  readonly userId: number;
  /** The event's idempotency key in the log: the caller's, `t:…` for a timer's firing, `<effectKey>:done` for an effect's reply. */
  readonly key: string;
  readonly event: CustomerEvent | TimerEvent;
  /** For a timer's firing: the row it fired (its key and due time). */
  readonly timer?: TimerRow;
  readonly snapshot: CustomerSnapshot;
  /** What the step decided, in the machine's order (the initial states' timers first, on a customer's first event). */
  readonly actions: readonly RecordedAction[];
  readonly timersSet: readonly TimerRow[];
  readonly timersCancelled: readonly string[];
  readonly effects: readonly NewEffect[];
  /** The writes the step ran in its unit, by name, with their params. */
  readonly writes: readonly { readonly name: string; readonly params: unknown }[];
  /** Keys of the facts the machine emitted, appended after the event. */
  readonly emitted: readonly string[];
}

/** How one queued piece of work ended; the runtime's methods turn it into their results. */
export type UnitOutcome =
  | { readonly kind: "applied"; readonly userId: number; readonly seq: number; readonly snapshot: CustomerSnapshot }
  | { readonly kind: "duplicate"; readonly userId: number; readonly seq: number; readonly stage: Stage; readonly snapshot: CustomerSnapshot }
  | { readonly kind: "refused"; readonly reason: "no_consent" }
  /** An order that could not take its stock: nothing of the event was stored (the cart and the checkout stay). */
  | { readonly kind: "shortage"; readonly productId: string; readonly available: number }
  | { readonly kind: "stale" }
  | { readonly kind: "completed"; readonly replied: boolean };

interface PendingBase {
  readonly userId: number;
  readonly resolve: (outcome: UnitOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/** Work waiting for the next unit: an event, a timer's firing, or an effect's completion. */
export type Pending = PendingBase &
  (
    | {
        readonly kind: "event";
        readonly key: string;
        readonly event: UnsequencedEvent;
        readonly payload: string;
        /** A chat message stored with its `message_in`/`message_out` event, only with consent. */
        readonly message?: { readonly direction: MessageDirection; readonly type: MessageType; readonly text: string };
        readonly sessionKeys?: readonly string[];
      }
    | { readonly kind: "timer"; readonly row: TimerRow; readonly at: number }
    | { readonly kind: "completion"; readonly effect: StoredEffect; readonly reply: { readonly event: UnsequencedEvent; readonly payload: string } | null }
  );

/** One transaction's state: its writes, the customers it changed, and what the scheduler and worker must hear of. */
export interface Unit {
  readonly tx: StoreTx;
  readonly dirty: Map<number, Cell>;
  readonly trace: CustomerTransition[] | null;
  readonly results: Map<string, UnitOutcome>;
  earliestTimer: number | null;
  effectsQueued: number;
}

/** The rows one step wrote, collected only when someone observes. */
interface Trace {
  readonly timersSet: TimerRow[];
  readonly timersCancelled: string[];
  readonly effects: NewEffect[];
  readonly writes: { readonly name: string; readonly params: unknown }[];
  readonly emitted: string[];
}

interface StepInput {
  readonly userId: number;
  readonly cell: Cell;
  readonly key: string;
  readonly event: UnsequencedEvent;
  readonly payload: string;
  readonly sessionKeys: readonly string[];
  /** How an `order_created` with a payment method places its order. */
  readonly orders?: OrderPlacing;
  /** The timer row this event fires: it goes before the step (which may arm it again). */
  readonly fired?: TimerRow;
}

export interface UnitDeps {
  readonly store: ActorStore;
  readonly machine: CustomerMachine;
  readonly machineVersion: number;
  readonly stepper: CustomerStepper;
  readonly cells: Map<number, Cell>;
  /** The order runtime's placer: `recordOrder` with a payment method places the order as an actor, in this unit. */
  readonly orders?: OrderPlacer;
}

function load(deps: UnitDeps, userId: number, unit: Unit | null): Cell {
  const stored = deps.store.loadActor(userId);
  const fresh =
    stored && stored.machineVersion === deps.machineVersion && stored.lastSeq >= stored.logSeq
      ? restoreSnapshot(deps.stepper.restore, userId, stored.snapshot)
      : undefined;
  if (fresh) return { snapshot: fresh, persistedStage: stored?.stage ?? null, lastSeq: stored?.lastSeq ?? 0, initial: null, replayedTimers: null };
  const log = deps.store.loadEvents(userId);
  const replayed = replayCustomer(deps.stepper, userId, log);
  const cell: Cell = {
    snapshot: replayed.snapshot,
    persistedStage: stored?.stage ?? null,
    lastSeq: log.at(-1)?.seq ?? 0,
    initial: replayed.initial,
    replayedTimers: log.length > 0 ? replayed.timers : null,
  };
  // A snapshot rebuilt from the log is written back in the same unit of work, with its timers.
  if (log.length > 0) unit?.dirty.set(userId, cell);
  return cell;
}

/** The customer's live cell, most recently used last; activated from the store when absent. */
function activate(deps: UnitDeps, userId: number, unit: Unit | null): Cell {
  let cell = deps.cells.get(userId);
  if (cell) deps.cells.delete(userId);
  else cell = load(deps, userId, unit);
  deps.cells.set(userId, cell);
  if (unit && cell.replayedTimers) {
    unit.tx.replaceTimers(customerActor(userId), cell.replayedTimers);
    for (const timer of cell.replayedTimers) noteTimer(unit, timer.dueAt);
    cell.replayedTimers = null;
    unit.dirty.set(userId, cell);
  }
  return cell;
}

function noteTimer(unit: Unit, dueAt: number): void {
  if (unit.earliestTimer === null || dueAt < unit.earliestTimer) unit.earliestTimer = dueAt;
}

/** Turns the recorded actions of one step into rows of the unit, in the order the machine decided them. */
function applyActions(deps: UnitDeps, unit: Unit, input: StepInput, event: CustomerEvent | TimerEvent, actions: readonly RecordedAction[], trace: Trace | null): void {
  const actor = customerActor(input.userId);
  let effectIndex = 0;
  let emitIndex = 0;
  for (const action of actions) {
    switch (action.kind) {
      case "timer": {
        const row = timerRowOf(actor, event, action);
        unit.tx.setTimer(row);
        noteTimer(unit, row.dueAt);
        trace?.timersSet.push(row);
        break;
      }
      case "cancel":
        unit.tx.cancelTimer(actor, action.sendId);
        trace?.timersCancelled.push(action.sendId);
        break;
      case "write":
        runCustomerWrite(unit.tx, action.name, action.params, { userId: input.userId, at: event.at, sessionKeys: input.sessionKeys, ...(input.orders ? { orders: input.orders } : {}) });
        trace?.writes.push({ name: action.name, params: action.params });
        break;
      case "effect": {
        const effect: NewEffect = { key: `e:${actor}:${event.seq}:${effectIndex++}`, actor, type: action.name, params: JSON.stringify(action.params ?? {}), createdAt: event.at };
        unit.tx.queueEffect(effect);
        unit.effectsQueued++;
        trace?.effects.push(effect);
        break;
      }
      case "emit": {
        const { type, ...fields } = action.event;
        if (!isEmittedType(type)) throw new NotDurableError(deps.machine.id, [{ state: "(on event)", problem: `emitted "${type}", which is not a fact the log keeps` }]);
        const key = `${input.key}#${emitIndex++}`;
        const seq = unit.tx.appendEvent({ userId: input.userId, type: type as CustomerEvent["type"], payload: JSON.stringify(fields), at: event.at, key });
        if (seq !== null) input.cell.lastSeq = seq;
        trace?.emitted.push(key);
        break;
      }
    }
  }
}

/** Appends the event, steps it and writes what the step decided. Null when the key was already in the log. */
function stepEvent(deps: UnitDeps, unit: Unit, input: StepInput): { seq: number; snapshot: CustomerSnapshot } | null {
  const { userId, cell } = input;
  const seq = unit.tx.appendEvent({ userId, type: input.event.type as CustomerEvent["type"], payload: input.payload, at: input.event.at, key: input.key });
  if (seq === null) return null;
  if (input.fired !== undefined) unit.tx.cancelTimer(customerActor(userId), input.fired.sendId);
  const event = { ...input.event, seq } as CustomerEvent | TimerEvent;
  const step = deps.stepper.step(cell.snapshot, event);
  const actions = cell.initial ? [...cell.initial, ...step.actions] : step.actions;
  cell.initial = null;
  cell.lastSeq = seq;
  const trace: Trace | null = unit.trace ? { timersSet: [], timersCancelled: [], effects: [], writes: [], emitted: [] } : null;
  applyActions(deps, unit, input, event, actions, trace);
  cell.snapshot = step.snapshot;
  unit.dirty.set(userId, cell);
  if (trace) unit.trace?.push({ userId, key: input.key, event, ...(input.fired ? { timer: input.fired } : {}), snapshot: step.snapshot, actions, ...trace });
  return { seq, snapshot: step.snapshot };
}

/** The first delivery's result for a key already in the log: its seq and stage then, and the customer as they are now. */
function duplicateOf(deps: UnitDeps, unit: Unit, key: string): UnitOutcome {
  const inUnit = unit.results.get(key);
  if (inUnit?.kind === "applied") return { ...inUnit, kind: "duplicate", stage: stageOf(inUnit.snapshot) };
  if (inUnit?.kind === "duplicate") return inUnit;
  const original = unit.tx.eventByKey(key);
  if (!original) throw new Error("a duplicate key without its original event");
  const log = deps.store.loadEvents(original.userId).filter((row) => row.seq <= original.seq);
  const stage = stageOf(replayLog(original.userId, log, deps.stepper));
  return { kind: "duplicate", userId: original.userId, seq: original.seq, stage, snapshot: activate(deps, original.userId, unit).snapshot };
}

/**
 * For an `order_created` that places an order actor (it names a payment method): its stock, taken
 * before its event is stored, so that a shortage leaves the unit as it was and the customer's event
 * out of the log. Undefined for any other event, and for a key already in the log (a duplicate
 * places nothing).
 */
function reserveOrder(deps: UnitDeps, unit: Unit, pending: Extract<Pending, { kind: "event" }>): { placing: OrderPlacing; done(): boolean } | UnitOutcome | undefined {
  const { event } = pending;
  if (event.type !== "order_created" || event["payment"] === undefined || !deps.orders || unit.tx.eventByKey(pending.key)) return undefined;
  try {
    deps.orders.reserve(unit.tx, event["items"] as readonly { productId: string; qty: number }[]);
  } catch (error) {
    if (error instanceof StockShortage) return { kind: "shortage", productId: error.productId, available: error.available };
    throw error;
  }
  let placed = false;
  const placing: OrderPlacing = {
    placer: deps.orders,
    stockReserved: true,
    placed: ({ earliestTimer, effectsQueued }) => {
      placed = true;
      if (earliestTimer !== null) noteTimer(unit, earliestTimer);
      unit.effectsQueued += effectsQueued;
    },
  };
  return { placing, done: () => placed };
}

function applyOne(deps: UnitDeps, unit: Unit, pending: Pending): UnitOutcome {
  const cell = activate(deps, pending.userId, unit);
  const base = { userId: pending.userId, cell, sessionKeys: [] as readonly string[] };
  if (pending.kind === "timer") {
    const { row } = pending;
    if (unit.tx.timerOf(row.actor, row.sendId)?.key !== row.key) return { kind: "stale" };
    const { at: _at, seq: _seq, ...fields } = JSON.parse(row.event) as UnsequencedEvent;
    const event = { ...fields, at: pending.at };
    const payload = JSON.stringify((({ type: _type, ...rest }) => rest)(event));
    const stepped = stepEvent(deps, unit, { ...base, key: row.key, event, payload, fired: row });
    if (!stepped) unit.tx.cancelTimer(row.actor, row.sendId);
    return stepped ? { kind: "applied", userId: pending.userId, ...stepped } : { kind: "stale" };
  }
  if (pending.kind === "completion") {
    unit.tx.completeEffect(pending.effect.key);
    const { erasedAt } = cell.snapshot.context;
    // An answer to a customer who has since erased their data is not theirs to keep.
    if (!pending.reply || (erasedAt !== null && erasedAt >= pending.effect.createdAt)) return { kind: "completed", replied: false };
    const stepped = stepEvent(deps, unit, { ...base, key: `${pending.effect.key}:done`, ...pending.reply });
    return { kind: "completed", replied: stepped !== null };
  }
  if (pending.message && cell.snapshot.context.consentAt === null) return { kind: "refused", reason: "no_consent" };
  const placing = reserveOrder(deps, unit, pending);
  if (placing && "kind" in placing) return placing;
  const orders = placing?.placing;
  const stepped = stepEvent(deps, unit, { ...base, key: pending.key, event: pending.event, payload: pending.payload, sessionKeys: pending.sessionKeys ?? [], ...(orders ? { orders } : {}) });
  if (!stepped) return duplicateOf(deps, unit, pending.key);
  // The stock was taken for an order the step did not place: a machine that forgot `recordOrder`. The unit rolls back.
  if (placing && !placing.done()) throw new Error(`the stock of order ${String(pending.event["orderId"])} was reserved, but its event placed no order`);
  if (pending.message) unit.tx.appendMessage({ userId: pending.userId, ...pending.message, at: pending.event.at });
  const outcome: UnitOutcome = { kind: "applied", userId: pending.userId, ...stepped };
  unit.results.set(pending.key, outcome);
  return outcome;
}

function save(deps: UnitDeps, tx: StoreTx, cell: Cell): void {
  tx.saveActor({
    lead: leadOf(cell.snapshot),
    snapshot: deps.stepper.persist(cell.snapshot),
    machineVersion: deps.machineVersion,
    lastSeq: cell.lastSeq,
    previousStage: cell.persistedStage,
  });
}

/** Activation, the step of each queued piece of work, and the rows it decides, inside one unit of work. */
export function createUnitApplier(deps: UnitDeps) {
  return {
    /** The customer's live cell, most recently used last; activated from the store when absent. */
    activate: (userId: number, unit: Unit | null): Cell => activate(deps, userId, unit),
    /** Applies a batch in order and saves every customer it changed; the caller commits or rolls back. */
    apply(batch: readonly Pending[], unit: Unit): UnitOutcome[] {
      const outcomes = batch.map((pending) => applyOne(deps, unit, pending));
      for (const cell of unit.dirty.values()) save(deps, unit.tx, cell);
      return outcomes;
    },
    save: (tx: StoreTx, cell: Cell): void => save(deps, tx, cell),
  };
}

export type UnitApplier = ReturnType<typeof createUnitApplier>;
