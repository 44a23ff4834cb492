import { leadOf } from "./customerSnapshot.ts";
import { replayCustomer, type CustomerStepper } from "./customerStepper.ts";
import type { ActorWrite, StoredEvent, TimerRow } from "./store.port.ts";

/** One customer as the current machine makes them from their log: the lead row's write and the timers the log leaves armed. */
export interface RebuiltCustomer {
  readonly write: ActorWrite;
  readonly timers: readonly TimerRow[];
}

/**
 * A customer's log replayed through `stepper`'s machine, exactly as the runtime replays a customer
 * it loads with a snapshot of another machine version (actors/customerUnit.ts `load`): the same
 * replay, the same last seq, the same timers. Null for an empty log, which the runtime never saves.
 * `previousStage` is left null: the SQLite store keeps the funnel's counts from the rows by
 * triggers, and a rebuild of the JSON store passes the stage it read.
 */
export function rebuildCustomer(stepper: CustomerStepper, machineVersion: number, userId: number, log: readonly StoredEvent[]): RebuiltCustomer | null {
  const last = log.at(-1);
  if (!last) return null;
  const { snapshot, timers } = replayCustomer(stepper, userId, log);
  return {
    write: { lead: leadOf(snapshot), snapshot: stepper.persist(snapshot), machineVersion, lastSeq: last.seq, previousStage: null },
    timers,
  };
}

const sameTimer = (a: TimerRow, b: TimerRow): boolean => a.dueAt === b.dueAt && a.event === b.event && a.key === b.key;

/**
 * How an actor's stored timers become the ones its rebuilt log leaves armed, by send id: the ones
 * the new definition no longer has are removed, the new or changed ones are put, identical ones are
 * kept untouched (so a timer the scheduler is about to fire keeps its key and fires once).
 */
export function reconcileTimers(stored: readonly TimerRow[], wanted: readonly TimerRow[]): { readonly remove: readonly string[]; readonly put: readonly TimerRow[] } {
  const want = new Map(wanted.map((timer) => [timer.sendId, timer]));
  const have = new Map(stored.map((timer) => [timer.sendId, timer]));
  const remove = stored.filter((timer) => !want.has(timer.sendId)).map((timer) => timer.sendId);
  const put = wanted.filter((timer) => {
    const old = have.get(timer.sendId);
    return !old || !sameTimer(old, timer);
  });
  return { remove, put };
}

/** Whether a rebuilt customer differs from what is stored: another version or snapshot, or other timers. */
export function rebuiltDiffers(rebuilt: RebuiltCustomer, stored: { readonly machineVersion: number; readonly snapshot: string; readonly timers: readonly TimerRow[] }): boolean {
  if (stored.machineVersion !== rebuilt.write.machineVersion || stored.snapshot !== rebuilt.write.snapshot) return true;
  const { remove, put } = reconcileTimers(stored.timers, rebuilt.timers);
  return remove.length > 0 || put.length > 0;
}
