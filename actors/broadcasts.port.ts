import type { SegmentFilter } from "./segments.port.ts";

/**
 * Broadcasts (issue 13): what the owner bot needs of the broadcast actors. A broadcast is an actor
 * (`broadcast:<id>`) on the same runtime as customers and orders: its log, snapshot and timers in
 * the store, its per-recipient delivery state committed as it goes, so that it resumes after a
 * crash with no recipient skipped and none messaged twice beyond the sends in flight at the crash.
 */

/** The one optional button under a broadcast's message (besides "Unsubscribe", which every broadcast carries). */
export type BroadcastButton =
  | { readonly kind: "product"; readonly productId: string; readonly text: string }
  | { readonly kind: "catalog"; readonly text: string }
  | { readonly kind: "url"; readonly url: string; readonly text: string };

/** What the owner composed: Telegram-formatted text (entities checked before it is accepted), an optional photo, an optional button. */
export interface BroadcastMessage {
  readonly text: string;
  /** Telegram's entities for `text`, as the owner's message carried them. */
  readonly entities: readonly { readonly type: string; readonly offset: number; readonly length: number; readonly url?: string }[];
  /** A photo's file id in the shop bot's terms (uploaded once through the shop bot), or null. */
  readonly photo: string | null;
  readonly button: BroadcastButton | null;
}

export type BroadcastStatus = "scheduled" | "sending" | "paused" | "finished" | "cancelled";

export interface BroadcastProgress {
  readonly id: string;
  readonly status: BroadcastStatus;
  readonly total: number;
  readonly sent: number;
  readonly blocked: number;
  readonly failed: number;
  /** Recipients not messaged at their turn: they erased their data, unsubscribed or blocked the bot since the segment was read. */
  readonly skipped: number;
  /** Recipients not yet tried. */
  readonly left: number;
  /** Epoch ms it starts (scheduled) or started. */
  readonly startAt: number;
  /** Epoch ms it is expected to end at the configured rate, or null when paused or ended. */
  readonly eta: number | null;
  /** A 429 paused the whole broadcast until then, or null. */
  readonly pausedUntil: number | null;
}

export interface BroadcastReport extends BroadcastProgress {
  /** Failures by reason (a short text, never a token). */
  readonly failures: Readonly<Record<string, number>>;
  /** Orders placed by its recipients within 72 h of their message, and their revenue (paid or delivered). */
  readonly orders: number;
  readonly revenue: number;
  /**
   * Recipients whose send was in flight (started, its outcome not yet written) when the process
   * died, over every crash: the most that may have got the message twice. 0 without a crash.
   */
  readonly inFlightAtCrashes: number;
}

export type BroadcastCommandResult =
  | { readonly kind: "applied"; readonly progress: BroadcastProgress }
  | { readonly kind: "refused"; readonly reason: "unknown" | "already_ended" | "another_is_sending" | "no_recipients" | "not_sending"; readonly progress?: BroadcastProgress };

export interface Broadcasts {
  /**
   * Starts a broadcast now (`at` omitted) or at a set time (a durable timer): one per `key` (a double
   * press is one broadcast). Refused with `no_recipients` for an empty segment, and with
   * `another_is_sending` when one is sending and this one would start now.
   */
  start(input: { readonly key: string; readonly by: number; readonly segment: SegmentFilter; readonly message: BroadcastMessage; readonly at?: number }): Promise<BroadcastCommandResult>;
  pause(id: string, by: number, key: string): Promise<BroadcastCommandResult>;
  resume(id: string, by: number, key: string): Promise<BroadcastCommandResult>;
  cancel(id: string, by: number, key: string): Promise<BroadcastCommandResult>;
  progress(id: string): Promise<BroadcastProgress | null>;
  report(id: string): Promise<BroadcastReport | null>;
  /** The newest first. */
  list(limit: number): Promise<readonly BroadcastProgress[]>;
  /** Told of every progress change (at most every few seconds per broadcast), for the owner's live progress message. */
  onProgress(listener: (progress: BroadcastProgress) => void): () => void;
}
