/**
 * Turns what the app reports into Stately inspection events: the customer runtime's durable
 * transitions (each with the timers, effects and facts its step decided), the order runtime's
 * (each order from its placement on), the effect worker's deliveries, and each chat flow step of
 * the bots. An actor is registered the first time it is seen, then each event is followed by the
 * snapshot after it.
 *
 * Customers and orders are virtual actors (a snapshot in a store, stepped by a runtime), so no
 * XState actor runs for them; a customer appears as an {@link InspectedCustomer}, a handle on the
 * runtime whose `send` dispatches a durable event and whose `getSnapshot` is the committed state,
 * and an order as an {@link InspectedOrder} with the order machine drawn. Timers and effects
 * appear as two more actors, `timers` and `effects` (adapters/inspect/durableViews.ts).
 */

import type { createInspector } from "@statelyai/inspect";
import type { AnyMachineSnapshot, AnyStateMachine } from "xstate";
import type { CustomerTransition, DispatchResult } from "../../actors/customerRuntime.ts";
import type { CustomerMachine } from "../../actors/customerSnapshot.ts";
import type { EffectNotice } from "../../actors/effectWorker.ts";
import type { OrderTransition } from "../../actors/orderRuntime.ts";
import { orderIdOf } from "../../actors/orderStepper.ts";
import { customerMachine } from "../../machines/customer.machine.ts";
import type { CustomerEventInput } from "../../machines/customer.types.ts";
import type { FlowStep } from "../telegram/flowState.ts";
import { CustomerInspection, shown, type InspectorConnection } from "./customerInspection.ts";
import { createEffectView, createTimerView } from "./durableViews.ts";
import type { InspectedCustomer } from "./inspectedCustomer.ts";
import { OrderInspection, type InspectedOrder } from "./orderInspection.ts";
import type { UpdateChat } from "./updateChats.ts";

export type { InspectorConnection } from "./customerInspection.ts";
export { customerActorId, type InspectedCustomer } from "./inspectedCustomer.ts";
export { orderActorId, type InspectedOrder } from "./orderInspection.ts";
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

/**
 * The hooks a composition (`startApp`, the demo's world) hands over: `observe` to
 * `createCustomerRuntime`/`createCustomerActors`, `observeOrders` to their `orders.observe`,
 * `observeEffects` to their `effects.observe`, and `onActors` called once with the runtime, the
 * store and the machines.
 */
export interface InspectorHooks {
  readonly observe: (transition: CustomerTransition) => void;
  readonly observeOrders: (transition: OrderTransition) => void;
  readonly observeEffects: (notice: EffectNotice) => void;
  readonly onActors: (connection: InspectorConnection) => void;
}

/** What the bridge has passed on so far, for a summary line. */
export interface BridgeCounts {
  readonly actors: number;
  /** Customer, order and flow transitions. */
  readonly events: number;
  /** Timers set, cancelled and fired. */
  readonly timers: number;
  /** Effects queued, and each delivery, retry, drop and failure. */
  readonly effects: number;
}

/** The id of a chat flow's actor: which bot, which chat, which machine. */
export const flowActorId = (chat: UpdateChat | undefined, machine: AnyStateMachine): string =>
  chat ? `${chat.bot}-${chat.chatId}-${machine.id}` : `${machine.id}-outside-an-update`;

const userIdOf = (snapshot: AnyMachineSnapshot): number | null => {
  const userId: unknown = snapshot.context?.userId;
  return typeof userId === "number" ? userId : null;
};

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
  const users = options.users && options.users.size > 0 ? options.users : null;
  const timers = createTimerView(inspector);
  const effects = createEffectView(inspector);
  const watched = (userId: number): boolean => users === null || users.has(userId);
  const orders = new OrderInspection({ inspector, timers, effects, watched, filtered: users !== null });
  const customers = new CustomerInspection({
    inspector,
    timers,
    effects,
    watched,
    named: [...(users ?? [])],
    notWatched: (userId) => `customer ${userId} is not watched (the inspector was started with --user ${[...(users ?? [])].join(",")})`,
    machine: options.machine ?? customerMachine,
    ...(options.onSendFailed ? { onSendFailed: options.onSendFailed } : {}),
  });
  const flows = new Set<string>();
  let flowSteps = 0;

  /** For `setFlowObserver`: one step of a chat flow, in the chat of the update being handled. */
  function flow(step: FlowStep, chat: UpdateChat | undefined): void {
    if (users) {
      const about = [chat?.chatId ?? null, userIdOf(step.before), userIdOf(step.after)];
      if (!about.some((id) => id !== null && users.has(id))) return;
    }
    const sessionId = flowActorId(chat, step.machine);
    if (!flows.has(sessionId)) {
      flows.add(sessionId);
      const name = chat ? `${step.machine.id} · ${chat.bot} chat ${chat.chatId}` : step.machine.id;
      const before = shown(step.before);
      // A chat flow moves only with its chat's updates (its snapshot lives in the chat's session), so this actor only shows it.
      const shownFlow = { sessionId, id: name, send: () => undefined, getSnapshot: () => before, logic: { config: { ...step.machine.config, id: name } } };
      inspector.actor(shownFlow, before);
    }
    inspector.event(sessionId, step.event);
    inspector.snapshot(sessionId, shown(step.after), { event: step.event });
    flowSteps += 1;
  }

  const customer = (step: CustomerTransition): void => {
    customers.transition(step);
    orders.placedBy(step);
  };
  const order = (step: OrderTransition): void => orders.transition(step);
  const effect = (notice: EffectNotice): void => (orderIdOf(notice.actor) === null ? customers.effect(notice) : orders.effect(notice));
  const connect = (connection: InspectorConnection): void => {
    customers.connect(connection);
    orders.connect(connection);
  };

  return {
    customer,
    order,
    effect,
    flow,
    connect,
    /** For `startApp` and the demo's world: see {@link InspectorHooks}. */
    hooks: { observe: customer, observeOrders: order, observeEffects: effect, onActors: connect } satisfies InspectorHooks,
    /** An order's actor, once the inspector has shown it (from its placement, or its first step seen). */
    orderActor: (orderId: string): InspectedOrder | undefined => orders.orderActor(orderId),
    /** A customer's actor: the one shown, or (read from the runtime) shown now at its stored state. */
    customerActor: (userId: number): Promise<InspectedCustomer> => customers.customerActor(userId),
    /** Sends `event` to a customer through their actor, resolving once it is durable. */
    send: (userId: number, event: CustomerEventInput): Promise<DispatchResult> => customers.send(userId, event),
    /** Resolves when every `send` made so far has been committed or refused. */
    settled: (): Promise<void> => customers.settled(),
    counts(): BridgeCounts {
      const views = (timers.shown() ? 1 : 0) + (effects.shown() ? 1 : 0);
      const [ofCustomers, ofOrders] = [customers.counts, orders.counts];
      return {
        actors: customers.actorsShown() + orders.actorsShown() + views + flows.size,
        events: ofCustomers.events + ofOrders.events + flowSteps,
        timers: ofCustomers.timers + ofOrders.timers,
        effects: ofCustomers.effects + ofOrders.effects,
      };
    },
  };
}

/** A running bridge: `hooks` (or `customer`, `order`, `effect`, `connect`) and `flow` to attach, `counts` for a summary. */
export type InspectorBridge = ReturnType<typeof createInspectorBridge>;
