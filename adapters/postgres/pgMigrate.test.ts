import { DatabaseSync } from "node:sqlite";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { migrate } from "../sqlite/sqliteSchema.ts";
import { migratePostgres, pgMigrations } from "./pgMigrate.ts";
import { freshDatabase } from "./testing/freshDatabase.ts";

const clients: pg.Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.end()));
});

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  clients.push(client);
  return client;
}

/** The analytics projections: PostgreSQL migration 2's (pgAnalyticsSchema.ts), compared with SQLite by its own tests. */
const analytics = /^crm_(stage_moves|stage_time|segment_leads|segment_sources|lead_tags|cohort_|lifecycle|ltv_)/;
/** SQLite's full-text index and its shadow tables: PostgreSQL searches crm_leads.search_vector instead. */
const sqliteOnly = /^crm_leads_fts/;
const pgOnlyTables = new Set(["crm_schema_version"]);
const pgOnlyColumns = new Set(["crm_leads.search_vector", "crm_orders.seq", ...["crm_timers", "crm_effects", "crm_mirror_outbox"].flatMap((t) => [`${t}.claimed_by`, `${t}.claimed_until`])]);
const pgOnlyIndexes = new Set(["crm_leads_search"]);

/** A type PostgreSQL may give a column SQLite declares with each affinity. */
const pgTypesFor: Record<string, readonly string[]> = {
  INTEGER: ["bigint", "integer"],
  TEXT: ["text", "jsonb"],
  REAL: ["double precision"],
};

interface Shape {
  readonly columns: Record<string, string>;
  readonly indexes: readonly string[];
}

