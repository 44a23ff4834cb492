import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { leadSearchText } from "../actors/searchQuery.ts";
import { migrate, migrations } from "../adapters/sqlite/sqliteSchema.ts";
import { customerMachineVersion } from "../machines/customer.machine.ts";
import { stages, type CustomerEventType, type Stage } from "../machines/customer.types.ts";
import { random } from "./figures.ts";

/** Generated data sets live here, out of the repo (see .gitignore), and are reused across runs. */
export const dataDir = join(import.meta.dirname, ".data");

const firstNames = ["olga", "ivan", "anna", "sergey", "maria", "dmitry", "elena", "alexey", "natalia", "pavel", "irina", "andrey", "svetlana", "nikolay", "tatiana", "mikhail", "yulia", "roman", "ksenia", "oleg"];
const lastNames = ["smirnov", "ivanov", "kuznetsov", "popov", "vasiliev", "petrov", "sokolov", "mikhailov", "novikov", "fedorov", "morozov", "volkov", "alekseev", "lebedev", "semenov", "egorov", "pavlov", "kozlov", "stepanov", "nikolaev"];
const notes = ["Просил перезвонить после обеда", "Оптовый клиент, интересуется скидкой", "Жалоба на доставку, решено", "Хочет подарочную упаковку", "Call back on Monday"];
const tagSets = [["vip"], ["wholesale"], ["problem"], ["vip", "wholesale"]];
const browse: readonly CustomerEventType[] = ["catalog_view", "product_view", "search"];
/** Share of leads that end at each stage. */
const stageShare: ReadonlyArray<readonly [Stage, number]> = [["new", 0.35], ["engaged", 0.3], ["cart", 0.15], ["checkout", 0.07], ["customer", 0.1], ["repeat", 0.03]];

export interface DatasetShape {
  readonly leads: number;
  /** Events per lead on average (at least the ones its stage needs). */
  readonly eventsPerLead: number;
  /** Spread over this many days before `end`. */
  readonly days: number;
  readonly end: number;
}

function pickStage(r: number): Stage {
  let acc = 0;
  for (const [stage, share] of stageShare) {
    acc += share;
    if (r < acc) return stage;
  }
  return "repeat";
}

/**
 * Writes a realistic CRM database: leads across every stage, with logs, notes, tags and phones.
 * Raw SQL, but through the store's own migrations, so its triggers keep the derived tables (search, stage moves).
 */
