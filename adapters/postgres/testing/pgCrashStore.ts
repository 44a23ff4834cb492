/**
 * The three-process test's view of a PostgreSQL store (adapters/postgres/threeProcesses.test.ts):
 * the tables read directly with `pg`, in one repeatable-read transaction, into the crash test's
 * {@link StoreView} (adapters/testing/crashStore.ts) so that its checks run unchanged, plus what
 * only this test checks: each customer's log in order with its times, the stages the rows hold,
 * and the order actors' logs.
 */
import pg from "pg";
import { replayLog } from "../../../actors/customerStepper.ts";
import { leadOf } from "../../../actors/customerSnapshot.ts";
import type { StoredEvent } from "../../../actors/store.port.ts";
import type { Told } from "../../testing/crashCustomers.ts";
import { asRecord, quantities, type EventRow, type StoreView } from "../../testing/crashStore.ts";
import type { OwnerTold } from "./crashOwner.ts";

/** A log row with its time, for the order checks. */
export type TimedEvent = EventRow & { readonly ts: number };

/** An event of an order actor (crm_actor_events). */
export interface ActorEventRow {
  readonly seq: number;
  readonly actor: string;
  readonly type: string;
  readonly key: string;
  readonly ts: number;
}

/** The crash test's view of the store, with what only PostgreSQL's checks need. */
export interface PgStoreView extends StoreView {
  readonly events: readonly TimedEvent[];
  /** Each lead's stage as its row holds it. */
  readonly stages: ReadonlyMap<number, string>;
  readonly actorEvents: readonly ActorEventRow[];
}

const cartOf = (snapshot: string): Map<string, number> => quantities(asRecord(asRecord(asRecord(JSON.parse(snapshot))["context"])["cart"])["lines"]);

/** Everything the checks read, in one snapshot of the database. */
export async function readPgStore(url: string): Promise<PgStoreView> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const rows = async (sql: string) => (await client.query<Record<string, unknown>>(sql)).rows;
    const events = (await rows("SELECT seq, user_id, type, payload, ts, key FROM crm_events ORDER BY seq")).map((row) => ({
      seq: Number(row["seq"]),
      userId: Number(row["user_id"]),
      type: String(row["type"]),
      payload: asRecord(JSON.parse(String(row["payload"]))),
      ts: Number(row["ts"]),
      key: String(row["key"]),
    }));
    const leads = await rows("SELECT user_id, stage, snapshot FROM crm_leads");
    const carts = new Map(leads.map((row) => [Number(row["user_id"]), cartOf(String(row["snapshot"]))] as const));
    const stages = new Map(leads.map((row) => [Number(row["user_id"]), String(row["stage"])] as const));
    const orders = (await rows("SELECT order_id, user_id, items FROM crm_orders")).map((row) => ({ orderId: String(row["order_id"]), userId: Number(row["user_id"]), items: quantities(JSON.parse(String(row["items"]))) }));
    const timers = (await rows("SELECT actor, send_id, due_at, key FROM crm_timers")).map((row) => ({ actor: String(row["actor"]), sendId: String(row["send_id"]), dueAt: Number(row["due_at"]), key: String(row["key"]) }));
    const effects = (await rows("SELECT key, actor, type, status FROM crm_effects")).map((row) => ({ key: String(row["key"]), actor: String(row["actor"]), type: String(row["type"]), status: String(row["status"]) }));
    const actorEvents = (await rows("SELECT seq, actor, type, key, ts FROM crm_actor_events ORDER BY seq")).map((row) => ({ seq: Number(row["seq"]), actor: String(row["actor"]), type: String(row["type"]), key: String(row["key"]), ts: Number(row["ts"]) }));
    await client.query("COMMIT");
    return { events, carts, orders, timers, effects, stages, actorEvents };
  } finally {
    await client.end();
  }
}

/** How many timers are due by `at` and how many effects are pending: what the end of the test waits to drain. */
export async function outstanding(url: string, at: number): Promise<{ readonly timers: number; readonly effects: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const timers = await client.query<{ n: string }>("SELECT count(*) AS n FROM crm_timers WHERE due_at <= $1", [at]);
    const effects = await client.query<{ n: string }>("SELECT count(*) AS n FROM crm_effects WHERE status = 'pending'");
    return { timers: Number(timers.rows[0]?.n ?? 0), effects: Number(effects.rows[0]?.n ?? 0) };
  } finally {
    await client.end();
  }
}

