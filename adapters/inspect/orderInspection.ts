import type { AnyEventObject } from "xstate";
import { orderActor } from "../../actors/actorLog.port.ts";
import type { CustomerTransition } from "../../actors/customerRuntime.ts";
import { firedSendId, timerRowOf } from "../../actors/durableStep.ts";
import type { EffectNotice } from "../../actors/effectWorker.ts";
import type { OrderTransition } from "../../actors/orderRuntime.ts";
import { orderIdOf } from "../../actors/orderStepper.ts";
import { orderMachine as defaultOrderMachine, type OrderMachine } from "../../machines/order.machine.ts";
import type { InspectorConnection } from "./customerInspection.ts";
import { customerActorId } from "./inspectedCustomer.ts";
import { effectsActorId, timersActorId, type EffectView, type TimerView } from "./durableViews.ts";
import type { InspectionTarget } from "./inspectorBridge.ts";

/** The id of an order's actor in the inspector; stable, so one filter finds it across runs. */
export const orderActorId = (orderId: string): string => `order-${orderId}`;

const snapshotStatuses = ["active", "done", "error", "stopped"] as const;

/** A snapshot as the inspector shows it: where the order is and its context. */
interface ShownOrder {
  readonly status: (typeof snapshotStatuses)[number];
  readonly value: unknown;
  readonly context: Record<string, unknown>;
}

/**
 * An order as the inspector sees it: an actor reference with the order machine drawn (as the app
 * provides it) and its snapshot after its last committed event. It only shows: orders move by the
 * bots' commands, payments and timers, which the runtime makes durable.
 */
export interface InspectedOrder {
  readonly orderId: string;
  /** `order-SO-2F`: the inspector's session id. */
  readonly sessionId: string;
  /** `order SO-2F`: the name in the inspector's list. */
  readonly id: string;
  readonly logic: { readonly config: OrderMachine["config"] };
  send(event: AnyEventObject): void;
  getSnapshot(): ShownOrder;
}

export interface OrderInspectionOptions {
  readonly inspector: InspectionTarget;
  readonly timers: TimerView;
  readonly effects: EffectView;
  /** Whether the customer who placed an order is watched (`--user`): their orders are, too. */
  readonly watched: (userId: number) => boolean;
  /** Whether a filter names customers: then an order is shown only once its customer is known. */
  readonly filtered: boolean;
}

/** An effect's result coming back to its order: keyed `e:<actor>:<seq>:<i>:done` by the runtime. */
const isEffectReply = (key: string): boolean => key.startsWith("e:") && key.endsWith(":done");

const asShown = (snapshot: { readonly status?: unknown; readonly value?: unknown; readonly context?: unknown }): ShownOrder => ({
  status: snapshotStatuses.find((status) => status === snapshot.status) ?? "active",
  value: snapshot.value,
  context: (snapshot.context ?? {}) as Record<string, unknown>,
});

const userOf = (shown: ShownOrder): number | null => (typeof shown.context["userId"] === "number" ? shown.context["userId"] : null);

/**
 * The orders' side of the bridge. An order is placed in its customer's transaction (the customer's
 * `recordOrder` write), so it is first shown from that transition: its `order_placed` (sent by the
 * customer's actor), its state after it and the timer and invoice it armed and queued, read from
 * the store once that transaction committed. Every later step comes from the order runtime's
 * `observe`: a bot's command, a payment, a timer's firing (from `timers`) or an effect's reply
 * (from `effects`), each with the snapshot after it and what the step decided.
 */
export class OrderInspection {
  readonly counts = { events: 0, timers: 0, effects: 0 };
  private readonly options: OrderInspectionOptions;
  private readonly orders = new Map<string, { readonly actor: InspectedOrder; latest: ShownOrder }>();
  private connection: InspectorConnection | null = null;

  constructor(options: OrderInspectionOptions) {
    this.options = options;
  }

  connect(connection: InspectorConnection): void {
    this.connection = connection;
  }

  actorsShown(): number {
    return this.orders.size;
  }

  /** The order's actor, once it was shown. */
  orderActor(orderId: string): InspectedOrder | undefined {
    return this.orders.get(orderId)?.actor;
  }

