import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type SQLInputValue, type SQLOutputValue } from "node:sqlite";
import { dayBounds } from "../../actors/calendar.ts";
import { funnelFromCounts } from "../../actors/funnelStats.ts";
import { pageBounds, pageOf } from "../../actors/paging.ts";
import { orderActor } from "../../actors/actorLog.port.ts";
import { redactEventPayload } from "../../actors/personalData.ts";
import { leadSearchText, parseSearchQuery } from "../../actors/searchQuery.ts";
import type {
  ActorWrite,
  CrmStore,
  DailyStats,
  Lead,
  MirrorItem,
  NewEvent,
  NewMessage,
  Page,
  StoredActor,
  StoredEvent,
  StoreTx,
} from "../../actors/store.port.ts";
import { customerEventTypes, stages, type CustomerEventType, type Stage } from "../../machines/customer.types.ts";
import { asStage, eventFromRow, leadColumns, leadFromRow, messageFromRow, num, numOrNull } from "../storeRows.ts";
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
import { recordMachineVersion, removeShadow } from "./sqliteRebuildMeta.ts";
import { createWalTruncation } from "./walTruncation.ts";
import { customerMachineVersion } from "../../machines/customer.machine.ts";

type Row = Record<string, SQLOutputValue>;

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

/** Appends one event; a key already stored makes it a no-op (0 changes), which is how duplicates are seen. */
export const appendEventSql = "INSERT INTO crm_events (user_id, type, payload, ts, key) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING";

/** Writes a lead with its snapshot: the columns of `leadColumns`, then version, snapshot, last seq and search text. */
export const saveLeadSql = `INSERT INTO crm_leads (${leadColumns}, machine_version, snapshot, last_seq, search_text)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (user_id) DO UPDATE SET
    username = excluded.username, name = excluded.name, source = excluded.source, first_seen_at = excluded.first_seen_at,
    last_seen_at = excluded.last_seen_at, stage = excluded.stage, orders_count = excluded.orders_count,
    lifetime_value = excluded.lifetime_value, last_order_id = excluded.last_order_id, consent_at = excluded.consent_at,
    consent_version = excluded.consent_version, phone = excluded.phone, tags = excluded.tags, notes = excluded.notes,
    stage_entered_at = excluded.stage_entered_at, erased_at = excluded.erased_at, blocked_at = excluded.blocked_at,
    dormant_since = excluded.dormant_since, last_reminder_at = excluded.last_reminder_at, reminders_sent = excluded.reminders_sent,
    consent_declined = excluded.consent_declined, language = excluded.language, unsubscribed_at = excluded.unsubscribed_at, machine_version = excluded.machine_version,
    snapshot = excluded.snapshot, last_seq = excluded.last_seq, search_text = excluded.search_text`;

/** The parameters of `saveLeadSql` for one actor write, in its column order. */
export function saveLeadParams(write: ActorWrite): SQLInputValue[] {
  const { lead } = write;
  return [
    lead.userId,
    lead.username,
    lead.name,
    lead.source,
    lead.firstSeenAt,
    lead.lastSeenAt,
    lead.stage,
    lead.ordersCount,
    lead.lifetimeValue,
    lead.lastOrderId,
    lead.consentAt,
    lead.consentVersion,
    lead.phone,
    JSON.stringify(lead.tags),
    JSON.stringify(lead.notes),
    JSON.stringify(lead.stageEnteredAt),
    lead.erasedAt,
    lead.blockedAt,
    lead.dormantSince ?? null,
    lead.lastReminderAt ?? null,
    lead.remindersSent ?? 0,
    lead.consentDeclined ?? null,
    lead.language ?? "ru",
    lead.unsubscribedAt ?? null,
    write.machineVersion,
    write.snapshot,
    write.lastSeq,
    leadSearchText(lead),
  ];
}

/**
 * Queues a lead or an order for the Sheets mirror (kind, ref, queued at, seq), or bumps the version
 * of the one already queued, which keeps its time and so its place in the queue.
 */
export const queueMirrorSql = `INSERT INTO crm_mirror_outbox (kind, ref, version, queued_at, seq) VALUES (?, ?, 1, ?, ?)
  ON CONFLICT (kind, ref) DO UPDATE SET version = version + 1`;

/**
 * Every lead (by first seen) or every order (by time) queued in one statement, as `queueMirrorSql`
 * does one: `?1` is the time, `?2` the last seq used. `WHERE true` lets SQLite parse the upsert.
 */
