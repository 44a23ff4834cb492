/**
 * Turns what the app reports into Stately inspection events: the customer runtime's durable
 * transitions (each with the timers, effects and facts its step decided), the effect worker's
 * deliveries, and each chat flow step of the bots. An actor is registered the first time it is
 * seen, then each event is followed by the snapshot after it.
 *
 * Customers are virtual actors (a snapshot in a store, stepped by the runtime), so no XState actor
 * runs for them; each appears as an {@link InspectedCustomer}, a handle on the runtime whose `send`
 * dispatches a durable event and whose `getSnapshot` is the committed state. Timers and effects
 * appear as two more actors, `timers` and `effects` (adapters/inspect/durableViews.ts).
 */

import { randomUUID } from "node:crypto";
import type { createInspector } from "@statelyai/inspect";
import type { AnyEventObject, AnyMachineSnapshot, AnyStateMachine } from "xstate";
import type { CustomerTransition, DispatchResult } from "../../actors/customerRuntime.ts";
import type { CustomerMachine, CustomerSnapshot } from "../../actors/customerSnapshot.ts";
import { customerActor as rowActorOf, customerIdOf } from "../../actors/customerStepper.ts";
import type { EffectNotice } from "../../actors/effectWorker.ts";
import type { DurableQueues } from "../../actors/store.port.ts";
import { customerMachine } from "../../machines/customer.machine.ts";
import type { CustomerEventInput } from "../../machines/customer.types.ts";
import type { FlowStep } from "../telegram/flowState.ts";
import { createEffectView, createTimerView, effectsActorId, timersActorId } from "./durableViews.ts";
import { createInspectedCustomer, type CustomerHandle, type CustomerPort, type InspectedCustomer } from "./inspectedCustomer.ts";
import type { UpdateChat } from "./updateChats.ts";

export { customerActorId, type InspectedCustomer } from "./inspectedCustomer.ts";
export { effectsActorId, timersActorId } from "./durableViews.ts";

/** The part of a Stately inspector the bridge uses; `createWebSocketInspector` returns one. */
export type InspectionTarget = Pick<ReturnType<typeof createInspector>, "actor" | "event" | "snapshot">;

/** Options for {@link createInspectorBridge}. */
export interface InspectorBridgeOptions {
  readonly inspector: InspectionTarget;
  /**
   * Only these customers (`--user 501`, `INSPECT_USERS=501,502`): their actor, timers and effects,
   * their own chat flows, and the owner's flows while they are about one of them. Null or empty: everyone.
   */
  readonly users?: ReadonlySet<number> | null;
  /** The machine the runtime runs (with the shop's settings provided), drawn for each customer; `customerMachine` by default. */
  readonly machine?: CustomerMachine;
  /** An event sent from the inspector that the runtime refused (an unknown type, a store failure). */
  readonly onSendFailed?: (userId: number, event: CustomerEventInput, error: unknown) => void;
}

/** What the bridge needs of running customer actors; see {@link InspectorHooks.onActors}. */
export interface InspectorConnection {
  readonly runtime: CustomerPort;
  /** The store's timer and effect rows, to show what a customer had armed and queued before they were first shown. */
  readonly queues?: Pick<DurableQueues, "timersOf" | "effectsOf">;
}

/**
 * The hooks a composition (`startApp`, the demo's world) hands over: `observe` to
 * `createCustomerRuntime`/`createCustomerActors`, `observeEffects` to their `effects.observe`, and
 * `onActors` called once with the runtime and the store.
 */
export interface InspectorHooks {
  readonly observe: (transition: CustomerTransition) => void;
  readonly observeEffects: (notice: EffectNotice) => void;
  readonly onActors: (connection: InspectorConnection) => void;
}

/** What the bridge has passed on so far, for a summary line. */
export interface BridgeCounts {
  readonly actors: number;
  /** Customer and flow transitions. */
  readonly events: number;
  /** Timers set, cancelled and fired. */
  readonly timers: number;
  /** Effects queued, and each delivery, retry, drop and failure. */
  readonly effects: number;
}

