import type { CustomerEffectParams } from "../machines/customer.types.ts";
import type { OrderMachine } from "../machines/order.machine.ts";
import type { PaymentMethod } from "../machines/order.types.ts";
import { createCustomerRuntime, systemClock, type CustomerRuntime, type CustomerRuntimeOptions, type EffectReply } from "./customerRuntime.ts";
import { completeByKind, createEffectWorker, type EffectWorkerOptions } from "./effectWorker.ts";
import type { EffectFailedCallback, EffectHandlers } from "./effects.port.ts";
import { silentLogger, type Logger } from "./log.port.ts";
import { createOrderRuntime, type OrderRuntime, type OrderRuntimeOptions } from "./orderRuntime.ts";
import type { BroadcastEngine } from "./broadcasts.ts";
import type { OrderEffectHandlers } from "./orders.port.ts";
import { settlementHandlers } from "./orderSettlement.ts";
import { createTimerScheduler, fireByKind, type TimerSchedulerOptions } from "./timerScheduler.ts";

/** Orders as actors of their own, beside the customers: their machine, what the shop takes, and the bots' handlers of their effects. */
export interface OrderActorsOptions {
  /** One handler per order effect that reaches Telegram (the bots'); `settleCustomer`/`unsettleCustomer` are the actors' own. */
  readonly handlers: OrderEffectHandlers;
  /** The order machine with the shop's settings (actors/orderSettings.ts `provideOrderSettings`); the machine's defaults otherwise. */
  readonly machine?: OrderMachine;
  /** `PAYMENTS`: an order placed with another method is refused before it is stored. All three by default. */
  readonly payments?: readonly PaymentMethod[];
  readonly maxActive?: number;
  /** Told of every durable step of an order. */
  readonly observe?: OrderRuntimeOptions["observe"];
}

/** The runtimes' options, and what the scheduler and the worker need: every handler, and who hears of an effect that gave up. */
export interface CustomerActorsOptions extends Omit<CustomerRuntimeOptions, "orders"> {
  /** One handler per effect the customer machine names (adapters: Telegram sends, the AI). */
  readonly handlers: EffectHandlers<CustomerEffectParams>;
  /**
   * Orders as actors (docs/orders.md). Without it there is no order runtime: an `order_created` that
   * names a payment method is refused, and one that does not is an order row only, as before.
   */
  readonly orders?: OrderActorsOptions;
  /**
   * Broadcasts as actors (actors/broadcasts.ts): built once the customer runtime exists (a delivery
   * is an event of the customer's), given the scheduler's `armed` for a scheduled start, whose
   * `broadcast:<id>` timers the scheduler then fires. Without it there are no broadcasts.
   */
  readonly broadcasts?: (parts: { readonly runtime: CustomerRuntime; readonly armed: (dueAt: number) => void }) => BroadcastEngine;
  /** An effect gave up after its last attempt: tell the owners. */
  readonly onEffectFailed?: EffectFailedCallback;
  readonly log?: Logger;
  readonly timers?: Partial<Pick<TimerSchedulerOptions, "batchSize" | "maxSleepMs">>;
  readonly effects?: Partial<Pick<EffectWorkerOptions, "maxAttempts" | "concurrency" | "attemptTimeoutMs" | "backoffMs" | "maxBackoffMs" | "observe">>;
}

/** Effect names are how the worker finds a handler: the two machines must not share one. */
function assertDistinctEffects(customer: readonly string[], order: readonly string[]): void {
  const shared = order.filter((name) => customer.includes(name));
  if (shared.length > 0) throw new Error(`the customer and order machines both name the effect${shared.length === 1 ? "" : "s"} ${shared.join(", ")}`);
}

function createOrders(options: CustomerActorsOptions): OrderRuntime | null {
  const orders = options.orders;
  if (!orders) return null;
  return createOrderRuntime({
    store: options.store,
    clock: options.clock ?? systemClock,
    ...(orders.machine ? { machine: orders.machine } : {}),
    ...(orders.payments ? { payments: orders.payments } : {}),
    ...(orders.maxActive ? { maxActive: orders.maxActive } : {}),
    ...(orders.observe ? { observe: orders.observe } : {}),
  });
}

