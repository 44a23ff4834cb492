import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
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

  /** A Shop CRM store of about `megabytes` MB: mostly sessions of random text. */
  async function bigStore(megabytes: number): Promise<{ dir: string; live: string }> {
    const dir = mkdtempSync(join(tmpdir(), "crm-backup-progress-"));
    dirs.push(dir);
    const live = join(dir, "crm.sqlite");
    await openSqliteStore({ path: live }).close();
    const db = new DatabaseSync(live);
    const insert = db.prepare("INSERT INTO crm_sessions (key, value, updated_at) VALUES (?, ?, 0)");
    db.exec("BEGIN");
    for (let i = 0; i < megabytes; i++) insert.run(`big:${i}`, randomBytes(512 * 1024).toString("hex"));
    db.exec("COMMIT");
    db.close();
    return { dir, live };
  }

  it("shows its progress on stderr, from 0 to the whole size, and the summary alone on stdout", { timeout: 60_000 }, async () => {
    const { dir, live } = await bigStore(40);
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

  it("stopped by SIGTERM while it copies, leaves no file behind and says so in one line", { timeout: 60_000 }, async () => {
    const { dir, live } = await bigStore(120);
    const backupFile = join(dir, "backup.sqlite");
    const stopped = await runCommand("backup", [backupFile], { DATABASE_PATH: live }, dir, "SIGTERM");
    expect(stopped.stdout).toBe("");
    expect(stopped.stderr.trimEnd().split("\n").at(-1)).toBe("Shop CRM cannot back up: stopped by SIGTERM; nothing was replaced");
    expect(stopped.code).toBe(1);
    expect(existsSync(backupFile)).toBe(false);
    expect(readdirSync(dir).filter((name) => name.startsWith("backup"))).toEqual([]);
  });
});
