import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { Low } from "lowdb";
import { acquireProcessLock } from "../processLock.ts";
import { JSONFile } from "lowdb/node";
import { dayBounds } from "../../actors/calendar.ts";
import { funnelFromCounts } from "../../actors/funnelStats.ts";
import { pageBounds, pageOf } from "../../actors/paging.ts";
import { redactEventPayload, redactOrder } from "../../actors/personalData.ts";
import { leadSearchText, parseSearchQuery } from "../../actors/searchQuery.ts";
import type {
  ActorWrite,
  CrmStore,
  Lead,
  MirrorItem,
  NewMessage,
  Page,
  PageRequest,
  StoredActor,
  StoredEvent,
  StoredMessage,
  StoredOrder,
  StoreTx,
} from "../../actors/store.port.ts";
import { stages, type CustomerEventType, type Stage } from "../../machines/customerFunnel.types.ts";
import { fileRewriter, replaceFile, tempPathOf } from "./atomicFile.ts";

export interface JsonStoreOptions {
  /** A folder of its own: the store keeps its files there (events.jsonl, actors.jsonl, leads.json, sessions.json). */
  readonly dir: string;
  /** Fold the actors journal into the lowdb checkpoint once it holds this many records (at least the number of customers). */
  readonly checkpointEvery?: number;
  /**
   * Where a mirror item's `queuedAt` comes from (default: the system clock); tests pass a manual one.
   * A unit of work reads it once: everything it queues shares one time.
   */
  readonly clock?: { now(): number };
}

type ActorRecord = Omit<ActorWrite, "previousStage">;

interface Checkpoint {
  readonly format: 1;
  /** Journal batches up to this number are folded in. */
  throughBatch: number;
  actors: ActorRecord[];
}

/** What a unit queued for the Sheets mirror, all at one time: lead refs and order ids, once per `saveActor` / `saveOrder`. */
interface MirrorQueued {
  readonly at: number;
  readonly lead: string[];
  readonly order: string[];
}

/** Mirror items marked done, each as [ref, the version the mirror read]. */
interface MirrorDone {
  readonly lead: Array<[string, number]>;
  readonly order: Array<[string, number]>;
}

interface LogLine {
  readonly b: number;
  readonly e: StoredEvent[];
  readonly m: StoredMessage[];
  /** Orders saved in the unit, in the same line as its `order_created`; absent from older lines. */
  readonly o?: StoredOrder[];
  /**
   * Mirror items the unit queued. They live and die with the line: replaying the log rebuilds the
   * outbox, so a crash keeps an item exactly when it keeps the change. Absent from older lines.
   */
  readonly q?: MirrorQueued;
  /** Mirror items completed, in a line of their own, so the replay deletes them at the same point. */
  readonly c?: MirrorDone;
}

interface SessionsFile {
  readonly format: 1;
  readonly sessions: Record<string, string>;
}

interface ActorsLine {
  readonly b: number;
  readonly a: ActorRecord[];
}

/** Reads a JSON Lines file; a torn last line (a crash mid-append, never acknowledged) is cut off. */
function readLines<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, "utf8");
  const lines: T[] = [];
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf("\n", start);
    if (end === -1) break;
    const line = text.slice(start, end);
    try {
      lines.push(JSON.parse(line) as T);
    } catch {
      throw new Error(`${path}: line ${lines.length + 1} is not valid JSON; the store will not guess what it held`);
    }
    start = end + 1;
  }
  if (start < text.length) {
    const fd = openSync(path, "r+");
    ftruncateSync(fd, Buffer.byteLength(text.slice(0, start)));
    closeSync(fd);
  }
  return lines;
}

function page<T>(all: readonly T[], request: PageRequest | undefined): Page<T> {
  const { offset, limit } = pageBounds(request);
  return pageOf(all.slice(offset, offset + limit + 1), offset, limit);
}

const byRecent = (a: Lead, b: Lead): number => (b.lastSeenAt ?? 0) - (a.lastSeenAt ?? 0) || b.userId - a.userId;

/** Orders the newest first; of two at the same time, the one saved later first (as SQLite's rowid order does). */
const newestFirst = (orders: readonly StoredOrder[]): StoredOrder[] => [...orders].reverse().sort((a, b) => b.at - a.at);

