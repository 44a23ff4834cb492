import type { CustomerEffectParams } from "../machines/customer.types.ts";
import { createCustomerRuntime, systemClock, type CustomerRuntimeOptions, type EffectReply } from "./customerRuntime.ts";
import { createEffectWorker, type EffectWorkerOptions } from "./effectWorker.ts";
import type { EffectFailedCallback, EffectHandlers } from "./effects.port.ts";
import { silentLogger, type Logger } from "./log.port.ts";
import { createTimerScheduler, type TimerSchedulerOptions } from "./timerScheduler.ts";

export interface CustomerActorsOptions extends CustomerRuntimeOptions {
  /** One handler per effect the customer machine names (adapters: Telegram sends, the AI). */
  readonly handlers: EffectHandlers<CustomerEffectParams>;
  /** An effect gave up after its last attempt: tell the owners. */
  readonly onEffectFailed?: EffectFailedCallback;
  readonly log?: Logger;
  readonly timers?: Partial<Pick<TimerSchedulerOptions, "batchSize" | "maxSleepMs">>;
  readonly effects?: Partial<Pick<EffectWorkerOptions, "maxAttempts" | "concurrency" | "attemptTimeoutMs" | "backoffMs" | "maxBackoffMs" | "observe">>;
}

/**
 * The customer runtime with its timer scheduler and effect worker, wired to each other: what the
 * composition starts. Creating it checks everything that could fail later: the machine
 * (NotDurableError) and the handlers (MissingEffectHandlerError), so `npm start` refuses at
 * start-up rather than dropping a timer or an effect at run time.
 *
 * @example
 * const actors = createCustomerActors({ store, machine: provideCustomerSettings(settings), handlers, onEffectFailed, log });
 * await actors.start(); // recovers stale snapshots, fires overdue timers, redelivers pending effects
 * await actors.runtime.dispatch(42, { type: "add_to_cart", productId: "tea", qty: 1, key: "tg:1001:add" });
 * await actors.stop();
 */
export function createCustomerActors(options: CustomerActorsOptions) {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const log = options.log ?? silentLogger;
  const runtime = createCustomerRuntime(options);
  const timers = createTimerScheduler({ queues: store, fire: (row, at) => runtime.fireTimer(row, at), clock, log, ...options.timers });
  const effects = createEffectWorker({
    queues: store,
    complete: (effect, reply) => runtime.completeEffect(effect, reply as EffectReply | undefined),
    handlers: options.handlers,
    required: runtime.effectTypes,
    clock,
    log,
    ...(options.onEffectFailed ? { onFailed: options.onEffectFailed } : {}),
    ...options.effects,
  });
  runtime.listen({ timersArmed: timers.armed, effectsQueued: effects.wake });
  return {
    runtime,
    timers,
    effects,
    /** Rebuilds stale snapshots, then fires what fell due while the process was down and delivers what is pending. */
    async start(): Promise<void> {
      await runtime.recover();
      timers.start();
      effects.start();
    },
    /** Stops firing and delivering (waiting for what is in flight), then commits the last events. The store stays open. */
    async stop(): Promise<void> {
      await timers.stop();
      await effects.stop();
      await runtime.close();
    },
  };
}

export type CustomerActors = ReturnType<typeof createCustomerActors>;
