import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../sqlite/sqliteStore.ts";
import { runCommand } from "./testing/backupCommands.ts";

describe("npm run backup of a big store", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("shows its progress on stderr, from 0 to the whole size, and the summary alone on stdout", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-backup-progress-"));
    dirs.push(dir);
    const live = join(dir, "crm.sqlite");
    await openSqliteStore({ path: live }).close();
    const db = new DatabaseSync(live);
    const insert = db.prepare("INSERT INTO crm_sessions (key, value, updated_at) VALUES (?, ?, 0)");
    db.exec("BEGIN");
    for (let i = 0; i < 40; i++) insert.run(`big:${i}`, randomBytes(512 * 1024).toString("hex"));
    db.exec("COMMIT");
    db.close();

    const backupFile = join(dir, "backup.sqlite");
    const backedUp = await runCommand("backup", [backupFile], { DATABASE_PATH: live }, dir);
    expect(backedUp.code, backedUp.stderr).toBe(0);
    expect(backedUp.stdout).toMatch(/^backed up .*: 0 customers, 0 events, schema version \d+, 4\d\.\d MB, integrity_check ok\n$/);
    const lines = backedUp.stderr.trimEnd().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(/^backing up \[░+\] +0 % · 0 of 4\d\.\d MB$/);
    expect(lines.at(-2)).toMatch(/^backing up \[█+\] 100 % · (4\d\.\d) of \1 MB$/);
    expect(lines.at(-1)).toBe("checking the copy with PRAGMA integrity_check (about twice as long as the copy)");
    const copy = new DatabaseSync(backupFile, { readOnly: true });
    expect(copy.prepare("SELECT count(*) AS n FROM crm_sessions WHERE key LIKE 'big:%'").get()?.["n"]).toBe(40);
    copy.close();
  });
});
