import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import pg from "pg";
import { migratePostgres } from "../adapters/postgres/pgMigrate.ts";
import { startEmbeddedServer, type EmbeddedServer } from "../adapters/postgres/testing/embeddedServer.ts";
import { best, perSecond, random, round, type Figure } from "./figures.ts";
import type { ChildReport } from "./p12ProcsChild.ts";
import { shopMix, type Planned } from "./shopMix.ts";

const customers = 1_000;
const events = 40_000;
/** Dispatches in flight at once in the whole deployment, as P12_pg has them in its one process; a fleet splits them. */
const concurrency = 2_000;
/** Runs of each fleet; the contention between processes makes runs of three differ by twofold and more. */
const rounds = 3;
const childScript = join(import.meta.dirname, "p12ProcsChild.ts");

/** One fleet's run: its rate, from the moment every process was ready to the moment the last was done. */
export interface FleetRun {
  readonly rate: number;
  readonly wallMs: number;
  readonly reports: readonly ChildReport[];
  /** CPU the PostgreSQL server (postmaster and backends) and the whole machine spent in that window; null off Linux. */
  readonly serverCpuMs: number | null;
  readonly machineBusyMs: number | null;
  /** What the fleet left in the database, to check that fleets did the same work: event rows, and a digest of every customer's stage and orders. */
  readonly stored: { readonly events: number; readonly leads: string };
  readonly waits: Waits;
}

/** Samples of the fleet's PostgreSQL backends in a transaction, from pg_stat_activity every 50 ms, by what each was doing. */
export interface Waits {
  readonly samples: number;
  /** Running a statement. */
  readonly working: number;
  /** Waiting on a lock another transaction holds (a row another process's unit wrote). */
  readonly locked: number;
  /** In a transaction, waiting on its bot process for the unit's next statements. */
  readonly onBot: number;
}

/** Starts sampling the backends of `database` (see {@link Waits}); `stop` ends it and tells. */
async function sampleWaits(adminUrl: string, database: string): Promise<{ stop(): Promise<Waits> }> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const waits = { samples: 0, working: 0, locked: 0, onBot: 0 };
  let sampling = true;
  const loop = (async () => {
    while (sampling) {
      const { rows } = await client.query<{ state: string | null; wait: string | null }>(
        "SELECT state, wait_event_type AS wait FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' AND state <> 'idle'",
        [database],
      );
      for (const row of rows) {
        waits.samples++;
        if (row.state !== "active") waits.onBot++;
        else if (row.wait === "Lock") waits.locked++;
        else waits.working++;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    async stop() {
      sampling = false;
      await loop.finally(() => client.end());
      return waits;
    },
  };
}

/** Each customer's events to one process, by customer id, in the plan's order: a load balancer's sticky routing. */
export function byCustomer(planned: readonly Planned[], processes: number): Planned[][] {
  const slices: Planned[][] = Array.from({ length: processes }, () => []);
  for (const item of planned) slices[item.userId % processes]?.push(item);
  return slices;
}

/** Each event to a process at random, in the plan's order: routing without stickiness, so customers' units meet across processes. */
export function atRandom(planned: readonly Planned[], processes: number, seed: number): Planned[][] {
  const next = random(seed);
  const slices: Planned[][] = Array.from({ length: processes }, () => []);
  for (const item of planned) slices[Math.floor(next() * processes)]?.push(item);
  return slices;
}

async function migratedDatabase(server: EmbeddedServer, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(server.adminUrl);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await migratePostgres(client);
  } finally {
    await client.end();
  }
  return url.toString();
}

async function storedWork(url: string): Promise<FleetRun["stored"]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const counted = await client.query<{ n: string }>("SELECT count(*)::text AS n FROM crm_events");
    const digest = await client.query<{ d: string | null }>(
      "SELECT md5(string_agg(user_id || ':' || stage || ':' || orders_count, ',' ORDER BY user_id)) AS d FROM crm_leads",
    );
    return { events: Number(counted.rows[0]?.n ?? 0), leads: digest.rows[0]?.d ?? "" };
  } finally {
    await client.end();
  }
}

const ticksPerSecond = ((): number => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime, stime, cutime, cstime of a process, in ticks (fields 14 to 17 of /proc/<pid>/stat), and its parent. */
function procTimes(pid: string): { ticks: number; ppid: number } | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").split(" ");
    return { ppid: Number(fields[1]), ticks: [11, 12, 13, 14].reduce((sum, at) => sum + Number(fields[at] ?? 0), 0) };
  } catch {
    return null;
  }
}