/**
 * How many of these leads entered each stage within `[start, end)`, read from their stage dates.
 * A scan of every lead, as the rest of this store's daily stats are: it is meant for a small shop.
 */
function stageMovesIn(leads: readonly Lead[], start: number, end: number): Partial<Record<Stage, number>> {
  const counts: Partial<Record<Stage, number>> = {};
  for (const lead of leads) {
    for (const stage of stages) {
      const entered = lead.stageEnteredAt[stage];
      if (typeof entered === "number" && entered >= start && entered < end) counts[stage] = (counts[stage] ?? 0) + 1;
    }
  }
  const inOrder: Partial<Record<Stage, number>> = {};
  for (const stage of stages) if (counts[stage] !== undefined) inOrder[stage] = counts[stage];
  return inOrder;
}

/** Lead records written before names, erasure and blocks existed read as having none. */
function upgradeRecord(record: ActorRecord): ActorRecord {
  return { ...record, lead: { ...record.lead, name: record.lead.name ?? null, erasedAt: record.lead.erasedAt ?? null, blockedAt: record.lead.blockedAt ?? null } };
}

function redactEvent(event: StoredEvent): StoredEvent {
  return { ...event, payload: redactEventPayload(event.type, event.payload) };
}

/** A log line as `/forget` of these customers leaves it: their messages gone, their events and orders redacted. */
function redactLine(line: LogLine, erased: ReadonlySet<number>): LogLine {
  return {
    ...line,
    e: line.e.map((event) => (erased.has(event.userId) ? redactEvent(event) : event)),
    m: line.m.filter((message) => !erased.has(message.userId)),
    ...(line.o ? { o: line.o.map((order) => (erased.has(order.userId) ? redactOrder(order) : order)) } : {}),
  };
}

/** Reads `sessions.json`. It is only ever replaced whole, so a parse error is damage, not a torn write. */
function readSessions(path: string): Map<string, string> {
  if (!existsSync(path)) return new Map();
  try {
    return new Map(Object.entries((JSON.parse(readFileSync(path, "utf8")) as SessionsFile).sessions));
  } catch {
    throw new Error(`${path} is not a valid sessions file; the store will not guess what it held`);
  }
}

/** What one unit of work has staged; it reaches the files and the queries only when the unit commits. */
interface Unit {
  readonly events: StoredEvent[];
  readonly eventsByKey: Map<string, StoredEvent>;
  messages: StoredMessage[];
  readonly orders: StoredOrder[];
  readonly actors: Map<number, ActorRecord>;
  /** Customers whose personal data the unit erases from everything stored before it. */
  readonly erased: Set<number>;
  readonly queued: MirrorQueued;
}

const newUnit = (at: number): Unit => ({
  events: [],
  eventsByKey: new Map(),
  messages: [],
  orders: [],
  actors: new Map(),
  erased: new Set(),
  queued: { at, lead: [], order: [] },
});

/** `/forget` of one customer over what the unit staged so far; what the unit stages after it stays as it is. */
function eraseStaged(unit: Unit, userId: number): void {
  unit.erased.add(userId);
  unit.events.forEach((event, i) => {
    if (event.userId !== userId) return;
    const redacted = redactEvent(event);
    unit.events[i] = redacted;
    unit.eventsByKey.set(redacted.key, redacted);
  });
  unit.messages = unit.messages.filter((message) => message.userId !== userId);
  unit.orders.forEach((order, i) => {
    if (order.userId === userId) unit.orders[i] = redactOrder(order);
  });
}

const queuesAny = (queued: MirrorQueued): boolean => queued.lead.length > 0 || queued.order.length > 0;

function lineOf(b: number, unit: Unit): LogLine {
  return {
    b,
    e: unit.events,
    m: unit.messages,
    ...(unit.orders.length > 0 ? { o: unit.orders } : {}),
    ...(queuesAny(unit.queued) ? { q: unit.queued } : {}),
  };
}

/** A queued mirror item as the outbox holds it; `seq` is its insertion number, which breaks ties of time. */
interface Queued {
  version: number;
  readonly queuedAt: number;
  readonly seq: number;
}

/**
 * The Sheets mirror's outbox, rebuilt from the log's `q` and `c` and changed, once a line is on disk,
 * by the same two steps: so what a replay rebuilds is what the store held.
 */
