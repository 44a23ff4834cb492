import type { DatabaseSync } from "node:sqlite";
import type { JourneyReads } from "../../actors/journey.port.ts";
import { eventOf } from "./sqliteCampaignStats.ts";

/** The journey's statements, for the query-plan test. */
export const journeySql = {
  before: "SELECT seq, user_id, type, payload, ts, key FROM crm_events WHERE user_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
  after: "SELECT seq, user_id, type, payload, ts, key FROM crm_events WHERE user_id = ? AND seq > ? ORDER BY seq LIMIT ?",
} as const;

/** The journey's keyset pages (actors/journey.port.ts) on SQLite: one walk of `crm_events_by_user (user_id, seq)` each. */
export function sqliteJourney(db: DatabaseSync, ensureOpen: () => void): JourneyReads {
  const before = db.prepare(journeySql.before);
  const after = db.prepare(journeySql.after);
  return {
    async eventsBySeq(userId, cursor, limit) {
      ensureOpen();
      const size = Math.max(0, Math.floor(limit));
      if ("before" in cursor) return before.all(userId, cursor.before, size).map(eventOf).reverse();
      return after.all(userId, cursor.after, size).map(eventOf);
    },
  };
}
