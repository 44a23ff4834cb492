import type { DatabaseSync, SQLOutputValue } from "node:sqlite";
import { dayBounds } from "../../actors/calendar.ts";
import { funnelFromCounts } from "../../actors/funnelStats.ts";
import { pageBounds, pageOf } from "../../actors/paging.ts";
import { parseSearchQuery } from "../../actors/searchQuery.ts";
import type { CustomerLogReads, DailyStats, Lead, Page } from "../../actors/store.port.ts";
import { customerEventTypes, stages, type CustomerEventType, type Stage } from "../../machines/customer.types.ts";
import { asStage, eventFromRow, leadColumns, leadFromRow, messageFromRow, num, numOrNull } from "../storeRows.ts";

type Row = Record<string, SQLOutputValue>;

/** The SQLite store's reads of the event log, the messages and the leads, and the one lead look-up its other parts share. */
export interface SqliteLeadReads {
  readonly reads: CustomerLogReads;
  /** A lead as stored now, read synchronously (segments read theirs inside a unit of work). */
  leadNow(userId: number): Lead | null;
}

/**
 * The reads of `crm_events`, `crm_messages` and `crm_leads`, every statement prepared once.
 * `probeCap`: above this many matches, search walks leads by recency instead of sorting the matches.
 */
export function sqliteLeadReads(db: DatabaseSync, ensureOpen: () => void, probeCap: number): SqliteLeadReads {
  const sql = {
    // The least key at or after a prefix: one probe of the unique index on key. Any key holding
    // the prefix sorts right after it, so the prefix is in the log exactly when this key holds it.
    keyAtOrAfter: db.prepare("SELECT key FROM crm_events WHERE key >= ? ORDER BY key LIMIT 1"),
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
  };

  function searchLeads(terms: readonly string[], except: number | null, limit: number, offset: number): Row[] {
    const match = terms.map((term) => `"${term.replaceAll('"', '""')}"*`).join(" ");
    const ids = sql.searchProbe.all(match, probeCap + 1).map((row) => num(row["id"]));
    if (ids.length <= probeCap) return sql.searchFew.all(JSON.stringify(ids), except, limit, offset);
    return sql.searchMany.all(match, except, limit, offset);
  }

  return {
    leadNow(userId) {
      const row = sql.lead.get(userId);
      return row ? leadFromRow(row) : null;
    },
    reads: {
      async hasEventKeyPrefix(prefix) {
        ensureOpen();
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
    },
  };
}
