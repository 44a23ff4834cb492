import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { broadcastSql, pgBroadcasts } from "./pgBroadcastReads.ts";
import { catalogSql, pgCatalogRows } from "./pgCatalogReads.ts";
import { journeySql } from "./pgJourneyReads.ts";
import { leadReadsSql, leadSearchSql, pgLeadReads } from "./pgLeadReads.ts";
import { migratePostgres } from "./pgMigrate.ts";
import { orderReadsSql } from "./pgOrderReads.ts";
import { pgSegmentReads, segmentSql } from "./pgSegmentReads.ts";
import { pgTypes } from "./pgTypes.ts";
import { prefixQuery } from "./pgSearch.ts";
import { dropDatabase } from "./testing/freshDatabase.ts";
import { openSyncBridge, type SyncBridge } from "./syncBridge.ts";

/**
 * The read side in a database whose own collation is a language's (ICU Russian, as a shop's server
 * may well be set up), not the byte order of the test server's default: each list still comes out
 * in SQLite's order, and each ordered read is still one walk of an index, without a sort.
 */

interface PlanNode {
  readonly "Node Type": string;
  readonly "Index Name"?: string;
  readonly Plans?: readonly PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

describe("PostgreSQL's reads in a database with a Russian collation", () => {
  let pool: pg.Pool;
  let bridge: SyncBridge;
  const admin = (): pg.Client => new pg.Client({ connectionString: inject("pgAdminUrl") });
  const database = `reads_ru_${process.pid}_${randomBytes(3).toString("hex")}`;

  beforeAll(async () => {
    const client = admin();
    await client.connect();
    await client.query(`CREATE DATABASE "${database}" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'ru-RU' LOCALE 'C'`);
    await client.end();
    const url = new URL(inject("pgAdminUrl"));
    url.pathname = `/${database}`;
    pool = new pg.Pool({ connectionString: url.toString(), types: pgTypes });
    const own = await pool.connect();
    await migratePostgres(own);
    own.release();
    bridge = openSyncBridge(url.toString());
  });

  afterAll(async () => {
    await bridge.close();
    await pool.end();
    const url = new URL(inject("pgAdminUrl"));
    url.pathname = `/${database}`;
    await dropDatabase(url.toString());
  });

  /**
   * The plan's nodes with sequential scans, bitmap scans and sorts priced out: what is left is what
   * an index can do. For a search, plain index scans are priced out instead, leaving the bitmap
   * scans a GIN index serves (on a table this small, walking leads by recency would look cheaper).
   */
  async function plan(sql: string, values: readonly unknown[], search = false): Promise<PlanNode[]> {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(`SET LOCAL enable_seqscan = off; ${search ? "SET LOCAL enable_indexscan = off" : "SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off"}`);
      const result = await client.query<{ "QUERY PLAN": { Plan: PlanNode }[] }>(`EXPLAIN (FORMAT JSON) ${sql}`, [...values]);
      await client.query("ROLLBACK");
      return nodesOf(result.rows[0]?.["QUERY PLAN"][0]?.Plan ?? { "Node Type": "none" });
    } finally {
      client.release();
    }
  }
  const indexes = (nodes: readonly PlanNode[]): string[] => nodes.flatMap((node) => (node["Index Name"] === undefined ? [] : [node["Index Name"]]));
  const sorts = (nodes: readonly PlanNode[]): string[] => nodes.filter((node) => node["Node Type"] === "Sort" || node["Node Type"] === "Seq Scan").map((node) => node["Node Type"]);

  it("walks one index, in order, for each paged list, the key probe and the journey", async () => {
    // [statement, values, the index it walks, sorts]: the newest events and messages are put back oldest first, a sort of one page.
    const walks: [string, readonly unknown[], string, number][] = [
      [leadReadsSql.keyAtOrAfter, ["shop:1:"], "crm_events_key_key", 0],
      [leadReadsSql.recentLeads, [11, 0], "crm_leads_by_recency", 0],
      [leadReadsSql.events, [1, null, 0, 10, 5], "crm_events_by_user", 1],
      [leadReadsSql.messages, [1, null, 5], "crm_messages_by_user", 1],
      [orderReadsSql.ofUser, [1, 11, 0], "crm_orders_by_user", 0],
      [orderReadsSql.inStatus, ["paid", 11, 0], "crm_orders_by_status", 0],
      [orderReadsSql.newest, [11, 0], "crm_orders_by_at", 0],
      [orderReadsSql.latestIn, [0, 10, 5], "crm_orders_by_at", 0],
      [journeySql.before, [1, 100, 10], "crm_events_by_user", 0],
      [journeySql.after, [1, 100, 10], "crm_events_by_user", 0],
      [journeySql.firstAfter, [1, 100, "order_created", 10], "crm_events_by_user", 0],
      [broadcastSql.inStates, ["b", ["pending"], 0, 10], "crm_broadcast_recipients_pkey", 0],
      [segmentSql.knownTags, [10], "crm_lead_tags_pkey", 1],
    ];
    const found = [];
    for (const [sql, values] of walks) {
      const nodes = await plan(sql, values);
      found.push({ sql: sql.slice(0, 60), indexes: [...new Set(indexes(nodes))], sorts: sorts(nodes).length });
    }
    expect(found).toEqual(walks.map(([sql, , index, sorted]) => ({ sql: sql.slice(0, 60), indexes: [index], sorts: sorted })));
  });

  it("finds a search's matches through the GIN index of the search document", async () => {
    const search = leadSearchSql(["иван", "petrov"]);
    expect(indexes(await plan(search.sql, [null, 11, 0, 2_000, ...search.values], true))).toContain("crm_leads_search");
  });

  it("knows an applied update by its key's prefix, whatever the collation would say of ':' and digits", async () => {
    await pool.query(
      `INSERT INTO crm_events (user_id, type, payload, ts, key) VALUES (1, 'start', '{}', 1, 'shop:50:1'), (1, 'start', '{}', 1, 'shop:5-x'), (1, 'start', '{}', 1, 'shop:A:1')`,
    );
    const reads = pgLeadReads(pool);
    expect(await reads.hasEventKeyPrefix("shop:50:")).toBe(true);
    expect(await reads.hasEventKeyPrefix("shop:5:")).toBe(false);
    expect(await reads.hasEventKeyPrefix("shop:a:")).toBe(false);
    expect(await reads.hasEventKeyPrefix("shop:A:")).toBe(true);
  });

  it("lists tags, the catalog and broadcasts of the same time in SQLite's byte order, not the language's", async () => {
    await pool.query("INSERT INTO crm_lead_tags (tag, user_id) VALUES ('ель', 1), ('Ёлка', 1), ('Zeta', 2), ('alpha', 2), ('ель', 3), ('Б', 3)");
    expect(await pgSegmentReads(pool).knownTags(10)).toEqual(["Zeta", "alpha", "Ёлка", "Б", "ель"]);
    expect(await pgSegmentReads(pool).knownTags(2)).toEqual(["Zeta", "alpha"]);
    await pool.query("INSERT INTO crm_categories (category_id, title, position) VALUES ('tea', 'Чай', 1), ('Tea', 'Чай', 1), ('coffee', 'Кофе', 0)");
    const query = (sql: string, params?: readonly unknown[]) => bridge.query(sql, params);
    expect(pgCatalogRows(query).categories.map((category) => category.id)).toEqual(["coffee", "Tea", "tea"]);
    expect(catalogSql.categories).toContain('COLLATE "C"');
    const broadcasts = pgBroadcasts(pool, query);
    for (const id of ["b-a", "b-B", "b-Б", "b-а"]) await broadcasts.registerBroadcast(id, 1_000);
    expect(broadcasts.broadcastIds(10)).toEqual(["b-а", "b-Б", "b-a", "b-B"]);
  });

  it("builds prefix queries no word can break out of", () => {
    expect(prefixQuery("it's")).toBe("'it''s':*");
    expect(prefixQuery("a\\b")).toBe("'a\\\\b':*");
  });
});
