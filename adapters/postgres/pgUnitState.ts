import type { StoredActor, StoredEvent } from "../../actors/store.port.ts";
import type { StoredActorEvent } from "../../actors/actorLog.port.ts";
import { PgUnit } from "./pgUnit.ts";
import type { SyncBridge } from "./syncBridge.ts";

/**
 * What the PostgreSQL store keeps between and within units: the open unit, the newest seq this
 * process has seen of each customer's (and other actor's) log, which is what a unit's version
 * check compares, and what a unit appended, so that its own reads see it.
 */
export class PgUnitState {
  readonly bridge: SyncBridge;
  /** Each customer's newest seq as this process last loaded or committed it. */
  readonly knownSeq = new Map<number, number>();
  readonly knownActorSeq = new Map<string, number>();
  current: PgUnit | null = null;
  /** Events appended in the open unit, by key. */
  readonly appended = new Map<string, StoredEvent>();
  readonly appendedActor = new Map<string, StoredActorEvent>();
  /** Orders the open unit saved. */
  readonly ordersSaved = new Set<string>();
  /** Keys a prepared unit found stored (true) or absent (false). */
  readonly keysChecked = new Map<string, boolean>();
  /** Customers a prepared unit fetched (undefined: no row), valid while it is open: they are locked. */
  readonly prefetched = new Map<number, StoredActor | undefined>();
  /** The time of the open unit, read from the clock when it began: everything it queues shares it. */
  unitTime = 0;
  /** Bound to the knownSeq bookkeeping that a unit records on commit. */
  private readonly seqsOfUnit = new Map<number, number>();
  private readonly actorSeqsOfUnit = new Map<string, number>();

  constructor(bridge: SyncBridge) {
    this.bridge = bridge;
  }

  /** The open unit; a write outside one is a caller bug. */
  unit(): PgUnit {
    if (!this.current) throw new Error("a PostgreSQL write outside a unit of work");
    return this.current;
  }

  /** A read: inside the open unit (after its buffered writes, so it sees them), or on its own. */
  read<Row = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Row[] {
    return this.current ? this.current.read<Row>(sql, params) : this.bridge.query<Row>(sql, params);
  }

  /** Locks the customer in the open unit (if any), checking that their log is where this process last saw it. */
  touchCustomer(userId: number): void {
    this.current?.lockCustomer(userId, this.knownSeq.get(userId));
  }

  touchActor(actor: string): void {
    this.current?.lockActor(actor, this.knownActorSeq.get(actor));
  }

  /** Whether the open unit appended to this customer's log. */
  appendedTo(userId: number): boolean {
    return this.seqsOfUnit.has(userId);
  }

  noteAppended(event: StoredEvent): void {
    this.appended.set(event.key, event);
    this.seqsOfUnit.set(event.userId, event.seq);
  }

  noteAppendedActor(event: StoredActorEvent): void {
    this.appendedActor.set(event.key, event);
    this.actorSeqsOfUnit.set(event.actor, event.seq);
  }

  begin(unitTime: number, expectedEvents?: number): PgUnit {
    if (this.current) throw new Error("a PostgreSQL unit of work inside another");
    this.current = new PgUnit(this.bridge, expectedEvents);
    this.unitTime = unitTime;
    return this.current;
  }

  /** Ends the unit; on commit, the seqs it appended become what this process knows of those logs. */
  end(committed: boolean): void {
    if (committed) {
      for (const [userId, seq] of this.seqsOfUnit) this.knownSeq.set(userId, seq);
      for (const [actor, seq] of this.actorSeqsOfUnit) this.knownActorSeq.set(actor, seq);
    }
    this.current = null;
    this.appended.clear();
    this.appendedActor.clear();
    this.keysChecked.clear();
    this.ordersSaved.clear();
    this.prefetched.clear();
    this.seqsOfUnit.clear();
    this.actorSeqsOfUnit.clear();
  }
}
