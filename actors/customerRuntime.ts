import { customerMachine, customerMachineVersion } from "../machines/customer.machine.ts";
import {
  customerEventTypes,
  stages,
  type CustomerEvent,
  type CustomerEventInput,
  type CustomerEventType,
  type MessageDirection,
  type MessageType,
  type Stage,
} from "../machines/customer.types.ts";
import { truncateText } from "./conversation.ts";
import type { CustomerSnapshot } from "./customerSnapshot.ts";
import { createCustomerStepper } from "./customerStepper.ts";
import type { ActorStore, Lead, OrderItem, StoredEvent, StoredOrder, StoreTx } from "./store.port.ts";

/** Where time comes from. Tests pass a manual clock; nothing in the runtime reads `Date.now()` itself. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export type { CustomerSnapshot } from "./customerSnapshot.ts";

/** An event as callers hand it to `dispatch`: the machine event plus its idempotency key. */
export type DispatchInput = CustomerEventInput & {
  /** Unique per meaning, e.g. `tg:<update_id>:add_to_cart`. A second event with the same key changes nothing. */
  readonly key: string;
};

export interface DispatchResult {
  readonly userId: number;
  readonly seq: number;
  /** The stage right after this event was applied. */
  readonly stage: Stage;
  /** True when the key had been seen: nothing changed, and this is the first delivery's result. */
  readonly duplicate: boolean;
}

export type LogMessageResult =
  | (DispatchResult & { readonly logged: true })
  | { readonly logged: false; readonly reason: "no_consent" };

export interface PlaceOrderInput {
  readonly orderId: string;
  readonly items: readonly OrderItem[];
  readonly total: number;
  readonly currency: string;
  readonly phone: string | null;
  readonly delivery: string | null;
  /** Exactly-once: the same key never places a second order. */
  readonly key: string;
  readonly at?: number;
}

export interface LogMessageInput {
  readonly direction: MessageDirection;
  readonly type: MessageType;
  readonly text: string;
  readonly key: string;
  readonly at?: number;
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
  /** How many customers stay active in memory (about 2 KB each); the rest are passivated to their snapshots. */
  readonly maxActive?: number;
  /** The most events one transaction takes; a burst beyond it commits in several, oldest first. */
  readonly maxBatch?: number;
  /**
   * Told of every event once it is durable, with the customer's snapshot after it: for live
   * inspection (`npm run inspect`). Absent, the hot path pays nothing for it.
   */
  readonly observe?: (transition: CustomerTransition) => void;
}

export interface CustomerTransition {
  readonly userId: number;
  readonly event: CustomerEvent;
  readonly snapshot: CustomerSnapshot;
}

/** An active customer: its snapshot, and what is known of its persisted state. */
interface Cell {
  snapshot: CustomerSnapshot;
  /** The stage as last persisted (null: never persisted). */
  persistedStage: Stage | null;
  lastSeq: number;
}

interface Pending {
  readonly userId: number;
  readonly key: string;
  readonly event: CustomerEvent;
  readonly payload: string;
  readonly message?: { readonly direction: MessageDirection; readonly type: MessageType; readonly text: string };
  /** Writes that belong to this event, made in its unit of work only when the event is new. */
  readonly effect?: (tx: StoreTx) => void;
  readonly resolve: (result: LogMessageResult) => void;
  readonly reject: (error: unknown) => void;
}

const knownTypes: ReadonlySet<string> = new Set(customerEventTypes);
/** Payloads are facts, not documents: a search query, an order's id and total. Message text is stored apart. */
const maxPayloadChars = 4_096;

/** The machine event a stored log row stands for. */
function eventFromLog(row: StoredEvent): CustomerEvent {
  return { ...row.payload, type: row.type, at: row.at } as CustomerEvent;
}

function leadOf(snapshot: CustomerSnapshot): Lead {
  return { ...snapshot.context, stage: snapshot.value };
}

const stepper = createCustomerStepper();

/** Replays a log from the initial state. Pure: the same log always gives the same snapshot. */
export function replayLog(userId: number, log: readonly StoredEvent[]): CustomerSnapshot {
  return log.reduce((snapshot, row) => stepper.step(snapshot, eventFromLog(row)), stepper.initial(userId));
}

