import { existsSync } from "node:fs";
import { DatabaseSync, type SQLInputValue, type SQLOutputValue } from "node:sqlite";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { CustomerMachine } from "../../actors/customerSnapshot.ts";
import { createCustomerStepper, customerActor, type CustomerStepper } from "../../actors/customerStepper.ts";
import { rebuildCustomer, rebuiltDiffers, reconcileTimers } from "../../actors/rebuild.ts";
import type { CustomerEventType } from "../../machines/customer.types.ts";
import type { StoredEvent, TimerRow } from "../../actors/store.port.ts";
import { acquireProcessLock, StoreInUseError } from "../processLock.ts";
import { recordedMachineVersion, removeShadow, shadowPathOf } from "../sqlite/sqliteRebuildMeta.ts";
import { migrations } from "../sqlite/sqliteSchema.ts";
import { queueMirrorSql, saveLeadParams, saveLeadSql } from "../sqlite/sqliteStore.ts";
import { RebuildRefused, type RebuildHooks, type RebuildResult } from "./rebuildErrors.ts";

type Row = Record<string, SQLOutputValue>;

export interface SqliteRebuildOptions {
  /** The store's file (DATABASE_PATH). */
  readonly path: string;
  /** The customer machine to replay through, with the shop's settings provided (the CLI passes the one `npm start` runs). */
  readonly machine: CustomerMachine;
  readonly machineVersion: number;
  /** Customers per read transaction and per write to the shadow table (default 1,000). */
  readonly batchSize?: number;
  /**
   * Customers per switch transaction; absent or 0, the whole switch is one transaction (all or
   * nothing). The live process's commits wait for each one, so a switch of very many customers under
   * busy bots may be cut into transactions each short of its 5 s busy timeout: each customer then
   * switches whole (row, timers, projections), and a crash between two leaves the rest to the next run.
   */
  readonly switchBatch?: number;
  readonly progress?: (done: number, total: number) => void;
  readonly hooks?: RebuildHooks;
  /** The time the switched leads are queued for the Sheets mirror with (default: the system clock). */
  readonly now?: () => number;
}


/** Whether `npm start` holds the store, probed by taking its lock and giving it back at once. */
function liveProcessHolds(path: string): boolean {
  try {
    acquireProcessLock(`${path}.lock`)();
    return false;
  } catch (error) {
    if (error instanceof StoreInUseError) return true;
    throw error;
  }
}

/** A refusal when a live process runs another customer machine version than this rebuild's. */
function checkLiveVersion(db: DatabaseSync, path: string, machineVersion: number): void {
  if (!liveProcessHolds(path)) return;
  const live = recordedMachineVersion(db);
  if (live === machineVersion) return;
  throw new RebuildRefused(
    `the running Shop CRM (it holds ${path}.lock) runs customer machine version ${live ?? "unknown"}, this rebuild ${machineVersion}: restart npm start with this code first, then rebuild`,
  );
}

function openMain(path: string): DatabaseSync {
  if (!existsSync(path)) throw new RebuildRefused(`DATABASE_PATH: ${path} does not exist; there is nothing to rebuild`);
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path);
    db.exec("PRAGMA busy_timeout = 5000; PRAGMA secure_delete = ON;");
    const version = Number(db.prepare("PRAGMA user_version").get()?.["user_version"] ?? 0);
    if (version !== migrations.length) {
      db.close();
      throw new RebuildRefused(
        version < migrations.length
          ? `DATABASE_PATH: ${path} has schema version ${version}, this code ${migrations.length}: start npm start once with this code (it migrates the store), then rebuild`
          : `DATABASE_PATH: ${path} has schema version ${version}, newer than this code (${migrations.length})`,
      );
    }
    return db;
  } catch (error) {
    if (error instanceof RebuildRefused) throw error;
    throw new RebuildRefused(`DATABASE_PATH: ${path} cannot be opened as a Shop CRM store (${error instanceof Error ? error.message : String(error)})`);
  }
}

function openShadow(path: string): DatabaseSync {
  removeShadow(path);
  const shadow = new DatabaseSync(shadowPathOf(path));
  shadow.exec(`PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
    CREATE TABLE crm_rebuild_leads (user_id INTEGER PRIMARY KEY, last_seq INTEGER NOT NULL, params TEXT NOT NULL, timers TEXT NOT NULL);`);
  return shadow;
}