function sqliteShape(withAnalytics = false): Shape {
  const db = new DatabaseSync(":memory:");
  migrate(db);
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'crm\\_%' ESCAPE '\\'").all().map((row) => String(row["name"]));
  const core = tables.filter((table) => (withAnalytics || !analytics.test(table)) && !sqliteOnly.test(table));
  const columns: Record<string, string> = {};
  for (const table of core) {
    for (const column of db.prepare(`PRAGMA table_info(${table})`).all()) columns[`${table}.${String(column["name"])}`] = String(column["type"]);
  }
  const indexes = db
    .prepare("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
    .all()
    .filter((row) => core.includes(String(row["tbl_name"])))
    .map((row) => String(row["name"]));
  db.close();
  return { columns, indexes: indexes.sort() };
}

async function pgShape(client: pg.Client): Promise<Shape> {
  const columns: Record<string, string> = {};
  const rows = await client.query<{ table_name: string; column_name: string; data_type: string }>(
    "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'",
  );
  for (const row of rows.rows) columns[`${row.table_name}.${row.column_name}`] = row.data_type;
  const indexes = await client.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'");
  return { columns, indexes: indexes.rows.map((row) => row.indexname).sort() };
}

describe("PostgreSQL's core schema (migration 1)", () => {
  it("has every core table, column and index SQLite's migrations make, with matching types", async () => {
    const client = await connect(await freshDatabase("schema"));
    expect(await migratePostgres(client, pgMigrations.slice(0, 1))).toBe(1);
    const sqlite = sqliteShape();
    const postgres = await pgShape(client);
    const pgColumns = Object.keys(postgres.columns).filter((name) => !pgOnlyColumns.has(name) && !pgOnlyTables.has(name.split(".")[0] ?? ""));
    expect(pgColumns.sort()).toEqual(Object.keys(sqlite.columns).sort());
    const mistyped = Object.entries(sqlite.columns).filter(([name, type]) => !(pgTypesFor[type] ?? []).includes(postgres.columns[name] ?? ""));
    expect(mistyped).toEqual([]);
    const named = postgres.indexes.filter((index) => !/_(pkey|key)$/.test(index) && !pgOnlyIndexes.has(index));
    expect(named).toEqual(sqlite.indexes);
    expect(Object.keys(sqlite.columns).length).toBeGreaterThan(100);
  });

  it("with migration 2, has every table and column of SQLite's whole schema", async () => {
    const client = await connect(await freshDatabase("whole"));
    await migratePostgres(client);
    const sqlite = sqliteShape(true);
    const postgres = await pgShape(client);
    const pgColumns = Object.keys(postgres.columns).filter((name) => !pgOnlyColumns.has(name) && !pgOnlyTables.has(name.split(".")[0] ?? ""));
    expect(pgColumns.sort()).toEqual(Object.keys(sqlite.columns).sort());
    expect(Object.keys(sqlite.columns).filter((name) => analytics.test(name)).length).toBeGreaterThan(30);
  });

  it("keeps every constraint SQLite's schema holds: unique keys, checks, defaults and the six funnel stages", async () => {
    const client = await connect(await freshDatabase("constraints"));
    await migratePostgres(client);
    await client.query("INSERT INTO crm_events (user_id, type, payload, ts, key) VALUES (1, 'start', '{}', 1, 'k1')");
    await expect(client.query("INSERT INTO crm_events (user_id, type, payload, ts, key) VALUES (1, 'start', '{}', 1, 'k1')")).rejects.toThrow(/duplicate key/);
    await expect(client.query("INSERT INTO crm_messages (user_id, direction, type, text, ts) VALUES (1, 'sideways', 'text', 'x', 1)")).rejects.toThrow(/check constraint/);
    await expect(
      client.query("INSERT INTO crm_products (product_id, category_id, title, description, price, currency, stock, position) VALUES ('p', 'c', 't', 'd', 1, 'RUB', -1, 0)"),
    ).rejects.toThrow(/check constraint/);
    await client.query("INSERT INTO crm_effects (key, actor, type, params, created_at, next_at) VALUES ('e1', 'customer:1', 'notify', '{}', 1, 1)");
    const effect = await client.query("SELECT id::int, attempts, status, claimed_by FROM crm_effects");
    expect(effect.rows).toEqual([{ id: 1, attempts: 0, status: "pending", claimed_by: null }]);
    const funnel = await client.query("SELECT stage, count, dormant FROM crm_funnel ORDER BY stage");
    expect(funnel.rows.map((row) => row.stage)).toEqual(["cart", "checkout", "customer", "engaged", "new", "repeat"]);
    expect(funnel.rows.every((row) => row.count === 0 && row.dormant === 0)).toBe(true);
  });

  it("indexes a lead's search words as written and by Russian and English stems", async () => {
    const client = await connect(await freshDatabase("search"));
    await migratePostgres(client);
    const lead = (id: number, words: string) =>
      client.query(
        `INSERT INTO crm_leads (user_id, stage, orders_count, lifetime_value, tags, notes, stage_entered_at, machine_version, snapshot, last_seq, search_text)
         VALUES ($1, 'new', 0, 0, '[]', '[]', '{}', 1, '{}', 0, $2)`,
        [id, words],
      );
    await lead(1, "anna_smirnova anna smirnova 79991234567 4567 кофейные зёрна");
    await lead(2, "boris roasted beans");
    const find = async (config: string, query: string) =>
      (await client.query<{ user_id: string }>("SELECT user_id FROM crm_leads WHERE search_vector @@ to_tsquery($1::regconfig, $2) ORDER BY user_id", [config, query])).rows.map(
        (row) => Number(row.user_id),
      );
    expect(await find("simple", "smirn:*")).toEqual([1]);
    expect(await find("simple", "4567")).toEqual([1]);
    expect(await find("simple", "зёрн:*")).toEqual([1]);
    expect(await find("simple", "roast:* & anna")).toEqual([]);
    expect(await find("russian", "кофейными")).toEqual([1]);
    expect(await find("english", "roasting")).toEqual([2]);
  });
});

/** Everything a migration could change: columns, indexes, constraints, triggers, functions and the version rows. */
async function catalogOf(client: pg.Client): Promise<unknown[]> {
  const queries = [
    "SELECT table_name, column_name, data_type, column_default, is_nullable FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2",
    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1",
    "SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1",
    "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1",
    "SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace ORDER BY 1",
    "SELECT version FROM crm_schema_version ORDER BY 1",
    "SELECT stage, count, dormant FROM crm_funnel ORDER BY 1",
  ];
  const rows: unknown[] = [];
  for (const sql of queries) rows.push((await client.query(sql)).rows);
  return rows;
}

describe("migratePostgres", () => {
  it("brings a fresh database to the newest version, and a second run changes nothing", async () => {
    const client = await connect(await freshDatabase("twice"));
    expect(await migratePostgres(client)).toBe(pgMigrations.length);
    const before = await catalogOf(client);
    expect(await migratePostgres(client)).toBe(pgMigrations.length);
    expect(await catalogOf(client)).toEqual(before);
    expect(before[5]).toEqual(pgMigrations.map((_, index) => ({ version: index + 1 })));
  });

  it("refuses a database newer than this program, and changes nothing in it", async () => {
    const client = await connect(await freshDatabase("newer"));
    await migratePostgres(client, ["CREATE TABLE a (x int)", "CREATE TABLE b (x int)", "CREATE TABLE c (x int)"]);
    await expect(migratePostgres(client, ["CREATE TABLE a (x int)", "CREATE TABLE b (x int)"])).rejects.toThrow(
      "the database schema (version 3) is newer than this program knows (2)",
    );
    expect((await client.query("SELECT max(version) AS v FROM crm_schema_version")).rows).toEqual([{ v: 3 }]);
  });

  it("rolls a failing migration back whole, keeps the ones before it, and says which failed", async () => {
    const client = await connect(await freshDatabase("failing"));
    await expect(migratePostgres(client, ["CREATE TABLE a (x int)", "CREATE TABLE b (x int); SELECT 1 / 0"])).rejects.toThrow(
      "PostgreSQL migration 2 failed: division by zero",
    );
    const tables = await client.query("SELECT tablename FROM pg_tables WHERE tablename IN ('a', 'b') ORDER BY 1");
    expect(tables.rows).toEqual([{ tablename: "a" }]);
    expect((await client.query("SELECT max(version) AS v FROM crm_schema_version")).rows).toEqual([{ v: 1 }]);
    expect((await client.query("SELECT 1 AS ok")).rows).toEqual([{ ok: 1 }]);
  });

  it("runs each migration once when several processes migrate one database at once", async () => {
    const url = await freshDatabase("concurrent");
    const runners = await Promise.all([1, 2, 3, 4].map(() => connect(url)));
    // Each migration would fail if run twice; the sleep holds the first runner inside it while the others arrive.
    const migrations = ["CREATE TABLE once_a (x int); SELECT pg_sleep(0.3)", "CREATE TABLE once_b (x int); INSERT INTO once_a VALUES (1)"];
    const versions = await Promise.all(runners.map((client) => migratePostgres(client, migrations)));
    expect(versions).toEqual([2, 2, 2, 2]);
    const [client] = runners;
    expect((await client!.query("SELECT count(*)::int AS n FROM once_a")).rows).toEqual([{ n: 1 }]);
    expect((await client!.query("SELECT version FROM crm_schema_version ORDER BY 1")).rows).toEqual([{ version: 1 }, { version: 2 }]);
  });
});
