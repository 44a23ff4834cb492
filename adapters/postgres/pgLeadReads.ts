import { dayBounds } from "../../actors/calendar.ts";
import { funnelFromCounts } from "../../actors/funnelStats.ts";
import { pageBounds, pageOf } from "../../actors/paging.ts";
import { parseSearchQuery } from "../../actors/searchQuery.ts";
import type { CrmQueries, DailyStats } from "../../actors/store.port.ts";
import { customerEventTypes, stages, type CustomerEventType, type Stage } from "../../machines/customer.types.ts";
import { eventColumns, eventFromRow, leadColumns, leadFromRow, limitOrAll, messageFromRow, num, numOrNull, rowsOf, type PgQueryable, type PgRow } from "./pgRows.ts";
import { searchQuerySql } from "./pgSearch.ts";

/**
 * The statements of the lead reads. Orderings spell out what SQLite does implicitly: NULLs sort
 * lowest (so last when descending), and keys compare byte by byte (`COLLATE "C"`).
 */
export const leadReadsSql = {
  events: `SELECT * FROM (SELECT ${eventColumns} FROM crm_events WHERE user_id = $1 AND ($2::text[] IS NULL OR type = ANY ($2::text[]))
    AND ts >= $3 AND ts < $4 ORDER BY seq DESC LIMIT $5) e ORDER BY seq`,
  keyAtOrAfter: `SELECT key FROM crm_events WHERE key COLLATE "C" >= $1 ORDER BY key COLLATE "C" LIMIT 1`,
  lead: `SELECT ${leadColumns} FROM crm_leads WHERE user_id = $1`,
  recentLeads: `SELECT ${leadColumns} FROM crm_leads ORDER BY last_seen_at DESC NULLS LAST, user_id DESC LIMIT $1 OFFSET $2`,
  funnel: "SELECT stage, count, dormant FROM crm_funnel",
  messages: `SELECT * FROM (SELECT id, user_id, direction, type, text, ts FROM crm_messages WHERE user_id = $1 AND ($2::text IS NULL OR direction = $2::text)
    ORDER BY id DESC LIMIT $3) m ORDER BY id`,
  messagesCount: "SELECT count(*) AS n FROM crm_messages WHERE user_id = $1 AND ($2::text IS NULL OR direction = $2::text)",
  // One index range per type and per stage, as SQLite counts them; a type or stage without any is left out.
  daily: `SELECT
    (SELECT count(*) FROM crm_leads WHERE first_seen_at >= $1 AND first_seen_at < $2) AS new_leads,
    (SELECT coalesce(jsonb_object_agg(t.type, t.n), '{}') FROM (SELECT type, (SELECT count(*) FROM crm_events e WHERE e.type = k.type AND e.ts >= $1 AND e.ts < $2) AS n
      FROM unnest($3::text[]) AS k(type)) t WHERE t.n > 0) AS by_type,
    (SELECT coalesce(jsonb_object_agg(t.stage, t.n), '{}') FROM (SELECT stage, (SELECT count(*) FROM crm_stage_moves m WHERE m.stage = k.stage AND m.at >= $1 AND m.at < $2) AS n
      FROM unnest($4::text[]) AS k(stage)) t WHERE t.n > 0) AS stage_moves,
    (SELECT count(*) FROM crm_events WHERE type = 'order_created' AND ts >= $1 AND ts < $2) AS orders,
    (SELECT coalesce(sum(CASE WHEN jsonb_typeof(payload::jsonb -> 'total') = 'number' THEN (payload::jsonb ->> 'total')::double precision END), 0)
      FROM crm_events WHERE type = 'order_created' AND ts >= $1 AND ts < $2) AS revenue`,
} as const;

/** How many of the most recently seen leads search reads before it asks the index for older matches. */
export const searchWalk = 2_000;

/**
 * The search's statement for some words: `$1` is a user id left out (the exact match already
 * shown), `$2` and `$3` the page's limit and offset, `$4` how many recent leads to walk, then the
 * words' values. A word many leads hold fills its page among the most recently seen leads, found
 * by walking them in order; a page not filled there is made of the index's matches (GIN), sorted:
 * a word few leads hold, or none, costs a few probes. The order never changes between the two, so
 * pages are the same whichever answers. The planner alone cannot choose: it guesses how common a
 * prefix is, and a wrong guess either sorts half the leads or walks all of them for nothing.
 */
export function leadSearchSql(terms: readonly string[]): { readonly sql: string; readonly values: readonly string[] } {
  const query = searchQuerySql(terms, 5);
  const matches = `search_vector @@ (${query.sql}) AND user_id IS DISTINCT FROM $1::bigint`;
  const recency = "ORDER BY last_seen_at DESC NULLS LAST, user_id DESC";
  return {
    sql: `WITH walk AS MATERIALIZED (
        SELECT * FROM (SELECT ${leadColumns}, search_vector FROM crm_leads ${recency} LIMIT $4) recent WHERE ${matches} ${recency} LIMIT ($2::bigint + $3::bigint))
      (SELECT ${leadColumns} FROM walk WHERE (SELECT count(*) FROM walk) >= ($2::bigint + $3::bigint) ${recency} LIMIT $2 OFFSET $3)
      UNION ALL
      (SELECT ${leadColumns} FROM crm_leads WHERE (SELECT count(*) FROM walk) < ($2::bigint + $3::bigint) AND ${matches}
        ORDER BY last_seen_at + 0 DESC NULLS LAST, user_id DESC LIMIT $2 OFFSET $3)`,
    values: query.values,
  };
}

