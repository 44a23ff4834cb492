/**
 * The crash test's view of the store (adapters/crashUnderLoad.test.ts): the SQLite file read with
 * node:sqlite, read-only, in one read transaction, while `npm start` runs on it; and the checks of
 * what it holds against what the customers were told. Each check returns what was lost, in words.
 */
import { existsSync, readFileSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import type { Told } from "./crashCustomers.ts";

/** A row of the event log, its payload parsed. */
export interface EventRow {
  readonly seq: number;
  readonly userId: number;
  readonly type: string;
  readonly payload: Record<string, unknown>;
  readonly key: string;
}

/** A pending timer: whose, which delayed event, when it is due, and the key its firing will carry. */
export interface TimerRow {
  readonly actor: string;
  readonly sendId: string;
  readonly dueAt: number;
  readonly key: string;
}

/** What the checks read of the store, all from one read transaction. */
export interface StoreView {
  readonly events: readonly EventRow[];
  /** Each customer's cart lines, from the actor's snapshot in its lead row. */
  readonly carts: ReadonlyMap<number, ReadonlyMap<string, number>>;
  readonly orders: readonly { readonly orderId: string; readonly userId: number; readonly items: ReadonlyMap<string, number> }[];
  readonly timers: readonly TimerRow[];
  readonly effects: readonly { readonly key: string; readonly actor: string; readonly type: string; readonly status: string }[];
}

/** A JSON value as an object's fields, or none. */
export const asRecord = (value: unknown): Record<string, unknown> => (typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {});

/** Order or cart lines as quantities per product. */
export function quantities(lines: unknown): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of Array.isArray(lines) ? lines : []) {
    const { productId, qty } = asRecord(line);
    if (typeof productId === "string" && typeof qty === "number") map.set(productId, (map.get(productId) ?? 0) + qty);
  }
  return map;
}

/** Everything the checks read, in one read transaction; the connection is closed before it returns. */
export function readStore(path: string): StoreView {
  const db = new DatabaseSync(path, { readOnly: true, timeout: 10_000 });
  try {
    db.exec("BEGIN");
    const events = db.prepare("SELECT seq, user_id, type, payload, key FROM crm_events ORDER BY seq").all().map((row) => ({
      seq: Number(row["seq"]),
      userId: Number(row["user_id"]),
      type: String(row["type"]),
      payload: asRecord(JSON.parse(String(row["payload"]))),
      key: String(row["key"]),
    }));
    const carts = new Map(
      db.prepare("SELECT user_id, snapshot FROM crm_leads").all().map((row) => [Number(row["user_id"]), quantities(asRecord(asRecord(asRecord(JSON.parse(String(row["snapshot"])))["context"])["cart"])["lines"])] as const),
    );
    const orders = db.prepare("SELECT order_id, user_id, items FROM crm_orders").all().map((row) => ({ orderId: String(row["order_id"]), userId: Number(row["user_id"]), items: quantities(JSON.parse(String(row["items"]))) }));
    const timers = db.prepare("SELECT actor, send_id, due_at, key FROM crm_timers").all().map((row) => ({ actor: String(row["actor"]), sendId: String(row["send_id"]), dueAt: Number(row["due_at"]), key: String(row["key"]) }));
    const effects = db.prepare("SELECT key, actor, type, status FROM crm_effects").all().map((row) => ({ key: String(row["key"]), actor: String(row["actor"]), type: String(row["type"]), status: String(row["status"]) }));
    db.exec("COMMIT");
    return { events, carts, orders, timers, effects };
  } finally {
    db.close();
  }
}

/** A firing of the abandoned-cart reminder's delay. */
export const isCartReminderFiring = (event: Pick<EventRow, "type" | "key">): boolean => event.key.startsWith("t:") && event.type.startsWith("xstate.after.cartReminder.");

/** Every acknowledgement whose event is not in the log: an added item, a consent, an order, an answer, a reminder. */
export function lostAcknowledgements(told: readonly Told[], store: StoreView): string[] {
  const keys = new Map(store.events.map((event) => [event.key, event]));
  const erased = new Set(store.events.filter((event) => event.type === "data_erased").map((event) => event.userId));
  const lostOnes: string[] = [];
  const say = (entry: Told, missing: string) => lostOnes.push(`customer ${entry.userId} was told "${entry.text.slice(0, 80)}" (${entry.what}, update ${entry.updateId ?? "—"}), but ${missing}`);
  for (const entry of told) {
    if (entry.key !== null && keys.get(entry.key)?.userId !== entry.userId) say(entry, `the log has no ${entry.key}`);
    if (entry.orderId !== undefined && !store.orders.some((order) => order.orderId === entry.orderId && order.userId === entry.userId)) say(entry, `crm_orders has no ${entry.orderId}`);
    if (entry.answer !== undefined && !store.events.some((event) => event.userId === entry.userId && event.type === "consultant_answered" && (event.payload["text"] === entry.answer || (erased.has(entry.userId) && event.payload["text"] === "")))) {
      say(entry, "the log has no consultant_answered with that text");
    }
    if (entry.reminder && !store.events.some((event) => event.userId === entry.userId && isCartReminderFiring(event))) say(entry, "the log has no firing of the cart reminder");
  }
  return lostOnes;
}