/**
 * Events applied out of order or twice for a customer: the events a customer was told of, taken in
 * the order the customer acted, must have growing seqs; each customer's log, in seq order, must
 * have times that never go back; and each acknowledged key is in the log once.
 */
export function orderProblems(told: readonly Told[], store: PgStoreView): string[] {
  const problems: string[] = [];
  const byKey = new Map<string, TimedEvent[]>();
  for (const event of store.events) byKey.set(event.key, [...(byKey.get(event.key) ?? []), event]);
  for (const [key, found] of byKey) if (found.length > 1) problems.push(`key ${key} is in the log ${found.length} times`);
  const lastSeq = new Map<number, { seq: number; what: string }>();
  for (const entry of told) {
    const event = entry.key === null ? undefined : byKey.get(entry.key)?.[0];
    if (!event) continue;
    const before = lastSeq.get(entry.userId);
    if (before && event.seq <= before.seq) problems.push(`customer ${entry.userId}: ${entry.what} (seq ${event.seq}) was applied before ${before.what} (seq ${before.seq}), which the customer did first`);
    lastSeq.set(entry.userId, { seq: event.seq, what: entry.what });
  }
  const lastAt = new Map<number, TimedEvent>();
  for (const event of store.events) {
    const before = lastAt.get(event.userId);
    if (before && event.ts < before.ts) problems.push(`customer ${event.userId}: ${event.type} (seq ${event.seq}, ${event.key}) is stamped ${before.ts - event.ts} ms before ${before.type} (seq ${before.seq}, ${before.key}), which precedes it in the log`);
    lastAt.set(event.userId, event);
  }
  return problems;
}

/**
 * Items counted twice: per customer and product, the cart plus every order holds exactly the items
 * the customer was told of (the highest "N in the cart" of each cart), never more. Customers who
 * erased their data are left out.
 */
export function doubledCartItems(told: readonly Told[], store: StoreView, leftOut: ReadonlySet<number>): string[] {
  const promised = new Map<string, number>();
  for (const entry of told) {
    if (!entry.added || leftOut.has(entry.userId)) continue;
    const key = `${entry.userId}|${entry.added.productId}|${entry.added.epoch}`;
    promised.set(key, Math.max(promised.get(key) ?? 0, entry.added.count));
  }
  const owed = new Map<string, number>();
  for (const [key, count] of promised) {
    const [userId, productId] = key.split("|");
    owed.set(`${userId}|${productId}`, (owed.get(`${userId}|${productId}`) ?? 0) + count);
  }
  const problems: string[] = [];
  for (const [sum, count] of owed) {
    const [userId = "0", productId = ""] = sum.split("|");
    const inCart = store.carts.get(Number(userId))?.get(productId) ?? 0;
    const ordered = store.orders.filter((order) => order.userId === Number(userId)).reduce((total, order) => total + (order.items.get(productId) ?? 0), 0);
    if (inCart + ordered > count) problems.push(`customer ${userId} was told of ${count} × ${productId} in all, and the store holds ${inCart + ordered} (cart ${inCart}, orders ${ordered})`);
  }
  return problems;
}

/** Leads whose stage differs from a replay of their log through the customer machine. */
export function stageProblems(store: PgStoreView): string[] {
  const logs = new Map<number, StoredEvent[]>();
  for (const event of store.events) {
    const stored = { seq: event.seq, userId: event.userId, type: event.type, payload: event.payload, at: event.ts, key: event.key } as StoredEvent;
    logs.set(event.userId, [...(logs.get(event.userId) ?? []), stored]);
  }
  const problems: string[] = [];
  for (const [userId, stage] of store.stages) {
    const replayed = leadOf(replayLog(userId, logs.get(userId) ?? [])).stage;
    if (replayed !== stage) problems.push(`customer ${userId}: crm_leads.stage is ${stage}, a replay of the log gives ${replayed}`);
  }
  for (const userId of logs.keys()) if (!store.stages.has(userId)) problems.push(`customer ${userId} has events and no lead row`);
  return problems;
}