/** CPU ticks spent so far by the server: the postmaster, the backends it reaped, and those alive now. */
function serverTicks(pid: number): number | null {
  const own = procTimes(String(pid));
  if (!own) return null;
  let ticks = own.ticks;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const child = procTimes(entry);
    if (child?.ppid === pid) ticks += child.ticks;
  }
  return ticks;
}

/** Busy CPU ticks of the whole machine so far, every core (all but idle and iowait in /proc/stat). */
function machineTicks(): number | null {
  if (!existsSync("/proc/stat")) return null;
  const values = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/).slice(1).map(Number);
  return values.reduce((sum, value) => sum + value, 0) - (values[3] ?? 0) - (values[4] ?? 0);
}

const ticksToMs = (before: number | null, after: number | null): number | null =>
  before === null || after === null ? null : ((after - before) * 1000) / ticksPerSecond;

/** A child process of the fleet: resolves `ready` on its `ready` line and `done` on its report; both reject if it exits first. */
function startChild(url: string, planFile: string, inFlight: number): { child: ChildProcessWithoutNullStreams; ready: Promise<void>; done: Promise<ChildReport> } {
  const child = spawn(process.execPath, [childScript, url, planFile, String(inFlight)]);
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const exited = new Promise<never>((_, reject) => {
    child.once("exit", (code, signal) => reject(new Error(`a P12_procs child exited (${code ?? signal}) early: ${stderr.trim().split("\n").at(-1) ?? ""}`)));
    child.once("error", reject);
  });
  exited.catch(() => undefined);
  const lines = createInterface({ input: child.stdout });
  const ready = new Promise<void>((resolve) => lines.on("line", (line) => line === "ready" && resolve()));
  const done = new Promise<ChildReport>((resolve) => lines.on("line", (line) => line.startsWith("{") && resolve(JSON.parse(line) as ChildReport)));
  return { child, ready: Promise.race([ready, exited]), done: Promise.race([done, exited]) };
}

