/**
 * A unit of work could not commit because another process changed one of its customers (or
 * another actor) since this process loaded them, or stored one of its event keys meanwhile. Nothing
 * of the unit is kept. The runtime drops those customers' cached cells and runs the unit's work
 * again from the store, so nothing is lost and nothing is applied twice. Only a store shared by
 * several processes (PostgreSQL) throws it.
 */
export class StaleActorError extends Error {
  override readonly name = "StaleActorError";
  readonly customers: readonly number[];
  /** Other actors' addresses (`order:<id>`). */
  readonly actors: readonly string[];

  constructor(customers: readonly number[], actors: readonly string[], why: string) {
    const who = [...customers.map((id) => `customer ${id}`), ...actors].join(", ");
    super(`${who || "an actor"} ${why}`);
    this.customers = customers;
    this.actors = actors;
  }
}

/**
 * What a store that several processes share can do before a unit's work runs: lock the customers
 * the unit will touch, in one order (so two processes never wait on each other), check that the
 * cached ones are still current, and fetch the cold ones' rows in the same round trip. A store
 * without it (SQLite, JSON: one process) is simply not asked.
 */
export interface UnitPreparation {
  prepareUnit(plan: UnitPlan): void;
}

/** What a unit is about to do, as far as the runtime knows before it runs the unit's work. */
export interface UnitPlan {
  /** The customers it will touch, in any order. */
  readonly userIds: readonly number[];
  /** Those of them the runtime will load from the store (no cached cell). */
  readonly cold: readonly number[];
  /** The event keys it will append (or find already stored). */
  readonly keys: readonly string[];
}

/** Whether a unit's writes can be prepared (see {@link UnitPreparation}). */
export function preparesUnits<T extends object>(tx: T): tx is T & UnitPreparation {
  return typeof (tx as Partial<UnitPreparation>).prepareUnit === "function";
}

/**
 * A store several processes share can tell whether a customer this process holds in memory is
 * still as it last loaded or committed them (one index probe): the runtime asks before it answers
 * a read from a cached snapshot (`snapshotOf`), and reloads the customer when not.
 */
export interface CachedCustomerCheck {
  cachedCustomerIsCurrent(userId: number): boolean;
}

/** Whether the store checks cached customers (see {@link CachedCustomerCheck}). */
export function checksCachedCustomers<T extends object>(store: T): store is T & CachedCustomerCheck {
  return typeof (store as Partial<CachedCustomerCheck>).cachedCustomerIsCurrent === "function";
}
