import type { EffectFailedCallback, EffectHandler, EffectOutcome, EffectReplyEvent } from "./effects.port.ts";
import { describeError, silentLogger, type Logger } from "./log.port.ts";
import { actorKindOf } from "./timerScheduler.ts";
import type { DurableQueues, EffectAttempt, StoredEffect } from "./store.port.ts";

/**
 * What an attempt leaves in `lastError` until its outcome is recorded: after a crash, a row still
 * saying this was being delivered when the process died, and may have reached the outside world.
 */
export const unknownOutcome = "no outcome recorded: the process stopped during the attempt";

/** A registry lacks a handler for an effect the machine uses: refused at start-up, before any effect is lost to it. */
export class MissingEffectHandlerError extends Error {
  override readonly name = "MissingEffectHandlerError";
  readonly missing: readonly string[];

  constructor(missing: readonly string[]) {
    super(`no handler is registered for the effect${missing.length === 1 ? "" : "s"} ${missing.join(", ")} that the machine uses`);
    this.missing = missing;
  }
}

/** What happened to one delivery, for the inspector. */
export interface EffectNotice {
  readonly key: string;
  readonly actor: string;
  readonly type: string;
  readonly attempt: number;
  readonly status: "delivering" | "done" | "retry" | "dropped" | "failed";
  readonly reason?: string;
}

export interface EffectWorkerOptions {
  readonly queues: Pick<DurableQueues, "dueEffects" | "nextEffectDue" | "effectsOf" | "recordEffectAttempt">;
  /** Removes the row and applies the reply in one unit (the runtime's `completeEffect`). */
  readonly complete: (effect: StoredEffect, reply?: EffectReplyEvent) => Promise<unknown>;
  /** One handler per effect name; typed registries (`EffectHandlers<CustomerEffectParams>`) fit. */
  readonly handlers: object;
  /** The effect names the machines use (the runtime's `effectTypes`): each needs a handler. */
  readonly required: readonly string[];
  readonly clock: { now(): number };
  readonly maxAttempts?: number;
  /** How many effects are delivered at once; one actor's effects are always one at a time, in key order. */
  readonly concurrency?: number;
  /** An attempt's signal aborts after this long (default a minute). */
  readonly attemptTimeoutMs?: number;
  /** The first retry's delay; each next one doubles, up to `maxBackoffMs` (default 1 s and 5 min). */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  /** A number in [0, 1) for the backoff's jitter; injectable for tests. */
  readonly random?: () => number;
  readonly onFailed?: EffectFailedCallback;
  readonly observe?: (notice: EffectNotice) => void;
  readonly log?: Logger;
}

/** A reason as one log line: no line breaks, at most 300 characters. */
const oneLine = (reason: string): string => reason.replace(/\s+/g, " ").slice(0, 300);

const reasonOf = (error: unknown): string => {
  const { error: name, message } = describeError(error);
  return oneLine(`${name}: ${message}`);
};

const isOutcome = (value: unknown): value is EffectOutcome =>
  typeof value === "object" && value !== null && ["done", "retry", "drop"].includes(String((value as { outcome?: unknown }).outcome));

/** Counters since creation; `redeliveredUnknownOutcome` counts deliveries that may reach a person twice. */
export interface EffectStats {
  readonly delivered: number;
  readonly retried: number;
  readonly dropped: number;
  readonly failed: number;
  readonly redeliveredUnknownOutcome: number;
  readonly inFlight: number;
}