  /** For the customer runtime's `observe`, after the customer's own event: the orders its step placed. */
  placedBy(step: CustomerTransition): void {
    const reads = this.connection?.queues;
    if (!reads?.loadActorState || !reads.loadActorEvents || !this.options.watched(step.userId)) return;
    for (const write of step.writes) {
      const params = write.params as { readonly orderId?: unknown; readonly payment?: unknown } | null;
      if (write.name !== "recordOrder" || typeof params?.orderId !== "string" || params.payment === null || params.payment === undefined) continue;
      const actor = orderActor(params.orderId);
      const state = reads.loadActorState(actor);
      const placed = reads.loadActorEvents(actor)[0];
      if (!state || !placed || this.orders.has(params.orderId)) continue;
      const shown = asShown(JSON.parse(state.snapshot) as Record<string, unknown>);
      const sessionId = this.register(params.orderId, shown);
      const event = { ...placed.payload, type: placed.type, key: placed.key };
      this.options.inspector.event(sessionId, event, { source: customerActorId(step.userId) });
      this.options.inspector.snapshot(sessionId, shown, { event });
      this.counts.events += 1;
      for (const row of reads.timersOf(actor)) {
        this.options.timers.set(sessionId, row, row.dueAt - placed.at);
        this.counts.timers += 1;
      }
      for (const effect of reads.effectsOf(actor)) {
        this.options.effects.queued(sessionId, effect);
        this.counts.effects += 1;
      }
    }
  }

  /** For the order runtime's `observe`: one durable step, the event and the snapshot after it, then what the step decided. */
  transition(step: OrderTransition): void {
    const shown = asShown(step.snapshot);
    const userId = userOf(shown);
    if (userId !== null && !this.options.watched(userId)) return;
    const actor = orderActor(step.orderId);
    const known = this.orders.has(step.orderId);
    const sessionId = this.register(step.orderId, shown);
    if (!known) this.readRows(actor);
    const handle = this.orders.get(step.orderId);
    if (handle) handle.latest = shown;
    const sendId = firedSendId(actor, step.key);
    const firing = sendId === null ? null : this.options.timers.firedArmed(sessionId, actor, sendId, step.event.at);
    if (firing) this.counts.timers += 1;
    const event = { ...step.event, ...firing, key: step.key };
    const source = sendId !== null ? timersActorId : isEffectReply(step.key) ? effectsActorId : undefined;
    this.options.inspector.event(sessionId, event, source ? { source } : undefined);
    this.options.inspector.snapshot(sessionId, shown, { event });
    this.counts.events += 1;
    this.showDecisions(step, sessionId, sendId);
  }

  /** For the effect worker's `observe`: a delivery of an order's effect, when its order is watched. */
  effect(notice: EffectNotice): void {
    const orderId = orderIdOf(notice.actor);
    if (orderId === null || (this.options.filtered && !this.orders.has(orderId))) return;
    this.options.effects.notice(notice);
    this.counts.effects += 1;
  }

  /** Timers set and cancelled, effects queued, in the machine's order; rows as the runtime wrote them. */
  private showDecisions(step: OrderTransition, sessionId: string, firedId: string | null): void {
    const actor = orderActor(step.orderId);
    const seq = (step.event as { readonly seq?: unknown }).seq;
    let effectIndex = 0;
    for (const action of step.actions) {
      if (action.kind === "timer" && typeof seq === "number") {
        this.options.timers.set(sessionId, timerRowOf(actor, { seq, at: step.event.at }, action), action.delay);
        this.counts.timers += 1;
      } else if (action.kind === "cancel" && action.sendId !== firedId) {
        this.options.timers.cancelled(sessionId, actor, action.sendId);
        this.counts.timers += 1;
      } else if (action.kind === "effect" && typeof seq === "number") {
        const effect = { key: `e:${actor}:${seq}:${effectIndex++}`, actor, type: action.name, params: JSON.stringify(action.params ?? {}), createdAt: step.event.at };
        this.options.effects.queued(sessionId, effect);
        this.counts.effects += 1;
      }
    }
  }

  /** Registers an order's actor once, at `shown`; returns its session id. */
  private register(orderId: string, shown: ShownOrder): string {
    const existing = this.orders.get(orderId);
    if (existing) return existing.actor.sessionId;
    const name = `order ${orderId}`;
    const machine = this.connection?.orderMachine ?? defaultOrderMachine;
    const handle: { latest: ShownOrder; readonly actor: InspectedOrder } = {
      latest: shown,
      actor: {
        orderId,
        sessionId: orderActorId(orderId),
        id: name,
        logic: { config: { ...machine.config, id: name } },
        send: () => undefined,
        getSnapshot: () => handle.latest,
      },
    };
    this.orders.set(orderId, handle);
    this.options.inspector.actor(handle.actor, shown);
    return handle.actor.sessionId;
  }

  /** What the store says an order first seen mid-life has armed and queued. */
  private readRows(actor: string): void {
    const queues = this.connection?.queues;
    if (!queues) return;
    this.options.timers.known(queues.timersOf(actor));
    this.options.effects.known(queues.effectsOf(actor));
  }
}
