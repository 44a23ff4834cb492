import type { DatabaseSync } from "node:sqlite";
import { emptyCounts, recipientStates, type BroadcastStore, type RecipientState } from "../../actors/broadcastStore.port.ts";
import { recipientFromRow } from "../storeRows.ts";

const states: ReadonlySet<string> = new Set(recipientStates);

/**
 * Broadcasts and their recipients in SQLite (`crm_broadcasts`, `crm_broadcast_recipients`, the
 * broadcasts' migration), on the store's connection. Each write is one short transaction of its
 * own: SQLite's calls are synchronous, so it never interleaves with a unit of the runtime, and it
 * holds the connection for the few rows it writes (a page of a snapshot at most).
 */
export function sqliteBroadcasts(db: DatabaseSync, ensureOpen: () => void): BroadcastStore {
  const sql = {
    begin: db.prepare("BEGIN IMMEDIATE"),
    commit: db.prepare("COMMIT"),
    rollback: db.prepare("ROLLBACK"),
    register: db.prepare("INSERT INTO crm_broadcasts (broadcast_id, created_at) VALUES (?, ?) ON CONFLICT (broadcast_id) DO NOTHING"),
    ids: db.prepare("SELECT broadcast_id FROM crm_broadcasts ORDER BY created_at DESC, broadcast_id DESC LIMIT ?"),
    forget: db.prepare("DELETE FROM crm_broadcasts WHERE broadcast_id = ?"),
    forgetRecipients: db.prepare("DELETE FROM crm_broadcast_recipients WHERE broadcast_id = ?"),
    add: db.prepare("INSERT INTO crm_broadcast_recipients (broadcast_id, user_id, state, attempts) VALUES (?, ?, 'pending', 0) ON CONFLICT DO NOTHING"),
    last: db.prepare("SELECT max(user_id) AS n FROM crm_broadcast_recipients WHERE broadcast_id = ?"),
    write: db.prepare(
      `INSERT INTO crm_broadcast_recipients (broadcast_id, user_id, state, attempts, reason, at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (broadcast_id, user_id) DO UPDATE SET state = excluded.state, attempts = excluded.attempts, reason = excluded.reason, at = excluded.at`,
    ),
    byState: db.prepare("SELECT state, count(*) AS n FROM crm_broadcast_recipients WHERE broadcast_id = ? GROUP BY state"),
    reasons: db.prepare("SELECT reason, count(*) AS n FROM crm_broadcast_recipients WHERE broadcast_id = ? AND state = 'failed' GROUP BY reason"),
  };
  const inState = new Map<string, ReturnType<DatabaseSync["prepare"]>>();

  function atomically(work: () => void): Promise<void> {
    try {
      ensureOpen();
      sql.begin.run();
      try {
        work();
        sql.commit.run();
      } catch (error) {
        if (db.isTransaction) sql.rollback.run();
        throw error;
      }
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  function selectIn(count: number): ReturnType<DatabaseSync["prepare"]> {
    const key = String(count);
    let statement = inState.get(key);
    if (!statement) {
      const marks = Array.from({ length: count }, () => "?").join(", ");
      statement = db.prepare(`SELECT * FROM crm_broadcast_recipients WHERE broadcast_id = ? AND state IN (${marks}) AND user_id > ? ORDER BY user_id LIMIT ?`);
      inState.set(key, statement);
    }
    return statement;
  }

  return {
    registerBroadcast: (id, createdAt) => atomically(() => void sql.register.run(id, createdAt)),
    broadcastIds(limit) {
      ensureOpen();
      return sql.ids.all(Math.max(0, Math.floor(limit))).map((row) => String(row["broadcast_id"]));
    },
    forgetBroadcast: (id) =>
      atomically(() => {
        sql.forgetRecipients.run(id);
        sql.forget.run(id);
      }),
    addRecipients: (id, userIds) => atomically(() => userIds.forEach((userId) => sql.add.run(id, userId))),
    lastRecipient(id) {
      ensureOpen();
      return Number(sql.last.get(id)?.["n"] ?? 0);
    },
    recipients(id, wanted, afterUserId, limit) {
      ensureOpen();
      if (wanted.length === 0) return [];
      return selectIn(wanted.length).all(id, ...wanted, afterUserId, limit).map(recipientFromRow);
    },
    recordRecipients: (id, rows) => atomically(() => rows.forEach((row) => sql.write.run(id, row.userId, row.state, row.attempts, row.reason, row.at))),
    recipientCounts(id) {
      ensureOpen();
      const counts = emptyCounts();
      for (const row of sql.byState.all(id)) {
        const state = String(row["state"]);
        if (!states.has(state)) continue;
        counts.byState[state as RecipientState] = Number(row["n"]);
        counts.total += Number(row["n"]);
      }
      for (const row of sql.reasons.all(id)) counts.reasons[String(row["reason"] ?? "unknown")] = Number(row["n"]);
      return counts;
    },
  };
}

