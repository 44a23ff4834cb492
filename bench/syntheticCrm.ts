import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { restoreSnapshot } from "../actors/customerSnapshot.ts";
import { createCustomerStepper, replayCustomer, type CustomerStepper } from "../actors/customerStepper.ts";
import { migrate, migrations } from "../adapters/sqlite/sqliteSchema.ts";
import { saveLeadSql } from "../adapters/sqlite/sqliteStore.ts";
import { customerMachineVersion } from "../machines/customer.machine.ts";
import { stages, type CustomerEventType, type Stage } from "../machines/customer.types.ts";
import { leadValues } from "./commitCensus.ts";
import { random } from "./figures.ts";
import { simulateCustomer, type PlannedEvent, type SimulatedCustomer } from "./syntheticCustomer.ts";

/** Generated data sets live here, out of the repo (see .gitignore), and are reused across runs. */
export const dataDir = join(import.meta.dirname, ".data");
const root = join(import.meta.dirname, "..");

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
  /**
   * The share of leads last seen within the dormancy period before `end` (by user id: 0.3 is three
   * of every ten), default 0.3: each has a pending dormancy timer. The others went dormant when theirs fired.
   */
  readonly recent?: number;
}

const day = 86_400_000;
/** The machine's default dormancy period, which the generated customers live under. */
const dormantMs = 30 * day;

function pickStage(r: number): Stage {
  let acc = 0;
  for (const [stage, share] of stageShare) {
    acc += share;
    if (r < acc) return stage;
  }
  return "repeat";
}

/** When a lead was last active: within the dormancy period before `end` for a recent one, before it otherwise. */
function lastActive(userId: number, shape: DatasetShape, next: () => number): number {
  const recent = userId % 10 < Math.round((shape.recent ?? 0.3) * 10);
  if (recent) return shape.end - dormantMs + day + Math.floor(next() * (dormantMs - 2 * day));
  const earliest = shape.end - shape.days * day;
  return earliest + Math.floor(next() * (shape.end - dormantMs - day - earliest));
}

/** What one lead does, in order, before it gets its times: the acts its stage needs, browsing, and what owners did to it. */
function journey(userId: number, stage: Stage, shape: DatasetShape, next: () => number): Array<Omit<PlannedEvent, "at">> {
  const rank = stages.indexOf(stage) + 1;
  const product = (): string => `p${Math.floor(next() * 300)}`;
  const username = next() < 0.8 ? `${firstNames[userId % 20]}_${lastNames[Math.floor(userId / 20) % 20]}${userId % 997}` : null;
  const acts: Array<Omit<PlannedEvent, "at">> = [{ type: "start", payload: { source: next() < 0.5 ? "instagram_ads" : null, username } }];
  if (next() < 0.3) acts.push({ type: "consent_given", payload: { version: "v1" } });
  const filler = rank === 1 ? 0 : Math.max(0, Math.round(shape.eventsPerLead * 2 * next()) - rank);
  if (rank >= 2) acts.push({ type: browse[Math.floor(next() * 3)] ?? "catalog_view", payload: {} });
  for (let i = 0; i < filler; i++) acts.push({ type: browse[Math.floor(next() * 3)] ?? "catalog_view", payload: { productId: product() } });
  const phone = rank >= 4 && next() < 0.7 ? `+7999${String(userId).padStart(7, "0")}` : null;
  const orders = rank === 5 ? 1 : rank === 6 ? 2 + Math.floor(next() * 3) : 0;
  for (let i = 0; i < Math.max(orders, rank >= 3 ? 1 : 0); i++) {
    const productId = product();
    acts.push({ type: "add_to_cart", payload: { productId, qty: 1 } });
    if (rank < 4) break;
    acts.push({ type: "checkout_started", payload: {} });
    if (phone) acts.push({ type: "contact_shared", payload: { phone } });
    if (i >= orders) break;
    acts.push({ type: "delivery_given", payload: { text: "Москва, ул. Тверская, 1" } });
    const total = 500 + Math.floor(next() * 5000);
    acts.push({ type: "order_created", payload: { orderId: `A-${userId}-${i}`, total, currency: "RUB", items: [{ productId, title: "Чай", price: total, qty: 1 }] } });
  }
  return acts;
}

/** What owners did to a lead: a few tags, a note. */
function ownerActs(next: () => number): Array<Omit<PlannedEvent, "at">> {
  const owner: Array<Omit<PlannedEvent, "at">> = [];
  if (next() < 0.05) owner.push({ type: "tags_changed", payload: { added: tagSets[Math.floor(next() * tagSets.length)] ?? [] } });
  if (next() < 0.02) owner.push({ type: "note_added", payload: { text: notes[Math.floor(next() * notes.length)] ?? "" } });
  return owner;
}

