import type { EffectFailedCallback, EffectHandler, EffectOutcome, EffectReplyEvent } from "./effects.port.ts";
import { describeError, silentLogger, type Logger } from "./log.port.ts";
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

const reasonOf = (error: unknown): string => {
  const { error: name, message } = describeError(error);
  return `${name}: ${message}`.replace(/\s+/g, " ").slice(0, 300);
};

const isOutcome = (value: unknown): value is EffectOutcome =>
  typeof value === "object" && value !== null && ["done", "retry", "drop"].includes(String((value as { outcome?: unknown }).outcome));

/**
 * Delivers the effect outbox at least once. Woken after each commit that queued effects (`wake`)
 * and by its own timer for retries, it claims due rows, records the attempt durably BEFORE calling
 * the handler (so a crash mid-delivery is known as such), and turns the handler's answer into the
 * row's next state: removed with its reply (`done`), tried again after a backoff (`retry`, or a
 * throw), removed without reply (`drop`), or `failed` after `maxAttempts`, with one log line and
 * `onFailed`. One actor's effects go one at a time, in the order they were queued.
 */
export function createEffectWorker(options: EffectWorkerOptions) {
  const handlers = options.handlers as Readonly<Record<string, EffectHandler | undefined>>;
  const missing = options.required.filter((type) => typeof handlers[type] !== "function");
  if (missing.length > 0) throw new MissingEffectHandlerError(missing);
  const { queues, clock } = options;
  const log = options.log ?? silentLogger;
  const maxAttempts = options.maxAttempts ?? 8;
  const concurrency = options.concurrency ?? 8;
  const random = options.random ?? Math.random;
  const counters = { delivered: 0, retried: 0, dropped: 0, failed: 0, redeliveredUnknownOutcome: 0 };
  const inFlight = new Map<string, Promise<void>>();
  const busyActors = new Set<string>();
  const controllers = new Set<AbortController>();
  let started = false;
  let pumpQueued = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const notice = (effect: StoredEffect, attempt: number, status: EffectNotice["status"], reason?: string): void => {
    try {
      options.observe?.({ key: effect.key, actor: effect.actor, type: effect.type, attempt, status, ...(reason === undefined ? {} : { reason }) });
    } catch {
      // Inspection is best effort.
    }
  };

  function backoff(attempt: number): number {
    const full = Math.min(options.maxBackoffMs ?? 300_000, (options.backoffMs ?? 1_000) * 2 ** (attempt - 1));
    return Math.min(options.maxBackoffMs ?? 300_000, Math.round(full * (0.8 + 0.4 * random())));
  }

  const record = (effect: StoredEffect, attempt: EffectAttempt): Promise<void> => queues.recordEffectAttempt(effect.key, attempt);

  async function call(effect: StoredEffect, attempt: number): Promise<EffectOutcome> {
    const handler = handlers[effect.type];
    if (!handler) return { outcome: "retry", reason: `no handler for ${effect.type}` };
    const controller = new AbortController();
    controllers.add(controller);
    const timeout = setTimeout(() => controller.abort(new Error("the attempt timed out")), options.attemptTimeoutMs ?? 60_000);
    try {
      const params: unknown = JSON.parse(effect.params);
      const outcome: unknown = await handler({ key: effect.key, actor: effect.actor, type: effect.type, params, attempt }, controller.signal);
      return isOutcome(outcome) ? outcome : { outcome: "retry", reason: "the handler answered no outcome" };
    } catch (error) {
      return { outcome: "retry", reason: reasonOf(error) };
    } finally {
      clearTimeout(timeout);
      controllers.delete(controller);
    }
  }

  async function retryOrFail(effect: StoredEffect, attempt: number, reason: string, afterMs?: number): Promise<void> {
    const line = reason.replace(/\s+/g, " ").slice(0, 300);
    if (attempt >= maxAttempts) {
      await record(effect, { attempts: attempt, nextAt: clock.now(), status: "failed", lastError: line });
      counters.failed++;
      log.error("effect_failed", { key: effect.key, type: effect.type, attempts: attempt, reason: line });
      notice(effect, attempt, "failed", line);
      try {
        options.onFailed?.(effect, line);
      } catch (error) {
        log.error("effect_failed_callback_failed", describeError(error));
      }
      return;
    }
    const delay = afterMs !== undefined && Number.isFinite(afterMs) && afterMs >= 0 ? afterMs : backoff(attempt);
    await record(effect, { attempts: attempt, nextAt: clock.now() + delay, status: "pending", lastError: line });
    counters.retried++;
    log.warn("effect_retry", { key: effect.key, type: effect.type, attempt, reason: line, retryInMs: delay });
    notice(effect, attempt, "retry", line);
  }

  async function settle(effect: StoredEffect, attempt: number, outcome: EffectOutcome): Promise<void> {
    if (outcome.outcome === "retry") return retryOrFail(effect, attempt, outcome.reason, outcome.afterMs);
    try {
      await options.complete(effect, outcome.outcome === "done" ? outcome.reply : undefined);
    } catch (error) {
      return retryOrFail(effect, attempt, `the completion failed: ${reasonOf(error)}`);
    }
    if (outcome.outcome === "done") {
      counters.delivered++;
      log.info("effect_done", { key: effect.key, type: effect.type, attempt });
      notice(effect, attempt, "done");
    } else {
      counters.dropped++;
      const reason = outcome.reason.replace(/\s+/g, " ").slice(0, 300);
      log.warn("effect_dropped", { key: effect.key, type: effect.type, attempt, reason });
      notice(effect, attempt, "dropped", reason);
    }
  }

  async function deliver(effect: StoredEffect): Promise<void> {
    const attempt = effect.attempts + 1;
    if (effect.attempts > 0 && effect.lastError === unknownOutcome) {
      counters.redeliveredUnknownOutcome++;
      log.warn("effect_redelivered_unknown_outcome", { key: effect.key, type: effect.type, attempt });
    }
    await record(effect, { attempts: attempt, nextAt: effect.nextAt, status: "pending", lastError: unknownOutcome });
    log.info("effect_delivering", { key: effect.key, type: effect.type, attempt });
    notice(effect, attempt, "delivering");
    await settle(effect, attempt, await call(effect, attempt));
  }

  /** Whether this row is its actor's oldest pending effect: one actor's effects go in the order they were queued. */
  const isActorsNext = (effect: StoredEffect): boolean => queues.effectsOf(effect.actor).find((row) => row.status === "pending")?.key === effect.key;

  function begin(effect: StoredEffect): void {
    busyActors.add(effect.actor);
    const delivery = deliver(effect)
      .catch((error: unknown) => log.error("effect_delivery_failed", { key: effect.key, type: effect.type, ...describeError(error) }))
      .finally(() => {
        inFlight.delete(effect.key);
        busyActors.delete(effect.actor);
        wake();
      });
    inFlight.set(effect.key, delivery);
  }

  /** Starts what is due and free to go; returns how many it started. */
  function pump(): number {
    let begun = 0;
    if (inFlight.size < concurrency) {
      for (const effect of queues.dueEffects(clock.now(), concurrency * 4 + inFlight.size)) {
        if (inFlight.size >= concurrency) break;
        if (inFlight.has(effect.key) || busyActors.has(effect.actor) || !isActorsNext(effect)) continue;
        begin(effect);
        begun++;
      }
    }
    if (started) armTimer();
    return begun;
  }

  function armTimer(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const next = queues.nextEffectDue();
    if (next === null) return;
    const now = clock.now();
    // Due but waiting (its actor busy, or an older effect of its actor backing off): look again in a second.
    timer = setTimeout(wake, next > now ? Math.min(next - now, 60_000) : 1_000);
    timer.unref?.();
  }

  function wake(): void {
    if (!started || pumpQueued) return;
    pumpQueued = true;
    setImmediate(() => {
      pumpQueued = false;
      if (!started) return;
      try {
        pump();
      } catch (error) {
        log.error("effect_pump_failed", describeError(error));
      }
    });
  }

  return {
    /** Starts delivering: what is due now (a restart's redeliveries too), then as commits queue more and retries fall due. */
    start(): void {
      started = true;
      wake();
    },
    /** The runtime's hook: a commit queued effects. */
    wake,
    /** Delivers everything due now, retries included as they fall due at the clock's time; for tests with a manual clock. */
    async drain(): Promise<void> {
      for (let round = 0; round < 100_000; round++) {
        const begun = pump();
        if (begun === 0 && inFlight.size === 0) return;
        await Promise.all([...inFlight.values()]);
      }
    },
    /** Counters since creation; `redeliveredUnknownOutcome` counts deliveries that may reach a person twice. */
    stats: () => ({ ...counters, inFlight: inFlight.size }),
    /** Stops taking new work and waits for the deliveries in flight; `abort` also signals their handlers to give up. */
    async stop(options: { readonly abort?: boolean } = {}): Promise<void> {
      started = false;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      if (options.abort) for (const controller of controllers) controller.abort(new Error("the worker is stopping"));
      await Promise.all([...inFlight.values()]);
    },
  };
}

export type EffectWorker = ReturnType<typeof createEffectWorker>;
