import { customerMachine, customerMachineVersion } from "../machines/customer.machine.ts";
import {
  customerEventTypes,
  emittedEventTypes,
  type CustomerEventInput,
  type CustomerEventType,
  type MessageDirection,
  type MessageType,
  type Stage,
} from "../machines/customer.types.ts";
import { StockShortage } from "./catalogStore.port.ts";
import { truncateText } from "./conversation.ts";
import { stageOf, type CustomerMachine, type CustomerSnapshot } from "./customerSnapshot.ts";
import { createCustomerStepper, customerDurableActions, customerIdOf } from "./customerStepper.ts";
import { createUnitApplier, type Cell, type CustomerTransition, type UnitApplier, type UnitOutcome, type UnsequencedEvent } from "./customerUnit.ts";
import { assertDurable } from "./durableMachine.ts";
import type { OrderPlacer } from "./orderPlacement.ts";
import { GroupCommit, type RuntimeListener, type Work } from "./groupCommit.ts";
import type { ActorStore, StoredEffect, TimerRow } from "./store.port.ts";
import { checksCachedCustomers } from "./staleActor.ts";

/** Where time comes from. Tests pass a manual clock; nothing in the runtime reads `Date.now()` itself. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export type { CustomerSnapshot } from "./customerSnapshot.ts";
export type { CustomerTransition } from "./customerUnit.ts";
export { NotDurableError } from "./durableMachine.ts";
export { replayLog } from "./customerStepper.ts";
export { CommitFailed, type RuntimeListener } from "./groupCommit.ts";
export { StockShortage } from "./catalogStore.port.ts";

/** An event as callers hand it to `dispatch`: the machine event plus its idempotency key. */
export type DispatchInput = CustomerEventInput & {
  /**
   * Unique per meaning, e.g. `tg:<update_id>:add_to_cart`. A second event with the same key changes
   * nothing. Keys starting `t:` or `e:`, or holding `#`, are the runtime's own (timer firings,
   * effect replies, emitted facts) and are refused.
   */
  readonly key: string;
};

export interface DispatchResult {
  readonly userId: number;
  readonly seq: number;
  /** The stage right after this event was applied (for a duplicate: right after its first delivery). */
  readonly stage: Stage;
  /** True when the key had been seen: nothing changed, and `seq`/`stage` are the first delivery's. */
  readonly duplicate: boolean;
  /** The customer after the event (for a duplicate: as they are now), for the handler to render from. */
  readonly snapshot: CustomerSnapshot;
}

export type LogMessageResult =
  | (DispatchResult & { readonly logged: true })
  | { readonly logged: false; readonly reason: "no_consent" };

export interface LogMessageInput {
  readonly direction: MessageDirection;
  readonly type: MessageType;
  readonly text: string;
  readonly key: string;
  readonly at?: number;
}

/** A timer's firing: `fired` false when the row was no longer the same arming (cancelled or re-armed), which changes nothing. */
export type TimerFiring =
  | { readonly fired: true; readonly seq: number; readonly snapshot: CustomerSnapshot }
  | { readonly fired: false };

/** The event an effect brings back to its customer (the AI's answer, `reminder_sent`); keyed by the runtime. */
export type EffectReply = CustomerEventInput;

/** An event the runtime refuses before it reaches the store: a caller bug, never a customer's fault. */
export class InvalidEventError extends Error {
  override readonly name = "InvalidEventError";
}

export interface CustomerRuntimeOptions {
  readonly store: ActorStore;
  readonly clock?: Clock;
  /** The customer machine, with the shop's settings provided (actors/customerSettings.ts); the defaults of `setup` otherwise. */
  readonly machine?: CustomerMachine;
  /** The version stored with each snapshot; a snapshot of another version is replayed from the log. */
  readonly machineVersion?: number;
  /** How many customers stay active in memory (a few KB each); the rest are passivated to their snapshots. */
  readonly maxActive?: number;
  /** The most events one transaction takes; a burst beyond it commits in several, oldest first. */
  readonly maxBatch?: number;
  /**
   * Told of every event once it is durable, with the customer's snapshot after it and the timer,
   * effect and emitted rows its step wrote: for live inspection (`npm run inspect`). Absent, the hot
   * path pays nothing for it.
   */
  readonly observe?: (transition: CustomerTransition) => void;
  /**
   * The order runtime's placer (actors/orderRuntime.ts): an `order_created` that names a payment
   * method places its order as an actor of its own, in the customer's unit. Without it such an event
   * is refused (InvalidEventError); one without a payment method is an order row only, as before.
   */
  readonly orders?: OrderPlacer;
}