const eventOf = (row: Row): StoredEvent => ({
  seq: Number(row["seq"]),
  userId: Number(row["user_id"]),
  type: String(row["type"]) as CustomerEventType,
  payload: JSON.parse(String(row["payload"])) as StoredEvent["payload"],
  at: Number(row["ts"]),
  key: String(row["key"]),
});

const timerOf = (row: Row): TimerRow => ({
  actor: String(row["actor"]),
  sendId: String(row["send_id"]),
  dueAt: Number(row["due_at"]),
  event: String(row["event"]),
  key: String(row["key"]),
});

function mainStatements(db: DatabaseSync) {
  return {
    begin: db.prepare("BEGIN"),
    beginWrite: db.prepare("BEGIN IMMEDIATE"),
    commit: db.prepare("COMMIT"),
    rollback: db.prepare("ROLLBACK"),
    count: db.prepare("SELECT count(*) AS n FROM crm_leads"),
    leads: db.prepare("SELECT user_id, machine_version, snapshot FROM crm_leads WHERE user_id > ? ORDER BY user_id LIMIT ?"),
    events: db.prepare("SELECT * FROM crm_events WHERE user_id BETWEEN ? AND ? ORDER BY user_id, seq"),
    timers: db.prepare("SELECT * FROM crm_timers WHERE actor = ?"),
    // The live process may have written this customer since the replay read it: then it ran the
    // current machine on a longer log, and its row stands.
    switchLead: db.prepare(`${saveLeadSql} WHERE crm_leads.last_seq = excluded.last_seq`),
    deleteTimer: db.prepare("DELETE FROM crm_timers WHERE actor = ? AND send_id = ?"),
    putTimer: db.prepare(
      `INSERT INTO crm_timers (actor, send_id, due_at, event, key) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (actor, send_id) DO UPDATE SET due_at = excluded.due_at, event = excluded.event, key = excluded.key`,
    ),
    mirrorSeq: db.prepare("SELECT coalesce(max(seq), 0) AS n FROM crm_mirror_outbox"),
    queueMirror: db.prepare(queueMirrorSql),
  };
}

type MainSql = ReturnType<typeof mainStatements>;

interface Page {
  readonly lastUserId: number;
  readonly customers: number;
  readonly events: number;
  readonly rows: readonly SQLInputValue[][];
}

/** One page of customers read in one read transaction, replayed, and the differing ones returned as shadow rows. */
function replayPage(sql: MainSql, stepper: CustomerStepper, machineVersion: number, after: number, limit: number): Page | null {
  sql.begin.run();
  let leads: Row[];
  let events: Row[];
  const stored = new Map<number, TimerRow[]>();
  try {
    leads = sql.leads.all(after, limit);
    const first = leads[0];
    const last = leads.at(-1);
    if (!first || !last) return null;
    events = sql.events.all(first["user_id"] ?? 0, last["user_id"] ?? 0);
    for (const lead of leads) stored.set(Number(lead["user_id"]), sql.timers.all(customerActor(Number(lead["user_id"]))).map(timerOf));
  } finally {
    sql.commit.run();
  }
  const logs = new Map<number, StoredEvent[]>();
  for (const row of events) {
    const event = eventOf(row);
    const log = logs.get(event.userId);
    if (log) log.push(event);
    else logs.set(event.userId, [event]);
  }
  const rows: SQLInputValue[][] = [];
  for (const lead of leads) {
    const userId = Number(lead["user_id"]);
    const rebuilt = rebuildCustomer(stepper, machineVersion, userId, logs.get(userId) ?? []);
    if (!rebuilt) continue;
    const was = { machineVersion: Number(lead["machine_version"]), snapshot: String(lead["snapshot"]), timers: stored.get(userId) ?? [] };
    if (rebuiltDiffers(rebuilt, was)) rows.push([userId, rebuilt.write.lastSeq, JSON.stringify(saveLeadParams(rebuilt.write)), JSON.stringify(rebuilt.timers)]);
  }
  return { lastUserId: Number(leads.at(-1)?.["user_id"]), customers: logs.size, events: events.length, rows };
}

