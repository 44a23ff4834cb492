/**
 * The queue under every runtime's group commit (customers, orders): work queued while a commit is
 * being prepared shares one transaction, up to `maxBatch`, in arrival order; a shared transaction
 * that fails is retried one piece at a time, in the same order, so only a piece that cannot be
 * stored fails. What a commit is, and what a piece's promise resolves with, is the runtime's.
 */
export class CommitQueue<P> {
  private readonly maxBatch: number;
  /** Commits a batch as one transaction and settles each piece; true when it committed. Must not throw. */
  private readonly commit: (batch: readonly P[]) => Promise<boolean>;
  /** Runs after each batch (committed, or retried piece by piece): the customer runtime passivates there. */
  private readonly afterBatch: (() => void) | undefined;
  private queue: P[] = [];
  private draining: Promise<void> | null = null;

  constructor(options: { readonly maxBatch: number; readonly commit: (batch: readonly P[]) => Promise<boolean>; readonly afterBatch?: () => void }) {
    this.maxBatch = options.maxBatch;
    this.commit = options.commit;
    this.afterBatch = options.afterBatch;
  }

  /** Queues a piece for the next transaction. */
  push(piece: P): void {
    this.queue.push(piece);
    this.schedule();
  }

  /** Resolves when everything queued so far is committed (or has failed). */
  async settled(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private schedule(): void {
    if (this.draining) return;
    this.draining = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.drain())
      .finally(() => {
        this.draining = null;
        if (this.queue.length > 0) this.schedule();
      });
  }

  private async drain(): Promise<void> {
    const { maxBatch } = this;
    while (this.queue.length > 0) {
      const batch = this.queue.length <= maxBatch ? this.queue : this.queue.slice(0, maxBatch);
      this.queue = batch === this.queue ? [] : this.queue.slice(maxBatch);
      // One piece that cannot be stored must not take its neighbours down with it.
      if (!(await this.commit(batch)) && batch.length > 1) {
        for (const piece of batch) await this.commit([piece]);
      }
      this.afterBatch?.();
    }
  }
}

/** Told after each commit of what the scheduler and the effect worker must act on. Called synchronously; must not throw. */
export interface RuntimeListener {
  /** The earliest due time among the timers the commit armed. */
  timersArmed?(earliestDueAt: number): void;
  /** How many effects the commit queued. */
  effectsQueued?(count: number): void;
}

/**
 * Tells the observer of each transition a durable unit made, then the listeners what it armed and
 * queued. Neither may touch the commit: inspection is best effort, and the scheduler and the worker
 * also poll, so a missed wake-up delays, never loses.
 */
export function tellCommitted<T>(
  unit: { readonly trace: readonly T[] | null; readonly earliestTimer: number | null; readonly effectsQueued: number },
  observe: ((transition: T) => void) | undefined,
  listeners: Iterable<RuntimeListener>,
): void {
  for (const transition of unit.trace ?? []) {
    try {
      observe?.(transition);
    } catch {
      // Inspection is best effort.
    }
  }
  for (const listener of listeners) {
    try {
      if (unit.earliestTimer !== null) listener.timersArmed?.(unit.earliestTimer);
      if (unit.effectsQueued > 0) listener.effectsQueued?.(unit.effectsQueued);
    } catch {
      // A missed wake-up delays, never loses.
    }
  }
}
