import { spawn } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { embeddedBinaries, startEmbeddedServer } from "./embeddedServer.ts";
import { pgMigrations } from "../pgMigrate.ts";
import { adminUrlOr, dropDatabase, freshDatabase, migratedDatabase } from "./freshDatabase.ts";
import { provideServer } from "./globalSetup.ts";

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

async function until(check: () => boolean, ms = 20_000): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

async function query<Row extends pg.QueryResultRow>(url: string, sql: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("the run's PostgreSQL server", () => {
  it("answers on loopback, as a real PostgreSQL 18", async () => {
    const [row] = await query<{ version: string }>(await freshDatabase("version"), "SELECT version()");
    expect(row?.version).toMatch(/^PostgreSQL 18\./);
    expect(new URL(inject("pgAdminUrl")).hostname).toBe("127.0.0.1");
  });

  it("has Russian and English text search, lowercasing and stemming Cyrillic", async () => {
    const url = await freshDatabase("fts");
    const [row] = await query<{ ru: string; en: string; hit: boolean }>(
      url,
      "SELECT to_tsvector('russian', 'Кофейные ЗЁРНА')::text AS ru, to_tsvector('english', 'Roasted Beans')::text AS en, " +
        "to_tsvector('russian', 'кофейными') @@ plainto_tsquery('russian', 'Кофейные') AS hit",
    );
    expect(row).toEqual({ ru: "'зерн':2 'кофейн':1", en: "'bean':2 'roast':1", hit: true });
  });

  it("gives each caller a database of its own, empty, that can be dropped", async () => {
    const [a, b] = [await freshDatabase("own"), await freshDatabase("own")];
    expect(a).not.toBe(b);
    await query(a, "CREATE TABLE only_in_a (x int)");
    const tables = await query<{ n: string }>(b, "SELECT count(*)::text AS n FROM pg_tables WHERE tablename = 'only_in_a'");
    expect(tables).toEqual([{ n: "0" }]);
    await dropDatabase(a);
    await expect(query(a, "SELECT 1")).rejects.toThrow(/does not exist/);
  });

  it("gives a migrated database of its own on request, each a separate copy at the newest version", async () => {
    const [a, b] = await Promise.all([migratedDatabase("copy"), migratedDatabase("copy")]);
    await query(a, "INSERT INTO crm_meta (key, value) VALUES ('only', 'a')");
    expect(await query(a, "SELECT max(version) AS v FROM crm_schema_version")).toEqual([{ v: pgMigrations.length }]);
    expect(await query(b, "SELECT max(version) AS v FROM crm_schema_version")).toEqual([{ v: pgMigrations.length }]);
    expect(await query(b, "SELECT key FROM crm_meta")).toEqual([]);
  });
});

describe("a throwaway server's teardown", () => {
  it("stop() ends the postmaster and removes its directory", async () => {
    const server = await startEmbeddedServer();
    expect(alive(server.pid)).toBe(true);
    expect(existsSync(join(server.baseDir, "data", "PG_VERSION"))).toBe(true);
    await server.stop();
    expect(alive(server.pid), "the postmaster runs").toBe(false);
    expect(existsSync(server.baseDir) ? readdirSync(server.baseDir, { recursive: true }) : "removed").toBe("removed");
  });

  it("leaves no postgres process and no directory when its owner is SIGKILLed", async () => {
    const script = `import { startEmbeddedServer } from ${JSON.stringify(join(import.meta.dirname, "embeddedServer.ts"))};
      const s = await startEmbeddedServer(); console.log(JSON.stringify({ pid: s.pid, baseDir: s.baseDir })); setInterval(() => {}, 1000);`;
    const owner = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    const line = await new Promise<string>((resolve) => owner.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString())));
    const { pid, baseDir } = JSON.parse(line) as { pid: number; baseDir: string };
    expect(alive(pid)).toBe(true);
    owner.kill("SIGKILL");
    expect(await until(() => !alive(pid) && !existsSync(baseDir))).toBe(true);
  });

  it("leaves no directory when its owner is SIGKILLed in the middle of initdb", async () => {
    const parentDir = mkdtempSync(join(tmpdir(), "pg-killed-"));
    chmodSync(parentDir, 0o755);
    try {
      const script = `import { startEmbeddedServer } from ${JSON.stringify(join(import.meta.dirname, "embeddedServer.ts"))};
        await startEmbeddedServer({ parentDir: ${JSON.stringify(parentDir)} }); setInterval(() => {}, 1000);`;
      const owner = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "ignore" });
      const initdbWrites = () => readdirSync(parentDir).some((base) => existsSync(join(parentDir, base, "data", "global")));
      expect(await until(initdbWrites)).toBe(true);
      owner.kill("SIGKILL");
      expect(await until(() => readdirSync(parentDir).length === 0)).toBe(true);
    } finally {
      rmSync(parentDir, { recursive: true, force: true });
    }
  });
});

