import { orderMachine, orderMachineVersion, type OrderMachine } from "../machines/order.machine.ts";
import { orderEventRoles, orderEventTypes, paymentMethods, type OrderActorRole, type OrderEventType, type PaymentMethod } from "../machines/order.types.ts";
import type { StoredActorState } from "./actorLog.port.ts";
import { InvalidEventError, invalidKey, systemClock, type Clock } from "./customerRuntime.ts";
import { assertDurable } from "./durableMachine.ts";
import type { EffectReplyEvent } from "./effects.port.ts";
import type { RuntimeListener } from "./groupCommit.ts";
import type { OrderOutcome, StampedOrderEvent } from "./orderApply.ts";
import { OrderCommit } from "./orderCommit.ts";
import { createOrderPlacer, isOrderId, type OrderPlacer } from "./orderPlacement.ts";
import type { OrderCommand, OrderCommands, OrderSendResult, OrderView } from "./orders.port.ts";
import { createOrderStepper, orderDurableActions, orderIdOf, statusOf, type OrderSnapshot } from "./orderStepper.ts";
import { activateOrder, peekOrder, type OrderCell, type OrderTransition, type OrderUnitDeps } from "./orderUnit.ts";
import type { ActorStore, StoredEffect, TimerRow } from "./store.port.ts";

export type { OrderTransition } from "./orderUnit.ts";

/** What the order runtime is made of: the store, the clock, the machine with the shop's settings, and what the shop takes. */
export interface OrderRuntimeOptions {
  readonly store: ActorStore;
  readonly clock?: Clock;
  /** The order machine with the shop's settings provided (actors/orderSettings.ts); the defaults of `setup` otherwise. */
  readonly machine?: OrderMachine;
  /** The version stored with each snapshot; a snapshot of another version is replayed from the log. */
  readonly machineVersion?: number;
  /** The payment methods the shop takes (`PAYMENTS`): an order placed with another is refused before it is stored. */
  readonly payments?: readonly PaymentMethod[];
  /** How many orders stay live in memory; the rest are read from their snapshots when next needed. */
  readonly maxActive?: number;
  /** The most pieces of work one transaction takes. */
  readonly maxBatch?: number;
  /** Told of every durable step of an order (its event, its snapshot after, what the step decided). */
  readonly observe?: (transition: OrderTransition) => void;
}

/**
 * Orders as durable actors: what the bots call (`OrderCommands`), and what the composition wires
 * to the timer scheduler, the effect worker and the customer runtime (whose `recordOrder` places
 * orders through `placer`, inside the customer's own unit of work).
 */
export interface OrderRuntime extends OrderCommands {
  /** The effect names the order machine uses: the effect worker refuses to start without a handler for each. */
  readonly effectTypes: readonly string[];
  /** For the customer runtime: checks and places orders inside the customer's unit. */
  readonly placer: OrderPlacer;
  /** Fires a due `order:<id>` timer row; a row that is no longer the same arming changes nothing (`fired` false). */
  fireTimer(row: TimerRow, at?: number): Promise<{ readonly fired: boolean }>;
  /** Removes a delivered `order:<id>` effect and applies its reply (keyed `<effectKey>:done`) in one unit, when the order still takes it. */
  completeEffect(effect: StoredEffect, reply?: EffectReplyEvent): Promise<{ readonly replied: boolean }>;
  /** Subscribes the timer scheduler and the effect worker to what commits arm and queue; returns the unsubscribe. */
  listen(listener: RuntimeListener): () => void;
  /** Resolves when everything queued so far is committed (or has failed). */
  settled(): Promise<void>;
  /** Rebuilds, from their logs, the orders whose stored snapshot fell behind (a store that cannot write two files atomically); returns how many. */
  recover(): Promise<number>;
  readonly activeCount: number;
  /** Stops taking work and commits what is in flight. The store stays open. */
  close(): Promise<void>;
}

const knownTypes: ReadonlySet<string> = new Set(orderEventTypes);
const maxPayloadChars = 8_192;

function invalidEvent(event: { readonly type: string; readonly at: unknown; readonly by?: unknown }, payload: string): string | null {
  if (!knownTypes.has(event.type)) return `unknown order event type: ${String(event.type)}`;
  if (event.type === "order_placed") return "order_placed is written by the customer's recordOrder, never sent";
  const roles: readonly OrderActorRole[] = orderEventRoles[event.type as OrderEventType];
  if (!roles.includes(event.by as OrderActorRole)) return `${event.type} is made by ${roles.join(" or ")}, not by ${String(event.by)}`;
  if (payload.length > maxPayloadChars) return `an order event's payload is limited to ${maxPayloadChars} characters`;
  if (!Number.isFinite(event.at)) return "an event's time must be a finite epoch millisecond";
  return null;
}

