import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomerRuntime } from "../../actors/customerRuntime.ts";
import { migrations } from "../sqlite/sqliteSchema.ts";
import { openSqliteStore } from "../sqlite/sqliteStore.ts";
import { freshDatabase } from "../postgres/testing/freshDatabase.ts";
import { makeShop, runMigrate } from "./testing/migrateShopFixture.ts";

let dir = "";
let shop = "";
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "crm-migrate-refusals-"));
  shop = await makeShop(dir, 6);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the command and expects a refusal: exit 1, nothing on stdout, one line on stderr with no stack. Returns the line. */
async function refused(args: readonly string[]): Promise<string> {
  const exited = await runMigrate(args);
  expect(exited.stdout).toBe("");
  expect(exited.stderr).toMatch(/^Shop CRM cannot migrate: [^\n]+\n$/);
  expect(exited.stderr).not.toMatch(/\n\s+at /);
  expect(exited.code).toBe(1);
  return exited.stderr;
}

async function rowCount(url: string, table: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
  } finally {
    await client.end();
  }
}

describe("npm run migrate refuses in one line", () => {
  it("bad arguments", { timeout: 60_000 }, async () => {
    const to = "postgres://shop:pw-arg-9@127.0.0.1:1/crm";
    expect(await refused(["--from", `sqlite:${shop}`, "--tto", to])).toContain('unknown option "--tto"');
    expect(await refused(["--from", `sqlite:${shop}`])).toContain("name the PostgreSQL database to copy to");
    expect(await refused(["--to", to])).toContain("name the SQLite store to copy: --from sqlite:<file>");
    expect(await refused(["--from", shop, "--to", to])).toContain("--from must be sqlite:<file>");
    expect(await refused(["--from", `sqlite:${shop}`, "--to"])).toContain("--to needs a value");
    expect(await refused(["--from", `sqlite:${shop}`, "--to", to, "--batch-rows", "0"])).toContain("--batch-rows must be a whole number");
    expect(await refused(["--from", `sqlite:${shop}`, to])).toContain("unexpected argument");
    const notPostgres = await refused(["--from", `sqlite:${shop}`, "--to", "mysql://shop:pw-mysql-7@db/crm"]);
    expect(notPostgres).toContain("--to must be a PostgreSQL URL");
    expect(notPostgres).not.toContain("pw-mysql-7");
    expect(await refused(["--from", `sqlite:${shop}`, to])).not.toContain("pw-arg-9");
  });

  it("a SQLite file that is missing, not SQLite, or of a newer schema than this program", { timeout: 60_000 }, async () => {
    const to = await freshDatabase("migrate_refusals_source");
    expect(await refused(["--from", `sqlite:${join(dir, "nowhere.sqlite")}`, "--to", to])).toContain("does not exist; there is no shop to copy");
    const text = join(dir, "notes.txt");
    writeFileSync(text, "not a database, just words ".repeat(200));
    expect(await refused(["--from", `sqlite:${text}`, "--to", to])).toContain("cannot be read as SQLite");
    const newer = join(dir, "newer.sqlite");
    copyFileSync(shop, newer);
    const db = new DatabaseSync(newer);
    db.exec(`PRAGMA user_version = ${migrations.length + 1}`);
    db.close();
    expect(await refused(["--from", `sqlite:${newer}`, "--to", to])).toContain(`has schema version ${migrations.length + 1}, newer than this program knows (${migrations.length})`);
    expect(await rowCount(to, "pg_tables WHERE tablename = 'crm_events'")).toBe(0);
  });

  it("a PostgreSQL server it cannot reach, without ever printing the password", { timeout: 60_000 }, async () => {
    const line = await refused(["--from", `sqlite:${shop}`, "--to", "postgres://shop:s3cret-Pa55@127.0.0.1:1/crm"]);
    expect(line).toContain("cannot reach PostgreSQL at postgres://shop:***@127.0.0.1:1/crm");
    expect(line).not.toContain("s3cret-Pa55");
  });

  it("a user that may not turn the triggers off for the copy, naming the grant that allows it", { timeout: 60_000 }, async () => {
    const url = await freshDatabase("migrate_plain_user");
    const database = decodeURIComponent(new URL(url).pathname.slice(1));
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const role = `plain_${database.slice(-6)}`;
    try {
      await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'pw-plain-3'`);
      await admin.query(`ALTER DATABASE "${database}" OWNER TO ${role}`);
    } finally {
      await admin.end();
    }
    const asPlain = new URL(url);
    asPlain.username = role;
    asPlain.password = "pw-plain-3";
    const line = await refused(["--from", `sqlite:${shop}`, "--to", asPlain.toString()]);
    expect(line).toContain("this user cannot turn the analytics triggers off for the copy (permission denied to set parameter \"session_replication_role\")");
    expect(line).toContain("GRANT SET ON PARAMETER session_replication_role TO <user>");
    expect(line).not.toContain("pw-plain-3");
  });

  it("a target that already holds a different shop, left as it was", { timeout: 120_000 }, async () => {
    const url = await freshDatabase("migrate_other_shop");
    const first = await runMigrate(["--from", `sqlite:${shop}`, "--to", url]);
    expect(first.code).toBe(0);
    const other = join(dir, "other.sqlite");
    const store = openSqliteStore({ path: other });
    const runtime = createCustomerRuntime({ store });
    await runtime.dispatch(1, { type: "start", source: "elsewhere", key: "other:1" });
    await runtime.close();
    await store.close();
    const before = await rowCount(url, "crm_events");
    expect(await refused(["--from", `sqlite:${other}`, "--to", url])).toContain("the database already holds a different shop (its customer 1 is not the source's)");
    expect(await rowCount(url, "crm_events")).toBe(before);
  });
});