/** A snapshot as the inspector shows it: the state and the context, without XState's internals. */
interface ShownSnapshot {
  readonly status: AnyMachineSnapshot["status"];
  readonly value: unknown;
  readonly context: Record<string, unknown>;
}

const shown = (snapshot: AnyMachineSnapshot): ShownSnapshot => ({ status: snapshot.status, value: snapshot.value, context: snapshot.context });

/** The id of a chat flow's actor: which bot, which chat, which machine. */
export const flowActorId = (chat: UpdateChat | undefined, machine: AnyStateMachine): string =>
  chat ? `${chat.bot}-${chat.chatId}-${machine.id}` : `${machine.id}-outside-an-update`;

const userIdOf = (snapshot: AnyMachineSnapshot): number | null => {
  const userId: unknown = snapshot.context?.userId;
  return typeof userId === "number" ? userId : null;
};

/** An effect's result coming back to its customer: keyed `e:<actor>:<seq>:<i>:done` by the runtime. */
const isEffectReply = (key: string): boolean => key.startsWith("e:") && key.endsWith(":done");

/** Shows what one step decided, in the machine's order: timers set and cancelled, effects queued, facts emitted. */
function showDecisions(step: CustomerTransition, sessionId: string, parts: { timers: ReturnType<typeof createTimerView>; effects: ReturnType<typeof createEffectView>; inspector: InspectionTarget }): { timers: number; effects: number } {
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
 * Builds the bridge. Hand `hooks` to the composition (or `customer` to the runtime's `observe`,
 * `effect` to the effect worker's `observe`, and call `connect`), and `flow` to `setFlowObserver`
 * with the chat of the update being handled. Watching never changes what it watches; only a
 * customer actor's `send` does, by dispatching a durable event.
 *
 * @example
 * const bridge = createInspectorBridge({ inspector, users: new Set([501]), machine });
 * const actors = createCustomerActors({ store, machine, handlers, observe: bridge.customer, effects: { observe: bridge.effect } });
 * bridge.connect({ runtime: actors.runtime, queues: store });
 * setFlowObserver((step) => bridge.flow(step, currentUpdateChat()));
 * (await bridge.customerActor(501)).send({ type: "catalog_view" });
 */
export function createInspectorBridge(options: InspectorBridgeOptions) {
  const { inspector } = options;
  const machine = options.machine ?? customerMachine;
  const users = options.users && options.users.size > 0 ? options.users : null;
  const watched = (userId: number): boolean => users === null || users.has(userId);
  const registered = new Set<string>();
  const customers = new Map<number, CustomerHandle>();
  const timers = createTimerView(inspector);
  const effects = createEffectView(inspector);
  const inFlight = new Set<Promise<unknown>>();
  const run = randomUUID().slice(0, 8);
  const counts = { events: 0, timers: 0, effects: 0 };
  let sent = 0;
  let connection: InspectorConnection | null = null;

  /** Registers a customer's actor once, at `snapshot`, with what the store says they have armed and queued. */
  function customerHandle(userId: number, snapshot: CustomerSnapshot): CustomerHandle {
    const existing = customers.get(userId);
    if (existing) return existing;
    const handle = createInspectedCustomer({
      userId,
      machine,
      snapshot,
      runtime: () => connection?.runtime ?? null,
      nextKey: () => `inspect:${run}:${++sent}`,
      onSendFailed: (id, event, error) => options.onSendFailed?.(id, event, error),
      track: (pending) => {
        inFlight.add(pending);
        void pending.finally(() => inFlight.delete(pending));
      },
    });
    customers.set(userId, handle);
    registered.add(handle.actor.sessionId);
    inspector.actor(handle.actor, shown(snapshot));
    const queues = connection?.queues;
    if (queues) {
      timers.known(queues.timersOf(rowActorOf(userId)));
      effects.known(queues.effectsOf(rowActorOf(userId)));
    }
    return handle;
  }

  function registerFlow(sessionId: string, name: string, flowMachine: AnyStateMachine, snapshot: ShownSnapshot): void {
    if (registered.has(sessionId)) return;
    registered.add(sessionId);
    // A chat flow moves only with its chat's updates (its snapshot lives in the chat's session), so this actor only shows it.
    const shownFlow = { sessionId, id: name, send: () => undefined, getSnapshot: () => snapshot, logic: { config: { ...flowMachine.config, id: name } } };
    inspector.actor(shownFlow, snapshot);
  }

  function transition(sessionId: string, event: AnyEventObject, after: ShownSnapshot, source?: string): void {
    inspector.event(sessionId, event, source ? { source } : undefined);
    inspector.snapshot(sessionId, after, { event });
    counts.events += 1;
  }

  /** For the runtime's `observe`: one durable customer transition, and what its step decided. */
  function customer(step: CustomerTransition): void {
    if (!watched(step.userId)) return;
    // A customer is first seen at its state after the event: the one before is in the store, not here.
    const handle = customerHandle(step.userId, step.snapshot);
    const { sessionId } = handle.actor;
    const firing = step.timer ? timers.fired(sessionId, step.timer, step.event.at) : null;
    if (firing) counts.timers += 1;
    handle.update(step.snapshot);
    const source = firing ? timersActorId : isEffectReply(step.key) ? effectsActorId : undefined;
    transition(sessionId, { ...step.event, ...firing, key: step.key }, shown(step.snapshot), source);
    const decided = showDecisions(step, sessionId, { timers, effects, inspector });
    counts.timers += decided.timers;
    counts.effects += decided.effects;
  }

  /** For the effect worker's `observe`: one delivery's start or end. */
  function effect(notice: EffectNotice): void {
    const userId = customerIdOf(notice.actor);
    if (userId === null || !watched(userId)) return;
    effects.notice(notice);
    counts.effects += 1;
  }

  /** For `setFlowObserver`: one step of a chat flow, in the chat of the update being handled. */
  function flow(step: FlowStep, chat: UpdateChat | undefined): void {
    if (users) {
      const about = [chat?.chatId ?? null, userIdOf(step.before), userIdOf(step.after)];
      if (!about.some((id) => id !== null && users.has(id))) return;
    }
    const sessionId = flowActorId(chat, step.machine);
    const name = chat ? `${step.machine.id} · ${chat.bot} chat ${chat.chatId}` : step.machine.id;
    registerFlow(sessionId, name, step.machine, shown(step.before));
    transition(sessionId, step.event, shown(step.after));
  }

  const connect = (parts: InspectorConnection): void => {
    connection = parts;
  };

  /** A customer's actor: the one already shown, or (read from the runtime) shown now. */
  async function customerActor(userId: number): Promise<InspectedCustomer> {
    const seen = customers.get(userId);
    if (seen) return seen.actor;
    if (!watched(userId)) throw new Error(`customer ${userId} is not watched (the inspector was started with --user ${[...(users ?? [])].join(",")})`);
    if (!connection) throw new Error("the inspector is not connected to the customer runtime");
    return customerHandle(userId, await connection.runtime.snapshotOf(userId)).actor;
  }

  return {
    customer,
    effect,
    flow,
    connect,
    /** For `startApp` and the demo's world: see {@link InspectorHooks}. */
    hooks: { observe: customer, observeEffects: effect, onActors: connect } satisfies InspectorHooks,
    customerActor: customerActor,
    /** Sends `event` to a customer through their actor, resolving once it is durable. */
    send: async (userId: number, event: CustomerEventInput): Promise<DispatchResult> => (await customerActor(userId)).dispatch(event),
    /** Resolves when every `send` made so far has been committed or refused. */
    settled: async (): Promise<void> => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    counts(): BridgeCounts {
      return { actors: registered.size + (timers.shown() ? 1 : 0) + (effects.shown() ? 1 : 0), ...counts };
    },
  };
}

/** A running bridge: `hooks` (or `customer`, `effect`, `connect`) and `flow` to attach, `counts` for a summary. */
export type InspectorBridge = ReturnType<typeof createInspectorBridge>;
