/**
 * A durable timer: XState's delayed event (an `after` transition, or `raise` with a delay) as a
 * row with an absolute due time, written in the same unit as the step that armed it.
 * docs/actor-runtime.md has the whole design.
 */
export interface TimerRow {
  /** The actor it belongs to, as `<kind>:<id>`, e.g. `customer:42`. */
  readonly actor: string;
  /** XState's id of the delayed event, e.g. `xstate.after.cartReminder.customer.cart.filled.waiting`. */
  readonly sendId: string;
  /** Epoch ms: the arming event's `at` plus the delay. */
  readonly dueAt: number;
  /** JSON of the event to deliver (its `type` and fields, without `at` and `seq`). */
  readonly event: string;
  /** The firing's idempotency key, `t:<actor>:<seq of the arming event>:<sendId>`: it appears once in the log. */
  readonly key: string;
}

/** An effect for the outbox: a named action of a machine that reaches outside, with its resolved params. */
export interface NewEffect {
  /** `e:<actor>:<seq of the event>:<index of the action in its step>`; the idempotency key of its delivery. */
  readonly key: string;
  readonly actor: string;
  /** The machine's action name, e.g. `sendCartReminder`; a handler is registered under it. */
  readonly type: string;
  /** JSON of the action's params. */
  readonly params: string;
  readonly createdAt: number;
}

export type EffectStatus = "pending" | "failed";

export interface StoredEffect extends NewEffect {
  /** How many deliveries were started; one without a recorded outcome may have reached the outside world. */
  readonly attempts: number;
  /** Epoch ms before which it is not tried (again). */
  readonly nextAt: number;
  readonly status: EffectStatus;
  /** Why the last attempt failed, in a line (never a secret, never the params). */
  readonly lastError: string | null;
}

/** What the worker records about an attempt, outside any actor's unit. */
export interface EffectAttempt {
  readonly attempts: number;
  readonly nextAt: number;
  readonly status: EffectStatus;
  readonly lastError: string | null;
}

/** The timers and effects outbox, outside units of work: what the scheduler and the worker read. */
export interface DurableQueues {
  /** Armed timers due at or before `until`, earliest first (then by key), at most `limit`. */
  dueTimers(until: number, limit: number): readonly TimerRow[];
  /** The earliest due time of any armed timer, or null. */
  nextTimerDue(): number | null;
  timersOf(actor: string): readonly TimerRow[];
  timersCount(): number;
  /** Pending effects with `nextAt <= now`, oldest `nextAt` first, at most `limit`. */
  dueEffects(now: number, limit: number): readonly StoredEffect[];
  /** The earliest `nextAt` of any pending effect, or null. */
  nextEffectDue(): number | null;
  effectsOf(actor: string): readonly StoredEffect[];
  effectsCount(): { readonly pending: number; readonly failed: number };
  /** Records an attempt (its start, or its failure) durably, on its own. */
  recordEffectAttempt(key: string, attempt: EffectAttempt): Promise<void>;
}
