/**
 * Turns what the app already reports (the customer runtime's durable transitions, and each chat
 * flow step of the bots) into Stately inspection events: an actor registered the first time it is
 * seen, then an event and the snapshot after it, for every transition.
 *
 * Customers are virtual actors (a snapshot in a store, stepped purely), so no live XState actor
 * exists to hand `inspect` to; the bridge speaks for them through the inspector's own `actor`,
 * `event` and `snapshot` calls, with the machine's definition attached so the inspector can draw it.
 */

import type { createInspector } from "@statelyai/inspect";
import type { AnyEventObject, AnyMachineSnapshot, AnyStateMachine } from "xstate";
import type { CustomerTransition } from "../../actors/customerRuntime.ts";
import { customerMachine } from "../../machines/customer.machine.ts";
import type { FlowStep } from "../telegram/flowState.ts";
import type { UpdateChat } from "./updateChats.ts";

/** The part of a Stately inspector the bridge uses; `createWebSocketInspector` returns one. */
export type InspectionTarget = Pick<ReturnType<typeof createInspector>, "actor" | "event" | "snapshot">;

/** Options for {@link createInspectorBridge}. */
export interface InspectorBridgeOptions {
  readonly inspector: InspectionTarget;
  /**
   * Only these customers (`--user 501`, `INSPECT_USERS=501,502`): their actor, their own chat flows,
   * and the owner's flows while they are about one of them. Null or empty: everyone.
   */
  readonly users?: ReadonlySet<number> | null;
}

/** What the bridge has passed on so far, for a summary line. */
export interface BridgeCounts {
  readonly actors: number;
  readonly events: number;
}

/** A snapshot as the inspector shows it: the state and the context, without XState's internals. */
interface ShownSnapshot {
  readonly status: AnyMachineSnapshot["status"];
  readonly value: unknown;
  readonly context: Record<string, unknown>;
}

const shown = (snapshot: AnyMachineSnapshot): ShownSnapshot => ({ status: snapshot.status, value: snapshot.value, context: snapshot.context });

/** The id of a customer's actor in the inspector; stable, so one filter finds it across runs. */
export const customerActorId = (userId: number): string => `customer-${userId}`;

/** The id of a chat flow's actor: which bot, which chat, which machine. */
export const flowActorId = (chat: UpdateChat | undefined, machine: AnyStateMachine): string =>
  chat ? `${chat.bot}-${chat.chatId}-${machine.id}` : `${machine.id}-outside-an-update`;

const userIdOf = (snapshot: AnyMachineSnapshot): number | null => {
  const userId: unknown = snapshot.context?.userId;
  return typeof userId === "number" ? userId : null;
};

/**
 * Builds the bridge. Hand `customer` to `createCustomerRuntime({ observe })` and `flow` to
 * `setFlowObserver` (with the chat of the update being handled); each only ever looks.
 *
 * @example
 * const bridge = createInspectorBridge({ inspector, users: new Set([501]) });
 * const runtime = createCustomerRuntime({ store, observe: bridge.customer });
 * setFlowObserver((step) => bridge.flow(step, currentUpdateChat()));
 */
export function createInspectorBridge(options: InspectorBridgeOptions) {
  const { inspector } = options;
  const users = options.users && options.users.size > 0 ? options.users : null;
  const registered = new Set<string>();
  let events = 0;

  /** Registers an actor once, as an actor-like object whose `logic.config` the inspector draws. */
  function register(sessionId: string, name: string, machine: AnyStateMachine, snapshot: ShownSnapshot): void {
    if (registered.has(sessionId)) return;
    registered.add(sessionId);
    const actorLike = {
      sessionId,
      id: name,
      send: () => undefined,
      getSnapshot: () => snapshot,
      logic: { config: { ...machine.config, id: name } },
    };
    inspector.actor(actorLike, snapshot);
  }

  function transition(sessionId: string, event: AnyEventObject, after: ShownSnapshot): void {
    inspector.event(sessionId, event);
    inspector.snapshot(sessionId, after, { event });
    events += 1;
  }

  return {
    /** For `createCustomerRuntime({ observe })`: one durable customer transition. */
    customer(step: CustomerTransition): void {
      if (users && !users.has(step.userId)) return;
      const sessionId = customerActorId(step.userId);
      const after = shown(step.snapshot);
      // A customer is first seen at its state after the event: the one before is in the store, not here.
      register(sessionId, `customer ${step.userId}`, customerMachine, after);
      transition(sessionId, step.event, after);
    },

    /** For `setFlowObserver`: one step of a chat flow, in the chat of the update being handled. */
    flow(step: FlowStep, chat: UpdateChat | undefined): void {
      if (users) {
        const about = [chat?.chatId ?? null, userIdOf(step.before), userIdOf(step.after)];
        if (!about.some((id) => id !== null && users.has(id))) return;
      }
      const sessionId = flowActorId(chat, step.machine);
      const name = chat ? `${step.machine.id} · ${chat.bot} chat ${chat.chatId}` : step.machine.id;
      register(sessionId, name, step.machine, shown(step.before));
      transition(sessionId, step.event, shown(step.after));
    },

    counts(): BridgeCounts {
      return { actors: registered.size, events };
    },
  };
}

/** A running bridge: `customer` and `flow` to attach, `counts` for a summary. */
export type InspectorBridge = ReturnType<typeof createInspectorBridge>;
