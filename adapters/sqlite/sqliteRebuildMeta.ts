import { rmSync } from "node:fs";
import type { DatabaseSync } from "node:sqlite";

/** The rebuild's shadow store beside the database: a file of its own, disposable, so it needs no journal and no fsync. */
export const shadowPathOf = (path: string): string => `${path}.rebuild`;

/**
 * Deletes a rebuild's shadow file. The rebuild does after its switch; `npm start` does at open, so
 * the copy of lead rows a crashed rebuild left (names, phones: personal data) does not outlive it.
 * A rebuild running meanwhile keeps its open file: unlinking it only hides it.
 */
export function removeShadow(path: string): void {
  for (const suffix of ["", "-journal", "-wal", "-shm"]) rmSync(`${shadowPathOf(path)}${suffix}`, { force: true });
}

/**
 * Migration 15 (issue 14, `npm run rebuild`): a small key-value table where `npm start` records the
 * machine versions it runs, so that a rebuild can refuse to switch under a process running other
 * machines; and the funnel's counts kept by triggers from the lead rows themselves, as the dormant
 * counts already are. Counted from the rows, a count stays exact whoever rewrites a lead: the live
 * process, or a rebuild switching rows under it (a live process's memory of a customer's previous
 * stage may predate the switch). Only a new lead, or a change of stage, writes a count: for an
 * ordinary commit the update trigger's WHEN is false. The counts were kept exact by the store's code
 * until now, so they are not recounted here.
 */
export const rebuildMigration = `
  CREATE TABLE crm_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TRIGGER crm_funnel_count_insert AFTER INSERT ON crm_leads BEGIN
    UPDATE crm_funnel SET count = count + 1 WHERE stage = new.stage;
  END;
  CREATE TRIGGER crm_funnel_count_update AFTER UPDATE OF stage ON crm_leads WHEN old.stage IS NOT new.stage BEGIN
    UPDATE crm_funnel SET count = count - 1 WHERE stage = old.stage;
    UPDATE crm_funnel SET count = count + 1 WHERE stage = new.stage;
  END;
  CREATE TRIGGER crm_funnel_count_delete AFTER DELETE ON crm_leads BEGIN
    UPDATE crm_funnel SET count = count - 1 WHERE stage = old.stage;
  END;
`;

/** The key under which the running process's customer machine version is kept. */
export const customerMachineVersionKey = "customer_machine_version";

/** Records the customer machine version this process runs (the store calls it at open, under the process lock). */
export function recordMachineVersion(db: DatabaseSync, version: number): void {
  db.prepare("INSERT INTO crm_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(customerMachineVersionKey, String(version));
}

/** The customer machine version the last process to open the store recorded, or null when none did. */
export function recordedMachineVersion(db: DatabaseSync): number | null {
  const row = db.prepare("SELECT value FROM crm_meta WHERE key = ?").get(customerMachineVersionKey);
  return row ? Number(row["value"]) : null;
}
