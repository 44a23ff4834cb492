import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { createCustomerRuntime } from "../actors/customerRuntime.ts";
import { migrate } from "../adapters/sqlite/sqliteSchema.ts";
import { appendEventSql, openSqliteStore, queueMirrorSql, saveLeadSql } from "../adapters/sqlite/sqliteStore.ts";
import { batchSizes, leadValues, recordingStore, type CommitCensus } from "./commitCensus.ts";
import { best, perSecond, round, type Figure } from "./figures.ts";
import { shopMix, type Planned } from "./shopMix.ts";

const customers = 1_000;
const events = 200_000;
/** Dispatches in flight at once, as a busy bot would have. */
const concurrency = 2_000;
const start = Date.parse("2026-01-01T00:00:00Z");
/** Telegram update ids are sequential and, in a live bot, nine or ten digits long. */
const firstUpdateId = 734_000_000;



type EventRow = [userId: number, type: string, payload: string, at: number, key: string];
/** The 28 values of `saveLeadSql`, then the 4 of `queueMirrorSql` (kind, ref, queued at, seq). */
type LeadRows = { readonly lead: Array<string | number | null>; readonly mirror: [kind: "lead", ref: string, queuedAt: number, seq: number] };
/** One transaction of the baseline: the runtime's unit, as rows already serialised. */
type BaselineUnit = { readonly events: EventRow[]; readonly leads: LeadRows[] };

/**
 * The rows the runtime's units wrote (from an untimed run of the same plan), serialised before any
 * clock starts: each unit's events, and one lead row (the customer's last, with its snapshot) and
 * one Sheets-outbox row per customer the unit saved.
 */
function baselineUnits(census: CommitCensus): BaselineUnit[] {
  const leads = new Map([...census.lastWrite].map(([userId, write]) => [userId, leadValues(write)]));
  let seq = 0;
  return census.units.map((unit) => {
    const queuedAt = unit.events[0]?.at ?? start;
    return {
      events: unit.events.map((event): EventRow => [event.userId, event.type, event.payload, event.at, event.key]),
      leads: unit.customers.map((userId) => ({ lead: leads.get(userId) ?? [], mirror: ["lead", String(userId), queuedAt, ++seq] })),
    };
  });
}

/** The SQLite store's own connection settings (adapters/sqlite/sqliteStore.ts; keep the two in step). */
const storePragmas = `PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;
  PRAGMA cache_size = -32768; PRAGMA wal_autocheckpoint = 4000; PRAGMA secure_delete = ON;`;

const bareSchema = `CREATE TABLE crm_events (seq INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, type TEXT NOT NULL, payload TEXT NOT NULL, ts INTEGER NOT NULL, key TEXT NOT NULL UNIQUE);
  CREATE TABLE crm_leads (user_id INTEGER PRIMARY KEY, username TEXT, name TEXT, source TEXT, first_seen_at INTEGER, last_seen_at INTEGER, stage TEXT NOT NULL,
    orders_count INTEGER NOT NULL, lifetime_value REAL NOT NULL, last_order_id TEXT, consent_at INTEGER, consent_version TEXT, phone TEXT,
    tags TEXT NOT NULL, notes TEXT NOT NULL, stage_entered_at TEXT NOT NULL, erased_at INTEGER, blocked_at INTEGER, dormant_since INTEGER,
    last_reminder_at INTEGER, reminders_sent INTEGER NOT NULL, consent_declined TEXT, language TEXT NOT NULL, unsubscribed_at INTEGER, machine_version INTEGER NOT NULL, snapshot TEXT NOT NULL,
    last_seq INTEGER NOT NULL, search_text TEXT NOT NULL);
  CREATE TABLE crm_mirror_outbox (kind TEXT NOT NULL, ref TEXT NOT NULL, version INTEGER NOT NULL, queued_at INTEGER NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY (kind, ref)) WITHOUT ROWID;`;

/**
 * Raw node:sqlite committing the runtime's units as they were: the same transactions, each with
 * its event rows and one lead row and one Sheets-outbox upsert per customer, nothing else.
 * `schema: "store"` writes into the store's own tables (indexes on user, type, key, recency, outbox
 * age, FTS and the stage-move triggers), with the store's connection settings; `schema: "bare"`
 * into tables with no index but the keys, with WAL and synchronous = NORMAL only.
 */
