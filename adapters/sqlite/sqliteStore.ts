import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { orderActor } from "../../actors/actorLog.port.ts";
import { redactEventPayload } from "../../actors/personalData.ts";
import type {
  ActorWrite,
  CrmStore,
  MirrorItem,
  NewEvent,
  NewMessage,
  StoredActor,
  StoredEvent,
  StoreTx,
} from "../../actors/store.port.ts";
import { asStage, eventFromRow, num } from "../storeRows.ts";
import { acquireProcessLock } from "../processLock.ts";
import { sqliteActorLog } from "./sqliteActorLog.ts";
import { sqliteCatalog } from "./sqliteCatalog.ts";
import { sqliteOrders } from "./sqliteOrders.ts";
import { sqliteBroadcasts } from "./sqliteBroadcasts.ts";
import { sqliteQueues } from "./sqliteQueues.ts";
import { sqliteSegments } from "./sqliteSegments.ts";
import { sqliteCampaignStats } from "./sqliteCampaignStats.ts";
import { sqliteJourney } from "./sqliteJourney.ts";
import { sqliteStageTime } from "./sqliteStageTime.ts";
import { sqliteCohorts, useCohortTimeZone } from "./sqliteCohorts.ts";
import { sqliteCharts } from "./sqliteCharts.ts";
import { sqliteLifecycle, syncLifecycleZone } from "./sqliteLifecycle.ts";
import { migrate } from "./sqliteSchema.ts";
import { sqliteLeadReads } from "./sqliteLeadReads.ts";
import { appendEventSql, queueAllSql, queueMirrorSql, saveLeadParams, saveLeadSql } from "./sqliteLeadSql.ts";
import { recordMachineVersion, removeShadow } from "./sqliteRebuildMeta.ts";
import { createWalTruncation } from "./walTruncation.ts";
import { customerMachineVersion } from "../../machines/customer.machine.ts";

/** The statements `npm run rebuild` and the PostgreSQL twins reuse (sqliteLeadSql.ts). */
export { appendEventSql, queueMirrorSql, saveLeadParams, saveLeadSql };

export interface SqliteStoreOptions {
  /** A file path, or ":memory:". */
  readonly path: string;
  /** NORMAL survives a process crash; FULL also survives a power cut, at the cost of an fsync per commit. */
  readonly synchronous?: "NORMAL" | "FULL";
  /** Above this many matches, search walks leads by recency instead of sorting the matches (default 2,000). */
  readonly searchProbeCap?: number;
  /**
   * Where a session's `updated_at` and a mirror item's `queuedAt` come from (default: the system
   * clock); tests pass a manual one. A unit of work reads it once: everything it queues shares one time.
   */
  readonly clock?: { now(): number };
  /** The customer machine version this process runs, recorded for `npm run rebuild` (default: the machine's own). */
  readonly machineVersion?: number;
  /** TIME_ZONE, whose UTC offset at open files the weekly lifecycle's weeks (adapters/sqlite/sqliteLifecycle.ts); default Europe/Moscow. The weekly cohorts' weeks are rebuilt in it at open when they are another zone's (sqliteCohorts.ts); without it they stay as they are. */
  readonly timeZone?: string;
}

/** How long a write waits for another connection's lock (a rebuild's switch, a backup's read) before it fails. */
const busyTimeoutMs = 5_000;

/**
 * The default store: one SQLite file through `node:sqlite`, in WAL mode, every statement prepared once.
 * The event row, the lead (with its snapshot) and the funnel counters change in one transaction;
 * so do the stage moves, which the schema's triggers keep from the lead's stage dates, the dormant
 * counts, which triggers keep from the lead's dormancy, the row of the Sheets mirror's outbox that
 * `saveActor` and `saveOrder` queue, and the unit's timers and effects (sqliteQueues.ts).
 */
