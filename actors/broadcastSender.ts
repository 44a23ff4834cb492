import type { BroadcastDelivery, BroadcastCustomers, DeliveryOutcome, Pacer } from "./broadcastDelivery.port.ts";
import type { BroadcastStore, RecipientRow } from "./broadcastStore.port.ts";
import type { BroadcastMessage } from "./broadcasts.port.ts";
import { describeError, type Logger } from "./log.port.ts";
import type { Lead } from "./store.port.ts";

/** What a run of a broadcast's sends needs. */
export interface SenderDeps {
  readonly store: { readonly broadcasts: BroadcastStore; lead(userId: number): Promise<Lead | null> };
  readonly delivery: BroadcastDelivery;
  readonly customers: BroadcastCustomers;
  readonly pacer: Pacer;
  /** Sends a second, spaced evenly (`BROADCAST_PER_SECOND`). */
  readonly perSecond: number;
  /** Sends of one recipient before it counts as failed. */
  readonly maxAttempts: number;
  /** Sends in flight at once (Telegram's latency would otherwise cap the rate); each to another chat. */
  readonly concurrency: number;
  readonly log: Logger;
}

/** What the run tells the broadcast: a 429 made it wait (to commit on its log), and progress. */
export interface RunHooks {
  rateLimited(until: number): Promise<void>;
  progressed(row: RecipientRow): void;
}

const pageSize = 500;
const pending = ["pending", "sending"] as const;

/** Why a customer is not messaged at their turn, or null. */
export function skipReasonOf(lead: Lead | null): string | null {
  if (!lead) return "unknown_customer";
  if (lead.erasedAt !== null) return "erased";
  if (lead.unsubscribedAt !== null) return "unsubscribed";
  if (lead.blockedAt !== null) return "blocked";
  return null;
}

/**
 * One broadcast's sends, from its committed recipient rows until every one has an outcome or it is
 * stopped (paused, cancelled, the process stopping). Each send is paced on its own slot,
 * `1000 / perSecond` ms after the previous one, so no second ever holds more than `perSecond` of
 * them; a recipient has at most one send in flight, and a retry waits at least a second, so no chat
 * gets two messages within a second. Before a send its row is committed as `sending` (with the
 * outcomes of the sends finished since, in the same write); its outcome follows with the next. A
 * crash leaves exactly the rows whose outcome was not yet written as `sending`: the window of
 * possible duplicates, counted at the next start and sent again, so none is skipped.
 */
export class BroadcastRun {
  private readonly deps: SenderDeps;
  private readonly id: string;
  private readonly message: BroadcastMessage;
  private readonly hooks: RunHooks;
  private stopped = false;
  private wake: () => void = () => {};
  private readonly stopping: Promise<void>;
  private pausedUntil = 0;
  private nextSlot = 0;
  private cursor = 0;
  private buffer: RecipientRow[] = [];
  private retries: { row: RecipientRow; dueAt: number }[] = [];
  private readonly busy = new Set<number>();
  private readonly inFlight = new Set<Promise<void>>();
  private outcomes: RecipientRow[] = [];

  constructor(deps: SenderDeps, id: string, message: BroadcastMessage, hooks: RunHooks) {
    this.deps = deps;
    this.id = id;
    this.message = message;
    this.hooks = hooks;
    this.stopping = new Promise<void>((resolve) => (this.wake = resolve));
  }

  /** Stops taking recipients; `run` resolves once the sends in flight have ended and their outcomes are written. */
  stop(): void {
    this.stopped = true;
    this.wake();
  }

  /** Epoch ms a 429 holds the broadcast until, or 0. */
  get heldUntil(): number {
    return this.pausedUntil;
  }

  async run(): Promise<"all_sent" | "stopped"> {
    try {
      for (;;) {
        if (this.stopped) return "stopped";
        const now = this.deps.pacer.now();
        if (this.pausedUntil > now) {
          await this.sleep(this.pausedUntil - now);
          continue;
        }
        const row = await this.next();
        if (row === "wait") continue;
        if (row === null) return "all_sent";
        await this.take(row);
      }
    } finally {
      await Promise.allSettled([...this.inFlight]);
      await this.flush([]);
    }
  }

  private sleep(ms: number): Promise<void> {
    return Promise.race([this.deps.pacer.sleep(ms), this.stopping]);
  }

