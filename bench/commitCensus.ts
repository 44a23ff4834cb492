import type { ActorStore, ActorWrite, NewEvent, StoreTx } from "../actors/store.port.ts";
import { leadSearchText } from "../actors/searchQuery.ts";

/** What one committed unit of work wrote that a minimal baseline must write too. */
export interface CensusUnit {
  /** The event rows appended, in order (emitted facts and timer firings included). */
  readonly events: NewEvent[];
  /** The customers whose lead row (with its snapshot, and so one Sheets-outbox row) the unit saved, in order. */
  readonly customers: number[];
}

/** Every unit a run committed, and the rows it wrote beyond events and leads, for the `measured` column. */
export interface CommitCensus {
  readonly units: CensusUnit[];
  /** Each customer's last lead write: the row a baseline writes for them, as big as the runtime's. */
  readonly lastWrite: Map<number, ActorWrite>;
  readonly extra: { timersSet: number; timersCancelled: number; effects: number; orders: number; messages: number };
}

/** The sizes of the units a census saw: how many events and customers the runtime put in one transaction. */
export function batchSizes(census: CommitCensus): { units: number; events: number; meanEvents: number; maxEvents: number; meanCustomers: number } {
  const events = census.units.reduce((sum, unit) => sum + unit.events.length, 0);
  const customers = census.units.reduce((sum, unit) => sum + unit.customers.length, 0);
  const units = Math.max(1, census.units.length);
  return { units: census.units.length, events, meanEvents: events / units, maxEvents: Math.max(0, ...census.units.map((unit) => unit.events.length)), meanCustomers: customers / units };
}

/** Wraps one unit's tx so that what it writes is counted; commits and rollbacks stay the store's. */
function recordingTx(tx: StoreTx, unit: CensusUnit, census: CommitCensus): StoreTx {
  return {
    ...tx,
    appendEvent(event) {
      const seq = tx.appendEvent(event);
      if (seq !== null) unit.events.push(event);
      return seq;
    },
    saveActor(write) {
      tx.saveActor(write);
      unit.customers.push(write.lead.userId);
      census.lastWrite.set(write.lead.userId, write);
    },
    setTimer(timer) {
      tx.setTimer(timer);
      census.extra.timersSet++;
    },
    cancelTimer(actor, sendId) {
      tx.cancelTimer(actor, sendId);
      census.extra.timersCancelled++;
    },
    queueEffect(effect) {
      tx.queueEffect(effect);
      census.extra.effects++;
    },
    saveOrder(order) {
      tx.saveOrder(order);
      census.extra.orders++;
    },
    appendMessage(message) {
      tx.appendMessage(message);
      census.extra.messages++;
    },
  };
}

/**
 * The store, with every committed unit's writes recorded: for an untimed run of the same plan, so
 * that a baseline can commit the same rows in the same transactions. A unit that rolls back is
 * dropped from the census, as it is from the file.
 */
export function recordingStore<S extends ActorStore>(store: S): { store: S; census: CommitCensus } {
  const census: CommitCensus = { units: [], lastWrite: new Map(), extra: { timersSet: 0, timersCancelled: 0, effects: 0, orders: 0, messages: 0 } };
  const transact = <R>(work: (tx: StoreTx) => R): Promise<R> => {
    const unit: CensusUnit = { events: [], customers: [] };
    return store.transact((tx) => work(recordingTx(tx, unit, census))).then((result) => {
      census.units.push(unit);
      return result;
    });
  };
  const wrapped = new Proxy(store, {
    get(target, property) {
      if (property === "transact") return transact;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { store: wrapped, census };
}

/** The 28 values of `saveLeadSql` for a write, as the SQLite store's `saveActor` binds them (keep the two in step). */
export function leadValues(write: ActorWrite): Array<string | number | null> {
  const { lead } = write;
  return [
    lead.userId, lead.username, lead.name, lead.source, lead.firstSeenAt, lead.lastSeenAt, lead.stage, lead.ordersCount, lead.lifetimeValue,
    lead.lastOrderId, lead.consentAt, lead.consentVersion, lead.phone, JSON.stringify(lead.tags), JSON.stringify(lead.notes),
    JSON.stringify(lead.stageEnteredAt), lead.erasedAt, lead.blockedAt, lead.dormantSince ?? null, lead.lastReminderAt ?? null,
    lead.remindersSent ?? 0, lead.consentDeclined ?? null, lead.language ?? "ru", lead.unsubscribedAt ?? null, write.machineVersion, write.snapshot, write.lastSeq, leadSearchText(lead),
  ];
}
