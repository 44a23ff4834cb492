import { mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { acquireProcessLock } from "../processLock.ts";
import { describeError, silentLogger, type Logger } from "../../actors/log.port.ts";
import { redactOrderJson } from "../../actors/personalData.ts";
import type { CrmStore, Lead, StoreTx } from "../../actors/store.port.ts";
import { openAppendOnly, JsonStoreWriteError, type AppendOnlyFile } from "./appendOnlyFile.ts";
import { openJsonBroadcasts } from "./jsonBroadcasts.ts";
import { jsonSegments } from "./jsonSegments.ts";
import { replaceFile, tempPathOf } from "./atomicFile.ts";
import { jsonActorReads, jsonLeadReads } from "./jsonLeadReads.ts";
import { jsonSessions } from "./jsonSessions.ts";
import { erasedBehindLog, loadJsonStoreFiles } from "./jsonStoreLoad.ts";
import { jsonAnalytics } from "./jsonAnalytics.ts";
import { jsonMirrorMethods } from "./jsonMirrorMethods.ts";
import { lineOf, linePartsOf, newUnit, unitOrders, type LineParts, type Unit } from "./jsonUnit.ts";
import { unitTx } from "./jsonUnitTx.ts";
import { aheadOfLog, isLogLine, readJsonLines } from "./jsonFileReads.ts";
import { redactLine, type ActorsLine, type LogLine } from "./jsonLogFormat.ts";

export { JsonStoreDamagedError } from "./jsonFileReads.ts";
export { JsonStoreWriteError } from "./appendOnlyFile.ts";

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
  /** Where warnings go: a torn or damaged file repaired from the log at open, a checkpoint that could not be written. */
  readonly log?: Logger;
  /** TIME_ZONE, whose UTC offset at open files the weekly lifecycle's weeks (actors/lifecycle.port.ts); default Europe/Moscow. */
  readonly timeZone?: string;
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
 * Each line also carries what its unit queued for the Sheets mirror, and the timers and effects it
 * set, cancelled, queued and completed; the mirror's completions and the effect worker's attempts are
 * lines too. So both outboxes and the timers are rebuilt from the log and survive a crash exactly as
 * the change does. Timers and effects are held in memory (jsonQueues.ts): fine for a small shop.
 *
 * Orders as actors live in the same lines: their events and states (jsonActorLog.ts), the changes
 * to their rows (jsonOrders.ts), and the catalog's edits and stock (jsonCatalogRows.ts). So placing
 * an order, with its stock reservation, its row and its actor's first step, is one line, kept whole
 * or not at all; and a unit sees the stock the units still being written left, so none oversells.
 *
 * `/forget` is the exception: it rewrites the whole log (temporary file, then rename), its orders'
 * actors without the phone and the delivery details too, and folds the checkpoint at once, because
 * no file may keep the erased data. Bot sessions live apart, in
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
  const log = options.log ?? silentLogger;
  const eventsPath = join(options.dir, "events.jsonl");
  const actorsPath = join(options.dir, "actors.jsonl");
  const sessionsPath = join(options.dir, "sessions.json");
  const leadsPath = join(options.dir, "leads.json");
  // A temporary file is never the truth: its rename did not happen, so what it held was not acknowledged.
  // Removing it also removes any personal data it held.
  for (const path of [eventsPath, sessionsPath, leadsPath]) rmSync(tempPathOf(path), { force: true });
  const loaded = loadJsonStoreFiles({ events: eventsPath, actors: actorsPath, sessions: sessionsPath, leads: leadsPath }, log);
  const { leadsRead, checkpoint, index, actorLog, hasActor, orders, catalog, actors, sessions, outbox, queues, logRead, journalRead } = loaded;
  const { events, eventsByUser, eventsByKey, keyStems, messagesByUser } = index;
  const clock = options.clock ?? { now: () => Date.now() };
  let batchNo = loaded.batchNo;
  let journalled = loaded.journalled;

  const eventsFile: AppendOnlyFile = await openAppendOnly(eventsPath, logRead.size);
  const actorsFile: AppendOnlyFile = await openAppendOnly(actorsPath, journalRead.size);
  const broadcasts = await openJsonBroadcasts(options.dir);
  let tail: Promise<unknown> = Promise.resolve();
  let isOpen = true;
  /** Set once a failed write could not be undone: every later write is refused with it, until a restart. */
  let refusal: JsonStoreWriteError | null = null;
  const reservedKeys = new Set<string>();
  /** The orders of units in flight, with their customers. */
  const reservedOrders = new Map<string, number>();
  /** The newest unit whose work is done and whose writes are not, if any. */
  let lastInFlight: Unit | null = null;
  const checkpointEvery = options.checkpointEvery ?? 1_000;
  /** The journal size at which the next fold is due; a failed fold waits for another `checkpointEvery` records. */
  let foldDueAt = 0;
  let foldOwed = false;

  async function foldCheckpoint(): Promise<void> {
    checkpoint.data.throughBatch = batchNo;
    checkpoint.data.actors = [...actors.values()];
    await checkpoint.write();
    journalled = 0;
    foldOwed = false;
    foldDueAt = 0;
    // Every journal line is folded now; one left by a failed truncate is skipped at open, being at or below throughBatch.
    await actorsFile.truncate(0);
  }

  // Their old records still hold the personal data: drop them now; `recover()` rebuilds them from the redacted log.
  const unfolded = erasedBehindLog(eventsByUser, actors);
  for (const userId of unfolded) actors.delete(userId);
  const ahead = aheadOfLog(actors, eventsByUser);
  for (const userId of ahead) actors.delete(userId);
  if (ahead.length > 0) log.warn("json_store_leads_ahead_of_log", { file: eventsPath, customers: ahead.length, repair: "their leads are rebuilt from events.jsonl" });
  // Write the repair down now, so the damage is not met again; the next write retries a fold that fails here.
  if (unfolded.length > 0 || ahead.length > 0 || journalRead.skipped.length > 0 || leadsRead.damaged) {
    await foldCheckpoint().catch((error: unknown) => {
      foldOwed = true;
      log.warn("json_store_fold_failed", { file: leadsPath, ...describeError(error), repair: "tried again at the next write" });
    });
  }

  /** Refuses a write while the store is closed, or after a write that could not be undone. */
  function writable(): Error | null {
    if (!isOpen) return new Error("the JSON store is closed");
    return refusal;
  }

  /** Remembers an undo that failed: the store refuses every later write rather than acknowledge one after a torn line. */
  function noteRefusal(error: unknown): void {
    if (error instanceof JsonStoreWriteError) refusal ??= error;
  }

  /**
   * Rewrites the whole log without these customers' personal data (and their orders' actors'
   * contact details), with the unit's line at its end, in one rename.
   */
  async function rewriteLog(erased: ReadonlySet<number>, orderActors: ReadonlySet<string>, unitLine: string): Promise<void> {
    const kept = readJsonLines<LogLine>(eventsPath, isLogLine).lines.map((line) => `${JSON.stringify(redactLine(line, erased, orderActors))}\n`);
    try {
      await replaceFile(eventsPath, kept.join("") + unitLine);
    } finally {
      // Whether or not the rename happened, appends must go to the file now at the path, never to a replaced one.
      try {
        await eventsFile.reopen(statSync(eventsPath).size);
      } catch (error) {
        refusal ??= new JsonStoreWriteError(`${eventsPath} could not be opened again after a rewrite (${describeError(error).message}); the store refuses every write until it is restarted`);
      }
    }
  }

  /** Applies a committed erasure to what the queries see. */
  function forgetCommitted(userId: number): void {
    index.forget(userId);
    orders.redactUser(userId);
  }

  const { erasedOrderActors, orderWrites, stagedOrderActors } = unitOrders(orders, reservedOrders);

  /**
   * Writes a unit's files: its log line, then its lead records. Either all of it is on disk when
   * this resolves, or none of it: a failed append is cut back, and a failed journal append takes
   * the unit's log line back with it. An erasing unit rewrites the log instead (one rename).
   */
  async function writeUnit(unit: Unit, b: number, erasing: boolean, parts: LineParts, orderActors: ReadonlySet<string>): Promise<void> {
    const hasLine = unit.events.length > 0 || unit.messages.length > 0 || Object.keys(parts).length > 0;
    const line = hasLine ? `${JSON.stringify(lineOf(b, unit, parts))}\n` : "";
    const logEnd = eventsFile.size;
    if (unit.erased.size > 0) await rewriteLog(unit.erased, orderActors, line);
    else if (hasLine) await eventsFile.append(line);
    if (erasing || unit.actors.size === 0) return;
    try {
      await actorsFile.append(`${JSON.stringify({ b, a: [...unit.actors.values()] } satisfies ActorsLine)}\n`);
    } catch (error) {
      if (hasLine) await eventsFile.truncate(logEnd);
      throw error;
    }
  }

  /**
   * Folds the journal into leads.json when due. A failure keeps the journal (the next start reads
   * it) and is only a warning, except for an erasing unit: its old lead record, with the personal
   * data, is still in leads.json, so the unit reports failure (the log already holds the erasure;
   * repeating it is harmless, and every later unit tries the fold again).
   */
  async function foldIfDue(erasing: boolean): Promise<void> {
    if (!erasing && !foldOwed && journalled < Math.max(checkpointEvery, actors.size, foldDueAt)) return;
    try {
      await foldCheckpoint();
    } catch (error) {
      noteRefusal(error);
      foldDueAt = journalled + checkpointEvery;
      if (erasing) {
        foldOwed = true;
        throw new Error(`${leadsPath} could not be rewritten after an erasure (${describeError(error).message}); the erasure is in the log and is finished by the next write`, { cause: error });
      }
      log.warn("json_store_fold_failed", { file: leadsPath, ...describeError(error), repair: "actors.jsonl keeps the leads; the fold is tried again later" });
    }
  }

  /**
   * Writes one unit, and only then shows it to the queries. A unit that erases personal data (or
   * records `data_erased`) rewrites the log and folds the checkpoint at once, so no file keeps the
   * old data; any other unit only appends.
   */
  async function persist(unit: Unit): Promise<void> {
    const blocked = writable();
    if (blocked) throw blocked;
    const b = batchNo + 1;
    const erasing = unit.erased.size > 0 || unit.events.some((event) => event.type === "data_erased");
    const parts = linePartsOf(unit, queues, actorLog, catalog);
    const orderActors = erasedOrderActors(unit);
    try {
      await writeUnit(unit, b, erasing, parts, orderActors);
    } catch (error) {
      noteRefusal(error);
      throw error;
    }
    batchNo = b;
    unit.erased.forEach(forgetCommitted);
    actorLog.redactCommitted(orderActors);
    queues.redactEffectsOf(orderActors, redactOrderJson);
    unit.events.forEach(index.remember);
    unit.messages.forEach(index.rememberMessage);
    orders.apply(parts);
    actorLog.apply(parts);
    catalog.apply(parts);
    outbox.apply(parts);
    queues.apply(parts);
    for (const [userId, record] of unit.actors) actors.set(userId, record);
    journalled += unit.actors.size;
    await foldIfDue(erasing);
  }

  /**
   * Appends a line of mirror changes or effect attempts after every unit already committing, then
   * applies it: the same order as a replay's. `change` reads the outboxes as they are by then; null
   * writes nothing.
   */
  function mirrorLine<R>(change: () => { readonly line: Pick<LogLine, "q" | "c" | "r"> | null; readonly result: R }): Promise<R> {
    const blocked = writable();
    if (blocked) return Promise.reject(blocked);
    const write = tail.then(async () => {
      const { line, result } = change();
      if (line === null) return result;
      const stillBlocked = writable();
      if (stillBlocked) throw stillBlocked;
      const b = batchNo + 1;
      try {
        await eventsFile.append(`${JSON.stringify({ b, e: [], m: [], ...line } satisfies LogLine)}\n`);
      } catch (error) {
        noteRefusal(error);
        throw error;
      }
      batchNo = b;
      outbox.apply(line);
      queues.apply(line);
      return result;
    });
    tail = write.catch(() => undefined);
    return write;
  }

  /**
   * Writes a unit whose work is done, after every unit before it. Until then its event keys, order
   * ids, timers and effects are reserved, so the units staged meanwhile see them as done; if its
   * writes fail, those units fail with it rather than be acknowledged on what never happened.
   */
  function commit<R>(unit: Unit, result: R): Promise<R> {
    for (const key of unit.eventsByKey.keys()) reservedKeys.add(key);
    for (const order of unit.orders) reservedOrders.set(order.orderId, order.userId);
    queues.begin(unit.queues);
    actorLog.begin(unit.actorLog);
    catalog.begin(unit.catalog);
    unit.before = lastInFlight;
    lastInFlight = unit;
    const write = tail.then(async () => {
      try {
        try {
          if (unit.before?.failed) throw new Error("a unit of work before this one failed, and this one saw its changes: nothing of either was kept");
          await persist(unit);
        } catch (error) {
          unit.failed = true;
          throw error;
        }
        await Promise.all(unit.erasedSessions.map((key) => sessionStore.change(key, undefined)));
        return result;
      } finally {
        for (const key of unit.eventsByKey.keys()) reservedKeys.delete(key);
        for (const order of unit.orders) reservedOrders.delete(order.orderId);
        queues.end(unit.queues);
        actorLog.end(unit.actorLog);
        catalog.end(unit.catalog);
        if (lastInFlight === unit) lastInFlight = null;
        unit.before = null;
      }
    });
    tail = write.catch(() => undefined);
    return write;
  }

  const ensureOpen = (): void => {
    if (!isOpen) throw new Error("the JSON store is closed");
  };
  const sessionStore = jsonSessions(sessionsPath, sessions, writable, ensureOpen);
  const leads = (): Lead[] => [...actors.values()].map((record) => record.lead);
  const segments = jsonSegments(options.dir, leads, ensureOpen);

  return {
    kind: "json",
    broadcasts,
    ...segments,
    ...jsonAnalytics({
      events,
      eventsOf: (userId) => eventsByUser.get(userId) ?? [],
      leads,
      lead: (userId) => actors.get(userId)?.lead,
      orders: () => orders.all(),
      hasActor,
      timeZone: options.timeZone ?? "Europe/Moscow",
      now: () => clock.now(),
      ensureOpen,
    }),
    ...queues.queues,
    ...actorLog.reads,
    ...catalog.reads,
    ...orders.queries,
    ...jsonLeadReads({ events, eventsByUser, eventsByKey, keyStems, messagesByUser, actors, leads }),
    ...jsonMirrorMethods({ mirrorLine, outbox, hasEffect: (key) => queues.hasEffect(key), leads, orders: () => orders.all(), now: () => clock.now(), ensureOpen }),


    ...jsonActorReads(eventsByUser, actors),

    transact<R>(work: (tx: StoreTx) => R): Promise<R> {
      const blocked = writable();
      if (blocked) return Promise.reject(blocked);
      const staged = queues.stage();
      const stagedLog = actorLog.stage();
      const stagedCatalog = catalog.stage();
      const unit = newUnit(clock.now(), { queues: staged.unit, actorLog: stagedLog.unit, catalog: stagedCatalog.unit });
      const counters = { seq: index.nextSeq, messageId: index.nextMessageId };
      const tx = unitTx({
        unit,
        queues: staged,
        actorLogWrites: stagedLog.writes,
        catalogWrites: stagedCatalog.writes,
        redactStagedActors: (actors) => actorLog.redactStaged(unit.actorLog, actors),
        eventsByKey,
        reservedKeys,
        orderWrites,
        stagedOrderActors,
        counters,
      });
      let result: R;
      try {
        result = work(tx);
      } catch (error) {
        return Promise.reject(error);
      }
      index.nextSeq = counters.seq;
      index.nextMessageId = counters.messageId;
      return commit(unit, result);
    },

    async close(): Promise<void> {
      if (!isOpen) return;
      isOpen = false;
      await tail;
      await sessionStore.settled();
      try {
        if (journalled > 0 || foldOwed) await foldCheckpoint();
      } catch (error) {
        // The journal keeps what the fold would have written; the next start reads it.
        log.warn("json_store_fold_failed", { file: leadsPath, ...describeError(error), repair: "actors.jsonl keeps the leads for the next start" });
      } finally {
        await eventsFile.close().catch(() => undefined);
        await actorsFile.close().catch(() => undefined);
        await broadcasts.close().catch(() => undefined);
        release();
      }
    },

    readSession: sessionStore.readSession,
    writeSession: sessionStore.writeSession,
    deleteSession: sessionStore.deleteSession,
  };
}
