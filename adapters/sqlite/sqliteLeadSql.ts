import type { SQLInputValue } from "node:sqlite";
import { leadSearchText } from "../../actors/searchQuery.ts";
import type { ActorWrite, MirrorItem } from "../../actors/store.port.ts";
import { leadColumns } from "../storeRows.ts";

/** Appends one event; a key already stored makes it a no-op (0 changes), which is how duplicates are seen. */
export const appendEventSql = "INSERT INTO crm_events (user_id, type, payload, ts, key) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING";

/** Writes a lead with its snapshot: the columns of `leadColumns`, then version, snapshot, last seq and search text. */
export const saveLeadSql = `INSERT INTO crm_leads (${leadColumns}, machine_version, snapshot, last_seq, search_text)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (user_id) DO UPDATE SET
    username = excluded.username, name = excluded.name, source = excluded.source, first_seen_at = excluded.first_seen_at,
    last_seen_at = excluded.last_seen_at, stage = excluded.stage, orders_count = excluded.orders_count,
    lifetime_value = excluded.lifetime_value, last_order_id = excluded.last_order_id, consent_at = excluded.consent_at,
    consent_version = excluded.consent_version, phone = excluded.phone, tags = excluded.tags, notes = excluded.notes,
    stage_entered_at = excluded.stage_entered_at, erased_at = excluded.erased_at, blocked_at = excluded.blocked_at,
    dormant_since = excluded.dormant_since, last_reminder_at = excluded.last_reminder_at, reminders_sent = excluded.reminders_sent,
    consent_declined = excluded.consent_declined, language = excluded.language, unsubscribed_at = excluded.unsubscribed_at, machine_version = excluded.machine_version,
    snapshot = excluded.snapshot, last_seq = excluded.last_seq, search_text = excluded.search_text`;

/** The parameters of `saveLeadSql` for one actor write, in its column order. */
export function saveLeadParams(write: ActorWrite): SQLInputValue[] {
  const { lead } = write;
  return [
    lead.userId,
    lead.username,
    lead.name,
    lead.source,
    lead.firstSeenAt,
    lead.lastSeenAt,
    lead.stage,
    lead.ordersCount,
    lead.lifetimeValue,
    lead.lastOrderId,
    lead.consentAt,
    lead.consentVersion,
    lead.phone,
    JSON.stringify(lead.tags),
    JSON.stringify(lead.notes),
    JSON.stringify(lead.stageEnteredAt),
    lead.erasedAt,
    lead.blockedAt,
    lead.dormantSince ?? null,
    lead.lastReminderAt ?? null,
    lead.remindersSent ?? 0,
    lead.consentDeclined ?? null,
    lead.language ?? "ru",
    lead.unsubscribedAt ?? null,
    write.machineVersion,
    write.snapshot,
    write.lastSeq,
    leadSearchText(lead),
  ];
}

/**
 * Queues a lead or an order for the Sheets mirror (kind, ref, queued at, seq), or bumps the version
 * of the one already queued, which keeps its time and so its place in the queue.
 */
export const queueMirrorSql = `INSERT INTO crm_mirror_outbox (kind, ref, version, queued_at, seq) VALUES (?, ?, 1, ?, ?)
  ON CONFLICT (kind, ref) DO UPDATE SET version = version + 1`;

/**
 * Every lead (by first seen) or every order (by time) queued in one statement, as `queueMirrorSql`
 * does one: `?1` is the time, `?2` the last seq used. `WHERE true` lets SQLite parse the upsert.
 */
export const queueAllSql = (kind: MirrorItem["kind"]): string =>
  `INSERT INTO crm_mirror_outbox (kind, ref, version, queued_at, seq)
   ${
     kind === "lead"
       ? "SELECT 'lead', CAST(user_id AS TEXT), 1, ?1, ?2 + row_number() OVER (ORDER BY first_seen_at, user_id) FROM crm_leads WHERE true"
       : "SELECT 'order', order_id, 1, ?1, ?2 + row_number() OVER (ORDER BY at, rowid) FROM crm_orders WHERE true"
   }
   ON CONFLICT (kind, ref) DO UPDATE SET version = version + 1`;
