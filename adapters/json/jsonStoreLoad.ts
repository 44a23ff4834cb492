import { orderActor } from "../../actors/actorLog.port.ts";
import type { Logger } from "../../actors/log.port.ts";
import type { StoredEvent } from "../../actors/store.port.ts";
import { jsonActorLog } from "./jsonActorLog.ts";
import { jsonCatalog } from "./jsonCatalogRows.ts";
import { checkpointDb, readJournal, readLeads, readLog, readSessions, refuseMissingLog } from "./jsonFileReads.ts";
import { jsonLogIndex } from "./jsonLogIndex.ts";
import { mirrorOutbox, upgradeRecord, type ActorRecord } from "./jsonLogFormat.ts";
import { jsonOrders } from "./jsonOrders.ts";
import { jsonQueues } from "./jsonQueues.ts";

/** The JSON store's files. */
export interface JsonStorePaths {
  readonly events: string;
  readonly actors: string;
  readonly sessions: string;
  readonly leads: string;
}

/**
 * Reads the JSON store's files into memory at open: the lowdb checkpoint, then the log, then the
 * journal lines the checkpoint does not hold yet; refuses leads without their log. Returns every
 * in-memory part, the last batch number and how many journalled records are not folded yet.
 */
export function loadJsonStoreFiles(paths: JsonStorePaths, log: Logger) {
  const leadsRead = readLeads(paths.leads, log);
  const checkpoint = checkpointDb(paths.leads, leadsRead.checkpoint);

  const index = jsonLogIndex();
  const actorLog = jsonActorLog();
  const hasActor = (orderId: string): boolean => actorLog.reads.loadActorState(orderActor(orderId)) !== undefined;
  const orders = jsonOrders(hasActor);
  const catalog = jsonCatalog();
  const actors = new Map<number, ActorRecord>();
  const sessions = readSessions(paths.sessions);
  const outbox = mirrorOutbox();
  const queues = jsonQueues();
  let batchNo = checkpoint.data.throughBatch;
  let journalled = 0;

  const rememberActor = (record: ActorRecord): void => {
    actors.set(record.lead.userId, upgradeRecord(record));
    // A record ahead of the log still took its sequence numbers: they are never given out again.
    index.nextSeq = Math.max(index.nextSeq, record.lastSeq + 1);
  };

  checkpoint.data.actors.forEach(rememberActor);
  const logRead = readLog(paths.events, log);
  for (const line of logRead.lines) {
    line.e.forEach(index.remember);
    line.m.forEach(index.rememberMessage);
    orders.apply(line);
    actorLog.apply(line);
    catalog.apply(line);
    outbox.apply(line);
    queues.apply(line);
    batchNo = Math.max(batchNo, line.b);
  }
  const journalRead = readJournal(paths.actors, log);
  let fromJournal = 0;
  for (const line of journalRead.lines) {
    if (line.b <= checkpoint.data.throughBatch) continue;
    line.a.forEach(rememberActor);
    journalled += line.a.length;
    fromJournal += line.a.length;
    batchNo = Math.max(batchNo, line.b);
  }
  if (index.events.length === 0 && actors.size > 0) {
    refuseMissingLog({ events: paths.events, leads: paths.leads, actors: paths.actors }, checkpoint.data.actors.length, fromJournal, actors.size);
  }
  return { leadsRead, checkpoint, index, actorLog, hasActor, orders, catalog, actors, sessions, outbox, queues, batchNo, journalled, logRead, journalRead };
}

/** Customers whose lead record is behind a `data_erased` in their log: a crash came between the log and the fold. */
export function erasedBehindLog(eventsByUser: ReadonlyMap<number, readonly StoredEvent[]>, actors: ReadonlyMap<number, ActorRecord>): number[] {
  const behind: number[] = [];
  for (const [userId, own] of eventsByUser) {
    const lastSeq = actors.get(userId)?.lastSeq ?? 0;
    if (own.some((event) => event.type === "data_erased" && event.seq > lastSeq)) behind.push(userId);
  }
  return behind;
}
