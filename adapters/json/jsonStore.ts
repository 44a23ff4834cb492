import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { Low } from "lowdb";
import { acquireProcessLock } from "../processLock.ts";
import { JSONFile } from "lowdb/node";
import { dayBounds } from "../../actors/calendar.ts";
import { funnelFromCounts } from "../../actors/funnelStats.ts";
import { pageBounds, pageOf } from "../../actors/paging.ts";
import { leadSearchText, parseSearchQuery } from "../../actors/searchQuery.ts";
import type {
  ActorWrite,
  CrmStore,
  Lead,
  NewMessage,
  Page,
  PageRequest,
  StoredActor,
  StoredEvent,
  StoredMessage,
  StoreTx,
} from "../../actors/store.port.ts";
import type { CustomerEventType, Stage } from "../../machines/customerFunnel.types.ts";

export interface JsonStoreOptions {
  /** A folder of its own: the store keeps three files there. */
  readonly dir: string;
  /** Fold the actors journal into the lowdb checkpoint once it holds this many records (at least the number of customers). */
  readonly checkpointEvery?: number;
}

type ActorRecord = Omit<ActorWrite, "previousStage">;

interface Checkpoint {
  readonly format: 1;
  /** Journal batches up to this number are folded in. */
  throughBatch: number;
  actors: ActorRecord[];
}

interface LogLine {
  readonly b: number;
  readonly e: StoredEvent[];
  readonly m: StoredMessage[];
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

/**
 * The zero-setup store: JSON files in a folder, for a small shop or a quick try.
 *
 * The event log and messages go to `events.jsonl`, append-only, one line per unit of work; lead
 * snapshots go to `actors.jsonl`, which is folded from time to time into `leads.json` through lowdb.
 * So the cost of a write does not grow with the history: lowdb rewrites only the leads, and only
 * once per as many writes as there are leads. Everything is also held in memory for the queries.
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
  const checkpoint = new Low<Checkpoint>(new JSONFile(join(options.dir, "leads.json")), { format: 1, throughBatch: 0, actors: [] });
  await checkpoint.read();

  const events: StoredEvent[] = [];
  const eventsByUser = new Map<number, StoredEvent[]>();
  const eventsByKey = new Map<string, StoredEvent>();
  const messagesByUser = new Map<number, StoredMessage[]>();
  const actors = new Map<number, ActorRecord>();
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

  for (const record of checkpoint.data.actors) actors.set(record.lead.userId, record);
  for (const line of readLines<LogLine>(eventsPath)) {
    line.e.forEach(remember);
    line.m.forEach(rememberMessage);
    batchNo = Math.max(batchNo, line.b);
  }
  for (const line of readLines<ActorsLine>(actorsPath)) {
    if (line.b <= checkpoint.data.throughBatch) continue;
    for (const record of line.a) actors.set(record.lead.userId, record);
    journalled += line.a.length;
    batchNo = Math.max(batchNo, line.b);
  }

  const eventsFile: FileHandle = await open(eventsPath, "a");
  let actorsFile: FileHandle = await open(actorsPath, "a");
  let tail: Promise<unknown> = Promise.resolve();
  let isOpen = true;
  const reservedKeys = new Set<string>();

  async function foldCheckpoint(): Promise<void> {
    checkpoint.data.throughBatch = batchNo;
    checkpoint.data.actors = [...actors.values()];
    await checkpoint.write();
    await actorsFile.close();
    actorsFile = await open(actorsPath, "w");
    journalled = 0;
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
      const staged: StoredEvent[] = [];
      const stagedByKey = new Map<string, StoredEvent>();
      const stagedMessages: StoredMessage[] = [];
      const stagedActors = new Map<number, ActorRecord>();
      let seq = nextSeq;
      let messageId = nextMessageId;
      const tx: StoreTx = {
        appendEvent(event) {
          if (eventsByKey.has(event.key) || stagedByKey.has(event.key) || reservedKeys.has(event.key)) return null;
          const stored: StoredEvent = { seq: seq++, userId: event.userId, type: event.type, payload: JSON.parse(event.payload), at: event.at, key: event.key };
          staged.push(stored);
          stagedByKey.set(stored.key, stored);
          return stored.seq;
        },
        eventByKey: (key) => stagedByKey.get(key) ?? eventsByKey.get(key),
        appendMessage(message: NewMessage) {
          stagedMessages.push({ id: messageId++, ...message });
        },
        saveActor(write) {
          const { previousStage: _previous, ...record } = write;
          stagedActors.set(record.lead.userId, record);
        },
      };
      let result: R;
      try {
        result = work(tx);
      } catch (error) {
        return Promise.reject(error);
      }
      nextSeq = seq;
      nextMessageId = messageId;
      for (const key of stagedByKey.keys()) reservedKeys.add(key);
      const write = tail.then(async () => {
        try {
          const b = batchNo + 1;
          if (staged.length > 0 || stagedMessages.length > 0) {
            await eventsFile.write(`${JSON.stringify({ b, e: staged, m: stagedMessages } satisfies LogLine)}\n`);
            await eventsFile.datasync();
          }
          if (stagedActors.size > 0) {
            await actorsFile.write(`${JSON.stringify({ b, a: [...stagedActors.values()] } satisfies ActorsLine)}\n`);
            await actorsFile.datasync();
          }
          batchNo = b;
          staged.forEach(remember);
          stagedMessages.forEach(rememberMessage);
          for (const [userId, record] of stagedActors) actors.set(userId, record);
          journalled += stagedActors.size;
          if (journalled >= Math.max(options.checkpointEvery ?? 1_000, actors.size)) await foldCheckpoint();
          return result;
        } finally {
          for (const key of stagedByKey.keys()) reservedKeys.delete(key);
        }
      });
      tail = write.catch(() => undefined);
      return write;
    },

    async close(): Promise<void> {
      if (!isOpen) return;
      isOpen = false;
      await tail;
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
      const newLeads = leads().filter((lead) => lead.firstSeenAt !== null && lead.firstSeenAt >= start && lead.firstSeenAt < end).length;
      const revenue = Math.round(orders.reduce((sum, event) => sum + totalOf(event), 0) * 100) / 100;
      return { day, timeZone, newLeads, eventsByType, orders: orders.length, revenue };
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
  };
}