/**
 * Items a customer was told are in the cart and the store holds neither in the cart nor in an
 * order: per product, the cart plus every order must hold at least the highest "N in the cart" of
 * each cart the customer filled (customers here never take items out).
 */
export function lostCartItems(told: readonly Told[], store: StoreView, leftOut: ReadonlySet<number>): string[] {
  const promised = new Map<string, { count: number; told: Told }>();
  for (const entry of told) {
    if (!entry.added || leftOut.has(entry.userId)) continue;
    const key = `${entry.userId}|${entry.added.productId}|${entry.added.epoch}`;
    if ((promised.get(key)?.count ?? 0) < entry.added.count) promised.set(key, { count: entry.added.count, told: entry });
  }
  const owed = new Map<string, { count: number; told: Told }>();
  for (const [key, value] of promised) {
    const [userId, productId] = key.split("|");
    const sum = `${userId}|${productId}`;
    owed.set(sum, { count: (owed.get(sum)?.count ?? 0) + value.count, told: value.told });
  }
  const problems: string[] = [];
  for (const [sum, { count, told: last }] of owed) {
    const [userId = 0, productId = ""] = sum.split("|");
    const inCart = store.carts.get(Number(userId))?.get(productId) ?? 0;
    const ordered = store.orders.filter((order) => order.userId === Number(userId)).reduce((total, order) => total + (order.items.get(productId) ?? 0), 0);
    if (inCart + ordered < count) {
      problems.push(`customer ${userId} was told ${count} × ${productId} in all (last "${last.text}", update ${last.updateId}), but the store holds ${inCart + ordered} (cart ${inCart}, orders ${ordered})`);
    }
  }
  return problems;
}

/**
 * The timers in the log: each firing once (its key is unique), and at most one reminder firing and
 * one `reminder_sent` per cart a customer filled (a cart ends with an order or an erasure).
 */
export function timerProblems(store: StoreView): string[] {
  const problems: string[] = [];
  const firings = store.events.filter((event) => event.key.startsWith("t:"));
  if (new Set(firings.map((event) => event.key)).size !== firings.length) problems.push("a timer's firing key is in the log twice");
  const perCart = new Map<string, { firings: number; sent: number }>();
  const cartOf = new Map<number, number>();
  for (const event of store.events) {
    if (event.type === "order_created" || event.type === "data_erased") cartOf.set(event.userId, (cartOf.get(event.userId) ?? 0) + 1);
    const cart = `${event.userId}/${cartOf.get(event.userId) ?? 0}`;
    const counts = perCart.get(cart) ?? { firings: 0, sent: 0 };
    if (isCartReminderFiring(event)) counts.firings += 1;
    if (event.type === "reminder_sent") counts.sent += 1;
    perCart.set(cart, counts);
  }
  for (const [cart, counts] of perCart) {
    if (counts.firings > 1) problems.push(`customer ${cart.split("/")[0]}'s cart #${cart.split("/")[1]} has ${counts.firings} reminder firings in the log`);
    if (counts.sent > 1) problems.push(`customer ${cart.split("/")[0]}'s cart #${cart.split("/")[1]} has ${counts.sent} reminder_sent in the log`);
  }
  return problems;
}

/** Which of `values` occur anywhere in the SQLite file or its WAL, as UTF-8 bytes. */
export function piiOnDisk(databasePath: string, values: readonly string[]): string[] {
  const files = [databasePath, `${databasePath}-wal`].filter((path) => existsSync(path)).map((path) => readFileSync(path));
  return values.filter((value) => files.some((bytes) => bytes.includes(Buffer.from(value, "utf8"))));
}

/** The timer rows due at or before `at`, read alone: cheap enough to poll while waiting for them to fire. */
export function timersDueBy(path: string, at: number): TimerRow[] {
  const db = new DatabaseSync(path, { readOnly: true, timeout: 10_000 });
  try {
    return db.prepare("SELECT actor, send_id, due_at, key FROM crm_timers WHERE due_at <= ? ORDER BY due_at").all(at).map((row) => ({ actor: String(row["actor"]), sendId: String(row["send_id"]), dueAt: Number(row["due_at"]), key: String(row["key"]) }));
  } finally {
    db.close();
  }
}

/** Whether a reminder is still to come: a cart reminder's timer armed, or its effect waiting in the outbox. */
export function reminderOutstanding(path: string): boolean {
  const db = new DatabaseSync(path, { readOnly: true, timeout: 10_000 });
  try {
    const timers = db.prepare("SELECT count(*) AS n FROM crm_timers WHERE send_id LIKE 'xstate.after.cartReminder.%'").get();
    const effects = db.prepare("SELECT count(*) AS n FROM crm_effects WHERE type = 'sendCartReminder'").get();
    return Number(timers?.["n"] ?? 0) + Number(effects?.["n"] ?? 0) > 0;
  } finally {
    db.close();
  }
}