const queueAllSql = (kind: MirrorItem["kind"]): string =>
  `INSERT INTO crm_mirror_outbox (kind, ref, version, queued_at, seq)
   ${
     kind === "lead"
       ? "SELECT 'lead', CAST(user_id AS TEXT), 1, ?1, ?2 + row_number() OVER (ORDER BY first_seen_at, user_id) FROM crm_leads WHERE true"
       : "SELECT 'order', order_id, 1, ?1, ?2 + row_number() OVER (ORDER BY at, rowid) FROM crm_orders WHERE true"
   }
   ON CONFLICT (kind, ref) DO UPDATE SET version = version + 1`;

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
    // The least key at or after a prefix: one probe of the unique index on key. Any key holding
    // the prefix sorts right after it, so the prefix is in the log exactly when this key holds it.
    keyAtOrAfter: db.prepare("SELECT key FROM crm_events WHERE key >= ? ORDER BY key LIMIT 1"),
    appendMessage: db.prepare("INSERT INTO crm_messages (user_id, direction, type, text, ts) VALUES (?, ?, ?, ?, ?)"),
    saveLead: db.prepare(saveLeadSql),
    loadActor: db.prepare(
      "SELECT user_id, stage, snapshot, machine_version, last_seq, (SELECT max(seq) FROM crm_events e WHERE e.user_id = l.user_id) AS log_seq FROM crm_leads l WHERE user_id = ?",
    ),
    loadEvents: db.prepare("SELECT * FROM crm_events WHERE user_id = ? ORDER BY seq"),
    events: db.prepare(
      `SELECT * FROM (SELECT * FROM crm_events WHERE user_id = ? AND (? IS NULL OR type IN (SELECT value FROM json_each(?)))
       AND ts >= ? AND ts < ? ORDER BY seq DESC LIMIT ?) ORDER BY seq`,
    ),
    lead: db.prepare(`SELECT ${leadColumns} FROM crm_leads WHERE user_id = ?`),
    recentLeads: db.prepare(`SELECT ${leadColumns} FROM crm_leads ORDER BY last_seen_at DESC, user_id DESC LIMIT ? OFFSET ?`),
    // Search reads the match set first, up to a cap. A set under the cap is sorted by recency directly;
    // a larger one is found by walking leads from the most recently seen, which stops after one page.
    searchProbe: db.prepare("SELECT rowid AS id FROM crm_leads_fts WHERE crm_leads_fts MATCH ? LIMIT ?"),
    searchFew: db.prepare(
      `SELECT ${leadColumns} FROM crm_leads WHERE user_id IN (SELECT value FROM json_each(?)) AND user_id IS NOT ?
       ORDER BY last_seen_at DESC, user_id DESC LIMIT ? OFFSET ?`,
    ),
    searchMany: db.prepare(
      `SELECT ${leadColumns} FROM crm_leads INDEXED BY crm_leads_by_last_seen
       WHERE user_id IN (SELECT rowid FROM crm_leads_fts WHERE crm_leads_fts MATCH ?) AND user_id IS NOT ?
       ORDER BY last_seen_at DESC LIMIT ? OFFSET ?`,
    ),
    funnel: db.prepare("SELECT stage, count, dormant FROM crm_funnel"),
    newLeads: db.prepare("SELECT count(*) AS n FROM crm_leads WHERE first_seen_at >= ? AND first_seen_at < ?"),
    // One range of crm_stage_moves_by_stage per stage, which covers the query: it reads only that day's moves.
    countStage: db.prepare("SELECT count(*) AS n FROM crm_stage_moves WHERE stage = ? AND at >= ? AND at < ?"),
    countType: db.prepare("SELECT count(*) AS n FROM crm_events WHERE type = ? AND ts >= ? AND ts < ?"),
    orders: db.prepare(
      "SELECT count(*) AS n, coalesce(sum(payload ->> 'total'), 0) AS revenue FROM crm_events WHERE type = 'order_created' AND ts >= ? AND ts < ?",
    ),
    messagesCount: db.prepare("SELECT count(*) AS n FROM crm_messages WHERE user_id = ? AND (? IS NULL OR direction = ?)"),
    messages: db.prepare(
      "SELECT * FROM (SELECT * FROM crm_messages WHERE user_id = ? AND (? IS NULL OR direction = ?) ORDER BY id DESC LIMIT ?) ORDER BY id",
    ),
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

  const probeCap = options.searchProbeCap ?? 2_000;
  function searchLeads(terms: readonly string[], except: number | null, limit: number, offset: number): Row[] {
    const match = terms.map((term) => `"${term.replaceAll('"', '""')}"*`).join(" ");
    const ids = sql.searchProbe.all(match, probeCap + 1).map((row) => num(row["id"]));
    if (ids.length <= probeCap) return sql.searchFew.all(JSON.stringify(ids), except, limit, offset);
    return sql.searchMany.all(match, except, limit, offset);
  }

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

  const segments = sqliteSegments(db, (userId) => {
    const row = sql.lead.get(userId);
    return row ? leadFromRow(row) : null;
  }, () => {
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

    async close(): Promise<void> {
      if (!open) return;
      if (sessionWaiters.length > 0) flushSessions();
      open = false;
      walTruncation.stop();
      db.exec("PRAGMA optimize");
      db.close();
      release();
    },

    async hasEventKeyPrefix(prefix) {
      if (!open) throw new Error("the SQLite store is closed");
      const row = sql.keyAtOrAfter.get(prefix);
      return row !== undefined && String(row["key"]).startsWith(prefix);
    },

    async events(userId, filter = {}) {
      const types = filter.types && filter.types.length > 0 ? JSON.stringify(filter.types) : null;
      const limit = filter.limit === undefined ? -1 : Math.max(0, Math.floor(filter.limit));
      const since = filter.since ?? Number.MIN_SAFE_INTEGER;
      const until = filter.until ?? Number.MAX_SAFE_INTEGER;
      return sql.events.all(userId, types, types, since, until, limit).map(eventFromRow);
    },

    async stage(userId) {
      const row = sql.lead.get(userId);
      return row ? asStage(row["stage"]) : null;
    },

    async ordersCount(userId) {
      return num(sql.lead.get(userId)?.["orders_count"]);
    },

    async seen(userId) {
      const row = sql.lead.get(userId);
      return row ? { firstSeenAt: numOrNull(row["first_seen_at"]), lastSeenAt: numOrNull(row["last_seen_at"]) } : null;
    },

    async dailyStats(day, timeZone): Promise<DailyStats> {
      const { start, end } = dayBounds(day, timeZone);
      const eventsByType: Partial<Record<CustomerEventType, number>> = {};
      for (const type of customerEventTypes) {
        const n = num(sql.countType.get(type, start, end)?.["n"]);
        if (n > 0) eventsByType[type] = n;
      }
      const stageMoves: Partial<Record<Stage, number>> = {};
      for (const stage of stages) {
        const n = num(sql.countStage.get(stage, start, end)?.["n"]);
        if (n > 0) stageMoves[stage] = n;
      }
      const orders = sql.orders.get(start, end);
      return {
        day,
        timeZone,
        newLeads: num(sql.newLeads.get(start, end)?.["n"]),
        eventsByType,
        orders: num(orders?.["n"]),
        revenue: Math.round(num(orders?.["revenue"]) * 100) / 100,
        stageMoves,
      };
    },

    async messages(userId, filter = {}) {
      const direction = filter.direction ?? null;
      const limit = filter.limit === undefined ? -1 : Math.max(0, Math.floor(filter.limit));
      return sql.messages.all(userId, direction, direction, limit).map(messageFromRow);
    },

    async messagesCount(userId, filter = {}) {
      const direction = filter.direction ?? null;
      return num(sql.messagesCount.get(userId, direction, direction)?.["n"]);
    },

    async hasConsent(userId) {
      const row = sql.lead.get(userId);
      return row !== undefined && row["consent_at"] !== null;
    },

    async funnel() {
      const counts: Partial<Record<Stage, number>> = {};
      const dormant: Partial<Record<Stage, number>> = {};
      for (const row of sql.funnel.all()) {
        counts[asStage(row["stage"])] = num(row["count"]);
        dormant[asStage(row["stage"])] = num(row["dormant"]);
      }
      return funnelFromCounts(counts, dormant);
    },

    async recentLeads(request) {
      const { offset, limit } = pageBounds(request);
      return pageOf(sql.recentLeads.all(limit + 1, offset).map(leadFromRow), offset, limit);
    },

    async search(query, request): Promise<Page<Lead>> {
      const { offset, limit } = pageBounds(request);
      const { userId, terms } = parseSearchQuery(query);
      const exact = userId === null ? undefined : sql.lead.get(userId);
      const head = exact && offset === 0 ? [leadFromRow(exact)] : [];
      const skip = exact ? Math.max(0, offset - 1) : offset;
      const rows = terms.length === 0 ? [] : searchLeads(terms, exact ? userId : null, limit + 1 - head.length, skip);
      return pageOf([...head, ...rows.map(leadFromRow)], offset, limit);
    },

    async lead(userId) {
      const row = sql.lead.get(userId);
      return row ? leadFromRow(row) : null;
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
