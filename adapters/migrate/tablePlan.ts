import type { DatabaseSync } from "node:sqlite";
import type pg from "pg";

/**
 * The tables `npm run migrate` copies: every row the store writes, plus the weekly lifecycle, which remembers
 * weeks no row keeps. The other projections (funnel counts, stage moves and times, segments, tags, cohorts, LTV)
 * are functions of these rows and are rebuilt once at the end by `pgAnalyticsBackfill`.
 */
export const copiedTables = [
  "crm_events", "crm_messages", "crm_leads", "crm_orders", "crm_sessions", "crm_mirror_outbox", "crm_timers", "crm_effects",
  "crm_actor_events", "crm_actor_states", "crm_categories", "crm_products", "crm_catalog_log", "crm_segments",
  "crm_broadcasts", "crm_broadcast_recipients", "crm_meta", "crm_lifecycle", "crm_lifecycle_zone",
] as const;

/** One column both stores have, with its PostgreSQL type for the cast of the batch's array. */
export interface PlannedColumn {
  readonly name: string;
  readonly pgType: string;
  /** Taken from the source's rowid: a PostgreSQL-only identity such as crm_orders.seq, the order rows were stored in. */
  readonly fromRowid?: boolean;
}

/** How one table is copied: the shared columns, the source's key order, the target's conflict key. */
export interface TablePlan {
  readonly table: string;
  readonly columns: readonly PlannedColumn[];
  /** `rowid` (insertion order, which PostgreSQL's identity columns such as crm_orders.seq then follow) or the primary key's columns. */
  readonly sourceKey: "rowid" | readonly string[];
  readonly targetKey: readonly string[];
}

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;
export { quote as quoteIdent };

function sqliteColumns(db: DatabaseSync, table: string): { names: string[]; key: string[] } {
  const rows = db.prepare(`SELECT name, pk FROM pragma_table_info(?)`).all(table);
  const names = rows.map((row) => String(row["name"]));
  const key = rows.filter((row) => Number(row["pk"]) > 0).sort((a, b) => Number(a["pk"]) - Number(b["pk"])).map((row) => String(row["name"]));
  return { names, key };
}

function withoutRowid(db: DatabaseSync, table: string): boolean {
  const row = db.prepare("SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?").get(table);
  return Number(row?.["wr"] ?? 0) === 1;
}

async function pgColumns(client: pg.ClientBase, table: string): Promise<{ columns: (PlannedColumn & { identity: boolean })[]; key: string[] }> {
  const columns = await client.query<{ name: string; type: string; identity: boolean }>(
    `SELECT a.attname AS name, format_type(a.atttypid, NULL) AS type, a.attidentity <> '' AS identity FROM pg_attribute a
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum`,
    [table],
  );
  const key = await client.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`,
    [table],
  );
  return { columns: columns.rows.map((row) => ({ name: row.name, pgType: row.type, identity: row.identity })), key: key.rows.map((row) => row.name) };
}

/**
 * The plan of each copied table the source has (an older source may lack some), from both catalogs: the columns
 * both have, cast to the target's types (BIGINT times, JSONB tags and stage dates). PostgreSQL's own extras take
 * their defaults (claims), except an identity of a rowid table, which takes the rowid: crm_orders.seq then keeps
 * SQLite's insertion order exactly, and a resumed copy numbers rows as one never stopped.
 */
export async function planTables(db: DatabaseSync, client: pg.ClientBase): Promise<TablePlan[]> {
  const plans: TablePlan[] = [];
  for (const table of copiedTables) {
    const source = sqliteColumns(db, table);
    if (source.names.length === 0) continue;
    const target = await pgColumns(client, table);
    const byName = new Map(target.columns.map((column) => [column.name, column]));
    const shared = source.names.flatMap((name) => {
      const column = byName.get(name);
      return column ? [{ name: column.name, pgType: column.pgType }] : [];
    });
    const sourceKey = withoutRowid(db, table) ? source.key : "rowid";
    const fromRowid = sourceKey === "rowid" ? target.columns.filter((column) => column.identity && !source.names.includes(column.name)) : [];
    const columns = [...shared, ...fromRowid.map((column) => ({ name: column.name, pgType: column.pgType, fromRowid: true }))];
    plans.push({ table, columns, sourceKey, targetKey: target.key });
  }
  return plans;
}