type LeadQueries = Omit<CrmQueries, "ordersSummary" | "orders" | "order" | "ordersByStatus">;

/** Counts keyed by name, in the order of `names`, keeping only the known ones. */
function countsOf<K extends string>(value: unknown, names: readonly K[]): Partial<Record<K, number>> {
  const counts: Partial<Record<K, number>> = {};
  const found = (value ?? {}) as Record<string, unknown>;
  for (const name of names) if (num(found[name]) > 0) counts[name] = num(found[name]);
  return counts;
}

/** The log's and the messages' reads, and the daily figures: ranges of their indexes. */
function pgEventReads(pool: PgQueryable): Pick<CrmQueries, "events" | "hasEventKeyPrefix" | "dailyStats" | "messages" | "messagesCount"> {
  return {
    async events(userId, filter = {}) {
      const types = filter.types && filter.types.length > 0 ? [...filter.types] : null;
      const since = filter.since ?? Number.MIN_SAFE_INTEGER;
      const until = filter.until ?? Number.MAX_SAFE_INTEGER;
      return (await rowsOf(pool, leadReadsSql.events, [userId, types, since, until, limitOrAll(filter.limit)])).map(eventFromRow);
    },

    async hasEventKeyPrefix(prefix) {
      const row = (await rowsOf(pool, leadReadsSql.keyAtOrAfter, [prefix]))[0];
      return row !== undefined && String(row["key"]).startsWith(prefix);
    },

    async dailyStats(day, timeZone): Promise<DailyStats> {
      const { start, end } = dayBounds(day, timeZone);
      const row = (await rowsOf(pool, leadReadsSql.daily, [start, end, [...customerEventTypes], [...stages]]))[0] ?? {};
      return {
        day,
        timeZone,
        newLeads: num(row["new_leads"]),
        eventsByType: countsOf<CustomerEventType>(row["by_type"], customerEventTypes),
        orders: num(row["orders"]),
        revenue: Math.round(num(row["revenue"]) * 100) / 100,
        stageMoves: countsOf<Stage>(row["stage_moves"], stages),
      };
    },

    async messages(userId, filter = {}) {
      return (await rowsOf(pool, leadReadsSql.messages, [userId, filter.direction ?? null, limitOrAll(filter.limit)])).map(messageFromRow);
    },

    async messagesCount(userId, filter = {}) {
      return num((await rowsOf(pool, leadReadsSql.messagesCount, [userId, filter.direction ?? null]))[0]?.["n"]);
    },
  };
}

/**
 * The CRM's lead, event and message reads (the `CrmQueries` of actors/store.port.ts but orders)
 * on PostgreSQL, statement for statement the SQLite store's, with the same results.
 */
export function pgLeadReads(pool: PgQueryable, options: { readonly searchWalk?: number } = {}): LeadQueries {
  const walk = options.searchWalk ?? searchWalk;
  const leadRow = async (userId: number): Promise<PgRow | undefined> => (await rowsOf(pool, leadReadsSql.lead, [userId]))[0];

  async function searchLeads(terms: readonly string[], except: number | null, limit: number, offset: number): Promise<PgRow[]> {
    const search = leadSearchSql(terms);
    return rowsOf(pool, search.sql, [except, limit, offset, walk, ...search.values]);
  }

  return {
    ...pgEventReads(pool),

    async stage(userId) {
      const row = await leadRow(userId);
      return row ? leadFromRow(row).stage : null;
    },

    async ordersCount(userId) {
      return num((await leadRow(userId))?.["orders_count"]);
    },

    async seen(userId) {
      const row = await leadRow(userId);
      return row ? { firstSeenAt: numOrNull(row["first_seen_at"]), lastSeenAt: numOrNull(row["last_seen_at"]) } : null;
    },

    async hasConsent(userId) {
      const row = await leadRow(userId);
      return row !== undefined && row["consent_at"] !== null;
    },

    async funnel() {
      const counts: Partial<Record<Stage, number>> = {};
      const dormant: Partial<Record<Stage, number>> = {};
      for (const row of await rowsOf(pool, leadReadsSql.funnel)) {
        const stage = String(row["stage"]);
        if (!(stages as readonly string[]).includes(stage)) continue;
        counts[stage as Stage] = num(row["count"]);
        dormant[stage as Stage] = num(row["dormant"]);
      }
      return funnelFromCounts(counts, dormant);
    },

    async recentLeads(request) {
      const { offset, limit } = pageBounds(request);
      return pageOf((await rowsOf(pool, leadReadsSql.recentLeads, [limit + 1, offset])).map(leadFromRow), offset, limit);
    },

    async search(query, request) {
      const { offset, limit } = pageBounds(request);
      const { userId, terms } = parseSearchQuery(query);
      const exact = userId === null ? undefined : await leadRow(userId);
      const head = exact && offset === 0 ? [leadFromRow(exact)] : [];
      const skip = exact ? Math.max(0, offset - 1) : offset;
      const rows = terms.length === 0 ? [] : await searchLeads(terms, exact ? userId : null, limit + 1 - head.length, skip);
      return pageOf([...head, ...rows.map(leadFromRow)], offset, limit);
    },

    async lead(userId) {
      const row = await leadRow(userId);
      return row ? leadFromRow(row) : null;
    },
  };
}