describe("a throwaway server started as root", () => {
  it.runIf(userInfo().uid === 0)("runs PostgreSQL from a node_modules its own user cannot reach, as under /root", async () => {
    const hidden = mkdtempSync(join(tmpdir(), "pg-hidden-"));
    try {
      const real = await embeddedBinaries();
      cpSync(dirname(dirname(real.initdb)), join(hidden, "native"), { recursive: true, verbatimSymlinks: true });
      const server = await startEmbeddedServer({ binaries: { initdb: join(hidden, "native", "bin", "initdb"), postgres: join(hidden, "native", "bin", "postgres") } });
      try {
        expect(await query<{ one: number }>(server.adminUrl, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
      } finally {
        await server.stop();
      }
      expect(existsSync(server.baseDir)).toBe(false);
    } finally {
      rmSync(hidden, { recursive: true, force: true });
    }
  });
});

describe("a throwaway server that cannot start", () => {
  it("says which program could not run, or shows postgres's own log, and leaves no directory", async () => {
    const parentDir = mkdtempSync(join(tmpdir(), "pg-fail-"));
    chmodSync(parentDir, 0o755);
    try {
      const real = await embeddedBinaries();
      await expect(startEmbeddedServer({ parentDir, binaries: { ...real, initdb: join(parentDir, "no-initdb") } })).rejects.toThrow(/no-initdb could not be run \(spawn .*ENOENT\)/);
      await expect(startEmbeddedServer({ parentDir, binaries: { ...real, postgres: "/bin/false" } })).rejects.toThrow(/^postgres exited at start \(1\)/);
      expect(readdirSync(parentDir)).toEqual([]);
    } finally {
      rmSync(parentDir, { recursive: true, force: true });
    }
  });
});

describe("the run's global setup", () => {
  it("provides the server's URL and returns the teardown that stops it and removes its directory", async () => {
    const provided = new Map<string, string>();
    let baseDir = "";
    const teardown = await provideServer({ provide: (key: string, value: unknown) => void provided.set(key, String(value)) }, async () => {
      const server = await startEmbeddedServer();
      baseDir = server.baseDir;
      return server;
    });
    expect(provided.get("pgStartError")).toBe("");
    expect(await query<{ one: number }>(provided.get("pgAdminUrl") ?? "", "SELECT 1 AS one")).toEqual([{ one: 1 }]);
    expect(existsSync(baseDir)).toBe(true);
    await teardown?.();
    expect(existsSync(baseDir)).toBe(false);
    await expect(query(provided.get("pgAdminUrl") ?? "", "SELECT 1")).rejects.toThrow(/ECONNREFUSED/);
  });

  it("without a server, tells each PostgreSQL test why, and lets the others run", async () => {
    const provided = new Map<string, string>();
    const teardown = await provideServer({ provide: (key: string, value: unknown) => void provided.set(key, String(value)) }, () => Promise.reject(new Error("initdb failed (exit 1): no space")));
    expect(teardown).toBeUndefined();
    expect(Object.fromEntries(provided)).toEqual({ pgAdminUrl: "", pgStartError: "initdb failed (exit 1): no space" });
    expect(() => adminUrlOr(provided.get("pgAdminUrl"), provided.get("pgStartError"))).toThrow("the test PostgreSQL server did not start: initdb failed (exit 1): no space");
    expect(adminUrlOr(inject("pgAdminUrl"), inject("pgStartError"))).toMatch(/^postgres:\/\/crm_test:/);
  });
});