const knownTypes: ReadonlySet<string> = new Set(customerEventTypes);
const emittedTypes: ReadonlySet<string> = new Set(emittedEventTypes);
/** Payloads are facts, not documents: an order with its lines fits; message text is stored apart. */
const maxPayloadChars = 8_192;

/** Why a caller's key cannot be used, or null. The order runtime holds its callers to the same rules. */
export function invalidKey(key: string): string | null {
  if (typeof key !== "string" || key.length === 0 || key.length > 200) return "an event needs a key of 1 to 200 characters";
  if (key.startsWith("t:") || key.startsWith("e:") || key.includes("#")) return "keys starting with t: or e:, or holding #, are the runtime's own";
  return null;
}

/** Why an event cannot be dispatched, or null; checked before anything is queued. */
function invalidEvent(userId: number, event: { readonly type: string; readonly at?: unknown }, payload: string): string | null {
  if (!Number.isSafeInteger(userId) || userId <= 0) return `not a user id: ${String(userId)}`;
  if (!knownTypes.has(event.type)) return `unknown event type: ${String(event.type)}`;
  if (emittedTypes.has(event.type)) return `${event.type} is emitted by the machine, never dispatched`;
  if (payload.length > maxPayloadChars) return `an event's payload is limited to ${maxPayloadChars} characters`;
  if (!Number.isFinite(event.at)) return "an event's time must be a finite epoch millisecond";
  return null;
}

/** The event stamped with its time, and its payload as the log stores it (without `type`, `at` or `seq`). */
function stamped(input: CustomerEventInput, clock: Clock): { event: UnsequencedEvent; payload: string } {
  const { type, at, ...fields } = input as CustomerEventInput & { seq?: unknown; key?: unknown };
  const { seq: _seq, key: _key, ...payloadFields } = fields as Record<string, unknown>;
  return { event: { ...payloadFields, type, at: at ?? clock.now() }, payload: JSON.stringify(payloadFields) };
}

/** Why an `order_created` cannot place its order (checked before it is queued), or null; other events are not its business. */
function orderProblem(orders: OrderPlacer | undefined, event: UnsequencedEvent): string | null {
  if (event.type !== "order_created" || event["payment"] === undefined) return null;
  if (!orders) return "an order with a payment method needs the order runtime (createCustomerActors' `orders`)";
  return orders.problemOf({ orderId: event["orderId"], payment: event["payment"], invoice: event["invoice"] as Parameters<OrderPlacer["problemOf"]>[0]["invoice"], items: event["items"] });
}

function dispatchResult(outcome: UnitOutcome): DispatchResult {
  if (outcome.kind === "shortage") throw new StockShortage(outcome.productId, outcome.available);
  if (outcome.kind === "applied") return { userId: outcome.userId, seq: outcome.seq, stage: stageOf(outcome.snapshot), duplicate: false, snapshot: outcome.snapshot };
  if (outcome.kind === "duplicate") return { userId: outcome.userId, seq: outcome.seq, stage: outcome.stage, duplicate: true, snapshot: outcome.snapshot };
  throw new Error(`unexpected outcome of an event: ${outcome.kind}`);
}

/** What the runtime's operations share: the queue, the live customers and the clock. */
interface Core {
  readonly commits: GroupCommit;
  readonly applier: UnitApplier;
  readonly cells: Map<number, Cell>;
  readonly store: ActorStore;
  readonly clock: Clock;
  readonly orders: OrderPlacer | undefined;
}

type EventExtras = Pick<Extract<Work, { kind: "event" }>, "message" | "sessionKeys">;

function submit(core: Core, userId: number, input: DispatchInput, extra: EventExtras = {}): Promise<UnitOutcome> {
  const { key, ...event } = input;
  const { event: stampedEvent, payload } = stamped(event as CustomerEventInput, core.clock);
  const problem = invalidKey(key) ?? invalidEvent(userId, stampedEvent, payload) ?? orderProblem(core.orders, stampedEvent);
  if (problem) return Promise.reject(new InvalidEventError(problem));
  return core.commits.enqueue({ kind: "event", userId, key, event: stampedEvent, payload, ...extra });
}

async function snapshotOf(core: Core, userId: number): Promise<CustomerSnapshot> {
  // Only this customer's own events need to be committed first; under load, waiting for every
  // other customer's commits too would stall each chat behind all the others.
  while (core.commits.hasPending(userId)) await core.commits.settled();
  // Another process may have moved this customer on since they were cached (PostgreSQL only).
  if (core.cells.has(userId) && checksCachedCustomers(core.store) && !core.store.cachedCustomerIsCurrent(userId)) core.cells.delete(userId);
  const { snapshot } = core.applier.activate(userId, null);
  core.commits.passivate();
  return snapshot;
}

