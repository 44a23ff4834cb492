import { randomUUID } from "node:crypto";
import type { AnyMachineSnapshot } from "xstate";
import type { CustomerTransition, DispatchResult } from "../../actors/customerRuntime.ts";
import type { CustomerMachine, CustomerSnapshot } from "../../actors/customerSnapshot.ts";
import { customerActor as rowActorOf, customerIdOf } from "../../actors/customerStepper.ts";
import type { EffectNotice } from "../../actors/effectWorker.ts";
import type { ActorLogReads } from "../../actors/actorLog.port.ts";
import type { DurableQueues } from "../../actors/store.port.ts";
import type { CustomerEventInput } from "../../machines/customer.types.ts";
import type { OrderMachine } from "../../machines/order.machine.ts";
import { effectsActorId, timersActorId, type EffectView, type TimerView } from "./durableViews.ts";
import { createInspectedCustomer, type CustomerHandle, type CustomerPort, type InspectedCustomer } from "./inspectedCustomer.ts";
import type { InspectionTarget } from "./inspectorBridge.ts";

/** What the bridge needs of running customer and order actors; see `InspectorHooks.onActors`. */
export interface InspectorConnection {
  readonly runtime: CustomerPort;
  /**
   * The store's timer and effect rows, to show what a customer or order had armed and queued before
   * it was first shown; and the order actors' logs and states, to show an order from its placement
   * (which happens in its customer's transaction).
   */
  readonly queues?: Pick<DurableQueues, "timersOf" | "effectsOf"> & Partial<Pick<ActorLogReads, "loadActorState" | "loadActorEvents">>;
  /** The machine the runtime runs, with the shop's settings provided: drawn for each customer shown from now on. */
  readonly machine?: CustomerMachine;
  /** The order machine the order actors run, with the shop's settings provided: drawn for each order. */
  readonly orderMachine?: OrderMachine;
}

export interface CustomerInspectionOptions {
  readonly inspector: InspectionTarget;
  /** The `timers` and `effects` views, shared with the orders. */
  readonly timers: TimerView;
  readonly effects: EffectView;
  readonly watched: (userId: number) => boolean;
  /** The customers watched when a filter names them (`--user`): their timers and effects are read as soon as the store is connected. */
  readonly named: readonly number[];
  /** Says why a user is not watched, for a refused `customerActor`. */
  readonly notWatched: (userId: number) => string;
  readonly machine: CustomerMachine;
  readonly onSendFailed?: (userId: number, event: CustomerEventInput, error: unknown) => void;
}

/** A snapshot as the inspector shows it: the state and the context, without XState's internals. */
export const shown = (snapshot: AnyMachineSnapshot) => ({ status: snapshot.status, value: snapshot.value, context: snapshot.context as Record<string, unknown> });

/** An effect's result coming back to its customer: keyed `e:<actor>:<seq>:<i>:done` by the runtime. */
const isEffectReply = (key: string): boolean => key.startsWith("e:") && key.endsWith(":done");

/**
 * Shows what one step decided, in the machine's order: timers set and cancelled, effects queued,
 * facts emitted. Returns how many timer and effect changes it showed.
 */
function showDecisions(step: CustomerTransition, sessionId: string, parts: { readonly timers: TimerView; readonly effects: EffectView; readonly inspector: InspectionTarget }) {
  const actor = rowActorOf(step.userId);
  const next = { timer: 0, cancel: 0, effect: 0, emit: 0 };
  const counted = { timers: 0, effects: 0 };
  // Leaving the state whose timer just fired cancels that timer in XState's own terms: it is gone already.
  let justFired = step.timer?.sendId;
  for (const action of step.actions) {
    if (action.kind === "timer") {
      const row = step.timersSet[next.timer++];
      if (row?.sendId === justFired) justFired = undefined;
      if (row) (parts.timers.set(sessionId, row, action.delay), counted.timers++);
    } else if (action.kind === "cancel") {
      const sendId = step.timersCancelled[next.cancel++];
      if (sendId !== undefined && sendId === justFired) justFired = undefined;
      else if (sendId !== undefined) (parts.timers.cancelled(sessionId, actor, sendId), counted.timers++);
    } else if (action.kind === "effect") {
      const effect = step.effects[next.effect++];
      if (effect) (parts.effects.queued(sessionId, effect), counted.effects++);
    } else if (action.kind === "emit") {
      const key = step.emitted[next.emit++];
      parts.inspector.event(sessionId, { ...action.event, ...(key === undefined ? {} : { key }) }, { source: sessionId });
    }
  }
  return counted;
}