/**
 * The lead's plan with times: its acts spread evenly from its first to its last, which is
 * `lastActive`; what owners did comes after one of its acts (never after the last but for a lead
 * with one act), at that act's time, so that it does not move when the lead was last seen.
 */
function planOf(userId: number, shape: DatasetShape, next: () => number): PlannedEvent[] {
  const acts = journey(userId, pickStage(next()), shape, next);
  const last = lastActive(userId, shape, next);
  const first = Math.max(shape.end - shape.days * day, last - Math.floor(next() * 90 * day));
  const step = acts.length > 1 ? (last - first) / (acts.length - 1) : 0;
  const planned = acts.map((act, i) => ({ ...act, at: last - Math.floor((acts.length - 1 - i) * step) }));
  for (const act of ownerActs(next)) {
    const after = Math.floor(next() * Math.max(1, planned.length - 1));
    planned.splice(after + 1, 0, { ...act, at: planned[after]?.at ?? last });
  }
  return planned;
}

/** A generated customer must be what the runtime makes of its log: the same snapshot and armed timers on a replay, and a snapshot it restores. */
function assertReplays(stepper: CustomerStepper, userId: number, customer: SimulatedCustomer): void {
  const log = customer.log.map((row) => ({ ...row, userId, type: row.type as CustomerEventType, payload: JSON.parse(row.payload) as Record<string, unknown> }));
  const replayed = replayCustomer(stepper, userId, log);
  const same = stepper.persist(replayed.snapshot) === customer.snapshot && JSON.stringify(replayed.timers) === JSON.stringify(customer.timers);
  if (!same) throw new Error(`generated customer ${userId} is not what a replay of its log makes`);
  if (!restoreSnapshot(stepper.restore, userId, customer.snapshot)) throw new Error(`generated customer ${userId} has a snapshot the runtime would not restore`);
}

/**
 * Writes a realistic CRM database: leads across every stage, with logs, notes, tags, phones, orders
 * and timers, each lead the real machine's output for its log (syntheticCustomer.ts). Raw SQL, but
 * through the store's own migrations, so its triggers keep the derived tables (search, stage moves,
 * dormant counts).
 */
function generate(path: string, shape: DatasetShape): void {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;");
  migrate(db);
  // Bulk load without the secondary indexes, then build them once: far faster than keeping them up to date.
  const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").all();
  for (const index of indexes) db.exec(`DROP INDEX ${String(index["name"])}`);
  const insert = {
    event: db.prepare("INSERT INTO crm_events (seq, user_id, type, payload, ts, key) VALUES (?, ?, ?, ?, ?, ?)"),
    lead: db.prepare(saveLeadSql),
    timer: db.prepare("INSERT INTO crm_timers (actor, send_id, due_at, event, key) VALUES (?, ?, ?, ?, ?)"),
    order: db.prepare("INSERT INTO crm_orders (order_id, user_id, items, total, currency, phone, delivery, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
  };
  const stepper = createCustomerStepper();
  const next = random(42);
  let seq = 0;
  const nextSeq = (): number => ++seq;
  db.exec("BEGIN");
  for (let userId = 1; userId <= shape.leads; userId++) {
    const customer = simulateCustomer(stepper, userId, planOf(userId, shape, next), shape.end, nextSeq);
    if (userId <= 1_000) assertReplays(stepper, userId, customer);
    for (const row of customer.log) insert.event.run(row.seq, userId, row.type, row.payload, row.at, row.key);
    for (const order of customer.orders) {
      insert.order.run(order.orderId, userId, JSON.stringify(order.items), order.total, order.currency, order.phone, order.delivery, order.at);
    }
    for (const timer of customer.timers) insert.timer.run(timer.actor, timer.sendId, timer.dueAt, timer.event, timer.key);
    insert.lead.run(...leadValues({ lead: customer.lead, snapshot: customer.snapshot, machineVersion: customerMachineVersion, lastSeq: customer.lastSeq, previousStage: null }));
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

/** The files whose text decides a data set's rows: the generator's and the customer machine's. */
const sources = ["bench/syntheticCrm.ts", "bench/syntheticCustomer.ts", "bench/commitCensus.ts", "machines/customer.machine.ts", "machines/customer.cart.ts", "machines/customer.facts.ts", "machines/customer.params.ts"];

/**
 * The path of a generated data set of this shape, made on first use (offline, from a fixed seed)
 * and kept in bench/.data for later runs. Named by the machine version and a hash of the schema, the
 * shape, the generator's files and the customer machine's, so that a change to any makes a new one.
 */
export function dataset(shape: DatasetShape, log: (line: string) => void = () => {}): string {
  mkdirSync(dataDir, { recursive: true });
  const hash = createHash("sha256").update(migrations.join("\n")).update(JSON.stringify(shape));
  for (const source of sources) hash.update(readFileSync(join(root, source), "utf8"));
  const schema = hash.digest("hex").slice(0, 10);
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