function rawBaseline(path: string, units: readonly BaselineUnit[], schema: "store" | "bare"): number {
  const db = new DatabaseSync(path);
  if (schema === "store") {
    db.exec(storePragmas);
    migrate(db);
  } else {
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
    db.exec(bareSchema);
  }
  const insert = db.prepare(appendEventSql);
  const upsert = db.prepare(saveLeadSql);
  const queue = db.prepare(queueMirrorSql);
  const begin = db.prepare("BEGIN IMMEDIATE");
  const commit = db.prepare("COMMIT");
  let events = 0;
  const t0 = performance.now();
  for (const unit of units) {
    begin.run();
    for (const event of unit.events) insert.run(...event);
    for (const { lead, mirror } of unit.leads) {
      upsert.run(...lead);
      queue.run(...mirror);
    }
    commit.run();
    events += unit.events.length;
  }
  const seconds = (performance.now() - t0) / 1000;
  db.close();
  return events / seconds;
}

/** Events per second through `dispatch`, in waves of `concurrency`; with `record`, the run is a census and its rate is not used. */
async function throughDispatch(path: string, planned: readonly Planned[], record?: (census: CommitCensus) => void): Promise<number> {
  const opened = openSqliteStore({ path });
  const recording = record ? recordingStore(opened) : null;
  const runtime = createCustomerRuntime({ store: recording?.store ?? opened, maxActive: 2_000 });
  const t0 = performance.now();
  for (let i = 0; i < planned.length; i += concurrency) {
    await Promise.all(planned.slice(i, i + concurrency).map(({ userId, input }) => runtime.dispatch(userId, input)));
  }
  const seconds = (performance.now() - t0) / 1000;
  await runtime.close();
  await opened.close();
  if (recording && record) record(recording.census);
  return planned.length / seconds;
}

/** What the runtime wrote besides what the baseline writes, for the table. */
function extraRows(census: CommitCensus): string {
  const { timersSet, timersCancelled, effects, orders } = census.extra;
  return `${timersSet.toLocaleString("en")} timer rows set, ${timersCancelled.toLocaleString("en")} cancelled, ${effects.toLocaleString("en")} effects queued, ${orders.toLocaleString("en")} orders`;
}

/**
 * P1: events per second through `dispatch` on SQLite, as a ratio to raw node:sqlite committing
 * what the runtime must, in the runtime's own transactions (measured by a census run of the plan).
 */
export async function p1(): Promise<Figure[]> {
  const planned = shopMix({ events, customers, seed: 1, firstUpdateId });
  const dir = mkdtempSync(join(tmpdir(), "crm-bench-p1-"));
  const raw: number[] = [];
  const bare: number[] = [];
  const runtime: number[] = [];
  const recorded: { census?: CommitCensus } = {};
  try {
    await throughDispatch(join(dir, "census.sqlite"), planned, (census) => (recorded.census = census));
    if (!recorded.census) throw new Error("P1: the census run recorded nothing");
    const units = baselineUnits(recorded.census);
    for (let round = 0; round < 3; round++) {
      raw.push(rawBaseline(join(dir, `raw-${round}.sqlite`), units, "store"));
      bare.push(rawBaseline(join(dir, `bare-${round}.sqlite`), units, "bare"));
      runtime.push(await throughDispatch(join(dir, `runtime-${round}.sqlite`), planned));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const census = recorded.census;
  if (!census) throw new Error("P1: the census run recorded nothing");
  const sizes = batchSizes(census);
  const batches = `${sizes.units} transactions of ${Math.round(sizes.meanEvents)} events (at most ${sizes.maxEvents}) and ${Math.round(sizes.meanCustomers)} customers on average`;
  return [
    {
      id: "P1",
      what: "dispatch events/s on SQLite ÷ raw node:sqlite writing what the runtime must",
      value: round(best(runtime) / best(raw)),
      unit: "ratio",
      bar: ">= 0.5",
      detail:
        `dispatch ${perSecond(best(runtime))} ev/s (${events.toLocaleString("en")} events to ${customers} customers, ${concurrency} in flight; it also wrote ${extraRows(census)}); ` +
        `raw ${perSecond(best(raw))} ev/s: the same event rows, one lead row with the snapshot and one outbox row per customer per transaction, in the runtime's own ${batches}, into the store's schema with its pragmas (best of 3)`,
    },
    {
      id: "P1_bare",
      what: "the same ÷ raw into a bare schema (keys only: no user, type or recency index, no FTS)",
      value: round(best(runtime) / best(bare)),
      unit: "ratio",
      bar: null,
      detail: `raw, the same rows and transactions into a bare schema, ${perSecond(best(bare))} ev/s: what the indexes the CRM needs cost`,
    },
  ];
}