function restorable(userId: number, json: string): CustomerSnapshot | undefined {
  try {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const { value, context, status } = parsed as { value?: unknown; context?: { userId?: unknown }; status?: unknown };
    if (status !== "active" || typeof value !== "string" || !(stages as readonly string[]).includes(value)) return undefined;
    if (context?.userId !== userId) return undefined;
    return customerMachine.resolveState(parsed as CustomerSnapshot);
  } catch {
    return undefined;
  }
}

/**
 * Customers as virtual actors. `dispatch` activates a customer on demand (from its snapshot, or by
 * replaying its log when the snapshot is missing, corrupt or of another machine version), applies
 * the event, and resolves only once the event row, the snapshot and the lead are committed together.
 *
 * Dispatches that arrive while a commit is being prepared share one transaction (group commit).
 * Events of one customer apply in arrival order; idle customers are passivated past `maxActive`.
 */
export function createCustomerRuntime(options: CustomerRuntimeOptions) {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const maxActive = options.maxActive ?? 2_000;
  const maxBatch = options.maxBatch ?? 4_096;
  const cells = new Map<number, Cell>();
  /** Events dispatched and not yet committed (or failed), by customer. */
  const pendingOf = new Map<number, number>();
  let queue: Pending[] = [];
  let draining: Promise<void> | null = null;
  let closed = false;

  function activate(userId: number, dirty: Map<number, Cell>): Cell {
    const live = cells.get(userId);
    if (live) {
      cells.delete(userId);
      cells.set(userId, live);
      return live;
    }
    const stored = store.loadActor(userId);
    const fresh =
      stored && stored.machineVersion === customerMachineVersion && stored.lastSeq >= stored.logSeq
        ? restorable(userId, stored.snapshot)
        : undefined;
    let cell: Cell;
    if (fresh) {
      cell = { snapshot: fresh, persistedStage: stored?.stage ?? null, lastSeq: stored?.lastSeq ?? 0 };
    } else {
      const log = store.loadEvents(userId);
      cell = { snapshot: replayLog(userId, log), persistedStage: stored?.stage ?? null, lastSeq: log.at(-1)?.seq ?? 0 };
      // A snapshot rebuilt from the log is written back in the same unit of work.
      if (log.length > 0) dirty.set(userId, cell);
    }
    cells.set(userId, cell);
    return cell;
  }

  function firstResult(tx: StoreTx, key: string, batchResults: Map<string, DispatchResult>): DispatchResult {
    const inBatch = batchResults.get(key);
    if (inBatch) return { ...inBatch, duplicate: true };
    const original = tx.eventByKey(key);
    if (!original) throw new Error("a duplicate key without its original event");
    const log = store.loadEvents(original.userId).filter((row) => row.seq <= original.seq);
    return { userId: original.userId, seq: original.seq, stage: replayLog(original.userId, log).value, duplicate: true };
  }

  function apply(batch: readonly Pending[], tx: StoreTx, dirty: Map<number, Cell>, seen: CustomerTransition[] | null): LogMessageResult[] {
    const batchResults = new Map<string, DispatchResult>();
    const results: LogMessageResult[] = [];
    for (const pending of batch) {
      const cell = activate(pending.userId, dirty);
      if (pending.message && cell.snapshot.context.consentAt === null) {
        results.push({ logged: false, reason: "no_consent" });
        continue;
      }
      const seq = tx.appendEvent({ userId: pending.userId, type: pending.event.type, payload: pending.payload, at: pending.event.at, key: pending.key });
      if (seq === null) {
        results.push({ ...firstResult(tx, pending.key, batchResults), logged: true });
        continue;
      }
      pending.effect?.(tx);
      cell.snapshot = stepper.step(cell.snapshot, pending.event);
      seen?.push({ userId: pending.userId, event: pending.event, snapshot: cell.snapshot });
      cell.lastSeq = seq;
      dirty.set(pending.userId, cell);
      if (pending.message) tx.appendMessage({ userId: pending.userId, ...pending.message, at: pending.event.at });
      const result: DispatchResult = { userId: pending.userId, seq, stage: cell.snapshot.value, duplicate: false };
      batchResults.set(pending.key, result);
      results.push({ ...result, logged: true });
    }
    for (const cell of dirty.values()) save(tx, cell);
    return results;
  }

  function save(tx: StoreTx, cell: Cell): void {
    tx.saveActor({
      lead: leadOf(cell.snapshot),
      snapshot: stepper.persist(cell.snapshot),
      machineVersion: customerMachineVersion,
      lastSeq: cell.lastSeq,
      previousStage: cell.persistedStage,
    });
  }

  function passivate(): void {
    for (const userId of cells.keys()) {
      if (cells.size <= maxActive) break;
      cells.delete(userId);
    }
  }

  /** Hands durable transitions to the observer; an observer that throws never touches the commit. */
  function notify(seen: readonly CustomerTransition[]): void {
    for (const transition of seen) {
      try {
        options.observe?.(transition);
      } catch {
        // Inspection is best effort.
      }
    }
  }

  /** Commits a batch as one transaction; resolves or rejects each of its events. Throws nothing. */
  async function commit(batch: readonly Pending[]): Promise<boolean> {
    const dirty = new Map<number, Cell>();
    const seen: CustomerTransition[] | null = options.observe ? [] : null;
    try {
      const results = await store.transact((tx) => apply(batch, tx, dirty, seen));
      for (const cell of dirty.values()) cell.persistedStage = cell.snapshot.value;
      if (seen) notify(seen);
      batch.forEach((pending, index) => {
        const result = results[index];
        if (result) pending.resolve(result);
        else pending.reject(new Error("no result for a dispatched event"));
      });
      return true;
    } catch (error) {
      // Nothing of this batch is durable: forget the in-memory state it produced, so that the
      // customers it touched are activated again from the store.
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

  function enqueue(
    userId: number,
    key: string,
    event: CustomerEvent,
    extra: Pick<Pending, "message" | "effect"> = {},
  ): Promise<LogMessageResult> {
    if (closed) return Promise.reject(new Error("the customer runtime is closed"));
    if (!Number.isSafeInteger(userId) || userId <= 0) return Promise.reject(new InvalidEventError(`not a user id: ${String(userId)}`));
    if (typeof key !== "string" || key.length === 0 || key.length > 200) return Promise.reject(new InvalidEventError("an event needs a key of 1 to 200 characters"));
    if (!knownTypes.has(event.type)) return Promise.reject(new InvalidEventError(`unknown event type: ${String(event.type)}`));
    const { type: _type, at: _at, ...fields } = event;
    const payload = JSON.stringify(fields);
    if (payload.length > maxPayloadChars) return Promise.reject(new InvalidEventError(`an event's payload is limited to ${maxPayloadChars} characters`));
    if (!Number.isFinite(event.at)) return Promise.reject(new InvalidEventError("an event's time must be a finite epoch millisecond"));
    return new Promise<LogMessageResult>((resolve, reject) => {
      pendingOf.set(userId, (pendingOf.get(userId) ?? 0) + 1);
      const done = (): void => {
        const left = (pendingOf.get(userId) ?? 1) - 1;
        if (left > 0) pendingOf.set(userId, left);
        else pendingOf.delete(userId);
      };
      queue.push({
        userId,
        key,
        event,
        payload,
        ...extra,
        resolve: (result) => {
          done();
          resolve(result);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
      schedule();
    });
  }

  async function dispatch(userId: number, input: DispatchInput, effect?: Pending["effect"]): Promise<DispatchResult> {
    const { key, ...rest } = input;
    const event = { ...rest, at: rest.at ?? clock.now() } as CustomerEvent;
    const result = await enqueue(userId, key, event, effect ? { effect } : {});
    if (!result.logged) throw new Error("unreachable: only messages are gated by consent");
    const { logged: _logged, ...dispatched } = result;
    return dispatched;
  }

  /** Resolves when everything dispatched so far is committed (or has failed). */
  async function settled(): Promise<void> {
    while (draining) await draining;
  }

  /** The customer's current snapshot, activating it if needed, once pending commits are done. */
  async function snapshotOf(userId: number): Promise<CustomerSnapshot> {
    // Only this customer's own events need to be committed first; under load, waiting for every
    // other customer's commits too would stall each chat behind all the others.
    while (pendingOf.has(userId)) await settled();
    const { snapshot } = activate(userId, new Map());
    passivate();
    return snapshot;
  }

  /** Rebuilds, from their logs, the customers whose stored snapshot fell behind; returns how many. */
  async function recover(): Promise<number> {
    await settled();
    const stale = store.staleActors();
    if (stale.length === 0) return 0;
    const dirty = new Map<number, Cell>();
    await store.transact((tx) => {
      for (const userId of stale) {
        cells.delete(userId);
        activate(userId, dirty);
      }
      for (const cell of dirty.values()) save(tx, cell);
    });
    for (const cell of dirty.values()) cell.persistedStage = cell.snapshot.value;
    passivate();
    return stale.length;
  }

  return {
    /** Applies one event to one customer and resolves once it is durable. */
    dispatch: (userId: number, input: DispatchInput): Promise<DispatchResult> => dispatch(userId, input),
    settled,
    snapshotOf,
    recover,

    /**
     * Logs one chat message as `message_in` / `message_out`, text cut to 2,000 characters.
     * Refuses, and stores nothing, while the customer has not consented.
     */
    logMessage(userId: number, input: LogMessageInput): Promise<LogMessageResult> {
      const text = truncateText(input.text);
      const type: CustomerEventType = input.direction === "in" ? "message_in" : "message_out";
      const event = { type, messageType: input.type, chars: text.length, at: input.at ?? clock.now() } as CustomerEvent;
      return enqueue(userId, input.key, event, { message: { direction: input.direction, type: input.type, text } });
    },

    /**
     * Records `order_created` and stores the order in the same unit of work. The key makes it
     * exactly-once: a second call with the same key stores nothing and returns the first result.
     */
    placeOrder(userId: number, input: PlaceOrderInput): Promise<DispatchResult> {
      const at = input.at ?? clock.now();
      const order: StoredOrder = {
        orderId: input.orderId,
        userId,
        items: input.items,
        total: input.total,
        currency: input.currency,
        phone: input.phone,
        delivery: input.delivery,
        at,
      };
      return dispatch(
        userId,
        { type: "order_created", orderId: order.orderId, total: order.total, currency: order.currency, at, key: input.key },
        (tx) => tx.saveOrder(order),
      );
    },

    /**
     * The customer's `/forget`: erases their messages and the personal data in their events and
     * orders, and records `data_erased`, which clears the lead's personal facts, all in one unit;
     * the chat sessions named in `sessionKeys` are deleted in that unit too.
     */
    forget(userId: number, key: string, options: { readonly sessionKeys?: readonly string[] } = {}): Promise<DispatchResult> {
      return dispatch(userId, { type: "data_erased", key }, (tx) => tx.erasePersonalData(userId, options.sessionKeys ?? []));
    },

    /** Saves an owner's note with its time, as a `note_added` event. */
    addNote(userId: number, text: string, key: string): Promise<DispatchResult> {
      const trimmed = text.trim();
      if (trimmed.length === 0) return Promise.reject(new InvalidEventError("a note cannot be empty"));
      return dispatch(userId, { type: "note_added", text: truncateText(trimmed), key });
    },

    /** Adds the tag if the customer lacks it and removes it otherwise, as one `tags_changed` event. */
    async toggleTag(userId: number, tag: string, key: string): Promise<DispatchResult> {
      const clean = tag.trim().toLocaleLowerCase();
      if (!/^[\p{L}\p{N}_-]{1,32}$/u.test(clean)) throw new InvalidEventError("a tag is 1 to 32 letters, digits, _ or -");
      const { context } = await snapshotOf(userId);
      return dispatch(userId, context.tags.includes(clean) ? { type: "tags_changed", removed: [clean], key } : { type: "tags_changed", added: [clean], key });
    },

    /** How many customers are live in memory now. */
    get activeCount(): number {
      return cells.size;
    },

    /** Stops taking events, commits what is in flight and stops the live actors. The store stays open. */
    async close(): Promise<void> {
      closed = true;
      await settled();
      cells.clear();
    },
  };
}

export type CustomerRuntime = ReturnType<typeof createCustomerRuntime>;