/** The worker's state and steps; `createEffectWorker` exposes its public face. */
class EffectDelivery {
  private readonly options: EffectWorkerOptions;
  private readonly handlers: Readonly<Record<string, EffectHandler | undefined>>;
  private readonly log: Logger;
  private readonly counters = { delivered: 0, retried: 0, dropped: 0, failed: 0, redeliveredUnknownOutcome: 0 };
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly busyActors = new Set<string>();
  private readonly controllers = new Set<AbortController>();
  private started = false;
  private pumpQueued = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: EffectWorkerOptions) {
    this.options = options;
    this.handlers = options.handlers as Readonly<Record<string, EffectHandler | undefined>>;
    const missing = options.required.filter((type) => typeof this.handlers[type] !== "function");
    if (missing.length > 0) throw new MissingEffectHandlerError(missing);
    this.log = options.log ?? silentLogger;
  }

  start(): void {
    this.started = true;
    this.wake();
  }

  wake(): void {
    if (!this.started || this.pumpQueued) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      if (!this.started) return;
      try {
        this.pump();
      } catch (error) {
        this.log.error("effect_pump_failed", describeError(error));
      }
    });
  }

  async drain(): Promise<void> {
    for (let round = 0; round < 100_000; round++) {
      const begun = this.pump();
      if (begun === 0 && this.inFlight.size === 0) return;
      await Promise.all([...this.inFlight.values()]);
    }
  }

  stats(): EffectStats {
    return { ...this.counters, inFlight: this.inFlight.size };
  }

  async stop(abort: boolean): Promise<void> {
    this.started = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (abort) for (const controller of this.controllers) controller.abort(new Error("the worker is stopping"));
    await Promise.all([...this.inFlight.values()]);
  }

  /** Starts what is due and free to go; returns how many it started. */
  private pump(): number {
    const { queues, clock } = this.options;
    const concurrency = this.options.concurrency ?? 8;
    let begun = 0;
    if (this.inFlight.size < concurrency) {
      for (const effect of queues.dueEffects(clock.now(), concurrency * 4 + this.inFlight.size)) {
        if (this.inFlight.size >= concurrency) break;
        if (this.inFlight.has(effect.key) || this.busyActors.has(effect.actor) || !this.isActorsNext(effect)) continue;
        this.begin(effect);
        begun++;
      }
    }
    if (this.started) this.armTimer();
    return begun;
  }

  /** Whether this row is its actor's oldest pending effect: one actor's effects go in the order they were queued. */
  private isActorsNext(effect: StoredEffect): boolean {
    return this.options.queues.effectsOf(effect.actor).find((row) => row.status === "pending")?.key === effect.key;
  }

  private armTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const next = this.options.queues.nextEffectDue();
    if (next === null) return;
    const now = this.options.clock.now();
    // Due but waiting (its actor busy, or an older effect of its actor backing off): look again in a second.
    this.timer = setTimeout(() => this.wake(), next > now ? Math.min(next - now, 60_000) : 1_000);
    this.timer.unref?.();
  }

  private begin(effect: StoredEffect): void {
    this.busyActors.add(effect.actor);
    const delivery = this.deliver(effect)
      .catch((error: unknown) => this.log.error("effect_delivery_failed", { key: effect.key, type: effect.type, ...describeError(error) }))
      .finally(() => {
        this.inFlight.delete(effect.key);
        this.busyActors.delete(effect.actor);
        this.wake();
      });
    this.inFlight.set(effect.key, delivery);
  }

  private async deliver(effect: StoredEffect): Promise<void> {
    const attempt = effect.attempts + 1;
    if (effect.attempts > 0 && effect.lastError === unknownOutcome) {
      this.counters.redeliveredUnknownOutcome++;
      this.log.warn("effect_redelivered_unknown_outcome", { key: effect.key, type: effect.type, attempt });
    }
    await this.record(effect, { attempts: attempt, nextAt: effect.nextAt, status: "pending", lastError: unknownOutcome });
    this.log.info("effect_delivering", { key: effect.key, type: effect.type, attempt });
    this.notice(effect, attempt, "delivering");
    await this.settle(effect, attempt, await this.call(effect, attempt));
  }

  private async call(effect: StoredEffect, attempt: number): Promise<EffectOutcome> {
    const handler = this.handlers[effect.type];
    if (!handler) return { outcome: "retry", reason: `no handler for ${effect.type}` };
    const controller = new AbortController();
    this.controllers.add(controller);
    const timeout = setTimeout(() => controller.abort(new Error("the attempt timed out")), this.options.attemptTimeoutMs ?? 60_000);
    try {
      const params: unknown = JSON.parse(effect.params);
      const outcome: unknown = await handler({ key: effect.key, actor: effect.actor, type: effect.type, params, attempt }, controller.signal);
      return isOutcome(outcome) ? outcome : { outcome: "retry", reason: "the handler answered no outcome" };
    } catch (error) {
      return { outcome: "retry", reason: reasonOf(error) };
    } finally {
      clearTimeout(timeout);
      this.controllers.delete(controller);
    }
  }

  private async settle(effect: StoredEffect, attempt: number, outcome: EffectOutcome): Promise<void> {
    if (outcome.outcome === "retry") return this.retryOrFail(effect, attempt, outcome.reason, outcome.afterMs);
    try {
      await this.options.complete(effect, outcome.outcome === "done" ? outcome.reply : undefined);
    } catch (error) {
      return this.retryOrFail(effect, attempt, `the completion failed: ${reasonOf(error)}`);
    }
    if (outcome.outcome === "done") {
      this.counters.delivered++;
      this.log.info("effect_done", { key: effect.key, type: effect.type, attempt });
      this.notice(effect, attempt, "done");
    } else {
      this.counters.dropped++;
      const reason = oneLine(outcome.reason);
      this.log.warn("effect_dropped", { key: effect.key, type: effect.type, attempt, reason });
      this.notice(effect, attempt, "dropped", reason);
    }
  }

  private async retryOrFail(effect: StoredEffect, attempt: number, reason: string, afterMs?: number): Promise<void> {
    const line = oneLine(reason);
    const now = this.options.clock.now();
    if (attempt >= (this.options.maxAttempts ?? 8)) {
      await this.record(effect, { attempts: attempt, nextAt: now, status: "failed", lastError: line });
      this.counters.failed++;
      this.log.error("effect_failed", { key: effect.key, type: effect.type, attempts: attempt, reason: line });
      this.notice(effect, attempt, "failed", line);
      try {
        this.options.onFailed?.(effect, line);
      } catch (error) {
        this.log.error("effect_failed_callback_failed", describeError(error));
      }
      return;
    }
    const delay = afterMs !== undefined && Number.isFinite(afterMs) && afterMs >= 0 ? afterMs : this.backoff(attempt);
    await this.record(effect, { attempts: attempt, nextAt: now + delay, status: "pending", lastError: line });
    this.counters.retried++;
    this.log.warn("effect_retry", { key: effect.key, type: effect.type, attempt, reason: line, retryInMs: delay });
    this.notice(effect, attempt, "retry", line);
  }

  /** 1 s, 2 s, 4 s … capped at 5 min, each within ±20 % so that retries of many effects spread out. */
  private backoff(attempt: number): number {
    const cap = this.options.maxBackoffMs ?? 300_000;
    const full = Math.min(cap, (this.options.backoffMs ?? 1_000) * 2 ** (attempt - 1));
    return Math.min(cap, Math.round(full * (0.8 + 0.4 * (this.options.random ?? Math.random)())));
  }

  private record(effect: StoredEffect, attempt: EffectAttempt): Promise<void> {
    return this.options.queues.recordEffectAttempt(effect.key, attempt);
  }

  private notice(effect: StoredEffect, attempt: number, status: EffectNotice["status"], reason?: string): void {
    try {
      this.options.observe?.({ key: effect.key, actor: effect.actor, type: effect.type, attempt, status, ...(reason === undefined ? {} : { reason }) });
    } catch {
      // Inspection is best effort.
    }
  }
}