function generate(path: string, shape: DatasetShape): void {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;");
  migrate(db);
  // Bulk load without the secondary indexes, then build them once: far faster than keeping them up to date.
  const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").all();
  for (const index of indexes) db.exec(`DROP INDEX ${String(index["name"])}`);
  const insertEvent = db.prepare("INSERT INTO crm_events (seq, user_id, type, payload, ts, key) VALUES (?, ?, ?, ?, ?, ?)");
  const insertLead = db.prepare(`INSERT INTO crm_leads (user_id, username, source, first_seen_at, last_seen_at, stage, orders_count,
    lifetime_value, last_order_id, consent_at, consent_version, phone, tags, notes, stage_entered_at, machine_version, snapshot, last_seq, search_text)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const next = random(42);
  const span = shape.days * 86_400_000;
  let seq = 0;
  db.exec("BEGIN");
  for (let userId = 1; userId <= shape.leads; userId++) {
    const stage = pickStage(next());
    const rank = stages.indexOf(stage) + 1;
    const first = shape.end - span + Math.floor(next() * span * 0.98);
    const log: Array<[CustomerEventType, string]> = [["start", JSON.stringify({ source: next() < 0.5 ? "instagram_ads" : null })]];
    const filler = Math.max(0, Math.round(shape.eventsPerLead * 2 * next()) - rank);
    if (rank >= 2) log.push([browse[Math.floor(next() * 3)] ?? "catalog_view", "{}"]);
    for (let i = 0; i < filler; i++) log.push([browse[Math.floor(next() * 3)] ?? "catalog_view", JSON.stringify({ productId: `p${Math.floor(next() * 300)}` })]);
    if (rank >= 3) log.push(["add_to_cart", JSON.stringify({ productId: `p${Math.floor(next() * 300)}`, qty: 1 })]);
    if (rank >= 4) log.push(["checkout_started", "{}"]);
    const orders = rank === 5 ? 1 : rank === 6 ? 2 + Math.floor(next() * 3) : 0;
    let ltv = 0;
    let lastOrderId: string | null = null;
    for (let i = 0; i < orders; i++) {
      const total = 500 + Math.floor(next() * 5000);
      ltv += total;
      lastOrderId = `A-${userId}-${i}`;
      log.push(["order_created", JSON.stringify({ orderId: lastOrderId, total, currency: "RUB" })]);
    }
    const stepMs = Math.max(1, Math.floor((shape.end - first) / (log.length + 1) / 4));
    let at = first;
    const entered: Partial<Record<Stage, number>> = { new: first };
    for (const [type, payload] of log) {
      seq++;
      insertEvent.run(seq, userId, type, payload, at, `g:${seq}`);
      if (type === "add_to_cart") entered.cart = at;
      else if (type === "checkout_started") entered.checkout = at;
      else if (type === "order_created") entered[entered.customer === undefined ? "customer" : "repeat"] ??= at;
      else if (type !== "start") entered.engaged ??= at;
      at += 1 + Math.floor(next() * stepMs);
    }
    const last = at;
    const username = next() < 0.8 ? `${firstNames[userId % 20]}_${lastNames[Math.floor(userId / 20) % 20]}${userId % 997}` : null;
    const phone = rank >= 4 && next() < 0.7 ? `+7999${String(userId).padStart(7, "0")}` : null;
    const tags = next() < 0.05 ? (tagSets[Math.floor(next() * tagSets.length)] ?? []) : [];
    const leadNotes = next() < 0.02 ? [{ at: last, text: notes[Math.floor(next() * notes.length)] ?? "" }] : [];
    const consentAt = next() < 0.3 ? first : null;
    const context = {
      userId, username, name: null, source: null, firstSeenAt: first, lastSeenAt: last, ordersCount: orders, lifetimeValue: ltv, lastOrderId,
      consentAt, consentVersion: consentAt === null ? null : "v1", phone, tags, notes: leadNotes, stageEnteredAt: entered, erasedAt: null, blockedAt: null,
      dormantSince: null, lastReminderAt: null, remindersSent: 0, consentDeclined: null, language: "ru",
    };
    const snapshot = JSON.stringify({ status: "active", value: stage, historyValue: {}, context, children: {} });
    insertLead.run(userId, username, null, first, last, stage, orders, ltv, lastOrderId, consentAt, context.consentVersion, phone,
      JSON.stringify(tags), JSON.stringify(leadNotes), JSON.stringify(entered), customerMachineVersion, snapshot, seq,
      leadSearchText({ username, name: null, phone, notes: leadNotes, tags }));
    if (userId % 20_000 === 0) db.exec("COMMIT; BEGIN");
  }
  db.exec("UPDATE crm_funnel SET count = (SELECT count(*) FROM crm_leads WHERE stage = crm_funnel.stage)");
  db.exec("COMMIT");
  // crm_stage_moves was filled by the schema's trigger on each lead insert; a store opening this file must find nothing to migrate.
  const version = Number(db.prepare("PRAGMA user_version").get()?.["user_version"]);
  const moves = Number(db.prepare("SELECT count(*) AS n FROM crm_stage_moves").get()?.["n"]);
  if (version !== migrations.length || moves < shape.leads) {
    throw new Error(`generated schema version ${version} (expected ${migrations.length}) with ${moves} stage moves for ${shape.leads} leads`);
  }
  for (const index of indexes) db.exec(String(index["sql"]));
  db.exec("ANALYZE; PRAGMA journal_mode = WAL;");
  db.close();
}

/**
 * The path of a generated data set of this shape, made on first use (offline, from a fixed seed)
 * and kept in bench/.data for later runs. Named by the machine version and a hash of the schema and
 * the generator, so that a change to either makes a new one.
 */
export function dataset(shape: DatasetShape, log: (line: string) => void = () => {}): string {
  mkdirSync(dataDir, { recursive: true });
  const schema = createHash("sha256").update(migrations.join("\n")).update(generate.toString()).digest("hex").slice(0, 10);
  const name = `crm-${shape.leads}x${shape.eventsPerLead}-m${customerMachineVersion}-${schema}.sqlite`;
  const path = join(dataDir, name);
  if (existsSync(path)) return path;
  log(`generating ${name} (once; kept in bench/.data)…`);
  const building = `${path}.building`;
  rmSync(building, { force: true });
  const t0 = performance.now();
  generate(building, shape);
  renameSync(building, path);
  log(`generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return path;
}

/** A private copy of a data set, for a benchmark that writes to it. */
export function copyOf(path: string, to: string): string {
  copyFileSync(path, to);
  return to;
}
