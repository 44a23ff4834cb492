import type { DatabaseSync, SQLOutputValue } from "node:sqlite";
import type { CampaignEventReads } from "../../actors/campaignStats.port.ts";
import type { StoredEvent } from "../../actors/store.port.ts";
import type { CustomerEventType } from "../../machines/customer.types.ts";

type Row = Record<string, SQLOutputValue>;

/** A row of `crm_events` as the port returns it (a payload that does not parse reads as empty). */
export function eventOf(row: Row): StoredEvent {
  let payload: Record<string, unknown> = {};
  try {
    payload = JSON.parse(String(row["payload"])) as Record<string, unknown>;
  } catch {
    payload = {};
  }
  return { seq: Number(row["seq"]), userId: Number(row["user_id"]), type: String(row["type"]) as CustomerEventType, payload, at: Number(row["ts"]), key: String(row["key"]) };
}

/** The statements of the campaigns' reads, for the query-plan test. */
export const campaignStatsSql = {
  ofType: "SELECT seq, user_id, type, payload, ts, key FROM crm_events WHERE type = ? AND ts >= ? AND ts < ? ORDER BY ts, seq",
  after: "SELECT seq, user_id, type, payload, ts, key FROM crm_events WHERE user_id = ? AND seq > ? AND type = ? AND ts < ? ORDER BY seq LIMIT 1",
} as const;

/**
 * The campaigns' reads (actors/campaignStats.port.ts) on SQLite: the messages of a period walk
 * `crm_events_by_type (type, ts)`, and what a customer did after one walks `crm_events_by_user
 * (user_id, seq)` from that message on (both query plans are tested).
 */
export function sqliteCampaignStats(db: DatabaseSync, ensureOpen: () => void): CampaignEventReads {
  const ofType = db.prepare(campaignStatsSql.ofType);
  const after = db.prepare(campaignStatsSql.after);
  return {
    async eventsOfTypes(types, range) {
      ensureOpen();
      const rows = types.flatMap((type) => ofType.all(type, range.from, range.to).map(eventOf));
      return rows.sort((a, b) => a.at - b.at || a.seq - b.seq);
    },
    async firstEventAfter(userId, afterSeq, type, until) {
      ensureOpen();
      const row = after.get(userId, afterSeq, type, until);
      return row ? eventOf(row) : null;
    },
  };
}
