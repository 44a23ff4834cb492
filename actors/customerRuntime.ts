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
import { truncateText } from "./conversation.ts";
import { stageOf, type CustomerMachine, type CustomerSnapshot } from "./customerSnapshot.ts";
import { createCustomerStepper, customerDurableActions, customerIdOf } from "./customerStepper.ts";
import { createUnitApplier, type Cell, type CustomerTransition, type Pending, type Unit, type UnitOutcome, type UnsequencedEvent } from "./customerUnit.ts";
import { assertDurable } from "./durableMachine.ts";
import type { ActorStore, StoredEffect, TimerRow } from "./store.port.ts";

/** Where time comes from. Tests pass a manual clock; nothing in the runtime reads `Date.now()` itself. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export type { CustomerSnapshot } from "./customerSnapshot.ts";
export type { CustomerTransition } from "./customerUnit.ts";
export { NotDurableError } from "./durableMachine.ts";
export { replayLog } from "./customerStepper.ts";

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

/** Told after each commit of what the scheduler and the effect worker must act on. Called synchronously; must not throw. */
export interface RuntimeListener {
  /** The earliest due time among the timers the commit armed. */
  timersArmed?(earliestDueAt: number): void;
  /** How many effects the commit queued. */
  effectsQueued?(count: number): void;
}

/** An event the runtime refuses before it reaches the store: a caller bug, never a customer's fault. */
export class InvalidEventError extends Error {
  override readonly name = "InvalidEventError";
}

/**
 * The store could not commit an event's unit of work: nothing of it is kept. Callers tell this
 * apart from every other failure because it is the one worth a redelivery (a webhook answers 500).
 */
export class CommitFailed extends Error {
  override readonly name = "CommitFailed";

