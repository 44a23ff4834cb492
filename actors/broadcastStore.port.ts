/**
 * The store's side of broadcasts (issue 13): which broadcasts exist, and each one's recipients
 * with their delivery state. The broadcast's own moves are its actor log (`broadcast:<id>`, through
 * `ActorLogTx`); these rows are what the sender commits as it goes, outside the customers' units,
 * so a broadcast of 100,000 recipients never holds the runtime's commit queue.
 */

/**
 * A recipient's delivery: `pending` (not tried, or to be tried again), `sending` (a send started and
 * no outcome recorded: after a crash, the window that may be messaged twice), then `sent`,
 * `blocked` (403), `failed` (after the last attempt, with its reason) or `skipped` (erased their
 * data, unsubscribed or blocked before their turn came).
 */
export type RecipientState = "pending" | "sending" | "sent" | "blocked" | "failed" | "skipped";

export const recipientStates = ["pending", "sending", "sent", "blocked", "failed", "skipped"] as const satisfies readonly RecipientState[];

export interface RecipientRow {
  readonly userId: number;
  readonly state: RecipientState;
  /** Sends started (a 429 gives its attempt back). */
  readonly attempts: number;
  /** Why it failed or was skipped, in a short line (never a token). */
  readonly reason: string | null;
  /** When its outcome was recorded (for `sent`, when the message reached Telegram), or null. */
  readonly at: number | null;
}

export interface RecipientCounts {
  readonly total: number;
  readonly byState: Readonly<Record<RecipientState, number>>;
  /** `failed` recipients by reason. */
  readonly reasons: Readonly<Record<string, number>>;
}

export interface BroadcastStore {
  /** Remembers a broadcast before its first event commits; again is nothing. */
  registerBroadcast(id: string, createdAt: number): Promise<void>;
  /** The broadcasts remembered, the newest first. */
  broadcastIds(limit: number): readonly string[];
  /** Forgets a broadcast whose first event never committed, with any recipients snapshotted for it. */
  forgetBroadcast(id: string): Promise<void>;
  /** Adds recipients as `pending`; one already there is left as it is. */
  addRecipients(id: string, userIds: readonly number[]): Promise<void>;
  /** The highest recipient user id, or 0: where an interrupted snapshot of the segment goes on. */
  lastRecipient(id: string): number;
  /** Recipients above `afterUserId` in one of `states`, ascending by user id, at most `limit`. */
  recipients(id: string, states: readonly RecipientState[], afterUserId: number, limit: number): readonly RecipientRow[];
  /** Writes these recipients' rows as given, in one durable write. */
  recordRecipients(id: string, rows: readonly RecipientRow[]): Promise<void>;
  recipientCounts(id: string): RecipientCounts;
}

/** Counts of nothing, to add rows to. */
export function emptyCounts(): { total: number; byState: Record<RecipientState, number>; reasons: Record<string, number> } {
  return { total: 0, byState: { pending: 0, sending: 0, sent: 0, blocked: 0, failed: 0, skipped: 0 }, reasons: {} };
}
