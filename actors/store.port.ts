import type { ActorLogReads, ActorLogTx } from "./actorLog.port.ts";
import type { BroadcastStore } from "./broadcastStore.port.ts";
import type { CatalogReads, CatalogTx } from "./catalogStore.port.ts";
import type { CampaignEventReads } from "./campaignStats.port.ts";
import type { JourneyReads } from "./journey.port.ts";
import type { StageTimeReads } from "./stageTime.port.ts";
import type { CohortReads } from "./cohorts.port.ts";
import type { ChartReads } from "./chartReads.port.ts";
import type { LifecycleReads } from "./lifecycle.port.ts";
import type { SegmentStore } from "./segments.port.ts";
import type { DurableQueues, NewEffect, TimerRow } from "./durableQueues.port.ts";
import type { MirrorOutbox } from "./mirrorOutbox.port.ts";
import type { OrderChange, OrdersSummary, StoredOrder } from "./storedOrder.port.ts";
import type { OrderStatus } from "../machines/order.types.ts";
import type {
  LeadFacts,
  CustomerEventType,
  MessageDirection,
  MessageType,
  Stage,
} from "../machines/customer.types.ts";

/**
 * The store port: what the runtime and the bots need from persistence, and nothing about how.
 * adapters/ implements it twice (SQLite and JSON); `storeContract` holds both to the same behaviour.
 *
 * The hot path (load an actor, append inside a transaction) is synchronous on purpose: both stores
 * keep an in-process handle, and a promise per event would cost more than the write itself.
 * Durability is asynchronous: `transact` resolves once the whole unit of work is on disk.
 */

/** The orders, durable queues and mirror outbox parts of the port, in ports of their own, also exported here for its importers. */
export { bringsRevenue, orderJustPlaced, type OrderChange, type OrderItem, type OrderLine, type OrderProgress, type OrdersSummary, type StoredOrder } from "./storedOrder.port.ts";
export type { DurableQueues, EffectAttempt, EffectStatus, NewEffect, StoredEffect, TimerRow } from "./durableQueues.port.ts";
export type { MirrorItem, MirrorOutbox } from "./mirrorOutbox.port.ts";

/** One row of the append-only event log. */
export interface StoredEvent {
  readonly seq: number;
  readonly userId: number;
  readonly type: CustomerEventType;
  /** The event without `type` and `at`. */
  readonly payload: Readonly<Record<string, unknown>>;
  readonly at: number;
  readonly key: string;
}

export interface NewEvent {
  readonly userId: number;
  readonly type: CustomerEventType;
  /** JSON of the payload, serialised once by the runtime. */
  readonly payload: string;
  readonly at: number;
  readonly key: string;
}

export interface StoredMessage {
  readonly id: number;
  readonly userId: number;
  readonly direction: MessageDirection;
  readonly type: MessageType;
  readonly text: string;
  readonly at: number;
}

export type NewMessage = Omit<StoredMessage, "id">;

/** The lead read model: one row per customer, in the columns of the Sheets "Leads" mirror (plus source and stage dates). */
export interface Lead extends LeadFacts {
  readonly stage: Stage;
}

/** A customer's persisted state: the read model and the XState snapshot, written together. */
export interface ActorWrite {
  readonly lead: Lead;
  /** `JSON.stringify(actor.getPersistedSnapshot())`. */
  readonly snapshot: string;
  readonly machineVersion: number;
  /** The seq of the last event folded into this snapshot. */
  readonly lastSeq: number;
  /** The stage as last persisted, or null for a customer seen for the first time; keeps funnel counters exact. */
  readonly previousStage: Stage | null;
}

export interface StoredActor {
  readonly userId: number;
  readonly stage: Stage;
  readonly snapshot: string;
  readonly machineVersion: number;
  readonly lastSeq: number;
  /** The newest seq in the customer's log; ahead of `lastSeq` means the snapshot is stale. */
  readonly logSeq: number;
}