/**
 * One worker for every kind of actor: a delivered effect is completed (its row removed, its reply
 * applied) by the runtime of its actor's kind (`customer:<id>`, `order:<id>`). An effect of a kind
 * nobody completes fails its completion, and is retried, then reported, like any other failure.
 *
 * @example
 * createEffectWorker({ queues: store, handlers, required, clock, complete: completeByKind({ customer: customers.completeEffect, order: orders.completeEffect }) });
 */
export function completeByKind(routes: Readonly<Record<string, EffectWorkerOptions["complete"]>>): EffectWorkerOptions["complete"] {
  return (effect, reply) => {
    const kind = actorKindOf(effect.actor);
    const complete = Object.hasOwn(routes, kind) ? routes[kind] : undefined;
    return complete ? complete(effect, reply) : Promise.reject(new Error(`no runtime completes the effects of "${kind}" actors (${effect.key})`));
  };
}

/**
 * Delivers the effect outbox at least once. Woken after each commit that queued effects (`wake`)
 * and by its own timer for retries, it claims due rows, records the attempt durably BEFORE calling
 * the handler (so a crash mid-delivery is known as such), and turns the handler's answer into the
 * row's next state: removed with its reply (`done`), tried again after a backoff (`retry`, or a
 * throw), removed without reply (`drop`), or `failed` after `maxAttempts`, with one log line and
 * `onFailed`. One actor's effects go one at a time, in the order they were queued.
 *
 * @throws MissingEffectHandlerError when `handlers` lacks one of `required`, before anything runs.
 */
export function createEffectWorker(options: EffectWorkerOptions) {
  const worker = new EffectDelivery(options);
  return {
    /** Starts delivering: what is due now (a restart's redeliveries too), then as commits queue more and retries fall due. */
    start: (): void => worker.start(),
    /** The runtime's hook: a commit queued effects. */
    wake: (): void => worker.wake(),
    /** Delivers everything due at the clock's time until nothing is left to start; for tests with a manual clock. */
    drain: (): Promise<void> => worker.drain(),
    stats: (): EffectStats => worker.stats(),
    /** Stops taking new work and waits for the deliveries in flight; `abort` also signals their handlers to give up. */
    stop: (stopping: { readonly abort?: boolean } = {}): Promise<void> => worker.stop(stopping.abort ?? false),
  };
}

export type EffectWorker = ReturnType<typeof createEffectWorker>;
