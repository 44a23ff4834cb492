import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { storeContract } from "../storeContract.ts";
import { migrations } from "./sqliteSchema.ts";
import { openSqliteStore } from "./sqliteStore.ts";

storeContract("sqlite", async (dir) => openSqliteStore({ path: join(dir, "crm.sqlite") }));

describe("sqlite store schema", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("creates the events and messages tables, their indexes and the search index, in WAL mode", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-schema-"));
    dirs.push(dir);
    const path = join(dir, "crm.sqlite");
    const store = openSqliteStore({ path });
    await store.close();
    const db = new DatabaseSync(path);
    const names = db.prepare("SELECT name FROM sqlite_master").all().map((row) => row["name"]);
    expect(names).toEqual(expect.arrayContaining(["crm_events", "crm_messages", "crm_leads", "crm_leads_fts", "crm_events_by_user", "crm_events_by_type", "crm_messages_by_user"]));
    expect(db.prepare("PRAGMA journal_mode").get()?.["journal_mode"]).toBe("wal");
    expect(db.prepare("PRAGMA user_version").get()?.["user_version"]).toBe(migrations.length);
    db.close();
  });

  it("refuses a database from a newer version of the program", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-schema-"));
    dirs.push(dir);
    const path = join(dir, "crm.sqlite");
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA user_version = ${migrations.length + 1}`);
    db.close();
    expect(() => openSqliteStore({ path })).toThrow(/newer than this program/);
  });
});