async function recover(core: Core): Promise<number> {
  await core.commits.settled();
  const stale = core.store.staleActors();
  if (stale.length === 0) return 0;
  await core.commits.runUnit((unit) => {
    for (const userId of stale) {
      core.cells.delete(userId);
      core.applier.activate(userId, unit);
    }
  });
  return stale.length;
}

async function fireTimer(core: Core, row: TimerRow, at: number): Promise<TimerFiring> {
  const userId = customerIdOf(row.actor);
  if (userId === null) throw new InvalidEventError(`not a customer's timer: ${row.actor}`);
  const outcome = await core.commits.enqueue({ kind: "timer", userId, row, at });
  return outcome.kind === "applied" ? { fired: true, seq: outcome.seq, snapshot: outcome.snapshot } : { fired: false };
}

async function completeEffect(core: Core, effect: StoredEffect, reply?: EffectReply): Promise<{ readonly replied: boolean }> {
  const userId = customerIdOf(effect.actor);
  if (userId === null) throw new InvalidEventError(`not a customer's effect: ${effect.actor}`);
  const stampedReply = reply ? stamped(reply, core.clock) : null;
  const problem = stampedReply && invalidEvent(userId, stampedReply.event, stampedReply.payload);
  if (problem) throw new InvalidEventError(problem);
  const outcome = await core.commits.enqueue({ kind: "completion", userId, effect, reply: stampedReply });
  return { replied: outcome.kind === "completed" && outcome.replied };
}

async function logMessage(core: Core, userId: number, input: LogMessageInput): Promise<LogMessageResult> {
  const text = truncateText(input.text);
  const type: CustomerEventType = input.direction === "in" ? "message_in" : "message_out";
  const event = { type, messageType: input.type, chars: text.length, key: input.key, ...(input.at === undefined ? {} : { at: input.at }) } as DispatchInput;
  const outcome = await submit(core, userId, event, { message: { direction: input.direction, type: input.type, text } });
  if (outcome.kind === "refused") return { logged: false, reason: outcome.reason };
  return { ...dispatchResult(outcome), logged: true };
}

async function addNote(core: Core, userId: number, text: string, key: string): Promise<DispatchResult> {
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new InvalidEventError("a note cannot be empty");
  return dispatchResult(await submit(core, userId, { type: "note_added", text: truncateText(trimmed), key }));
}

async function toggleTag(core: Core, userId: number, tag: string, key: string): Promise<DispatchResult> {
  const clean = tag.trim().toLocaleLowerCase();
  if (!/^[\p{L}\p{N}_-]{1,32}$/u.test(clean)) throw new InvalidEventError("a tag is 1 to 32 letters, digits, _ or -");
  const { context } = await snapshotOf(core, userId);
  const input: DispatchInput = context.tags.includes(clean) ? { type: "tags_changed", removed: [clean], key } : { type: "tags_changed", added: [clean], key };
  return dispatchResult(await submit(core, userId, input));
}

/**
 * Customers as durable virtual actors: what the bots, the scheduler and the effect worker call.
 * Every method that changes a customer resolves only once its unit of work is durable, and
 * rejects with CommitFailed when the store could not commit it (nothing of it is kept), or with
 * InvalidEventError for a caller's mistake (nothing is queued).
 */
