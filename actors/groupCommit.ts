import { CommitQueue, tellCommitted, type RuntimeListener } from "./commitQueue.ts";

export type { RuntimeListener } from "./commitQueue.ts";
import { stageOf } from "./customerSnapshot.ts";
import type { Cell, CustomerTransition, Pending, Unit, UnitApplier, UnitOutcome } from "./customerUnit.ts";
import type { ActorStore, StoreTx } from "./store.port.ts";
import { preparesUnits, StaleActorError, type UnitPlan } from "./staleActor.ts";

/** How many times a batch runs again after another process changed one of its customers, before it fails. */
const staleRetries = 5;

/** What a batch will touch, for a store that prepares units (actors/staleActor.ts). */
function planOf(batch: readonly Pending[], cells: ReadonlyMap<number, Cell>): UnitPlan {
  const userIds = [...new Set(batch.map((pending) => pending.userId))];
  const keys = batch.flatMap((pending) =>
    pending.kind === "event" ? [pending.key] : pending.kind === "timer" ? [pending.row.key] : pending.reply ? [`${pending.effect.key}:done`] : [],
  );
  return { userIds, cold: userIds.filter((userId) => !cells.has(userId)), keys };
}

/**
 * The store could not commit an event's unit of work: nothing of it is kept. Callers tell this
 * apart from every other failure because it is the one worth a redelivery (a webhook answers 500).
 */
export class CommitFailed extends Error {
  override readonly name = "CommitFailed";

  constructor(cause: unknown) {
    super(`the store could not commit: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Queued work without its promise's settlers: what the runtime's methods hand over. */
export type Work = Pending extends infer P ? (P extends Pending ? Omit<P, "resolve" | "reject"> : never) : never;

export interface GroupCommitDeps {
  readonly store: ActorStore;
  readonly applier: UnitApplier;
  readonly cells: Map<number, Cell>;
  readonly maxActive: number;
  readonly maxBatch: number;
  readonly observe: ((transition: CustomerTransition) => void) | undefined;
}

const newUnit = (tx: StoreTx, observed: boolean): Unit => ({ tx, dirty: new Map(), trace: observed ? [] : null, results: new Map(), earliestTimer: null, effectsQueued: 0 });

/**
 * The customer runtime's group commit over a {@link CommitQueue}: work queued while a commit is
 * being prepared shares one transaction, up to `maxBatch`; a shared transaction that fails is
 * retried one piece at a time, so only a piece that cannot be stored fails. After each commit the observer and the
 * listeners hear of it, and idle customers past `maxActive` are passivated.
 */
export class GroupCommit {
  readonly listeners = new Set<RuntimeListener>();
  private readonly deps: GroupCommitDeps;
  /** Work queued and not yet committed (or failed), by customer. */
  private readonly pendingOf = new Map<number, number>();
  private readonly queue: CommitQueue<Pending>;
  private closed = false;

  constructor(deps: GroupCommitDeps) {
    this.deps = deps;
    this.queue = new CommitQueue<Pending>({ maxBatch: deps.maxBatch, commit: (batch) => this.commit(batch), afterBatch: () => this.passivate() });
  }

  /** Queues work for the next unit; resolves with its outcome once that unit is durable. */
  enqueue(work: Work): Promise<UnitOutcome> {
    if (this.closed) return Promise.reject(new Error("the customer runtime is closed"));
    const { userId } = work;
    this.pendingOf.set(userId, (this.pendingOf.get(userId) ?? 0) + 1);
    const done = (): void => {
      const left = (this.pendingOf.get(userId) ?? 1) - 1;
      if (left > 0) this.pendingOf.set(userId, left);
      else this.pendingOf.delete(userId);
    };
    return new Promise<UnitOutcome>((resolve, reject) => {
      const settle = { resolve: (outcome: UnitOutcome) => (done(), resolve(outcome)), reject: (error: unknown) => (done(), reject(error)) };
      this.queue.push({ ...work, ...settle } as Pending);
    });
  }

  /** Whether this customer has work not yet committed. */
  hasPending(userId: number): boolean {
    return this.pendingOf.has(userId);
  }

  /** Resolves when everything queued so far is committed (or has failed). */
  settled(): Promise<void> {
    return this.queue.settled();
  }

  /** Runs `work` in a unit of its own, outside the queue (recovery at start-up), with the same bookkeeping as a commit. */
  async runUnit(work: (unit: Unit) => void): Promise<void> {
    await this.settled();
    let unit: Unit | null = null;
    await this.deps.store.transact((tx) => {
      unit = newUnit(tx, false);
      work(unit);
      for (const cell of unit.dirty.values()) this.deps.applier.save(tx, cell);
    });
    if (unit) this.committed(unit);
    this.passivate();
  }

  /** Stops taking work and waits for what is queued. */
  async close(): Promise<void> {
    this.closed = true;
    await this.settled();
    this.listeners.clear();
  }

  passivate(): void {
    const { cells, maxActive } = this.deps;
    for (const userId of cells.keys()) {
      if (cells.size <= maxActive) break;
      cells.delete(userId);
    }
  }

  /**
   * Commits a batch as one transaction; resolves or rejects each of its pieces. Throws nothing. A
   * batch that another process's commit made stale ({@link StaleActorError}) runs again from the store.
   */
  private async commit(batch: readonly Pending[], attempt = 1): Promise<boolean> {
    let unit: Unit | null = null;
    try {
      const outcomes = await this.deps.store.transact((tx) => {
        if (preparesUnits(tx)) tx.prepareUnit(planOf(batch, this.deps.cells));
        unit = newUnit(tx, this.deps.observe !== undefined);
        return this.deps.applier.apply(batch, unit);
      });
      if (unit) this.committed(unit);
      batch.forEach((pending, index) => {
        const outcome = outcomes[index];
        if (outcome) pending.resolve(outcome);
        else pending.reject(new Error("no result for a queued event"));
      });
      return true;
    } catch (error) {
      // Nothing of this batch is durable: forget the in-memory state it produced, so that the
      // customers it touched are activated again from the store.
      for (const userId of (unit as Unit | null)?.dirty.keys() ?? []) this.deps.cells.delete(userId);
      for (const pending of batch) this.deps.cells.delete(pending.userId);
      if (error instanceof StaleActorError) {
        for (const userId of error.customers) this.deps.cells.delete(userId);
        if (attempt < staleRetries) return this.commit(batch, attempt + 1);
      }
      if (batch.length === 1) batch[0]?.reject(new CommitFailed(error));
      return false;
    }
  }

  /** Marks what the unit wrote as persisted, and tells the observer and the listeners; a listener that throws never touches the commit. */
  private committed(unit: Unit): void {
    for (const cell of unit.dirty.values()) cell.persistedStage = stageOf(cell.snapshot);
    tellCommitted(unit, this.deps.observe, this.listeners);
  }
}