/** Phase 1: every customer's log through the machine, page by page, the differing ones into the shadow table. */
async function replayAll(db: DatabaseSync, shadow: DatabaseSync, options: SqliteRebuildOptions) {
  const sql = mainStatements(db);
  const stepper = createCustomerStepper(options.machine);
  const insert = shadow.prepare("INSERT INTO crm_rebuild_leads (user_id, last_seq, params, timers) VALUES (?, ?, ?, ?)");
  const batch = Math.max(1, Math.floor(options.batchSize ?? 1_000));
  const total = Number(sql.count.get()?.["n"] ?? 0);
  let after = 0;
  let done = 0;
  let customers = 0;
  let events = 0;
  let differing = 0;
  options.progress?.(0, total);
  for (;;) {
    const page = replayPage(sql, stepper, options.machineVersion, after, batch);
    if (!page) break;
    shadow.exec("BEGIN");
    for (const row of page.rows) insert.run(...row);
    shadow.exec("COMMIT");
    after = page.lastUserId;
    done = Math.min(total, done + batch);
    customers += page.customers;
    events += page.events;
    differing += page.rows.length;
    options.progress?.(done, Math.max(total, done));
    await options.hooks?.afterBatch?.(done, total);
    // A rebuild in the live process's own event loop (tests, the bench) lets it serve between pages.
    await nextTurn();
  }
  return { customers, events, differing };
}

/** Phase 2, in one write transaction: the shadow's rows over the live ones whose last seq is unchanged, with their timers. */
function switchAll(db: DatabaseSync, shadow: DatabaseSync, options: SqliteRebuildOptions): { switched: number; actedMeanwhile: number } {
  const sql = mainStatements(db);
  const now = options.now?.() ?? Date.now();
  let switched = 0;
  let actedMeanwhile = 0;
  sql.beginWrite.run();
  try {
    checkLiveVersion(db, options.path, options.machineVersion);
    let mirrorSeq = Number(sql.mirrorSeq.get()?.["n"] ?? 0);
    for (const row of shadow.prepare("SELECT user_id, params, timers FROM crm_rebuild_leads ORDER BY user_id").iterate()) {
      const params = JSON.parse(String(row["params"])) as SQLInputValue[];
      if (Number(sql.switchLead.run(...params).changes) === 0) {
        actedMeanwhile++;
        continue;
      }
      const actor = customerActor(Number(row["user_id"]));
      const wanted = JSON.parse(String(row["timers"])) as TimerRow[];
      const { remove, put } = reconcileTimers(sql.timers.all(actor).map(timerOf), wanted);
      for (const sendId of remove) sql.deleteTimer.run(actor, sendId);
      for (const timer of put) sql.putTimer.run(timer.actor, timer.sendId, timer.dueAt, timer.event, timer.key);
      sql.queueMirror.run("lead", String(row["user_id"]), now, ++mirrorSeq);
      switched++;
      options.hooks?.duringSwitch?.(switched);
      if (options.switchBatch && switched % options.switchBatch === 0) {
        sql.commit.run();
        sql.beginWrite.run();
      }
    }
    sql.commit.run();
  } catch (error) {
    if (db.isTransaction) sql.rollback.run();
    throw error;
  }
  return { switched, actedMeanwhile };
}

/**
 * `npm run rebuild` on SQLite, while `npm start` serves (docs/actor-runtime.md, Rebuilding history).
 * It never takes the process lock: it reads the log in short read transactions (WAL readers do not
 * block the writer), writes the replayed customers into a shadow file of its own, then switches in
 * one write transaction, where the live process's commits wait for it (busy_timeout). A crash before
 * that COMMIT leaves the store as it was; the next run starts the shadow afresh.
 */
export async function rebuildSqlite(options: SqliteRebuildOptions): Promise<RebuildResult> {
  const db = openMain(options.path);
  let shadow: DatabaseSync | null = null;
  try {
    checkLiveVersion(db, options.path, options.machineVersion);
    shadow = openShadow(options.path);
    const replayed = await replayAll(db, shadow, options);
    await options.hooks?.beforeSwitch?.();
    const switched = switchAll(db, shadow, options);
    return { ...replayed, ...switched };
  } finally {
    shadow?.close();
    removeShadow(options.path);
    db.close();
  }
}
