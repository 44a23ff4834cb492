import { CommitQueue, tellCommitted, type RuntimeListener } from "./commitQueue.ts";
import { CommitFailed } from "./groupCommit.ts";
import { StaleActorError } from "./staleActor.ts";
import { applyOrderWork, type OrderOutcome, type OrderWork } from "./orderApply.ts";
import type { ActorStore } from "./store.port.ts";
import { newOrderUnit, saveOrders, type OrderCell, type OrderTransition, type OrderUnit, type OrderUnitDeps } from "./orderUnit.ts";

interface Pending {
  readonly work: OrderWork;
  readonly resolve: (outcome: OrderOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/** What the queue commits with: the store, the orders' unit dependencies (their live cells among them), and its limits. */
export interface OrderCommitOptions {
  readonly store: Pick<ActorStore, "transact">;
  readonly deps: OrderUnitDeps;
  readonly maxActive: number;
  readonly maxBatch: number;
  readonly observe: ((transition: OrderTransition) => void) | undefined;
}

/** How many times a batch runs again after another process changed one of its orders, before it fails. */
const staleRetries = 5;

/**
 * The order runtime's group commit over the customer runtime's {@link CommitQueue}:
 * work queued while a unit is being prepared shares one transaction, up to `maxBatch`, in arrival
 * order, so one order's events apply one after the other; a shared transaction that fails is
 * retried one piece at a time, so only a piece that cannot be stored fails. The live orders
 * (`deps.cells`) change only once a unit is durable: a unit works on copies.
 */
export class OrderCommit {
  readonly listeners = new Set<RuntimeListener>();
  private readonly options: OrderCommitOptions;
  private readonly queue: CommitQueue<Pending>;
  private closed = false;

  constructor(options: OrderCommitOptions) {
    this.options = options;
    this.queue = new CommitQueue<Pending>({ maxBatch: options.maxBatch, commit: (batch) => this.commit(batch) });
  }

  /** Queues work for the next unit; resolves with its outcome once that unit is durable. */
  enqueue(work: OrderWork): Promise<OrderOutcome> {
    if (this.closed) return Promise.reject(new Error("the order runtime is closed"));
    return new Promise<OrderOutcome>((resolve, reject) => {
      this.queue.push({ work, resolve, reject });
    });
  }

  /** Resolves when everything queued so far is committed (or has failed). */
  settled(): Promise<void> {
    return this.queue.settled();
  }

  /** Runs `work` in a unit of its own, outside the queue (recovery at start-up), with the same bookkeeping as a commit. */
  async runUnit(work: (unit: OrderUnit) => void): Promise<void> {
    await this.settled();
    let unit: OrderUnit | null = null;
    await this.options.store.transact((tx) => {
      unit = newOrderUnit(tx);
      work(unit);
      saveOrders(this.options.deps, unit);
    });
    if (unit) this.committed(unit);
  }

  /** Stops taking work and waits for what is queued. */
  async close(): Promise<void> {
    this.closed = true;
    await this.settled();
    this.listeners.clear();
  }

  /**
   * Commits a batch as one transaction; resolves or rejects each of its pieces. Throws nothing. A
   * batch that another process's commit made stale ({@link StaleActorError}) runs again from the store.
   */
  private async commit(batch: readonly Pending[], attempt = 1): Promise<boolean> {
    const { deps } = this.options;
    let unit: OrderUnit | null = null;
    try {
      const outcomes = await this.options.store.transact((tx) => {
        const current = newOrderUnit(tx);
        unit = current;
        const results = batch.map((pending) => applyOrderWork(deps, current, pending.work));
        saveOrders(deps, current);
        return results;
      });
      if (unit) this.committed(unit);
      batch.forEach((pending, index) => {
        const outcome = outcomes[index];
        if (outcome) pending.resolve(outcome);
        else pending.reject(new Error("no result for a queued order event"));
      });
      return true;
    } catch (error) {
      // Nothing of the unit is durable, and the live orders never saw its copies.
      if (error instanceof StaleActorError) {
        for (const actor of error.actors) if (actor.startsWith("order:")) this.options.deps.cells.delete(actor.slice("order:".length));
        if (attempt < staleRetries) return this.commit(batch, attempt + 1);
      }
      if (batch.length === 1) batch[0]?.reject(new CommitFailed(error));
      return false;
    }
  }

  /** Makes the unit's orders the live ones, passivates the least recently used, and tells the observer and the listeners. */
  private committed(unit: OrderUnit): void {
    const { cells } = this.options.deps;
    for (const [orderId, cell] of unit.dirty) {
      cells.delete(orderId);
      cells.set(orderId, cell satisfies OrderCell);
    }
    for (const orderId of cells.keys()) {
      if (cells.size <= this.options.maxActive) break;
      cells.delete(orderId);
    }
    tellCommitted(unit, this.options.observe, this.listeners);
  }
}