function mirrorOutbox() {
  const items: Record<MirrorItem["kind"], Map<string, Queued>> = { lead: new Map(), order: new Map() };
  let seq = 0;
  const queue = (kind: MirrorItem["kind"], ref: string, at: number): void => {
    const item = items[kind].get(ref);
    if (item) item.version += 1;
    else items[kind].set(ref, { version: 1, queuedAt: at, seq: ++seq });
  };
  return {
    items,
    apply(line: Pick<LogLine, "q" | "c">): void {
      const { q, c } = line;
      if (q) {
        for (const ref of q.lead) queue("lead", ref, q.at);
        for (const ref of q.order) queue("order", ref, q.at);
      }
      if (c) {
        for (const kind of ["lead", "order"] as const) {
          for (const [ref, version] of c[kind]) if (items[kind].get(ref)?.version === version) items[kind].delete(ref);
        }
      }
    },
    /** The items still pending at the version given, each once: what a completion of them changes. */
    stillPending(done: readonly MirrorItem[]): MirrorDone {
      const result: MirrorDone = { lead: [], order: [] };
      const seen = new Set<string>();
      for (const item of done) {
        const id = `${item.kind}:${item.ref}`;
        if (seen.has(id) || items[item.kind].get(item.ref)?.version !== item.version) continue;
        seen.add(id);
        result[item.kind].push([item.ref, item.version]);
      }
      return result;
    },
    pending(kind: MirrorItem["kind"], limit: number): MirrorItem[] {
      return [...items[kind]]
        .sort(([, a], [, b]) => a.queuedAt - b.queuedAt || a.seq - b.seq)
        .slice(0, Math.max(0, Math.floor(limit)))
        .map(([ref, item]) => ({ kind, ref, version: item.version, queuedAt: item.queuedAt }));
    },
  };
}

/**
 * The zero-setup store: JSON files in a folder, for a small shop or a quick try.
 *
 * The event log, messages and orders go to `events.jsonl`, append-only, one line per unit of work
 * (so an order and its `order_created` land together or not at all); lead snapshots go to
 * `actors.jsonl`, which is folded from time to time into `leads.json` through lowdb. So the cost
 * of a write does not grow with the history: lowdb rewrites only the leads, and only once per as
 * many writes as there are leads. Everything is also held in memory for the queries.
 *
 * Each line also carries what its unit queued for the Sheets mirror, and the mirror's completions
 * are lines too, so the outbox is rebuilt from the log and survives a crash exactly as the change does.
 *
 * `/forget` is the exception: it rewrites the whole log (temporary file, then rename) and folds the
 * checkpoint at once, because no file may keep the erased data. Bot sessions live apart, in
 * `sessions.json`, replaced whole on each change; that suits the few chats of a small shop.
 */
export async function openJsonStore(options: JsonStoreOptions): Promise<CrmStore> {
  mkdirSync(options.dir, { recursive: true });
  const release = acquireProcessLock(join(options.dir, "LOCK"));
  try {
    return await openLocked(options, release);
  } catch (error) {
    release();
    throw error;
  }
}