/** The writes of one unit of work. Everything done through it commits together or not at all. */
export interface StoreTx extends ActorLogTx, CatalogTx {
  /** Appends an event, or returns null when an event with the same key is already stored (even in this unit). */
  appendEvent(event: NewEvent): number | null;
  /** The stored event with this key, including those appended earlier in this unit. */
  eventByKey(key: string): StoredEvent | undefined;
  appendMessage(message: NewMessage): void;
  saveActor(write: ActorWrite): void;
  /** Stores a new order. An order id that is already stored is a caller bug: it throws, and the unit rolls back. */
  saveOrder(order: StoredOrder): void;
  /**
   * Applies an order actor's change to its read model row, and queues the row for the Sheets mirror
   * as `saveOrder` does. An order that is not stored is a caller bug: it throws, and the unit rolls back.
   */
  updateOrder(orderId: string, change: OrderChange): void;
  /**
   * The storage side of `/forget`: deletes the customer's messages, and rewrites their event payloads
   * and orders through `redactEventPayload` / `redactOrder`, so no personal data is left in any row.
   * The lead row itself is rewritten by the `data_erased` event's `saveActor` in the same unit.
   * `sessionKeys` are the customer's chat sessions (a cart, a half-done checkout with its phone and
   * address): deleted in the same unit, and any write of them still queued is dropped, so that no
   * copy of them outlives the erasure in the file. The customer's pending and failed effects
   * (`customer:<userId>`) are deleted too: their params may hold what the customer wrote.
   */
  erasePersonalData(userId: number, sessionKeys?: readonly string[]): void;

  /** Arms a timer, replacing any armed timer of the same `(actor, sendId)`. */
  setTimer(timer: TimerRow): void;
  /** Disarms the timer of `(actor, sendId)`, if one is armed; nothing otherwise. */
  cancelTimer(actor: string, sendId: string): void;
  /** The armed timer of `(actor, sendId)`, seeing this unit's own changes. */
  timerOf(actor: string, sendId: string): TimerRow | undefined;
  /** Makes `timers` the actor's whole set of armed timers (after a replay recomputed them). */
  replaceTimers(actor: string, timers: readonly TimerRow[]): void;
  /** Queues an effect; an effect whose key is already queued (or failed) is left as it is. */
  queueEffect(effect: NewEffect): void;
  /** Removes a delivered (or dropped) effect from the outbox; nothing if it is not there. */
  completeEffect(key: string): void;
}

export interface EventFilter {
  readonly types?: readonly CustomerEventType[];
  /** Inclusive lower bound, epoch ms. */
  readonly since?: number;
  /** Exclusive upper bound, epoch ms. */
  readonly until?: number;
  /** The newest `limit` events, still returned oldest first. */
  readonly limit?: number;
}

export interface MessageFilter {
  readonly direction?: MessageDirection;
  /** The newest `limit` messages, still returned oldest first. */
  readonly limit?: number;
}

export interface PageRequest {
  readonly offset?: number;
  readonly limit?: number;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly offset: number;
  readonly limit: number;
  readonly hasMore: boolean;
}

export interface DailyStats {
  readonly day: string;
  readonly timeZone: string;
  readonly newLeads: number;
  readonly eventsByType: Readonly<Partial<Record<CustomerEventType, number>>>;
  readonly orders: number;
  readonly revenue: number;
  /** How many customers entered each stage that day (a skipped stage is not entered). */
  readonly stageMoves: Readonly<Partial<Record<Stage, number>>>;
}

export interface FunnelStep {
  readonly stage: Stage;
  /** Customers whose stage is this one now. */
  readonly current: number;
  /** Customers who ever reached this stage or a higher one. */
  readonly reached: number;
  /** reached ÷ reached of the previous stage; null where that is 0 (and for `new`). */
  readonly fromPrevious: number | null;
  /** reached ÷ reached of `new`; null where that is 0. */
  readonly fromNew: number | null;
  /** Of `current`, the customers who are dormant now (no act for the dormancy period): their stage stays, so they are counted apart. */
  readonly dormant: number;
}

export interface FunnelStats {
  readonly total: number;
  /** Dormant customers now, at every stage: the sum of the steps' `dormant`. */
  readonly dormant: number;
  readonly steps: readonly FunnelStep[];
}