export function openSqliteStore(options: SqliteStoreOptions): CrmStore {
  const onDisk = options.path !== ":memory:";
  if (onDisk) mkdirSync(dirname(options.path), { recursive: true });
  const release = onDisk ? acquireProcessLock(`${options.path}.lock`) : () => {};
  if (onDisk) removeShadow(options.path);
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(options.path);
  } catch (error) {
    release();
    throw error;
  }
  // A larger page cache keeps the hot index pages of a million leads in memory; checkpointing the WAL
  // every 16 MB rather than every 4 MB copies hot pages back less often under group commit.
  // secure_delete zeroes what a delete or an update frees, so erased personal data is not left in free space.
  try {
    db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${options.synchronous ?? "NORMAL"}; PRAGMA busy_timeout = ${busyTimeoutMs};
      PRAGMA cache_size = -32768; PRAGMA wal_autocheckpoint = 4000; PRAGMA secure_delete = ON;`);
    migrate(db);
    syncLifecycleZone(db, options.timeZone ?? "Europe/Moscow", (options.clock ?? Date).now());
    if (options.timeZone !== undefined) useCohortTimeZone(db, options.timeZone);
    if (onDisk) recordMachineVersion(db, options.machineVersion ?? customerMachineVersion);
    // A process killed between an erasure's commit and its truncate left the pages from before the
    // erasure in both files; a redelivered /forget finds the erasure done and answers without one.
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } catch (error) {
    db.close();
    release();
    throw error;
  }

  const walTruncation = createWalTruncation(db, { busyTimeoutMs });
  const sql = {
    begin: db.prepare("BEGIN IMMEDIATE"),
    commit: db.prepare("COMMIT"),
    rollback: db.prepare("ROLLBACK"),
    appendEvent: db.prepare(appendEventSql),
    eventByKey: db.prepare("SELECT * FROM crm_events WHERE key = ?"),
    appendMessage: db.prepare("INSERT INTO crm_messages (user_id, direction, type, text, ts) VALUES (?, ?, ?, ?, ?)"),
    saveLead: db.prepare(saveLeadSql),
    loadActor: db.prepare(
      "SELECT user_id, stage, snapshot, machine_version, last_seq, (SELECT max(seq) FROM crm_events e WHERE e.user_id = l.user_id) AS log_seq FROM crm_leads l WHERE user_id = ?",
    ),
    loadEvents: db.prepare("SELECT * FROM crm_events WHERE user_id = ? ORDER BY seq"),
    deleteMessages: db.prepare("DELETE FROM crm_messages WHERE user_id = ?"),
    rewritePayload: db.prepare("UPDATE crm_events SET payload = ? WHERE seq = ?"),
    // Clearing the search text only tombstones the lead's words in the index; `optimize` then merges
    // the index into one segment without them, so they leave the file too. It rewrites the whole
    // index (about a second at a million leads), once per erasure, which is rare.
    clearSearchText: db.prepare("UPDATE crm_leads SET search_text = '' WHERE user_id = ? AND search_text <> ''"),
    optimizeSearch: db.prepare("INSERT INTO crm_leads_fts (crm_leads_fts) VALUES ('optimize')"),
    readSession: db.prepare("SELECT value FROM crm_sessions WHERE key = ?"),
    writeSession: db.prepare(
      "INSERT INTO crm_sessions (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    ),
    deleteSession: db.prepare("DELETE FROM crm_sessions WHERE key = ?"),
    queueMirror: db.prepare(queueMirrorSql),
    queueAllLeads: db.prepare(queueAllSql("lead")),
    queueAllOrders: db.prepare(queueAllSql("order")),
    pendingMirror: db.prepare("SELECT ref, version, queued_at FROM crm_mirror_outbox WHERE kind = ? ORDER BY queued_at, seq LIMIT ?"),
    completeMirror: db.prepare("DELETE FROM crm_mirror_outbox WHERE kind = ? AND ref = ? AND version = ?"),
    mirrorCounts: db.prepare("SELECT kind, count(*) AS n FROM crm_mirror_outbox GROUP BY kind"),
  };

  const ensureOpen = (): void => {
    if (!open) throw new Error("the SQLite store is closed");
  };
  const durable = sqliteQueues(db, ensureOpen);
  const actorLog = sqliteActorLog(db, ensureOpen);
  const catalog = sqliteCatalog(db, ensureOpen);
  const leadReads = sqliteLeadReads(db, ensureOpen, options.searchProbeCap ?? 2_000);

  const clock = options.clock ?? { now: () => Date.now() };
  /** The time of the current unit of work, read from the clock when it begins. */
  let unitTime = 0;
  /**
   * The last insertion number given to an outbox row. Only this process writes the file (the lock
   * sees to it), so a counter kept here is enough; a rolled-back unit only leaves a gap.
   */
  let mirrorSeq = num(db.prepare("SELECT max(seq) AS n FROM crm_mirror_outbox").get()?.["n"]);

  /**
   * Set by an erasure or a `data_erased` in the current unit. After it commits, the WAL is checkpointed
   * and truncated, so neither file keeps a page as it was before (secure_delete zeroes the rest).
   */
  let erasedInUnit = false;

  const orders = sqliteOrders(db, (orderId) => void sql.queueMirror.run("order", orderId, unitTime, ++mirrorSeq));

  function redactEvents(userId: number): void {
    for (const row of sql.loadEvents.all(userId)) {
      const event = eventFromRow(row);
      const payload = JSON.stringify(redactEventPayload(event.type, event.payload));
      if (payload !== row["payload"]) sql.rewritePayload.run(payload, event.seq);
    }
  }

  /**
   * The session rows go in the same transaction as the rest: deleted afterwards, their old page
   * would be copied into the file by this unit's checkpoint, and the delete left in the WAL alone.
   * A write of them still queued for the next flush is dropped for the same reason.
   */
  function erasePersonalData(userId: number, sessionKeys: readonly string[] = []): void {
    sql.deleteMessages.run(userId);
    redactEvents(userId);
    for (const orderId of orders.redactOrdersOf(userId)) actorLog.redactActor(orderActor(orderId));
    for (const key of sessionKeys) {
      sessionWrites.delete(key);
      sql.deleteSession.run(key);
    }
    if (sql.clearSearchText.run(userId).changes > 0) sql.optimizeSearch.run();
    durable.eraseEffectsOf(`customer:${userId}`);
    erasedInUnit = true;
  }

  const tx: StoreTx = {
    appendEvent(event: NewEvent): number | null {
      const result = sql.appendEvent.run(event.userId, event.type, event.payload, event.at, event.key);
      if (result.changes === 0) return null;
      if (event.type === "data_erased") erasedInUnit = true;
      return Number(result.lastInsertRowid);
    },
    eventByKey(key: string): StoredEvent | undefined {
      const row = sql.eventByKey.get(key);
      return row ? eventFromRow(row) : undefined;
    },
    appendMessage(message: NewMessage): void {
      sql.appendMessage.run(message.userId, message.direction, message.type, message.text, message.at);
    },
    saveActor(write: ActorWrite): void {
      // The funnel's counts follow the row's stage by triggers (migration 15), not `previousStage`.
      sql.saveLead.run(...saveLeadParams(write));
      sql.queueMirror.run("lead", String(write.lead.userId), unitTime, ++mirrorSeq);
    },
    erasePersonalData,
    ...orders.writes,
    ...durable.writes,
    ...actorLog.writes,
    ...catalog.writes,
  };

  let open = true;

  /** Runs writes outside `transact` (the mirror's) as one transaction of their own. */
  function atomically<R>(work: () => R): R {
    if (!open) throw new Error("the SQLite store is closed");
    sql.begin.run();
    try {
      const result = work();
      sql.commit.run();
      return result;
    } catch (error) {
      if (db.isTransaction) sql.rollback.run();
      throw error;
    }
  }

  /**
   * Session writes of one turn of the event loop share one transaction, as the runtime's events do:
   * under load every chat writes its session after each update, and a commit each would cost more
   * than the writes. A read sees a queued write (read your writes); each promise resolves once its
   * write is committed.
   */
  const sessionWrites = new Map<string, string | null>();
  let sessionWaiters: { readonly resolve: () => void; readonly reject: (error: unknown) => void }[] = [];
  function queueSession(key: string, value: string | null): Promise<void> {
    if (!open) return Promise.reject(new Error("the SQLite store is closed"));
    sessionWrites.delete(key);
    sessionWrites.set(key, value);
    return new Promise<void>((resolve, reject) => {
      sessionWaiters.push({ resolve, reject });
      if (sessionWaiters.length === 1) setImmediate(flushSessions);
    });
  }
  function flushSessions(): void {
    const writes = [...sessionWrites];
    const waiters = sessionWaiters;
    sessionWrites.clear();
    sessionWaiters = [];
    try {
      if (!open) throw new Error("the SQLite store is closed");
      const now = clock.now();
      atomically(() => {
        for (const [key, value] of writes) {
          if (value === null) sql.deleteSession.run(key);
          else sql.writeSession.run(key, value, now);
        }
      });
      for (const waiter of waiters) waiter.resolve();
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
    }
  }

  const segments = sqliteSegments(db, leadReads.leadNow, () => {
    if (!open) throw new Error("the SQLite store is closed");
  });

  return {
    kind: "sqlite",
    broadcasts: sqliteBroadcasts(db, ensureOpen),
    ...segments,
    ...sqliteCampaignStats(db, ensureOpen),
    ...sqliteJourney(db, ensureOpen),
    ...sqliteStageTime(db, ensureOpen),
    ...sqliteCohorts(db, ensureOpen),
    ...sqliteCharts(db, ensureOpen),
    ...sqliteLifecycle(db, ensureOpen),
    ...durable.queues,
    ...actorLog.reads,
    ...catalog.reads,
    ...orders.queries,
    ...leadReads.reads,

    loadActor(userId: number): StoredActor | undefined {
      const row = sql.loadActor.get(userId);
      if (!row) return undefined;
      return {
        userId,
        stage: asStage(row["stage"]),
        snapshot: String(row["snapshot"]),
        machineVersion: num(row["machine_version"]),
        lastSeq: num(row["last_seq"]),
        logSeq: num(row["log_seq"]),
      };
    },

    loadEvents(userId: number): readonly StoredEvent[] {
      return sql.loadEvents.all(userId).map(eventFromRow);
    },

    staleActors(): readonly number[] {
      // The event row and the snapshot commit in one transaction: a snapshot is never behind its log.
      return [];
    },

    transact<R>(work: (tx: StoreTx) => R): Promise<R> {
      if (!open) return Promise.reject(new Error("the SQLite store is closed"));
      sql.begin.run();
      erasedInUnit = false;
      unitTime = clock.now();
      catalog.unitBegan();
      try {
        const result = work(tx);
        sql.commit.run();
        catalog.unitCommitted();
        if (erasedInUnit) walTruncation.truncate();
        return Promise.resolve(result);
      } catch (error) {
        if (db.isTransaction) sql.rollback.run();
        return Promise.reject(error);
      }
    },

    erasureSettled: () => walTruncation.settled(),

    async close(): Promise<void> {
      if (!open) return;
      if (sessionWaiters.length > 0) flushSessions();
      open = false;
      walTruncation.stop();
      db.exec("PRAGMA optimize");
      db.close();
      release();
    },

    async readSession(key) {
      if (!open) throw new Error("the SQLite store is closed");
      if (sessionWrites.has(key)) return sessionWrites.get(key) ?? undefined;
      const row = sql.readSession.get(key);
      return row ? String(row["value"]) : undefined;
    },

    writeSession(key, value) {
      return queueSession(key, value);
    },

    deleteSession(key) {
      return queueSession(key, null);
    },

    async pendingMirror(kind, limit) {
      if (!open) throw new Error("the SQLite store is closed");
      return sql.pendingMirror.all(kind, Math.max(0, Math.floor(limit))).map(
        (row): MirrorItem => ({ kind, ref: String(row["ref"]), version: num(row["version"]), queuedAt: num(row["queued_at"]) }),
      );
    },

    async completeMirror(items) {
      if (items.length === 0) return;
      atomically(() => {
        for (const item of items) sql.completeMirror.run(item.kind, item.ref, item.version);
      });
    },

    async enqueueAllForMirror() {
      return atomically(() => {
        const at = clock.now();
        const leads = Number(sql.queueAllLeads.run(at, mirrorSeq).changes);
        mirrorSeq += leads;
        const orders = Number(sql.queueAllOrders.run(at, mirrorSeq).changes);
        mirrorSeq += orders;
        return leads + orders;
      });
    },

    async pendingMirrorCount() {
      if (!open) throw new Error("the SQLite store is closed");
      const counts = { leads: 0, orders: 0 };
      for (const row of sql.mirrorCounts.all()) {
        if (row["kind"] === "lead") counts.leads = num(row["n"]);
        else if (row["kind"] === "order") counts.orders = num(row["n"]);
      }
      return counts;
    },
  };
}
