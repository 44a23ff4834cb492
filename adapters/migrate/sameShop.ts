import type { DatabaseSync } from "node:sqlite";
import type pg from "pg";
import { MigrateRefused } from "./migrateArgs.ts";

const sampled = 200;

const same = (a: unknown, b: unknown): boolean => (a ?? null) === (b ?? null);

/**
 * Refuses a target that already holds another shop: its first leads and events must be the source's (the same
 * customer first seen at the same time from the same source, the same event key at the same seq). An empty target
 * passes, and so does one a previous run of this copy began, which the copy then continues.
 */
export async function checkSameShop(db: DatabaseSync, client: pg.ClientBase): Promise<void> {
  const leads = await client.query<{ user_id: number; first_seen_at: number | null; source: string | null }>(
    `SELECT user_id, first_seen_at, source FROM crm_leads ORDER BY user_id LIMIT ${sampled}`,
  );
  const lead = db.prepare("SELECT first_seen_at, source FROM crm_leads WHERE user_id = ?");
  for (const row of leads.rows) {
    const there = lead.get(row.user_id);
    if (!there || !same(there["first_seen_at"], row.first_seen_at) || !same(there["source"], row.source)) {
      throw new MigrateRefused(`--to: the database already holds a different shop (its customer ${row.user_id} is not the source's); name an empty database`);
    }
  }
  const events = await client.query<{ seq: number; key: string }>(`SELECT seq, key FROM crm_events ORDER BY seq LIMIT ${sampled}`);
  const event = db.prepare("SELECT key FROM crm_events WHERE seq = ?");
  for (const row of events.rows) {
    if (!same(event.get(row.seq)?.["key"], row.key)) {
      throw new MigrateRefused(`--to: the database already holds a different shop (its event ${row.seq} is not the source's); name an empty database`);
    }
  }
}
