/**
 * The log and snapshot of an actor other than a customer (an order today; a broadcast later): the
 * same shape as a customer's, in tables of their own, keyed by the actor's address `<kind>:<id>`.
 * Written only inside a unit of work (`StoreTx`), like everything an actor does.
 */

/** An order's actor address: its log, state, timers and effects are kept under it. */
export const orderActor = (orderId: string): string => `order:${orderId}`;

export interface StoredActorEvent {
  readonly seq: number;
  /** `<kind>:<id>`, e.g. `order:SO-2F7K`. */
  readonly actor: string;
  readonly type: string;
  /** The event without `type`, `at` and `seq`. */
  readonly payload: Readonly<Record<string, unknown>>;
  readonly at: number;
  readonly key: string;
}

export interface NewActorEvent {
  readonly actor: string;
  readonly type: string;
  /** JSON of the payload, serialised once by the runtime. */
  readonly payload: string;
  readonly at: number;
  readonly key: string;
}

/** An actor's persisted state: its XState snapshot, the machine version that wrote it, and how far into its log it is. */
export interface ActorStateWrite {
  readonly snapshot: string;
  readonly machineVersion: number;
  readonly lastSeq: number;
}

export interface StoredActorState extends ActorStateWrite {
  readonly actor: string;
  /** The newest seq in the actor's log; ahead of `lastSeq` means the snapshot is stale. */
  readonly logSeq: number;
}

/** The writes, inside a unit. */
export interface ActorLogTx {
  /** Appends an event, or returns null when an event with the same key is already stored (even in this unit). Keys are unique across all actors of this log. */
  appendActorEvent(event: NewActorEvent): number | null;
  /** The stored event with this key, including those appended earlier in this unit. */
  actorEventByKey(key: string): StoredActorEvent | undefined;
  saveActorState(actor: string, state: ActorStateWrite): void;
}

/** The reads: the runtime's (synchronous, as for customers) and the bots' (an order's history). */
export interface ActorLogReads {
  loadActorState(actor: string): StoredActorState | undefined;
  /** The actor's whole log, oldest first, for replay. */
  loadActorEvents(actor: string): readonly StoredActorEvent[];
  /** The same, for screens. */
  actorEvents(actor: string): Promise<readonly StoredActorEvent[]>;
  /**
   * Actors whose stored state is behind their log, after a crash between two files of a store that
   * cannot write them atomically; the order runtime's `recover()` rebuilds them at start-up. A store
   * that commits the log and the state together (SQLite) need not implement it.
   */
  staleActorStates?(): readonly string[];
}
