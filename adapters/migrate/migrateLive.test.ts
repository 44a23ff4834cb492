import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCommand, startLoad, waitFor, type Load } from "../backup/testing/backupCommands.ts";
import { freshDatabase } from "../postgres/testing/freshDatabase.ts";
import { runMigrate } from "./testing/migrateShopFixture.ts";

describe("npm run migrate from a shop that npm start is serving", () => {
  const dirs: string[] = [];
  const loads: Load[] = [];
  afterEach(async () => {
    for (const load of loads.splice(0)) await load.kill();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("reads the live file without its lock, and copies a backup made meanwhile whole", { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-migrate-live-"));
    dirs.push(dir);
    const live = join(dir, "crm.sqlite");
    const load = startLoad("sqlite", live);
    loads.push(load);
    await waitFor(() => load.acked().length >= 300, `300 acknowledgements (stderr: ${load.errors()})`);

    // The live file: the copy runs past the process lock; while the shop writes on, its check says so.
    const fromLive = await runMigrate(["--from", `sqlite:${live}`, "--to", await freshDatabase("migrate_live")]);
    if (fromLive.code === 0) expect(fromLive.stdout).toMatch(/counts equal; \d+ customers replayed/);
    else expect(fromLive.stderr).toMatch(/(^|\n)Shop CRM cannot migrate: the copy differs from the source: crm_\w+ has \d+ rows in the source and \d+ in the copy \(was the shop in use\? stop the bots, or copy a file from npm run backup, into an empty database\)\n$/);

    const backupFile = join(dir, "backup.sqlite");
    const backup = await runCommand("backup", [backupFile], { DATABASE_PATH: live }, dir);
    expect(backup.code).toBe(0);
    await load.kill();
    const fromBackup = await runMigrate(["--from", `sqlite:${backupFile}`, "--to", await freshDatabase("migrate_backup")]);
    expect(fromBackup.stdout).toMatch(/counts equal; \d+ customers replayed from the copy equal their snapshots\n$/);
    expect(Number(/ (\d+) customers replayed/.exec(fromBackup.stdout)?.[1])).toBeGreaterThan(40);
    expect(fromBackup.code).toBe(0);
  });
});
