import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startMain, type Exited } from "./testing/npmStart.ts";

const token = "7002:AAH-main-test-token-not-real_1234";
const password = "pg-Pa55word-never-shown";
const databaseUrl = `postgres://crm:${password}@127.0.0.1:5432/crm`;
const rebuildPath = new URL("./rebuild/rebuild.ts", import.meta.url).pathname;

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** `npm run rebuild` as a child process in `cwd`, with only PATH and `env` set. */
function rebuild(env: Record<string, string>, cwd: string): Promise<Exited> {
  const child = spawn(process.execPath, [rebuildPath], { cwd, env: { PATH: process.env["PATH"] ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let [stdout, stderr] = ["", ""];
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })));
}

describe("STORE=postgres: what npm start refuses", () => {
  it("npm start refuses an unreachable database in one line naming DATABASE_URL, opens no SQLite file, and never prints the password", async () => {
    dir = mkdtempSync(join(tmpdir(), "main-pg-"));
    // Port 9 (discard) on the loopback: nothing listens there, so the connection is refused at once.
    const { code, stdout, stderr } = await startMain({ SHOP_BOT_TOKEN: token, STORE: "postgres", DATABASE_URL: databaseUrl.replace(":5432/", ":9/") }, dir).exited;
    expect(code).toBe(1);
    expect(stderr).toMatch(/^DATABASE_URL: the PostgreSQL store cannot be opened: .*ECONNREFUSED.*\n$/);
    expect(stderr.split("\n")).toHaveLength(2);
    expect(`${stdout}${stderr}`).not.toContain(password);
    expect(existsSync(join(dir, "data"))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("npm start names DATABASE_URL when it is missing or malformed, without printing it", async () => {
    dir = mkdtempSync(join(tmpdir(), "main-pg-"));
    const missing = await startMain({ SHOP_BOT_TOKEN: token, STORE: "postgres" }, dir).exited;
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("  DATABASE_URL: expected a PostgreSQL URL such as postgres://user:pass@host:5432/db (with STORE=postgres); it is required with STORE=postgres\n");
    const malformed = await startMain({ SHOP_BOT_TOKEN: token, STORE: "postgres", DATABASE_URL: `mysql://crm:${password}@db/crm` }, dir).exited;
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('  DATABASE_URL: expected a PostgreSQL URL such as postgres://user:pass@host:5432/db (with STORE=postgres); it starts with "mysql:", not postgres: or postgresql:\n');
    expect(`${malformed.stdout}${malformed.stderr}`).not.toContain(password);
  });

  it("npm run rebuild refuses rather than rebuilding the SQLite file", async () => {
    dir = mkdtempSync(join(tmpdir(), "main-pg-"));
    const { code, stdout, stderr } = await rebuild({ STORE: "postgres", DATABASE_URL: databaseUrl }, dir);
    expect(code).toBe(1);
    expect(stderr).toContain("STORE=postgres: npm run rebuild handles SQLite and the JSON store; on PostgreSQL, a customer is replayed through the new machine when next loaded (README: Several processes on PostgreSQL)");
    expect(`${stdout}${stderr}`).not.toContain(password);
  });
});
