/**
 * The broadcast machine's vocabulary (issue 13). A broadcast's definition (the owner's message and
 * the segment) is carried as plain JSON: the machine keeps it and never reads inside it.
 */

/** The message and the segment as the owner confirmed them, opaque to the machine. */
export type BroadcastJson = Readonly<Record<string, unknown>>;

export interface BroadcastPayloads {
  /** The owner confirmed it: to start at `startAt` (now or later). */
  broadcast_created: { readonly by: number; readonly startAt: number; readonly message: BroadcastJson; readonly segment: BroadcastJson };
  /** Its recipients are snapshotted from the segment: `total` of them. */
  started: { readonly total: number };
  paused: { readonly by: number };
  resumed: { readonly by: number };
  cancel_requested: { readonly by: number };
  /** Telegram answered 429: the whole broadcast waits until `until`. */
  rate_limited: { readonly until: number };
  /** Picked up again after a crash or a stop: `inFlight` recipients had a send started and no outcome recorded. */
  recovered: { readonly inFlight: number };
  /** Every recipient has an outcome. */
  all_sent: Record<never, never>;
}

export type BroadcastEventType = keyof BroadcastPayloads;

export const broadcastEventTypes = ["broadcast_created", "started", "paused", "resumed", "cancel_requested", "rate_limited", "recovered", "all_sent"] as const satisfies readonly BroadcastEventType[];

/** Every event carries its time (epoch ms, from the runtime's clock) and its seq in the log. */
export type BroadcastEvent = { [K in BroadcastEventType]: { readonly type: K; readonly at: number; readonly seq: number } & BroadcastPayloads[K] }[BroadcastEventType];

/** The scheduled start's `after`, fired by the timer scheduler. */
export interface BroadcastTimerEvent {
  readonly type: `xstate.after.${string}`;
  readonly at: number;
  readonly seq: number;
}

export interface BroadcastContext {
  readonly id: string;
  readonly by: number;
  readonly createdAt: number;
  readonly startAt: number;
  /** When its recipients were snapshotted and sending began, or null. */
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  readonly total: number;
  /** A 429 made it wait until then, or null. */
  readonly pausedUntil: number | null;
  /** Recipients whose send was in flight at a crash, summed over every crash: the most that may have been messaged twice. */
  readonly inFlightAtCrashes: number;
  readonly message: BroadcastJson;
  readonly segment: BroadcastJson;
}

export interface BroadcastInput {
  readonly id: string;
}

export type BroadcastState = "new" | "scheduled" | "sending" | "paused" | "finished" | "cancelled";