/** Runs a fleet, one child process per slice, on a fresh migrated database of the server, all started together. */
export async function runFleet(server: EmbeddedServer, dir: string, name: string, slices: readonly Planned[][]): Promise<FleetRun> {
  const url = await migratedDatabase(server, name);
  const inFlight = Math.ceil(concurrency / slices.length);
  const children = slices.map((slice, index) => {
    const file = join(dir, `${name}-${index}.json`);
    writeFileSync(file, JSON.stringify(slice));
    return startChild(url, file, inFlight);
  });
  try {
    await Promise.all(children.map(({ ready }) => ready));
    const sampler = await sampleWaits(server.adminUrl, name);
    const server0 = serverTicks(server.pid);
    const machine0 = machineTicks();
    const t0 = performance.now();
    for (const { child } of children) child.stdin.end("go\n");
    const reports = await Promise.all(children.map(({ done }) => done));
    const wallMs = performance.now() - t0;
    const serverCpuMs = ticksToMs(server0, serverTicks(server.pid));
    const machineBusyMs = ticksToMs(machine0, machineTicks());
    const waits = await sampler.stop();
    await Promise.all(children.map(({ child }) => new Promise((resolve) => (child.exitCode === null ? child.once("exit", resolve) : resolve(null)))));
    const total = reports.reduce((sum, report) => sum + report.events, 0);
    return { rate: total / (wallMs / 1000), wallMs, reports, serverCpuMs, machineBusyMs, stored: await storedWork(url), waits };
  } finally {
    for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

/** Where a fleet's time went, for the table: wall time, CPU of its processes, of the server and of the machine, and what the backends waited on. */
function cpuLine(run: FleetRun): string {
  const seconds = (ms: number | null): string => (ms === null ? "?" : (ms / 1000).toFixed(1));
  const own = run.reports.reduce((sum, report) => sum + report.cpuMs, 0);
  const cores = run.machineBusyMs === null ? "" : `, the machine ${(run.machineBusyMs / run.wallMs).toFixed(2)} of 2 cores busy`;
  const share = (n: number): string => `${Math.round((100 * n) / Math.max(1, run.waits.samples))}%`;
  const { working, locked, onBot } = run.waits;
  return (
    `${seconds(run.wallMs)} s wall; CPU: bots ${seconds(own)} s, PostgreSQL ${seconds(run.serverCpuMs)} s${cores}; ` +
    `backends in a unit: ${share(working)} working, ${share(locked)} waiting on another unit's lock, ${share(onBot)} waiting on their bot`
  );
}

/** Dispatches that failed in a fleet's runs, with the first reason, or "none". */
function failures(runs: readonly FleetRun[]): string {
  const reports = runs.flatMap((run) => run.reports);
  const failed = reports.reduce((sum, report) => sum + report.failed, 0);
  const first = reports.find((report) => report.firstFailure !== null)?.firstFailure;
  return failed === 0 ? "none failed" : `${failed} FAILED (${first ?? "?"})`;
}

const fastest = (runs: readonly FleetRun[]): FleetRun => runs.reduce((a, b) => (b.rate > a.rate ? b : a));

/**
 * P12_procs: dispatch events/s of three processes on one PostgreSQL database ÷ one process, on the
 * same plan, in the same run. The three share the plan by customer id, as a load balancer with
 * sticky routing would; the same work with routing at random (customers' units colliding across
 * processes) is shown beside it. Not a bar: on two cores, three processes and the server share them.
 */
export async function p12Procs(): Promise<Figure[]> {
  const planned = shopMix({ events, customers, seed: 12, firstUpdateId: 734_000_000 });
  const dir = mkdtempSync(join(tmpdir(), "crm-bench-p12procs-"));
  const server = await startEmbeddedServer();
  const one: FleetRun[] = [];
  const sticky: FleetRun[] = [];
  const mixed: FleetRun[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      one.push(await runFleet(server, dir, `one_${round}`, [[...planned]]));
      sticky.push(await runFleet(server, dir, `sticky_${round}`, byCustomer(planned, 3)));
      mixed.push(await runFleet(server, dir, `mixed_${round}`, atRandom(planned, 3, 15 + round)));
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return figuresOf(fastest(one), fastest(sticky), fastest(mixed), { one, sticky, mixed });
}

function figuresOf(one: FleetRun, sticky: FleetRun, mixed: FleetRun, all: Record<"one" | "sticky" | "mixed", readonly FleetRun[]>): Figure[] {
  const rates = (runs: readonly FleetRun[]): string => runs.map((run) => perSecond(run.rate)).join(", ");
  const same =
    one.stored.events === sticky.stored.events && one.stored.leads === sticky.stored.leads ? "the same stages and orders"
    : sticky.reports.some((report) => report.failed > 0) ? "stages and orders that differ by the failed dispatches"
    : "DIFFERENT stages and orders";
  const stale = (run: FleetRun): number => run.reports.reduce((sum, report) => sum + report.stale, 0);
  const ratio = (runs: readonly FleetRun[]): number => round(best(runs.map((run) => run.rate)) / best(all.one.map((run) => run.rate)));
  return [
    {
      id: "P12_procs",
      what: "dispatch events/s, three processes on one PostgreSQL database ÷ one process (customers split by id)",
      value: ratio(all.sticky),
      unit: "ratio",
      bar: null,
      detail:
        `${events.toLocaleString("en")} events to ${customers} customers, ${concurrency} in flight in all, best of ${rounds} each. ` +
        `One process: ${perSecond(one.rate)} ev/s (runs ${rates(all.one)}; ${cpuLine(one)}; ${failures(all.one)}). ` +
        `Three, each given the customers whose id mod 3 is its number, as sticky routing would, ${Math.ceil(concurrency / 3)} in flight each: ` +
        `${perSecond(sticky.rate)} ev/s (runs ${rates(all.sticky)}; ${cpuLine(sticky)}; ${failures(all.sticky)}). ` +
        `Their fastest runs stored ${one.stored.events.toLocaleString("en")} and ${sticky.stored.events.toLocaleString("en")} events, ${same}. ` +
        `The server and every process share the machine's 2 cores.`,
    },
    {
      id: "P12_procs_unsticky",
      what: "the same, three processes taking events at random (customers meet across processes) ÷ one process",
      value: ratio(all.mixed),
      unit: "ratio",
      bar: null,
      detail:
        `three ${perSecond(mixed.rate)} ev/s (runs ${rates(all.mixed)}; ${cpuLine(mixed)}; ${failures(all.mixed)}); ` +
        `units refused as stale (another process had moved a customer on) and run again: ${all.mixed.map(stale).join(", ")} in the runs`,
    },
  ];
}