/**
 * The customers' side of the bridge: each watched customer's {@link InspectedCustomer}, their
 * committed transitions, and what those decided in the `timers` and `effects` views.
 * `createInspectorBridge` exposes it.
 */
export class CustomerInspection {
  readonly counts = { events: 0, timers: 0, effects: 0 };
  private readonly options: CustomerInspectionOptions;
  private readonly customers = new Map<number, CustomerHandle>();
  private readonly timers: TimerView;
  private readonly effects: EffectView;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly run = randomUUID().slice(0, 8);
  private sent = 0;
  private connection: InspectorConnection | null = null;

  constructor(options: CustomerInspectionOptions) {
    this.options = options;
    this.timers = options.timers;
    this.effects = options.effects;
  }

  /**
   * Connects the runtime and the store. Customers the filter names have their armed timers and
   * queued effects read now, so that even their first event seen shows a cancelled timer's key and
   * due time; anyone else's are read when they are first shown, after that event's commit.
   */
  connect(connection: InspectorConnection): void {
    this.connection = connection;
    for (const userId of this.options.named) this.readRows(userId);
  }

  /** How many customers are shown. */
  actorsShown(): number {
    return this.customers.size;
  }

  /** For the runtime's `observe`: one durable transition, the event and the snapshot after it, then what its step decided. */
  transition(step: CustomerTransition): void {
    if (!this.options.watched(step.userId)) return;
    // A customer is first seen at its state after the event: the one before is in the store, not here.
    const handle = this.handleOf(step.userId, step.snapshot);
    const { sessionId } = handle.actor;
    const firing = step.timer ? this.timers.fired(sessionId, step.timer, step.event.at) : null;
    if (firing) this.counts.timers += 1;
    handle.update(step.snapshot);
    const event = { ...step.event, ...firing, key: step.key };
    const source = firing ? timersActorId : isEffectReply(step.key) ? effectsActorId : undefined;
    this.options.inspector.event(sessionId, event, source ? { source } : undefined);
    this.options.inspector.snapshot(sessionId, shown(step.snapshot), { event });
    this.counts.events += 1;
    const decided = showDecisions(step, sessionId, { timers: this.timers, effects: this.effects, inspector: this.options.inspector });
    this.counts.timers += decided.timers;
    this.counts.effects += decided.effects;
  }

  /** For the effect worker's `observe`: one delivery's start or end. */
  effect(notice: EffectNotice): void {
    const userId = customerIdOf(notice.actor);
    if (userId === null || !this.options.watched(userId)) return;
    this.effects.notice(notice);
    this.counts.effects += 1;
  }

  /** A customer's actor: the one already shown, or (read from the runtime) shown now at its stored state. */
  async customerActor(userId: number): Promise<InspectedCustomer> {
    const seen = this.customers.get(userId);
    if (seen) return seen.actor;
    if (!this.options.watched(userId)) throw new Error(this.options.notWatched(userId));
    if (!this.connection) throw new Error("the inspector is not connected to the customer runtime");
    return this.handleOf(userId, await this.connection.runtime.snapshotOf(userId)).actor;
  }

  async send(userId: number, event: CustomerEventInput): Promise<DispatchResult> {
    return (await this.customerActor(userId)).dispatch(event);
  }

  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Registers a customer's actor once, at `snapshot`, with what the store says they have armed and queued. */
  private handleOf(userId: number, snapshot: CustomerSnapshot): CustomerHandle {
    const existing = this.customers.get(userId);
    if (existing) return existing;
    const handle = createInspectedCustomer({
      userId,
      machine: this.connection?.machine ?? this.options.machine,
      snapshot,
      runtime: () => this.connection?.runtime ?? null,
      nextKey: () => `inspect:${this.run}:${++this.sent}`,
      onSendFailed: (id, event, error) => this.options.onSendFailed?.(id, event, error),
      track: (pending) => {
        this.inFlight.add(pending);
        void pending.finally(() => this.inFlight.delete(pending));
      },
    });
    this.customers.set(userId, handle);
    this.options.inspector.actor(handle.actor, shown(snapshot));
    this.readRows(userId);
    return handle;
  }

  /** What the store says the customer has armed and queued. */
  private readRows(userId: number): void {
    const queues = this.connection?.queues;
    if (!queues) return;
    this.timers.known(queues.timersOf(rowActorOf(userId)));
    this.effects.known(queues.effectsOf(rowActorOf(userId)));
  }
}
