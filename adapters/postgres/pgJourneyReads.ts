import type { CampaignEventReads } from "../../actors/campaignStats.port.ts";
import type { JourneyReads } from "../../actors/journey.port.ts";
import { eventColumns, eventFromRow, rowsOf, type PgQueryable } from "./pgRows.ts";

/** The statements of the journey and the campaigns' reads: walks of `crm_events (user_id, seq)` and `(type, ts)`, as in SQLite. */
export const journeySql = {
  before: `SELECT ${eventColumns} FROM crm_events WHERE user_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`,
  after: `SELECT ${eventColumns} FROM crm_events WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
  ofTypes: `SELECT ${eventColumns} FROM crm_events WHERE type = ANY ($1::text[]) AND ts >= $2 AND ts < $3 ORDER BY ts, seq`,
  firstAfter: `SELECT ${eventColumns} FROM crm_events WHERE user_id = $1 AND seq > $2 AND type = $3 AND ts < $4 ORDER BY seq LIMIT 1`,
} as const;

/** The journey's keyset pages (actors/journey.port.ts) on PostgreSQL. */
export function pgJourneyReads(pool: PgQueryable): JourneyReads {
  return {
    async eventsBySeq(userId, cursor, limit) {
      const size = Math.max(0, Math.floor(limit));
      if ("before" in cursor) return (await rowsOf(pool, journeySql.before, [userId, cursor.before, size])).map(eventFromRow).reverse();
      return (await rowsOf(pool, journeySql.after, [userId, cursor.after, size])).map(eventFromRow);
    },
  };
}

/** The campaigns' reads (actors/campaignStats.port.ts) on PostgreSQL. */
export function pgCampaignReads(pool: PgQueryable): CampaignEventReads {
  return {
    async eventsOfTypes(types, range) {
      if (types.length === 0) return [];
      return (await rowsOf(pool, journeySql.ofTypes, [[...types], range.from, range.to])).map(eventFromRow);
    },
    async firstEventAfter(userId, afterSeq, type, until) {
      const row = (await rowsOf(pool, journeySql.firstAfter, [userId, afterSeq, type, until]))[0];
      return row ? eventFromRow(row) : null;
    },
  };
}
