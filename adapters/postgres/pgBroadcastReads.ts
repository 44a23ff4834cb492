import { emptyCounts, recipientStates, type BroadcastStore, type RecipientState } from "../../actors/broadcastStore.port.ts";
import type { PgSyncQuery } from "./pgCatalogReads.ts";
import { num, type PgQueryable } from "./pgRows.ts";
import { recipientFromRow } from "../storeRows.ts";

const states: ReadonlySet<string> = new Set(recipientStates);

/** The broadcasts' statements. A batch of rows is one statement over arrays (`unnest`), so a page of a snapshot is one round trip. */
export const broadcastSql = {
  register: "INSERT INTO crm_broadcasts (broadcast_id, created_at) VALUES ($1, $2) ON CONFLICT (broadcast_id) DO NOTHING",
  ids: `SELECT broadcast_id FROM crm_broadcasts ORDER BY created_at DESC, broadcast_id COLLATE "C" DESC LIMIT $1`,
  forget: "WITH gone AS (DELETE FROM crm_broadcast_recipients WHERE broadcast_id = $1) DELETE FROM crm_broadcasts WHERE broadcast_id = $1",
  add: `INSERT INTO crm_broadcast_recipients (broadcast_id, user_id, state, attempts)
    SELECT $1, u, 'pending', 0 FROM unnest($2::bigint[]) AS u ON CONFLICT DO NOTHING`,
  last: "SELECT max(user_id) AS n FROM crm_broadcast_recipients WHERE broadcast_id = $1",
  inStates: "SELECT user_id, state, attempts, reason, at FROM crm_broadcast_recipients WHERE broadcast_id = $1 AND state = ANY ($2::text[]) AND user_id > $3 ORDER BY user_id LIMIT $4",
  record: `INSERT INTO crm_broadcast_recipients (broadcast_id, user_id, state, attempts, reason, at)
    SELECT $1, r.user_id, r.state, r.attempts, r.reason, r.at
    FROM unnest($2::bigint[], $3::text[], $4::integer[], $5::text[], $6::bigint[]) AS r(user_id, state, attempts, reason, at)
    ON CONFLICT (broadcast_id, user_id) DO UPDATE SET state = excluded.state, attempts = excluded.attempts, reason = excluded.reason, at = excluded.at`,
  byState: "SELECT state, count(*) AS n FROM crm_broadcast_recipients WHERE broadcast_id = $1 GROUP BY state",
  reasons: "SELECT reason, count(*) AS n FROM crm_broadcast_recipients WHERE broadcast_id = $1 AND state = 'failed' GROUP BY reason",
} as const;

/**
 * Broadcasts and their recipients on PostgreSQL (`crm_broadcasts`, `crm_broadcast_recipients`).
 * Each write is one statement, so one transaction of its own, as SQLite's are; the port's
 * synchronous reads (the sender asks them between sends) go through the store's bridge.
 * Several processes may hold the store: the single sender among them is the broadcasts' leader's
 * business, not these rows'.
 */
export function pgBroadcasts(pool: PgQueryable, query: PgSyncQuery): BroadcastStore {
  const write = async (sql: string, values: readonly unknown[]): Promise<void> => void (await pool.query(sql, [...values]));
  return {
    registerBroadcast: (id, createdAt) => write(broadcastSql.register, [id, createdAt]),
    broadcastIds(limit) {
      return query(broadcastSql.ids, [Math.max(0, Math.floor(limit))]).map((row) => String(row["broadcast_id"]));
    },
    forgetBroadcast: (id) => write(broadcastSql.forget, [id]),
    async addRecipients(id, userIds) {
      if (userIds.length > 0) await write(broadcastSql.add, [id, [...userIds]]);
    },
    lastRecipient(id) {
      return num(query(broadcastSql.last, [id])[0]?.["n"]);
    },
    recipients(id, wanted, afterUserId, limit) {
      if (wanted.length === 0) return [];
      return query(broadcastSql.inStates, [id, [...wanted], afterUserId, limit]).map(recipientFromRow);
    },
    async recordRecipients(id, rows) {
      if (rows.length === 0) return;
      // One statement may not upsert a row twice: a recipient given twice keeps the last, as successive writes would.
      const last = [...new Map(rows.map((row) => [row.userId, row])).values()];
      await write(broadcastSql.record, [id, last.map((r) => r.userId), last.map((r) => r.state), last.map((r) => r.attempts), last.map((r) => r.reason), last.map((r) => r.at)]);
    },
    recipientCounts(id) {
      const counts = emptyCounts();
      for (const row of query(broadcastSql.byState, [id])) {
        const state = String(row["state"]);
        if (!states.has(state)) continue;
        counts.byState[state as RecipientState] = num(row["n"]);
        counts.total += num(row["n"]);
      }
      for (const row of query(broadcastSql.reasons, [id])) counts.reasons[String(row["reason"] ?? "unknown")] = num(row["n"]);
      return counts;
    },
  };
}