export interface CustomerRuntime {
  /** The effect names the machine uses: the effect worker refuses to start without a handler for each. */
  readonly effectTypes: readonly string[];
  /**
   * Applies one event to one customer and resolves, with the snapshot after it, once it is durable.
   * An `order_created` whose stock cannot be reserved rejects with {@link StockShortage} (the product
   * and how many are left): nothing of it is stored, so the cart and the checkout stay as they were.
   */
  dispatch(userId: number, input: DispatchInput): Promise<DispatchResult>;
  /**
   * Fires a due timer row (the scheduler calls this): its event, keyed by the row's key, at `at`.
   * A row that is no longer the same arming (cancelled, or armed again since it was read) is a
   * stale firing and changes nothing; a fired row is deleted in the unit of its event.
   */
  fireTimer(row: TimerRow, at?: number): Promise<TimerFiring>;
  /**
   * Completes a delivered (or dropped) effect: in one unit, removes its outbox row and applies
   * `reply` to its customer keyed `<effectKey>:done`, so a result is applied once even when the
   * effect ran twice. A reply to a customer who erased their data after the effect was queued is
   * not applied. Resolves with whether the reply was applied.
   */
  completeEffect(effect: StoredEffect, reply?: EffectReply): Promise<{ readonly replied: boolean }>;
  /** Subscribes the timer scheduler and the effect worker to what commits arm and queue; returns the unsubscribe. */
  listen(listener: RuntimeListener): () => void;
  /** Resolves when everything queued so far is committed (or has failed). */
  settled(): Promise<void>;
  /** The customer's current snapshot, activating it if needed, once their own pending commits are done. */
  snapshotOf(userId: number): Promise<CustomerSnapshot>;
  /** Rebuilds, from their logs, the customers whose stored snapshot fell behind (with their timers); returns how many. */
  recover(): Promise<number>;
  /**
   * Logs one chat message as `message_in` / `message_out` with its text row, cut to 2,000
   * characters. Refuses, and stores nothing, while the customer has not consented.
   */
  logMessage(userId: number, input: LogMessageInput): Promise<LogMessageResult>;
  /**
   * The customer's `/forget`: records `data_erased`, whose step erases their messages, the personal
   * data in their events and orders, their pending effects and the chat sessions named in
   * `sessionKeys` (the machine's `erasePersonalData` write), and empties their cart, checkout and
   * consultant, all in one unit.
   */
  forget(userId: number, key: string, options?: { readonly sessionKeys?: readonly string[] }): Promise<DispatchResult>;
  /** Saves an owner's note with its time, as a `note_added` event. */
  addNote(userId: number, text: string, key: string): Promise<DispatchResult>;
  /** Adds the tag if the customer lacks it and removes it otherwise, as one `tags_changed` event. */
  toggleTag(userId: number, tag: string, key: string): Promise<DispatchResult>;
  /** How many customers are live in memory now. */
  readonly activeCount: number;
  /** Stops taking work, commits what is in flight and drops the live cells. The store stays open. */
  close(): Promise<void>;
}

/**
 * Creates the customer runtime. `dispatch` activates a customer on demand (from its snapshot, or
 * by replaying its log when the snapshot is missing, corrupt or of another machine version),
 * stamps the event with its time and seq, steps the machine, and resolves only once the event,
 * the snapshot, the lead and every row the step decided (timers armed and cancelled, effects
 * queued, writes, emitted facts) are committed together. Work that arrives while a commit is being
 * prepared shares one transaction (group commit); one customer's events apply in arrival order.
 *
 * @throws NotDurableError when the machine uses anything the runtime cannot make durable, before any event.
 */
export function createCustomerRuntime(options: CustomerRuntimeOptions): CustomerRuntime {
  const { store } = options;
  const machine = options.machine ?? customerMachine;
  const used = assertDurable(machine, customerDurableActions);
  const cells = new Map<number, Cell>();
  const stepper = createCustomerStepper(machine);
  const applier = createUnitApplier({ store, machine, machineVersion: options.machineVersion ?? customerMachineVersion, stepper, cells, ...(options.orders ? { orders: options.orders } : {}) });
  const commits = new GroupCommit({ store, applier, cells, maxActive: options.maxActive ?? 2_000, maxBatch: options.maxBatch ?? 4_096, observe: options.observe });
  const core: Core = { commits, applier, cells, store, clock: options.clock ?? systemClock, orders: options.orders };
  return {
    effectTypes: used.effects,
    dispatch: async (userId, input) => dispatchResult(await submit(core, userId, input)),
    fireTimer: (row, at = core.clock.now()) => fireTimer(core, row, at),
    completeEffect: (effect, reply) => completeEffect(core, effect, reply),
    listen: (listener) => (commits.listeners.add(listener), () => void commits.listeners.delete(listener)),
    settled: () => commits.settled(),
    snapshotOf: (userId) => snapshotOf(core, userId),
    recover: () => recover(core),
    logMessage: (userId, input) => logMessage(core, userId, input),
    forget: async (userId, key, forgetting = {}) => {
      const result = dispatchResult(await submit(core, userId, { type: "data_erased", key }, { sessionKeys: forgetting.sessionKeys ?? [] }));
      // The customer is told only once no byte of them is left on disk, however long a reader holds the WAL.
      await store.erasureSettled?.();
      return result;
    },
    addNote: (userId, text, key) => addNote(core, userId, text, key),
    toggleTag: (userId, tag, key) => toggleTag(core, userId, tag, key),
    get activeCount() {
      return cells.size;
    },
    close: async () => {
      await commits.close();
      cells.clear();
    },
  };
}
