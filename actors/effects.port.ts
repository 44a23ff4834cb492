import type { StoredEffect } from "./store.port.ts";

/**
 * The effect port: what a handler of a machine's named effect receives and answers. Handlers live
 * in adapters (Telegram sends, the AI); the worker (actors/effectWorker.ts) calls them at least once
 * per queued effect, and turns their answer into the outbox's next state.
 */

/** One delivery of one effect. */
export interface EffectRequest<Type extends string = string, Params = unknown> {
  /** The idempotency key, `e:<actor>:<seq>:<index>`: the same on every redelivery. Pass it on where the outside world takes one, and log it. */
  readonly key: string;
  /** Whose effect it is, `customer:<userId>`. */
  readonly actor: string;
  /** The machine's action name. */
  readonly type: Type;
  /** The action's params, as the step resolved them. */
  readonly params: Params;
  /** 1 for the first delivery; above 1 the effect may already have reached the outside world. */
  readonly attempt: number;
}

/** An event for the effect's actor (the AI's answer, `reminder_sent`), applied with the completion, once. */
export interface EffectReplyEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** What a handler says about one delivery. A handler that throws means `retry`. */
export type EffectOutcome =
  /** Delivered; `reply` goes back to the actor in the same transaction that removes the row. */
  | { readonly outcome: "done"; readonly reply?: EffectReplyEvent }
  /** Not now (a network error, Telegram's 429): try again after a backoff, or after `afterMs` when the outside world said when. */
  | { readonly outcome: "retry"; readonly reason: string; readonly afterMs?: number }
  /** Cannot ever succeed (the customer blocked the bot): removed without a reply, the reason logged. */
  | { readonly outcome: "drop"; readonly reason: string };

/** A handler of one effect type; `signal` aborts when the worker stops or the attempt times out. */
export type EffectHandler<Type extends string = string, Params = unknown> = (request: EffectRequest<Type, Params>, signal: AbortSignal) => Promise<EffectOutcome>;

/** The registry: one handler per effect name, typed by a map of names to params (e.g. `CustomerEffectParams`). */
export type EffectHandlers<ParamsByType = Readonly<Record<string, unknown>>> = {
  readonly [Type in keyof ParamsByType & string]: EffectHandler<Type, ParamsByType[Type]>;
};

/** Told when an effect gave up after its last attempt: the composition tells the owners in plain words. */
export type EffectFailedCallback = (effect: StoredEffect, reason: string) => void;