  /** The next recipient to try; "wait" after waiting for something to change; null when every one has an outcome. */
  private async next(): Promise<RecipientRow | "wait" | null> {
    const now = this.deps.pacer.now();
    const due = this.retries.findIndex((retry) => retry.dueAt <= now);
    if (due >= 0) return this.retries.splice(due, 1)[0]?.row ?? "wait";
    if (this.buffer.length === 0) this.refill();
    const row = this.buffer.shift();
    if (row) return row;
    if (this.inFlight.size > 0) {
      await Promise.race([...this.inFlight, this.stopping]);
      return "wait";
    }
    if (this.retries.length > 0) {
      await this.flush([]);
      await this.sleep(Math.min(...this.retries.map((retry) => retry.dueAt)) - now);
      return "wait";
    }
    await this.flush([]);
    // A row set back to pending behind the cursor (a 429, a recovery) is found by a last walk from the start.
    const left = this.deps.store.broadcasts.recipients(this.id, pending, 0, pageSize).filter((left) => !this.busy.has(left.userId));
    if (left.length === 0) return null;
    this.buffer = left;
    return "wait";
  }

  private refill(): void {
    const rows = this.deps.store.broadcasts.recipients(this.id, pending, this.cursor, pageSize);
    this.cursor = rows.at(-1)?.userId ?? this.cursor;
    this.buffer = rows.filter((row) => !this.busy.has(row.userId));
  }

  /** Checks the customer, waits for a slot, commits the attempt and starts the send. */
  private async take(row: RecipientRow): Promise<void> {
    const lead = await this.deps.store.lead(row.userId);
    const skip = skipReasonOf(lead);
    if (skip !== null) {
      this.done({ ...row, state: "skipped", reason: skip, at: this.deps.pacer.now() });
      return;
    }
    while (this.inFlight.size >= this.deps.concurrency) await Promise.race([...this.inFlight]);
    const interval = 1000 / this.deps.perSecond;
    const wait = this.nextSlot - this.deps.pacer.now();
    if (wait > 0) await this.sleep(wait);
    if (this.stopped || this.pausedUntil > this.deps.pacer.now()) {
      this.buffer.unshift(row);
      return;
    }
    this.nextSlot = Math.max(this.nextSlot, this.deps.pacer.now()) + interval;
    const attempt: RecipientRow = { ...row, state: "sending", attempts: row.attempts + 1 };
    await this.flush([attempt]);
    this.busy.add(row.userId);
    const sending = this.send(attempt, lead?.language ?? "ru").finally(() => {
      this.inFlight.delete(sending);
      this.busy.delete(row.userId);
    });
    this.inFlight.add(sending);
  }

  private async send(row: RecipientRow, language: Lead["language"]): Promise<void> {
    let outcome: DeliveryOutcome;
    try {
      outcome = await this.deps.delivery.send(row.userId, this.message, { broadcastId: this.id, language });
    } catch (error) {
      outcome = { kind: "failed", reason: describeError(error).message.slice(0, 100), permanent: false };
    }
    await this.settle(row, outcome);
  }

  private async settle(row: RecipientRow, outcome: DeliveryOutcome): Promise<void> {
    const { customers, pacer, maxAttempts, log } = this.deps;
    const now = pacer.now();
    switch (outcome.kind) {
      case "sent":
        await customers.received(row.userId, this.id, `bc:${this.id}:${row.userId}`).catch((error: unknown) => log.warn("broadcast_journey_failed", { broadcastId: this.id, ...describeError(error) }));
        this.done({ ...row, state: "sent", reason: null, at: now });
        return;
      case "blocked":
        await customers.blocked(row.userId, `bc:${this.id}:${row.userId}:blocked`).catch((error: unknown) => log.warn("broadcast_block_record_failed", { broadcastId: this.id, ...describeError(error) }));
        this.done({ ...row, state: "blocked", reason: null, at: now });
        return;
      case "rate_limited": {
        const until = now + Math.max(1000, outcome.retryAfterMs);
        if (until > this.pausedUntil) {
          this.pausedUntil = until;
          log.warn("broadcast_rate_limited", { broadcastId: this.id, until });
          await this.hooks.rateLimited(until).catch((error: unknown) => log.warn("broadcast_log_failed", { broadcastId: this.id, ...describeError(error) }));
        }
        this.retries.push({ row: { ...row, state: "pending", attempts: row.attempts - 1 }, dueAt: until });
        this.outcomes.push({ ...row, state: "pending", attempts: row.attempts - 1 });
        return;
      }
      case "failed":
        if (outcome.permanent || row.attempts >= maxAttempts) {
          this.done({ ...row, state: "failed", reason: outcome.reason, at: now });
          return;
        }
        this.retries.push({ row: { ...row, state: "pending" }, dueAt: now + 1000 * 2 ** (row.attempts - 1) });
        this.outcomes.push({ ...row, state: "pending" });
    }
  }

  private done(row: RecipientRow): void {
    this.outcomes.push(row);
    this.hooks.progressed(row);
  }

  /** Writes the outcomes so far and `also`, in one durable write. */
  private async flush(also: readonly RecipientRow[]): Promise<void> {
    const rows = [...this.outcomes, ...also];
    this.outcomes = [];
    if (rows.length > 0) await this.deps.store.broadcasts.recordRecipients(this.id, rows);
  }
}
