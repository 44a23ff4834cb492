import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createCustomerRuntime } from "../../actors/customerRuntime.ts";
import { openSqliteStore } from "../sqlite/sqliteStore.ts";
import { runCommand, startLoad, waitFor, type Load } from "./testing/backupCommands.ts";

describe("npm run restore over a store that crashed", () => {
  const dirs: string[] = [];
  const loads: Load[] = [];
  afterEach(async () => {
    for (const load of loads.splice(0)) await load.kill();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the previous database whole beside it, WAL included, and the restored one gets none of that WAL", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-restore-"));
    dirs.push(dir);
    const small = join(dir, "small.sqlite");
    const store = openSqliteStore({ path: small });
    const runtime = createCustomerRuntime({ store });
    for (const userId of [501, 502]) await runtime.dispatch(userId, { type: "start", source: "restore-test", key: `start:${userId}` });
    await runtime.close();
    await store.close();
    const backupFile = join(dir, "backup.sqlite");
    expect((await runCommand("backup", [backupFile], { DATABASE_PATH: small }, dir)).code).toBe(0);

    // A store whose process died: its last commits are in crm.sqlite-wal only.
    const live = join(dir, "crm.sqlite");
    const load = startLoad("sqlite", live);
    loads.push(load);
    await waitFor(() => load.acked().length >= 500, `500 acknowledgements (stderr: ${load.errors()})`);
    await load.kill();
    const acked = load.acked().filter((line) => !line.endsWith(" refused"));
    expect(existsSync(`${live}-wal`)).toBe(true);

    const restored = await runCommand("restore", [backupFile], { DATABASE_PATH: live }, dir);
    expect(restored.stderr).toBe("");
    expect(restored.code).toBe(0);
    const keptAs = /the previous database is kept as (\S+)\n$/.exec(restored.stdout)?.[1] ?? "";
    expect(keptAs).toMatch(/crm\.sqlite\.before-restore-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/);
    expect(existsSync(`${live}-wal`)).toBe(false);

    const back = openSqliteStore({ path: live });
    expect((await back.funnel()).total).toBe(2);
    expect(back.loadEvents(501).map((event) => event.key)).toEqual(["start:501"]);
    expect(back.loadEvents(1)).toEqual([]);
    await back.close();

    const previous = openSqliteStore({ path: keptAs });
    const kept = new Set<string>();
    for (let userId = 1; userId <= 97; userId++) for (const event of previous.loadEvents(userId)) kept.add(event.key);
    await previous.close();
    expect(acked.filter((key) => !kept.has(key))).toEqual([]);
  });
});