/** The read side: every query of the original system, and the owner bot's. */
export interface CrmQueries {
  events(userId: number, filter?: EventFilter): Promise<readonly StoredEvent[]>;
  /**
   * Whether any committed event's key starts with `prefix`. A bot asks it with `shop:<update_id>:`
   * to know an update it already applied, whatever event that led to, before it reads the update
   * against a state that has moved on since. One index probe; a key of the form `<a>:<b>:` is the
   * cheap case in every store.
   */
  hasEventKeyPrefix(prefix: string): Promise<boolean>;
  stage(userId: number): Promise<Stage | null>;
  ordersCount(userId: number): Promise<number>;
  seen(userId: number): Promise<{ readonly firstSeenAt: number | null; readonly lastSeenAt: number | null } | null>;
  /** Counts for one calendar day (`YYYY-MM-DD`) in the given IANA time zone. */
  dailyStats(day: string, timeZone: string): Promise<DailyStats>;
  messages(userId: number, filter?: MessageFilter): Promise<readonly StoredMessage[]>;
  messagesCount(userId: number, filter?: Pick<MessageFilter, "direction">): Promise<number>;
  hasConsent(userId: number): Promise<boolean>;
  funnel(): Promise<FunnelStats>;
  /** Leads, the most recently seen first. */
  recentLeads(page?: PageRequest): Promise<Page<Lead>>;
  /** An exact user id, or words matched (by prefix, case-folded, Cyrillic too) over username, phone, notes and tags. */
  search(query: string, page?: PageRequest): Promise<Page<Lead>>;
  lead(userId: number): Promise<Lead | null>;
  /** Orders placed with `from <= at < to`, as the orders read model has them now; `latest` (default 5) newest first. */
  ordersSummary(range: { readonly from: number; readonly to: number; readonly latest?: number }): Promise<OrdersSummary>;
  /** A customer's orders, the newest first. */
  orders(userId: number, page?: PageRequest): Promise<Page<StoredOrder>>;
  order(orderId: string): Promise<StoredOrder | null>;
  /** Orders in a status (or all, with null), the newest first: the owner's "🧾 Orders" screen. One index walk. */
  ordersByStatus(status: OrderStatus | null, page?: PageRequest): Promise<Page<StoredOrder>>;
}

/**
 * Per-chat bot state (what is on the screen: search pages; the owner flows), as the values of
 * grammY's `StorageAdapter`. Values are JSON text; the adapter in adapters/telegram parses them.
 * Writes are durable when the promise resolves.
 */
export interface SessionStore {
  readSession(key: string): Promise<string | undefined>;
  writeSession(key: string, value: string): Promise<void>;
  deleteSession(key: string): Promise<void>;
}

/** The write side the runtime drives. */
export interface ActorStore extends DurableQueues, ActorLogReads {
  loadActor(userId: number): StoredActor | undefined;
  /** A customer's whole log, oldest first, for replay. */
  loadEvents(userId: number): readonly StoredEvent[];
  /**
   * Customers whose stored snapshot is behind their log, after a crash between two files of a
   * store that cannot write them atomically. The runtime's `recover()` rebuilds them at start-up.
   */
  staleActors(): readonly number[];
  /** Runs `work` as one unit of work; resolves with its result once it is durable, rejects (and keeps nothing) otherwise. */
  transact<R>(work: (tx: StoreTx) => R): Promise<R>;
  /**
   * Resolves once no copy of erased data is left outside the live rows (SQLite: its WAL truncated,
   * which a reader such as a backup may hold up), so `/forget` answers only then; rejects if the
   * store closes first. A store without such copies leaves it out.
   */
  erasureSettled?(): Promise<void>;
  close(): Promise<void>;
}

export interface CrmStore extends ActorStore, CrmQueries, SessionStore, MirrorOutbox, CatalogReads, CampaignEventReads, JourneyReads, ChartReads, StageTimeReads, CohortReads, LifecycleReads, SegmentStore {
  /** Which store this is, for logs and the README's configuration. */
  readonly kind: "sqlite" | "json" | "postgres";
  /** Broadcasts and their recipients' delivery state (actors/broadcastStore.port.ts). */
  readonly broadcasts: BroadcastStore;
}

/** The reads of the customers' event log, messages and leads, which each store answers from one part of its own (e.g. adapters/sqlite/sqliteLeadReads.ts). */
export type CustomerLogReads = Pick<
  CrmStore,
  "hasEventKeyPrefix" | "events" | "stage" | "ordersCount" | "seen" | "dailyStats" | "messages" | "messagesCount" | "hasConsent" | "funnel" | "recentLeads" | "search" | "lead"
>;
