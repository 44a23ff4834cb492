import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { createCustomerRuntime, type DispatchInput } from "../actors/customerRuntime.ts";
import { migrate } from "../adapters/sqlite/sqliteSchema.ts";
import { appendEventSql, openSqliteStore, queueMirrorSql, saveLeadSql } from "../adapters/sqlite/sqliteStore.ts";
import type { CustomerEventInput } from "../machines/customer.types.ts";
import { best, perSecond, random, round, type Figure } from "./figures.ts";

const customers = 1_000;
const events = 200_000;
/** Dispatches in flight at once, as a busy bot would have. */
const concurrency = 2_000;
const start = Date.parse("2026-01-01T00:00:00Z");
/** Telegram update ids are sequential and, in a live bot, nine or ten digits long. */
const firstUpdateId = 734_000_000;

interface Planned {
  readonly userId: number;
  readonly input: DispatchInput;
}

/** A realistic mix: mostly browsing, some carts, checkouts and orders. */
function plan(): Planned[] {
  const next = random(1);
  const planned: Planned[] = [];
  for (let i = 0; i < events; i++) {
    const userId = 1 + Math.floor(next() * customers);
    const r = next();
    const event: CustomerEventInput =
      r < 0.05 ? { type: "start", source: "ads" }
      : r < 0.3 ? { type: "catalog_view" }
      : r < 0.6 ? { type: "product_view", productId: `p${Math.floor(next() * 200)}` }
      : r < 0.75 ? { type: "search", query: "зелёный чай" }
      : r < 0.9 ? { type: "add_to_cart", productId: `p${Math.floor(next() * 200)}`, qty: 1 }
      : r < 0.97 ? { type: "checkout_started" }
      : { type: "order_created", orderId: `A-${i}`, total: 990, currency: "RUB" };
    planned.push({ userId, input: { ...event, key: `tg:${firstUpdateId + i}:${event.type}`, at: start + i * 1_000 } });
  }
  return planned;
}

type EventRow = [userId: number, type: string, payload: string, at: number, key: string];
/** The 27 values of `saveLeadSql`. */
type LeadRow = Array<string | number | null>;
/** The values of `queueMirrorSql`: the lead's outbox row for the Sheets mirror, queued with every change. */
type MirrorRow = [kind: "lead", ref: string, queuedAt: number, seq: number];

/** The rows `dispatch` ends up writing for the plan, serialised before any clock starts. */
function rowsOf(planned: readonly Planned[]): { events: EventRow[]; leads: LeadRow[]; mirror: MirrorRow[] } {
  const events: EventRow[] = [];
  const leads: LeadRow[] = [];
  const mirror: MirrorRow[] = [];
  planned.forEach(({ userId, input }, i) => {
    const { type, key, at = 0, ...payload } = input;
    events.push([userId, type, JSON.stringify(payload), at, key]);
    // Stage dates stay put between events, as the runtime's do, so the stage-moves trigger does work only when a lead enters a stage.
    const context = { userId, username: null, name: null, source: "ads", firstSeenAt: start, lastSeenAt: at, ordersCount: 0, lifetimeValue: 0, lastOrderId: null, consentAt: null, consentVersion: null, phone: null, tags: [], notes: [], stageEnteredAt: { new: start, cart: start + userId }, erasedAt: null, blockedAt: null, dormantSince: null, lastReminderAt: null, remindersSent: 0, consentDeclined: null, language: "ru" };
    const snapshot = JSON.stringify({ status: "active", value: "cart", historyValue: {}, context, children: {} });
    leads.push([userId, null, null, "ads", start, at, "cart", 0, 0, null, null, null, null, "[]", "[]", JSON.stringify(context.stageEnteredAt), null, null, null, null, 0, null, "ru", 1, snapshot, i + 1, ""]);
    mirror.push(["lead", String(userId), at, i + 1]);
  });
  return { events, leads, mirror };
}

/**
 * Raw node:sqlite, 100 per transaction: the same event rows, lead+snapshot rows and upserts of the
 * lead's Sheets-mirror outbox row, one of each per event, already serialised. `schema: "store"`
 * writes them into the store's own tables (indexes on user, type, key, recency, outbox age, and
 * FTS); `schema: "bare"` into tables with no index but the keys, as the calibration did.
 */
