import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createCustomerStepper, customerActor, replayCustomer } from "../../actors/customerStepper.ts";
import type { CrmStore } from "../../actors/store.port.ts";
import { openSqliteStore } from "../sqlite/sqliteStore.ts";
import { runCommand, startLoad, waitFor, type Load } from "./testing/backupCommands.ts";

const customers = 97;

/** Every stored event's key, over the load's customers. */
function storedKeys(store: CrmStore): Set<string> {
  const keys = new Set<string>();
  for (let userId = 1; userId <= customers; userId++) for (const event of store.loadEvents(userId)) keys.add(event.key);
  return keys;
}

/** Each customer's stored snapshot, last seq and timers equal the replay of their log in the same file. */
function expectSnapshotsReplay(store: CrmStore): number {
  const stepper = createCustomerStepper();
  const byKey = (a: { key: string }, b: { key: string }) => a.key.localeCompare(b.key);
  let checked = 0;
  for (let userId = 1; userId <= customers; userId++) {
    const log = store.loadEvents(userId);
    if (log.length === 0) continue;
    const actor = store.loadActor(userId);
    const fromLog = replayCustomer(stepper, userId, log);
    expect(actor?.lastSeq, `customer ${userId}`).toBe(log.at(-1)?.seq);
    expect(JSON.parse(actor?.snapshot ?? "null"), `customer ${userId}`).toMatchObject({ value: fromLog.snapshot.value, context: fromLog.snapshot.context });
    expect([...store.timersOf(customerActor(userId))].sort(byKey), `customer ${userId}`).toEqual([...fromLog.timers].sort(byKey));
    checked++;
  }
  return checked;
}

describe("npm run backup under load, then npm run restore", () => {
  const dirs: string[] = [];
  const loads: Load[] = [];
  afterEach(async () => {
    for (const load of loads.splice(0)) await load.kill();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it(
    "copies the store while another process writes to it, and the restored copy holds every event acknowledged before and equals its replay",
    { timeout: 120_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "crm-backup-load-"));
      dirs.push(dir);
      const live = join(dir, "crm.sqlite");
      const backupFile = join(dir, "backup.sqlite");
      const load = startLoad("sqlite", live);
      loads.push(load);
      await waitFor(() => load.acked().length >= 1_500, `1500 acknowledgements (stderr: ${load.errors()})`);

      const before = [...load.acked()];
      const backup = runCommand("backup", [backupFile], { DATABASE_PATH: live }, dir);
      const backedUp = await backup;
      const during = load.acked().length - before.length;
      const ackedByTheEnd = [...load.acked()];
      await load.kill();

      expect(backedUp.stderr).toBe("");
      expect(backedUp.stdout).toMatch(new RegExp(`^backed up ${live} to ${backupFile}: ${customers} customers, \\d+ events, schema version \\d+, [\\d.]+ MB, integrity_check ok\\n$`));
      expect(backedUp.code).toBe(0);
      // The runtime went on acknowledging while the backup ran: the backup took no lock from it.
      expect(during).toBeGreaterThan(0);
      // One self-contained file: the WAL is folded in, no -wal or -shm beside it.
      expect(existsSync(`${backupFile}-wal`)).toBe(false);
      expect(existsSync(`${backupFile}-shm`)).toBe(false);

      const restoredPath = join(dir, "restored", "crm.sqlite");
      const restored = await runCommand("restore", [backupFile], { DATABASE_PATH: restoredPath }, dir);
      expect(restored.stderr).toBe("");
      expect(restored.stdout).toMatch(/^restored .* there was no database before\n$/);
      expect(restored.code).toBe(0);

      const store = openSqliteStore({ path: restoredPath });
      try {
        const stored = storedKeys(store);
        const committedBefore = before.filter((line) => !line.endsWith(" refused"));
        const refusedBefore = before.filter((line) => line.endsWith(" refused")).map((line) => line.split(" ")[0] ?? "");
        expect(committedBefore.filter((key) => !stored.has(key))).toEqual([]);
        expect(refusedBefore.filter((key) => stored.has(key))).toEqual([]);
        // A moment's copy, not the end state: it cannot hold what was acknowledged only after it finished…
        expect(stored.size).toBeLessThanOrEqual(ackedByTheEnd.length + 64);
        // …and every customer in it is whole: snapshot, last seq and timers equal the replay of their log.
        expect(expectSnapshotsReplay(store)).toBe(customers);
      } finally {
        await store.close();
      }
    },
  );
});