  constructor(cause: unknown) {
    super(`the store could not commit: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
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
}

const knownTypes: ReadonlySet<string> = new Set(customerEventTypes);
const emittedTypes: ReadonlySet<string> = new Set(emittedEventTypes);
/** Payloads are facts, not documents: an order with its lines fits; message text is stored apart. */
const maxPayloadChars = 8_192;

/** Why a caller's key cannot be used, or null. */
function invalidKey(key: string): string | null {
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

/**
 * Customers as durable virtual actors. `dispatch` activates a customer on demand (from its
 * snapshot, or by replaying its log when the snapshot is missing, corrupt or of another machine
 * version), stamps the event with its time and seq, steps the machine, and resolves only once the
 * event, the snapshot, the lead and every row the step decided (timers armed and cancelled,
 * effects queued, writes, emitted facts) are committed together.
 *
 * Dispatches that arrive while a commit is being prepared share one transaction (group commit).
 * Events of one customer apply in arrival order; idle customers are passivated past `maxActive`.
 * The machine is checked at creation: one that uses anything the runtime cannot make durable
 * throws NotDurableError here, before any event.
 */
export function createCustomerRuntime(options: CustomerRuntimeOptions) {
  const { store } = options;
  const machine = options.machine ?? customerMachine;
  const used = assertDurable(machine, customerDurableActions);
  const clock = options.clock ?? systemClock;
  const maxActive = options.maxActive ?? 2_000;
  const maxBatch = options.maxBatch ?? 4_096;
  const cells = new Map<number, Cell>();
  const applier = createUnitApplier({ store, machine, machineVersion: options.machineVersion ?? customerMachineVersion, stepper: createCustomerStepper(machine), cells });
  const listeners = new Set<RuntimeListener>();
  /** Work queued and not yet committed (or failed), by customer. */
  const pendingOf = new Map<number, number>();
  let queue: Pending[] = [];
  let draining: Promise<void> | null = null;
  let closed = false;

  function passivate(): void {
    for (const userId of cells.keys()) {
      if (cells.size <= maxActive) break;
      cells.delete(userId);
    }
  }

  /** Tells the observer and the listeners; a listener that throws never touches the commit. */
  function notify(unit: Unit): void {
    for (const transition of unit.trace ?? []) {
      try {
        options.observe?.(transition);
      } catch {
        // Inspection is best effort.
      }
    }
    for (const listener of listeners) {
      try {
        if (unit.earliestTimer !== null) listener.timersArmed?.(unit.earliestTimer);
        if (unit.effectsQueued > 0) listener.effectsQueued?.(unit.effectsQueued);
      } catch {
        // The scheduler and the worker also poll: a missed wake-up delays, never loses.
      }
    }
  }

  /** Commits a batch as one transaction; resolves or rejects each of its pieces. Throws nothing. */
  async function commit(batch: readonly Pending[]): Promise<boolean> {
    let unit: Unit | null = null;
    try {
      const outcomes = await store.transact((tx) => {
        unit = { tx, dirty: new Map(), trace: options.observe ? [] : null, results: new Map(), earliestTimer: null, effectsQueued: 0 };
        return applier.apply(batch, unit);
      });
      const done = unit as Unit | null;
      if (done) {
        for (const cell of done.dirty.values()) cell.persistedStage = stageOf(cell.snapshot);
        notify(done);
      }
      batch.forEach((pending, index) => {
        const outcome = outcomes[index];
        if (outcome) pending.resolve(outcome);
        else pending.reject(new Error("no result for a queued event"));
      });
      return true;
    } catch (error) {
      // Nothing of this batch is durable: forget the in-memory state it produced, so that the
      // customers it touched are activated again from the store.
      for (const cell of (unit as Unit | null)?.dirty.keys() ?? []) cells.delete(cell);
      for (const pending of batch) cells.delete(pending.userId);
      if (batch.length === 1) batch[0]?.reject(new CommitFailed(error));
      return false;
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
      queue = batch === queue ? [] : queue.slice(maxBatch);
      // One event that cannot be stored must not take its neighbours down with it: when a shared
      // transaction fails, its events are retried one transaction each, in their original order.
      if (!(await commit(batch)) && batch.length > 1) {
        for (const pending of batch) await commit([pending]);
      }
      passivate();
    }
  }

  function schedule(): void {
    if (draining) return;
    draining = new Promise<void>((resolve) => setImmediate(resolve))
      .then(drain)
      .finally(() => {
        draining = null;
        if (queue.length > 0) schedule();
      });
  }

  type Work = Pending extends infer P ? (P extends Pending ? Omit<P, "resolve" | "reject"> : never) : never;

  function enqueue(work: Work): Promise<UnitOutcome> {
    if (closed) return Promise.reject(new Error("the customer runtime is closed"));
    const { userId } = work;
    return new Promise<UnitOutcome>((resolve, reject) => {
      pendingOf.set(userId, (pendingOf.get(userId) ?? 0) + 1);
      const done = (): void => {
        const left = (pendingOf.get(userId) ?? 1) - 1;
        if (left > 0) pendingOf.set(userId, left);
        else pendingOf.delete(userId);
      };
      const resolveIt = (outcome: UnitOutcome): void => {
        done();
        resolve(outcome);
      };
      const rejectIt = (error: unknown): void => {
        done();
        reject(error);
      };
      queue.push({ ...work, resolve: resolveIt, reject: rejectIt } as Pending);
      schedule();
    });
  }

  function dispatchResult(outcome: UnitOutcome): DispatchResult {
    if (outcome.kind === "applied") return { userId: outcome.userId, seq: outcome.seq, stage: stageOf(outcome.snapshot), duplicate: false, snapshot: outcome.snapshot };
    if (outcome.kind === "duplicate") return { userId: outcome.userId, seq: outcome.seq, stage: outcome.stage, duplicate: true, snapshot: outcome.snapshot };
    throw new Error(`unexpected outcome of an event: ${outcome.kind}`);
  }

  async function submit(userId: number, input: DispatchInput, extra: Pick<Extract<Pending, { kind: "event" }>, "message" | "sessionKeys"> = {}): Promise<UnitOutcome> {
    const { key, ...event } = input;
    const { event: stampedEvent, payload } = stamped(event as CustomerEventInput, clock);
    const problem = invalidKey(key) ?? invalidEvent(userId, stampedEvent, payload);
    if (problem) throw new InvalidEventError(problem);
    return enqueue({ kind: "event", userId, key, event: stampedEvent, payload, ...extra });
  }

  /** Resolves when everything queued so far is committed (or has failed). */
  async function settled(): Promise<void> {
    while (draining) await draining;
  }

  /** The customer's current snapshot, activating it if needed, once their pending commits are done. */
  async function snapshotOf(userId: number): Promise<CustomerSnapshot> {
    // Only this customer's own events need to be committed first; under load, waiting for every
    // other customer's commits too would stall each chat behind all the others.
    while (pendingOf.has(userId)) await settled();
    const { snapshot } = applier.activate(userId, null);
    passivate();
    return snapshot;
  }

  /** Rebuilds, from their logs, the customers whose stored snapshot fell behind (with their timers); returns how many. */
  async function recover(): Promise<number> {
    await settled();
    const stale = store.staleActors();
    if (stale.length === 0) return 0;
    let unit: Unit | null = null;
    await store.transact((tx) => {
      unit = { tx, dirty: new Map(), trace: null, results: new Map(), earliestTimer: null, effectsQueued: 0 };
      for (const userId of stale) {
        cells.delete(userId);
        applier.activate(userId, unit);
      }
      for (const cell of unit.dirty.values()) applier.save(tx, cell);
    });
    const done = unit as Unit | null;
    if (done) {
      for (const cell of done.dirty.values()) cell.persistedStage = stageOf(cell.snapshot);
      notify(done);
    }
    passivate();
    return stale.length;
  }

  return {
    /** The effect names the machine uses: the effect worker refuses to start without a handler for each. */
    effectTypes: used.effects,

    /** Applies one event to one customer and resolves, with the snapshot after it, once it is durable. */
    dispatch: async (userId: number, input: DispatchInput): Promise<DispatchResult> => dispatchResult(await submit(userId, input)),
    settled,
    snapshotOf,
    recover,

    /**
     * Fires a due timer row (the scheduler calls this): its event, keyed by the row's key, at `at`.
     * A row that is no longer the same arming (cancelled, or armed again since it was read) is a
     * stale firing and changes nothing; a fired row is deleted in the unit of its event.
     */
    async fireTimer(row: TimerRow, at: number = clock.now()): Promise<TimerFiring> {
      const userId = customerIdOf(row.actor);
      if (userId === null) throw new InvalidEventError(`not a customer's timer: ${row.actor}`);
      const outcome = await enqueue({ kind: "timer", userId, row, at });
      return outcome.kind === "applied" ? { fired: true, seq: outcome.seq, snapshot: outcome.snapshot } : { fired: false };
    },

    /**
     * Completes a delivered (or dropped) effect: in one unit, removes its outbox row and applies
     * `reply` to its customer keyed `<effectKey>:done`, so a result is applied once even when the
     * effect ran twice. A reply to a customer who erased their data after the effect was queued is
     * not applied. Resolves with whether the reply was applied.
     */
    async completeEffect(effect: StoredEffect, reply?: EffectReply): Promise<{ readonly replied: boolean }> {
      const userId = customerIdOf(effect.actor);
      if (userId === null) throw new InvalidEventError(`not a customer's effect: ${effect.actor}`);
      let stampedReply: { event: UnsequencedEvent; payload: string } | null = null;
      if (reply) {
        stampedReply = stamped(reply, clock);
        const problem = invalidEvent(userId, stampedReply.event, stampedReply.payload);
        if (problem) throw new InvalidEventError(problem);
      }
      const outcome = await enqueue({ kind: "completion", userId, effect, reply: stampedReply });
      return { replied: outcome.kind === "completed" && outcome.replied };
    },

    /** Subscribes the timer scheduler and the effect worker to what commits arm and queue; returns the unsubscribe. */
    listen(listener: RuntimeListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    /**
     * Logs one chat message as `message_in` / `message_out` with its text row, cut to 2,000
     * characters. Refuses, and stores nothing, while the customer has not consented.
     */
    async logMessage(userId: number, input: LogMessageInput): Promise<LogMessageResult> {
      const text = truncateText(input.text);
      const type: CustomerEventType = input.direction === "in" ? "message_in" : "message_out";
      const event = { type, messageType: input.type, chars: text.length, key: input.key, ...(input.at === undefined ? {} : { at: input.at }) } as DispatchInput;
      const outcome = await submit(userId, event, { message: { direction: input.direction, type: input.type, text } });
      if (outcome.kind === "refused") return { logged: false, reason: outcome.reason };
      return { ...dispatchResult(outcome), logged: true };
    },

    /**
     * The customer's `/forget`: records `data_erased`, whose step erases their messages, the
     * personal data in their events and orders, their pending effects and the chat sessions named
     * in `sessionKeys` (the machine's `erasePersonalData` write), and empties their cart, checkout
     * and consultant, all in one unit.
     */
    forget: async (userId: number, key: string, options: { readonly sessionKeys?: readonly string[] } = {}): Promise<DispatchResult> =>
      dispatchResult(await submit(userId, { type: "data_erased", key }, { sessionKeys: options.sessionKeys ?? [] })),

    /** Saves an owner's note with its time, as a `note_added` event. */
    addNote: async (userId: number, text: string, key: string): Promise<DispatchResult> => {
      const trimmed = text.trim();
      if (trimmed.length === 0) throw new InvalidEventError("a note cannot be empty");
      return dispatchResult(await submit(userId, { type: "note_added", text: truncateText(trimmed), key }));
    },

    /** Adds the tag if the customer lacks it and removes it otherwise, as one `tags_changed` event. */
    async toggleTag(userId: number, tag: string, key: string): Promise<DispatchResult> {
      const clean = tag.trim().toLocaleLowerCase();
      if (!/^[\p{L}\p{N}_-]{1,32}$/u.test(clean)) throw new InvalidEventError("a tag is 1 to 32 letters, digits, _ or -");
      const { context } = await snapshotOf(userId);
      const input: DispatchInput = context.tags.includes(clean) ? { type: "tags_changed", removed: [clean], key } : { type: "tags_changed", added: [clean], key };
      return dispatchResult(await submit(userId, input));
    },

    /** How many customers are live in memory now. */
    get activeCount(): number {
      return cells.size;
    },

    /** Stops taking work, commits what is in flight and drops the live cells. The store stays open. */
    async close(): Promise<void> {
      closed = true;
      await settled();
      cells.clear();
      listeners.clear();
    },
  };
}

export type CustomerRuntime = ReturnType<typeof createCustomerRuntime>;
