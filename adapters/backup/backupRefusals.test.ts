import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { createCustomerRuntime } from "../../actors/customerRuntime.ts";
import type { CrmStore } from "../../actors/store.port.ts";
import { migrations } from "../sqlite/sqliteSchema.ts";
import { openSqliteStore } from "../sqlite/sqliteStore.ts";
import type { Exited } from "../testing/npmStart.ts";
import { runCommand } from "./testing/backupCommands.ts";

/** A refusal: exit code 1, nothing on stdout, and exactly this one line on stderr, without a stack. */
function expectRefused(exited: Exited, command: "backup" | "restore", text: string | RegExp): void {
  expect(exited.stdout).toBe("");
  const prefix = command === "backup" ? "Shop CRM cannot back up: " : "Shop CRM cannot restore: ";
  expect(exited.stderr.startsWith(prefix), exited.stderr).toBe(true);
  expect(exited.stderr.split("\n")).toHaveLength(2);
  expect(exited.stderr).not.toMatch(/\n\s+at /);
  const line = exited.stderr.slice(prefix.length, -1);
  if (typeof text === "string") expect(line).toBe(text);
  else expect(line).toMatch(text);
  expect(exited.code).toBe(1);
}

/** A folder this process cannot write to, even as root (the immutable flag); returns what undoes it. */
function unwritable(dir: string): () => void {
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o555);
    return () => chmodSync(dir, 0o755);
  }
  execFileSync("chattr", ["+i", dir]);
  return () => execFileSync("chattr", ["-i", dir]);
}

async function shopStore(path: string, customers: number): Promise<void> {
  const store = openSqliteStore({ path });
  const runtime = createCustomerRuntime({ store });
  for (let userId = 1; userId <= customers; userId++) await runtime.dispatch(userId, { type: "start", source: "backup-test", key: `start:${userId}` });
  await runtime.close();
  await store.close();
}

function customersIn(path: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return Number(db.prepare("SELECT count(*) AS n FROM crm_leads").get()?.["n"]);
  } finally {
    db.close();
  }
}