async function openLocked(options: JsonStoreOptions, release: () => void): Promise<CrmStore> {
  const eventsPath = join(options.dir, "events.jsonl");
  const actorsPath = join(options.dir, "actors.jsonl");
  const sessionsPath = join(options.dir, "sessions.json");
  const leadsPath = join(options.dir, "leads.json");
  // A temporary file is never the truth: its rename did not happen, so what it held was not acknowledged.
  // (lowdb stages leads.json under the same name.) Removing it also removes any personal data it held.
  for (const path of [eventsPath, sessionsPath, leadsPath]) rmSync(tempPathOf(path), { force: true });
  const checkpoint = new Low<Checkpoint>(new JSONFile(leadsPath), { format: 1, throughBatch: 0, actors: [] });
  await checkpoint.read();

  const events: StoredEvent[] = [];
  const eventsByUser = new Map<number, StoredEvent[]>();
  const eventsByKey = new Map<string, StoredEvent>();
  const messagesByUser = new Map<number, StoredMessage[]>();
  const ordersById = new Map<string, StoredOrder>();
  const ordersByUser = new Map<number, StoredOrder[]>();
  const actors = new Map<number, ActorRecord>();
  const sessions = readSessions(sessionsPath);
  const outbox = mirrorOutbox();
  const clock = options.clock ?? { now: () => Date.now() };
  let batchNo = checkpoint.data.throughBatch;
  let nextSeq = 1;
  let nextMessageId = 1;
  let journalled = 0;

  const remember = (event: StoredEvent): void => {
    events.push(event);
    eventsByKey.set(event.key, event);
    const own = eventsByUser.get(event.userId);
    if (own) own.push(event);
    else eventsByUser.set(event.userId, [event]);
    nextSeq = Math.max(nextSeq, event.seq + 1);
  };
  const rememberMessage = (message: StoredMessage): void => {
    const own = messagesByUser.get(message.userId);
    if (own) own.push(message);
    else messagesByUser.set(message.userId, [message]);
    nextMessageId = Math.max(nextMessageId, message.id + 1);
  };
  const rememberOrder = (order: StoredOrder): void => {
    ordersById.set(order.orderId, order);
    const own = ordersByUser.get(order.userId);
    if (own) own.push(order);
    else ordersByUser.set(order.userId, [order]);
  };

  for (const record of checkpoint.data.actors) actors.set(record.lead.userId, upgradeRecord(record));
  for (const line of readLines<LogLine>(eventsPath)) {
    line.e.forEach(remember);
    line.m.forEach(rememberMessage);
    line.o?.forEach(rememberOrder);
    outbox.apply(line);
    batchNo = Math.max(batchNo, line.b);
  }
  for (const line of readLines<ActorsLine>(actorsPath)) {
    if (line.b <= checkpoint.data.throughBatch) continue;
    for (const record of line.a) actors.set(record.lead.userId, upgradeRecord(record));
    journalled += line.a.length;
    batchNo = Math.max(batchNo, line.b);
  }

  let eventsFile: FileHandle = await open(eventsPath, "a");
  let actorsFile: FileHandle = await open(actorsPath, "a");
  let tail: Promise<unknown> = Promise.resolve();
  let isOpen = true;
  const reservedKeys = new Set<string>();
  const reservedOrders = new Set<string>();
  const saveSessions = fileRewriter(sessionsPath, () => JSON.stringify({ format: 1, sessions: Object.fromEntries(sessions) } satisfies SessionsFile));
  let sessionsSaved: Promise<unknown> = Promise.resolve();

  async function foldCheckpoint(): Promise<void> {
    checkpoint.data.throughBatch = batchNo;
    checkpoint.data.actors = [...actors.values()];
    await checkpoint.write();
    await actorsFile.close();
    actorsFile = await open(actorsPath, "w");
    journalled = 0;
  }

  /** Customers whose lead record is behind a `data_erased` in their log: a crash came between the log and the fold. */
  function erasedBehindLog(): number[] {
    const behind: number[] = [];
    for (const [userId, own] of eventsByUser) {
      const lastSeq = actors.get(userId)?.lastSeq ?? 0;
      if (own.some((event) => event.type === "data_erased" && event.seq > lastSeq)) behind.push(userId);
    }
    return behind;
  }

  // Their old records still hold the personal data: drop them now; `recover()` rebuilds them from the redacted log.
  const unfolded = erasedBehindLog();
  for (const userId of unfolded) actors.delete(userId);
  if (unfolded.length > 0) await foldCheckpoint();

  async function appendLine(file: FileHandle, line: string): Promise<void> {
    await file.write(line);
    await file.datasync();
  }

  /** Rewrites the whole log without these customers' personal data, with the unit's line at its end, in one rename. */
  async function rewriteLog(erased: ReadonlySet<number>, unitLine: string): Promise<void> {
    const kept = readLines<LogLine>(eventsPath).map((line) => `${JSON.stringify(redactLine(line, erased))}\n`);
    await replaceFile(eventsPath, kept.join("") + unitLine);
    await eventsFile.close();
    eventsFile = await open(eventsPath, "a");
  }

  /** Applies a committed erasure to what the queries see. */
  function forgetCommitted(userId: number): void {
    messagesByUser.delete(userId);
    const redacted = new Map((eventsByUser.get(userId) ?? []).map((event) => [event.seq, redactEvent(event)] as const));
    if (redacted.size > 0) eventsByUser.set(userId, [...redacted.values()]);
    for (const event of redacted.values()) eventsByKey.set(event.key, event);
    events.forEach((event, i) => {
      const replacement = redacted.get(event.seq);
      if (replacement) events[i] = replacement;
    });
    const orders = (ordersByUser.get(userId) ?? []).map(redactOrder);
    if (orders.length > 0) ordersByUser.set(userId, orders);
    for (const order of orders) ordersById.set(order.orderId, order);
  }

  /**
   * Writes one unit: its log line, then its lead records, and only then shows it to the queries.
   * A unit that erases personal data (or records `data_erased`) rewrites the log and folds the
   * checkpoint at once, so no file keeps the old data; any other unit only appends.
   */
  async function persist(unit: Unit): Promise<void> {
    const b = batchNo + 1;
    const hasLine = unit.events.length > 0 || unit.messages.length > 0 || unit.orders.length > 0 || queuesAny(unit.queued);
    const line = hasLine ? `${JSON.stringify(lineOf(b, unit))}\n` : "";
    const erasing = unit.erased.size > 0 || unit.events.some((event) => event.type === "data_erased");
    if (unit.erased.size > 0) await rewriteLog(unit.erased, line);
    else if (hasLine) await appendLine(eventsFile, line);
    if (!erasing && unit.actors.size > 0) await appendLine(actorsFile, `${JSON.stringify({ b, a: [...unit.actors.values()] } satisfies ActorsLine)}\n`);
    batchNo = b;
    unit.erased.forEach(forgetCommitted);
    unit.events.forEach(remember);
    unit.messages.forEach(rememberMessage);
    unit.orders.forEach(rememberOrder);
    outbox.apply({ q: unit.queued });
    for (const [userId, record] of unit.actors) actors.set(userId, record);
    journalled += unit.actors.size;
    if (erasing || journalled >= Math.max(options.checkpointEvery ?? 1_000, actors.size)) await foldCheckpoint();
  }

  /**
   * Appends a line of mirror changes after every unit already committing, then applies it: the
   * same order as a replay's. `change` reads the outbox as it is by then; null writes nothing.
   */
  function mirrorLine<R>(change: () => { readonly line: Pick<LogLine, "q" | "c"> | null; readonly result: R }): Promise<R> {
    if (!isOpen) return Promise.reject(new Error("the JSON store is closed"));
    const write = tail.then(async () => {
      const { line, result } = change();
      if (line === null) return result;
      const b = batchNo + 1;
      await appendLine(eventsFile, `${JSON.stringify({ b, e: [], m: [], ...line } satisfies LogLine)}\n`);
      batchNo = b;
      outbox.apply(line);
      return result;
    });
    tail = write.catch(() => undefined);
    return write;
  }

  /** Applies a change to the sessions and resolves once `sessions.json` holds it. */
  function changeSessions(change: () => void): Promise<void> {
    if (!isOpen) return Promise.reject(new Error("the JSON store is closed"));
    change();
    const saved = saveSessions();
    sessionsSaved = saved.catch(() => undefined);
    return saved;
  }

  const funnelCounts = (): Partial<Record<Stage, number>> => {
    const counts: Partial<Record<Stage, number>> = {};
    for (const { lead } of actors.values()) counts[lead.stage] = (counts[lead.stage] ?? 0) + 1;
    return counts;
  };

  const leads = (): Lead[] => [...actors.values()].map((record) => record.lead);

  const searchable = (lead: Lead): string[] => leadSearchText(lead).split(" ");

  const ordersIn = (from: number, to: number): StoredEvent[] =>
    events.filter((event) => event.type === "order_created" && event.at >= from && event.at < to);
  const totalOf = (event: StoredEvent): number => Number(event.payload["total"] ?? 0);

  return {
    kind: "json",

    async pendingMirror(kind, limit) {
      if (!isOpen) throw new Error("the JSON store is closed");
      return outbox.pending(kind, limit);
    },

    completeMirror(items) {
      return mirrorLine(() => {
        const done = outbox.stillPending(items);
        return { line: done.lead.length > 0 || done.order.length > 0 ? { c: done } : null, result: undefined };
      });
    },

    enqueueAllForMirror() {
      return mirrorLine(() => {
        const byFirstSeen = [...actors.values()].map((record) => record.lead).sort((a, b) => (a.firstSeenAt ?? 0) - (b.firstSeenAt ?? 0) || a.userId - b.userId);
        const byTime = [...ordersById.values()].sort((a, b) => a.at - b.at);
        const q: MirrorQueued = { at: clock.now(), lead: byFirstSeen.map((lead) => String(lead.userId)), order: byTime.map((order) => order.orderId) };
        return { line: queuesAny(q) ? { q } : null, result: q.lead.length + q.order.length };
      });
    },

    async pendingMirrorCount() {
      if (!isOpen) throw new Error("the JSON store is closed");
      return { leads: outbox.items.lead.size, orders: outbox.items.order.size };
    },

    loadActor(userId: number): StoredActor | undefined {
      const record = actors.get(userId);
      if (!record) return undefined;
      return {
        userId,
        stage: record.lead.stage,
        snapshot: record.snapshot,
        machineVersion: record.machineVersion,
        lastSeq: record.lastSeq,
        logSeq: eventsByUser.get(userId)?.at(-1)?.seq ?? 0,
      };
    },

    loadEvents(userId: number): readonly StoredEvent[] {
      return [...(eventsByUser.get(userId) ?? [])];
    },

    staleActors(): readonly number[] {
      const stale: number[] = [];
      for (const [userId, own] of eventsByUser) {
        if ((actors.get(userId)?.lastSeq ?? 0) < (own.at(-1)?.seq ?? 0)) stale.push(userId);
      }
      return stale;
    },

    transact<R>(work: (tx: StoreTx) => R): Promise<R> {
      if (!isOpen) return Promise.reject(new Error("the JSON store is closed"));
      const unit = newUnit(clock.now());
      let seq = nextSeq;
      let messageId = nextMessageId;
      const tx: StoreTx = {
        appendEvent(event) {
          if (eventsByKey.has(event.key) || unit.eventsByKey.has(event.key) || reservedKeys.has(event.key)) return null;
          const stored: StoredEvent = { seq: seq++, userId: event.userId, type: event.type, payload: JSON.parse(event.payload), at: event.at, key: event.key };
          unit.events.push(stored);
          unit.eventsByKey.set(stored.key, stored);
          return stored.seq;
        },
        eventByKey(key) {
          const stored = unit.eventsByKey.get(key) ?? eventsByKey.get(key);
          return stored && unit.erased.has(stored.userId) && !unit.eventsByKey.has(key) ? redactEvent(stored) : stored;
        },
        appendMessage(message: NewMessage) {
          unit.messages.push({ id: messageId++, ...message });
        },
        saveActor(write) {
          const { previousStage: _previous, ...record } = write;
          unit.actors.set(record.lead.userId, record);
          unit.queued.lead.push(String(record.lead.userId));
        },
        saveOrder(order) {
          const taken = ordersById.has(order.orderId) || reservedOrders.has(order.orderId) || unit.orders.some((staged) => staged.orderId === order.orderId);
          if (taken) throw new Error(`order ${order.orderId} is already stored`);
          unit.orders.push(order);
          unit.queued.order.push(order.orderId);
        },
        erasePersonalData: (userId) => eraseStaged(unit, userId),
      };
      let result: R;
      try {
        result = work(tx);
      } catch (error) {
        return Promise.reject(error);
      }
      nextSeq = seq;
      nextMessageId = messageId;
      for (const key of unit.eventsByKey.keys()) reservedKeys.add(key);
      for (const order of unit.orders) reservedOrders.add(order.orderId);
      const write = tail.then(async () => {
        try {
          await persist(unit);
          return result;
        } finally {
          for (const key of unit.eventsByKey.keys()) reservedKeys.delete(key);
          for (const order of unit.orders) reservedOrders.delete(order.orderId);
        }
      });
      tail = write.catch(() => undefined);
      return write;
    },

    async close(): Promise<void> {
      if (!isOpen) return;
      isOpen = false;
      await tail;
      await sessionsSaved;
      if (journalled > 0) await foldCheckpoint();
      await eventsFile.close();
      await actorsFile.close();
      release();
    },

    async events(userId, filter = {}) {
      const types = filter.types && filter.types.length > 0 ? new Set<CustomerEventType>(filter.types) : undefined;
      const matching = (eventsByUser.get(userId) ?? []).filter(
        (event) =>
          (!types || types.has(event.type)) &&
          (filter.since === undefined || event.at >= filter.since) &&
          (filter.until === undefined || event.at < filter.until),
      );
      return filter.limit === undefined ? matching : matching.slice(Math.max(0, matching.length - filter.limit));
    },

    async stage(userId) {
      return actors.get(userId)?.lead.stage ?? null;
    },

    async ordersCount(userId) {
      return actors.get(userId)?.lead.ordersCount ?? 0;
    },

    async seen(userId) {
      const lead = actors.get(userId)?.lead;
      return lead ? { firstSeenAt: lead.firstSeenAt, lastSeenAt: lead.lastSeenAt } : null;
    },

    async dailyStats(day, timeZone) {
      const { start, end } = dayBounds(day, timeZone);
      const eventsByType: Partial<Record<CustomerEventType, number>> = {};
      for (const event of events) {
        if (event.at >= start && event.at < end) eventsByType[event.type] = (eventsByType[event.type] ?? 0) + 1;
      }
      const orders = ordersIn(start, end);
      const all = leads();
      const newLeads = all.filter((lead) => lead.firstSeenAt !== null && lead.firstSeenAt >= start && lead.firstSeenAt < end).length;
      const revenue = Math.round(orders.reduce((sum, event) => sum + totalOf(event), 0) * 100) / 100;
      return { day, timeZone, newLeads, eventsByType, orders: orders.length, revenue, stageMoves: stageMovesIn(all, start, end) };
    },

    async messages(userId, filter = {}) {
      const matching = (messagesByUser.get(userId) ?? []).filter((message) => !filter.direction || message.direction === filter.direction);
      return filter.limit === undefined ? matching : matching.slice(Math.max(0, matching.length - filter.limit));
    },

    async messagesCount(userId, filter = {}) {
      return (messagesByUser.get(userId) ?? []).filter((message) => !filter.direction || message.direction === filter.direction).length;
    },

    async hasConsent(userId) {
      return (actors.get(userId)?.lead.consentAt ?? null) !== null;
    },

    async funnel() {
      return funnelFromCounts(funnelCounts());
    },

    async recentLeads(request) {
      return page(leads().sort(byRecent), request);
    },

    async search(query, request) {
      const { userId, terms } = parseSearchQuery(query);
      const exact = userId === null ? undefined : actors.get(userId)?.lead;
      const matches =
        terms.length === 0
          ? []
          : leads()
              .filter((lead) => lead.userId !== exact?.userId)
              .filter((lead) => {
                const words = searchable(lead);
                return terms.every((term) => words.some((word) => word.startsWith(term)));
              })
              .sort(byRecent);
      return page(exact ? [exact, ...matches] : matches, request);
    },

    async lead(userId) {
      return actors.get(userId)?.lead ?? null;
    },

    async ordersSummary({ from, to, latest = 5 }) {
      const orders = ordersIn(from, to);
      const revenue = Math.round(orders.reduce((sum, event) => sum + totalOf(event), 0) * 100) / 100;
      const newestFirst = [...orders].sort((a, b) => b.at - a.at || b.seq - a.seq).slice(0, latest);
      return {
        from,
        to,
        count: orders.length,
        revenue,
        average: orders.length === 0 ? 0 : Math.round((revenue / orders.length) * 100) / 100,
        latest: newestFirst.map((event) => ({
          userId: event.userId,
          orderId: String(event.payload["orderId"] ?? ""),
          total: totalOf(event),
          currency: String(event.payload["currency"] ?? ""),
          at: event.at,
        })),
      };
    },

    async orders(userId, request) {
      return page(newestFirst(ordersByUser.get(userId) ?? []), request);
    },

    async order(orderId) {
      return ordersById.get(orderId) ?? null;
    },

    async readSession(key) {
      if (!isOpen) throw new Error("the JSON store is closed");
      return sessions.get(key);
    },

    writeSession(key, value) {
      return changeSessions(() => sessions.set(key, value));
    },

    deleteSession(key) {
      return changeSessions(() => sessions.delete(key));
    },
  };
}