/** The owner's confirmed moves that the order's log lacks, and moves an order's log holds twice. */
export function ownerProblems(told: readonly OwnerTold[], store: PgStoreView): string[] {
  const problems: string[] = [];
  for (const entry of told) {
    if (!store.actorEvents.some((event) => event.actor.endsWith(`:${entry.orderId}`) && event.type === entry.move)) problems.push(`the owner was told "${entry.text.split("\n")[0]}", and the log of ${entry.orderId} has no ${entry.move}`);
  }
  const counts = new Map<string, number>();
  for (const event of store.actorEvents) counts.set(`${event.actor} ${event.type}`, (counts.get(`${event.actor} ${event.type}`) ?? 0) + 1);
  for (const [which, count] of counts) if (count > 1) problems.push(`${which} is in the order's log ${count} times`);
  return problems;
}

/**
 * The consultant's answers that came after their question's deadline because the AI call was in
 * flight in a killed process (its row redelivered with an unknown outcome): the machine had fired
 * the question's timeout and told the customer "too slow", so it logs such an answer and sends
 * nothing. Returns their keys, and a problem for each customer told "too slow" more often than that.
 */
export function lateAnswers(store: StoreView, askRedelivered: ReadonlySet<string>, tooSlow: ReadonlyMap<number, number>): { readonly keys: ReadonlySet<string>; readonly problems: string[] } {
  const timedOut = new Set<number>();
  const late: EventRow[] = [];
  for (const event of store.events) {
    if (event.type === "question_asked") timedOut.delete(event.userId);
    if (event.type.startsWith("xstate.after.consultantTimeout.")) timedOut.add(event.userId);
    const redelivered = event.key.endsWith(":done") && askRedelivered.has(event.key.slice(0, -":done".length));
    if (event.type === "consultant_answered" && redelivered && timedOut.has(event.userId)) late.push(event);
  }
  const problems: string[] = [];
  for (const [userId, times] of tooSlow) {
    const explained = late.filter((event) => event.userId === userId).length;
    if (times > explained) problems.push(`customer ${userId} was told "too slow" ${times} time(s), and only ${explained} of their AI calls were in flight at a kill`);
  }
  return { keys: new Set(late.map((event) => event.key)), problems };
}

/** What the customers were told of the owner's moves: each `marked_paid` and `shipped` in an order's log, and the messages seen twice. */
export interface MoveNotices {
  readonly undelivered: string[];
  readonly duplicates: number;
  /** Doubles of an order's notices beyond its redeliveries of unknown outcome, in words. */
  readonly unbounded: string[];
}

/**
 * Each owner's move (paid, shipped) reached the customer's chat at least once (the order's
 * `notifyCustomerOfOrder` effect), and a notice seen twice was in flight at a kill.
 * `chat` gives the texts the shop bot sent a customer.
 */
export function moveNotices(store: PgStoreView, chat: (userId: number) => readonly string[], redeliveries: readonly { readonly key: string; readonly type: string }[]): MoveNotices {
  const notices: Readonly<Record<string, string>> = { marked_paid: "💳 Заказ {id} оплачен", shipped: "🚚 Заказ {id} отправлен" };
  const result: MoveNotices = { undelivered: [], duplicates: 0, unbounded: [] };
  let duplicates = 0;
  for (const event of store.actorEvents) {
    const notice = notices[event.type];
    const orderId = event.actor.slice(event.actor.indexOf(":") + 1);
    const order = store.orders.find((row) => row.orderId === orderId);
    if (!notice || !order) continue;
    const start = notice.replace("{id}", orderId);
    const seen = chat(order.userId).filter((text) => text.startsWith(start) && !/[0-9A-Z]/.test(text.charAt(start.length))).length;
    if (seen === 0) result.undelivered.push(`customer ${order.userId} was never told "${start}"`);
    if (seen > 1) {
      duplicates += seen - 1;
      const inFlight = redeliveries.filter((redelivery) => redelivery.type === "notifyCustomerOfOrder" && redelivery.key.includes(`:${orderId}:`)).length;
      if (seen - 1 > inFlight) result.unbounded.push(`customer ${order.userId} was told "${start}" ${seen} times, and only ${inFlight} of its order's notices were in flight at a kill`);
    }
  }
  return { ...result, duplicates };
}