/** The event stamped with its time, and its payload as the log stores it (its fields and `by`, without `type`, `at`, `seq` or `key`). */
function stamp(input: EffectReplyEvent, clock: Clock): StampedOrderEvent {
  const { type, at, seq: _seq, key: _key, ...fields } = input as EffectReplyEvent & { at?: unknown; seq?: unknown; key?: unknown };
  const event = { ...fields, type, at: typeof at === "number" ? at : clock.now() };
  const problem = invalidEvent(event, JSON.stringify(fields));
  if (problem) throw new InvalidEventError(problem);
  return { event, payload: JSON.stringify(fields) };
}

function sendResult(outcome: OrderOutcome): OrderSendResult {
  switch (outcome.kind) {
    case "applied":
      return { kind: "applied", from: outcome.from, status: outcome.status };
    case "refused":
    case "duplicate":
    case "unknown_order":
      return outcome;
    default:
      throw new Error(`unexpected outcome of an order event: ${outcome.kind}`);
  }
}

/** What the bots see of an order: its live state, from its snapshot. */
export function orderViewOf(snapshot: OrderSnapshot): OrderView | null {
  const status = statusOf(snapshot);
  if (status === null) return null;
  const { orderId, userId, items, total, currency, payment, invoice, placedAt, moves } = snapshot.context;
  return { orderId, userId, status, items, total, currency, payment, invoice, placedAt, moves };
}

/** The actors whose stored state fell behind their log, when the store can tell (the JSON store after a crash between its files). */
const staleOrders = (store: ActorStore): string[] =>
  (store.staleActorStates?.() ?? []).map((actor: StoredActorState["actor"]) => orderIdOf(actor)).filter((id): id is string => id !== null);

/**
 * Creates the order runtime. `send` checks the command (its type, who makes it, its key), then in
 * one unit of work: an order that does not exist is `unknown_order`; a key already in the order log
 * is a `duplicate`; an event the order does not take where it is (no enabled transition: shipping a
 * cancelled order, a payment of the wrong amount) is `refused`, with nothing written; otherwise the
 * event is appended, stepped, and its snapshot, row, timers, effects and writes (released stock)
 * commit together. Work that arrives together shares one transaction; one order's work applies in
 * arrival order.
 *
 * @throws NotDurableError when the machine uses anything the runtime cannot make durable, before any event.
 */
export function createOrderRuntime(options: OrderRuntimeOptions): OrderRuntime {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const machine = options.machine ?? orderMachine;
  const used = assertDurable(machine, orderDurableActions);
  const cells = new Map<string, OrderCell>();
  const deps: OrderUnitDeps = { store, stepper: createOrderStepper(machine), machineVersion: options.machineVersion ?? orderMachineVersion, cells };
  const commits = new OrderCommit({ store, deps, maxActive: options.maxActive ?? 1_000, maxBatch: options.maxBatch ?? 1_024, observe: options.observe });
  const placer = createOrderPlacer(deps, options.payments ?? paymentMethods);

  async function send(orderId: string, command: OrderCommand): Promise<OrderSendResult> {
    const { key, ...event } = command;
    const problem = invalidKey(key) ?? (isOrderId(orderId) ? null : `not an order id: ${String(orderId)}`);
    if (problem) throw new InvalidEventError(problem);
    const stamped = stamp(event, clock);
    return sendResult(await commits.enqueue({ kind: "command", orderId, key, ...stamped }));
  }

  function orderOf(actor: string, what: string): string {
    const orderId = orderIdOf(actor);
    if (orderId === null) throw new InvalidEventError(`not an order's ${what}: ${actor}`);
    return orderId;
  }

  return {
    effectTypes: used.effects,
    placer,
    send,
    view: (orderId) => {
      if (!isOrderId(orderId)) return null;
      const snapshot = peekOrder(deps, orderId);
      return snapshot && orderViewOf(snapshot);
    },
    fireTimer: async (row, at = clock.now()) => {
      const outcome = await commits.enqueue({ kind: "timer", orderId: orderOf(row.actor, "timer"), row, at });
      return { fired: outcome.kind === "applied" };
    },
    completeEffect: async (effect, reply) => {
      const orderId = orderOf(effect.actor, "effect");
      const outcome = await commits.enqueue({ kind: "completion", orderId, effect, reply: reply ? stamp(reply, clock) : null });
      return { replied: outcome.kind === "completed" && outcome.replied };
    },
    listen: (listener) => (commits.listeners.add(listener), () => void commits.listeners.delete(listener)),
    settled: () => commits.settled(),
    recover: async () => {
      await commits.settled();
      const stale = staleOrders(store);
      if (stale.length === 0) return 0;
      await commits.runUnit((unit) => {
        for (const orderId of stale) {
          cells.delete(orderId);
          activateOrder(deps, orderId, unit);
        }
      });
      return stale.length;
    },
    get activeCount() {
      return cells.size;
    },
    close: async () => {
      await commits.close();
      cells.clear();
    },
  };
}