describe("npm run backup and npm run restore refuse in one line", () => {
  const dirs: string[] = [];
  const undo: (() => void | Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of undo.splice(0).reverse()) await step();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  function newDir(): string {
    const dir = mkdtempSync(join(tmpdir(), "crm-backup-refusals-"));
    dirs.push(dir);
    return dir;
  }

  it("refuses a command line without one backup file, or with an unknown option", async () => {
    const dir = newDir();
    const env = { DATABASE_PATH: join(dir, "crm.sqlite") };
    expectRefused(await runCommand("backup", [], env, dir), "backup", "name the backup file: npm run backup -- <file>");
    expectRefused(await runCommand("backup", ["a.sqlite", "b.sqlite"], env, dir), "backup", 'one backup file at a time, got 2: "a.sqlite", "b.sqlite"');
    expectRefused(await runCommand("backup", ["a.sqlite", "--fast"], env, dir), "backup", 'unknown option "--fast"; npm run backup -- --help says what it takes');
    expectRefused(await runCommand("restore", ["a.sqlite", "--force"], env, dir), "restore", 'unknown option "--force"; npm run restore -- --help says what it takes');
    expectRefused(await runCommand("restore", [], env, dir), "restore", "name the backup file: npm run restore -- <file>");
    expectRefused(await runCommand("backup", ["a.sqlite"], { ...env, STORE: "mongo" }, dir), "backup", /^fix these settings \(in the environment or .env\): STORE: expected .*"mongo"$/);
    const postgres = { STORE: "postgres", DATABASE_URL: "postgres://shop:s3cret-pass@127.0.0.1:5432/shop" };
    const dumped = await runCommand("backup", ["a.sql"], postgres, dir);
    expectRefused(dumped, "backup", "STORE=postgres: npm run backup handles SQLite and the JSON store; for PostgreSQL use pg_dump (README, Back up)");
    const restored = await runCommand("restore", ["a.sql"], postgres, dir);
    expectRefused(restored, "restore", "STORE=postgres: npm run restore handles SQLite and the JSON store; for PostgreSQL use pg_restore (README, Back up)");
    expect(dumped.stderr + restored.stderr).not.toContain("s3cret");
    const help = await runCommand("backup", ["--help"], env, dir);
    expect(help.stdout).toMatch(/^npm run backup -- <file> \[--force\]/);
    expect(help.code).toBe(0);
  });

  it("refuses a missing store, a file that is not a SQLite database, and a SQLite file that is not a Shop CRM store", async () => {
    const dir = newDir();
    const target = join(dir, "backup.sqlite");
    const missing = join(dir, "nothing.sqlite");
    expectRefused(await runCommand("backup", [target], { DATABASE_PATH: missing }, dir), "backup", `DATABASE_PATH: ${missing} does not exist; there is nothing to back up`);
    const text = join(dir, "notes.txt");
    writeFileSync(text, "not a database at all, just some words to fill a page of it ".repeat(20));
    expectRefused(await runCommand("backup", [target], { DATABASE_PATH: text }, dir), "backup", `DATABASE_PATH: ${text} is not a SQLite database`);
    const other = join(dir, "other.sqlite");
    const db = new DatabaseSync(other);
    db.exec("CREATE TABLE things (x)");
    db.close();
    expectRefused(await runCommand("backup", [target], { DATABASE_PATH: other }, dir), "backup", `DATABASE_PATH: ${other} is a SQLite database, but not a Shop CRM store (it has no crm_events table)`);
    expect(existsSync(target)).toBe(false);
  });

  it("refuses a target that exists unless --force, a missing folder and one it cannot write to", async () => {
    const dir = newDir();
    const live = join(dir, "crm.sqlite");
    await shopStore(live, 3);
    const env = { DATABASE_PATH: live };
    const target = join(dir, "backup.sqlite");
    writeFileSync(target, "an older backup");
    expectRefused(await runCommand("backup", [target], env, dir), "backup", `the backup file: ${target} already exists; choose another name, or add --force to replace it`);
    expect(readFileSync(target, "utf8")).toBe("an older backup");
    const forced = await runCommand("backup", [target, "--force"], env, dir);
    expect(forced.code, forced.stderr).toBe(0);
    expect(customersIn(target)).toBe(3);

    // npm runs the script in the project's folder: a relative name is taken from where npm was called (INIT_CWD).
    const caller = join(dir, "caller");
    mkdirSync(caller);
    expect((await runCommand("backup", ["relative.sqlite"], { ...env, INIT_CWD: caller }, dir)).code).toBe(0);
    expect(customersIn(join(caller, "relative.sqlite"))).toBe(3);

    const nowhere = join(dir, "no-such-folder");
    expectRefused(await runCommand("backup", [join(nowhere, "b.sqlite")], env, dir), "backup", `the backup file: the folder ${nowhere} does not exist; create it first`);
    const locked = join(dir, "locked");
    mkdirSync(locked);
    undo.push(unwritable(locked));
    expectRefused(await runCommand("backup", [join(locked, "b.sqlite")], env, dir), "backup", `the backup file: the folder ${locked} is not writable by this user`);
    expectRefused(await runCommand("backup", [live], env, dir), "backup", `the backup file is DATABASE_PATH itself (${live}); name another file`);
  });

  it("restore refuses while a process holds the store, and leaves its database as it was", async () => {
    const dir = newDir();
    const backupFile = join(dir, "backup.sqlite");
    const source = join(dir, "source.sqlite");
    await shopStore(source, 2);
    expect((await runCommand("backup", [backupFile], { DATABASE_PATH: source }, dir)).code).toBe(0);
    const live = join(dir, "live.sqlite");
    await shopStore(live, 5);
    const store: CrmStore = openSqliteStore({ path: live });
    undo.push(() => store.close());
    expectRefused(
      await runCommand("restore", [backupFile], { DATABASE_PATH: live }, dir),
      "restore",
      `DATABASE_PATH: ${live} is in use by a running Shop CRM (it holds ${live}.lock); stop npm start, restore, then start it again`,
    );
    await store.close();
    expect(customersIn(live)).toBe(5);
  });

  it("restore refuses a missing backup, a file that is not a Shop CRM database, and a newer schema, but takes an older one", async () => {
    const dir = newDir();
    const live = join(dir, "crm.sqlite");
    await shopStore(live, 4);
    const env = { DATABASE_PATH: live };
    const missing = join(dir, "missing.sqlite");
    expectRefused(await runCommand("restore", [missing], env, dir), "restore", `the backup file ${missing} does not exist`);
    const text = join(dir, "notes.txt");
    writeFileSync(text, "not a database ".repeat(100));
    expectRefused(await runCommand("restore", [text], env, dir), "restore", `the backup file: ${text} is not a SQLite database`);
    const other = join(dir, "other.sqlite");
    new DatabaseSync(other).exec("CREATE TABLE things (x)");
    expectRefused(await runCommand("restore", [other], env, dir), "restore", `the backup file: ${other} is a SQLite database, but not a Shop CRM store (it has no crm_events table)`);

    const newer = join(dir, "newer.sqlite");
    expect((await runCommand("backup", [newer], env, dir)).code).toBe(0);
    const db = new DatabaseSync(newer);
    db.exec(`PRAGMA user_version = ${migrations.length + 1}`);
    db.close();
    expectRefused(
      await runCommand("restore", [newer], env, dir),
      "restore",
      `the backup file ${newer} has schema version ${migrations.length + 1}, newer than this code's ${migrations.length}: restore it with the Shop CRM that wrote it, or a newer one`,
    );
    expect(customersIn(live)).toBe(4);

    const older = join(dir, "older.sqlite");
    const old = new DatabaseSync(older);
    migrations.slice(0, 3).forEach((sql, index) => old.exec(`${sql}; PRAGMA user_version = ${index + 1}`));
    old.close();
    const taken = await runCommand("restore", [older], env, dir);
    expect(taken.stderr).toBe("");
    expect(taken.stdout).toMatch(new RegExp(`^restored ${older} to ${live}: 0 customers, 0 events, schema version 3; npm start migrates it to version ${migrations.length}; the previous database is kept as ${live}\\.before-restore-`));
    const store = openSqliteStore({ path: live });
    expect((await store.funnel()).total).toBe(0);
    await store.close();
  });
});