function rawBaseline(path: string, rows: ReturnType<typeof rowsOf>, schema: "store" | "bare"): number {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
  if (schema === "store") migrate(db);
  else {
    db.exec(`CREATE TABLE crm_events (seq INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, type TEXT NOT NULL, payload TEXT NOT NULL, ts INTEGER NOT NULL, key TEXT NOT NULL UNIQUE);
      CREATE TABLE crm_leads (user_id INTEGER PRIMARY KEY, username TEXT, name TEXT, source TEXT, first_seen_at INTEGER, last_seen_at INTEGER, stage TEXT NOT NULL,
        orders_count INTEGER NOT NULL, lifetime_value REAL NOT NULL, last_order_id TEXT, consent_at INTEGER, consent_version TEXT, phone TEXT,
        tags TEXT NOT NULL, notes TEXT NOT NULL, stage_entered_at TEXT NOT NULL, erased_at INTEGER, blocked_at INTEGER, dormant_since INTEGER,
        last_reminder_at INTEGER, reminders_sent INTEGER NOT NULL, consent_declined TEXT, language TEXT NOT NULL, machine_version INTEGER NOT NULL, snapshot TEXT NOT NULL,
        last_seq INTEGER NOT NULL, search_text TEXT NOT NULL);
      CREATE TABLE crm_mirror_outbox (kind TEXT NOT NULL, ref TEXT NOT NULL, version INTEGER NOT NULL, queued_at INTEGER NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (kind, ref)) WITHOUT ROWID;`);
  }
  const insert = db.prepare(appendEventSql);
  const upsert = db.prepare(saveLeadSql);
  const queue = db.prepare(queueMirrorSql);
  const begin = db.prepare("BEGIN");
  const commit = db.prepare("COMMIT");
  const t0 = performance.now();
  begin.run();
  for (let i = 0; i < rows.events.length; i++) {
    insert.run(...(rows.events[i] ?? []));
    upsert.run(...(rows.leads[i] ?? []));
    queue.run(...(rows.mirror[i] ?? []));
    if (i % 100 === 99) {
      commit.run();
      begin.run();
    }
  }
  commit.run();
  const seconds = (performance.now() - t0) / 1000;
  db.close();
  return rows.events.length / seconds;
}

async function throughDispatch(path: string, planned: readonly Planned[]): Promise<number> {
  const store = openSqliteStore({ path });
  const runtime = createCustomerRuntime({ store, maxActive: 2_000 });
  const t0 = performance.now();
  for (let i = 0; i < planned.length; i += concurrency) {
    await Promise.all(planned.slice(i, i + concurrency).map(({ userId, input }) => runtime.dispatch(userId, input)));
  }
  const seconds = (performance.now() - t0) / 1000;
  await runtime.close();
  await store.close();
  return planned.length / seconds;
}

/** P1: events per second through `dispatch` on SQLite, as a ratio to raw node:sqlite in the same run. */
export async function p1(): Promise<Figure[]> {
  const planned = plan();
  const rows = rowsOf(planned);
  const dir = mkdtempSync(join(tmpdir(), "crm-bench-p1-"));
  const raw: number[] = [];
  const bare: number[] = [];
  const runtime: number[] = [];
  try {
    for (let round = 0; round < 3; round++) {
      raw.push(rawBaseline(join(dir, `raw-${round}.sqlite`), rows, "store"));
      bare.push(rawBaseline(join(dir, `bare-${round}.sqlite`), rows, "bare"));
      runtime.push(await throughDispatch(join(dir, `runtime-${round}.sqlite`), planned));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    {
      id: "P1",
      what: "dispatch events/s on SQLite ÷ raw node:sqlite",
      value: round(best(runtime) / best(raw)),
      unit: "ratio",
      bar: ">= 0.5",
      detail: `dispatch ${perSecond(best(runtime))} ev/s, raw into the store's schema ${perSecond(best(raw))} ev/s (best of 3; ${events.toLocaleString("en")} events, ${customers} customers)`,
    },
    {
      id: "P1_bare",
      what: "the same ÷ raw into a bare schema (keys only: no user, type or recency index, no FTS)",
      value: round(best(runtime) / best(bare)),
      unit: "ratio",
      bar: null,
      detail: `raw into a bare schema ${perSecond(best(bare))} ev/s: what the indexes the CRM needs cost`,
    },
  ];
}