/**
 * The customer runtime and the order runtime with one timer scheduler and one effect worker, wired
 * to each other: what the composition starts. Timers and effects go to the runtime of their actor's
 * kind (`customer:<id>`, `order:<id>`). Creating it checks everything that could fail later: both
 * machines (NotDurableError) and every handler (MissingEffectHandlerError), so `npm start` refuses
 * at start-up rather than dropping a timer or an effect at run time.
 *
 * @example
 * const actors = createCustomerActors({ store, machine: provideCustomerSettings(settings), handlers, onEffectFailed, log,
 *   orders: { handlers: orderHandlers, machine: provideOrderSettings({ paymentMinutes: 60, feedbackHours: 24 }), payments: ["stars", "cash"] } });
 * await actors.start(); // recovers stale snapshots, fires overdue timers, redelivers pending effects
 * await actors.runtime.dispatch(42, { type: "add_to_cart", productId: "tea", qty: 1, key: "tg:1001:add" });
 * await actors.orders?.send("SO-2F7K", { type: "shipped", by: "owner", tracking: null, key: "owner:77:ship" });
 * await actors.stop();
 */
export function createCustomerActors(options: CustomerActorsOptions) {
  const { store, orders: _orderOptions, broadcasts: _broadcastOptions, ...customerOptions } = options;
  const clock = options.clock ?? systemClock;
  const log = options.log ?? silentLogger;
  const orders = createOrders(options);
  const runtime = createCustomerRuntime({ store, ...customerOptions, ...(orders ? { orders: orders.placer } : {}) });
  if (orders) assertDistinctEffects(runtime.effectTypes, orders.effectTypes);
  let broadcasts: BroadcastEngine | null = null;
  const timers = createTimerScheduler({
    queues: store,
    fire: fireByKind({
      customer: (row, at) => runtime.fireTimer(row, at),
      ...(orders ? { order: (row, at) => orders.fireTimer(row, at) } : {}),
      ...(options.broadcasts ? { broadcast: (row, at) => (broadcasts ? broadcasts.fireTimer(row, at) : Promise.reject(new Error("the broadcasts are not built yet"))) } : {}),
    }),
    clock,
    log,
    ...options.timers,
  });
  const effects = createEffectWorker({
    queues: store,
    complete: completeByKind({
      customer: (effect, reply) => runtime.completeEffect(effect, reply as EffectReply | undefined),
      ...(orders ? { order: (effect, reply) => orders.completeEffect(effect, reply) } : {}),
    }),
    handlers: { ...options.handlers, ...(orders && options.orders ? { ...options.orders.handlers, ...settlementHandlers(() => runtime) } : {}) },
    required: [...runtime.effectTypes, ...(orders?.effectTypes ?? [])],
    clock,
    log,
    ...(options.onEffectFailed ? { onFailed: options.onEffectFailed } : {}),
    ...options.effects,
  });
  broadcasts = options.broadcasts?.({ runtime, armed: timers.armed }) ?? null;
  const listener = { timersArmed: timers.armed, effectsQueued: effects.wake };
  runtime.listen(listener);
  orders?.listen(listener);
  return {
    runtime,
    /** The order actors, for the bots (`send`, `view`); null when the shop runs without them. */
    orders,
    /** The broadcasts (the owner bot's `Broadcasts`), or null when the shop runs without them. */
    broadcasts,
    timers,
    effects,
    /**
     * Rebuilds stale snapshots, then fires what fell due while the process was down and delivers what
     * is pending. `broadcasts: false` leaves the broadcasts to `startBroadcasts` (several processes:
     * only the deployment's leader sends them).
     */
    async start(options: { readonly broadcasts?: boolean } = {}): Promise<void> {
      await runtime.recover();
      await orders?.recover();
      timers.start();
      effects.start();
      if (options.broadcasts !== false) await broadcasts?.startUp();
    },
    /** Recovers and resumes the broadcasts (what `start` does unless told otherwise). */
    async startBroadcasts(): Promise<void> {
      await broadcasts?.startUp();
      // Their timers are this process's from now on: the scheduler looks again.
      timers.armed(Date.now());
    },
    /** Stops firing and delivering (waiting for what is in flight), then commits the last events. The store stays open. */
    async stop(): Promise<void> {
      await broadcasts?.stop();
      await timers.stop();
      await effects.stop();
      await runtime.close();
      await orders?.close();
    },
  };
}

/** The running actors: the customer runtime, the order runtime (or null), the scheduler and the worker. */
export type CustomerActors = ReturnType<typeof createCustomerActors>;
