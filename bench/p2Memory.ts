import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DatabaseSync } from "node:sqlite";
import { createCustomerActors } from "../actors/customerActors.ts";
import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { random, round, type Figure } from "./figures.ts";
import { deliverAtOnce } from "./deliverAtOnce.ts";
import { copyOf, dataset } from "./syntheticCrm.ts";

const customers = 1_000_000;
const events = 1_000_000;
const concurrency = 1_000;
const end = Date.parse("2026-11-01T00:00:00Z");
/**
 * The flags the product runs with. Every cold activation leaves short-lived garbage; by default
 * V8 lets the young generation grow to ~100 MB for it, which alone would take RSS past 300 MB.
 */
export const runtimeNodeFlags = ["--max-semi-space-size=16"];

interface ChildReport {
  readonly peakMB: number;
  readonly idleMB: number;
  readonly eventsPerSecond: number;
  readonly active: number;
  readonly timersAtStart: number;
  readonly timersAtEnd: number;
}


/**
 * In a process of its own, so that nothing else the bench did counts in its RSS: the runtime with
 * its timer scheduler and effect worker, started as `npm start` starts them, on a clock that reads
 * the data set's end (so that its timers are pending, not overdue) and moves on in real time.
 */
async function child(path: string): Promise<ChildReport> {
  const store = openSqliteStore({ path });
  const startedAt = Date.now();
  const clock = { now: () => end + (Date.now() - startedAt) };
  const actors = createCustomerActors({ store, clock, handlers: deliverAtOnce });
  await actors.start();
  const timersAtStart = store.timersCount();
  const idleMB = process.memoryUsage.rss() / 2 ** 20;
  let peak = idleMB;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss() / 2 ** 20)), 50);
  const next = random(3);
  const t0 = performance.now();
  for (let i = 0; i < events; i += concurrency) {
    const wave: Promise<unknown>[] = [];
    for (let j = i; j < i + concurrency; j++) {
      const userId = 1 + Math.floor(next() * customers);
      wave.push(actors.runtime.dispatch(userId, { type: "product_view", productId: `p${j % 300}`, key: `p2:${j}`, at: end + j }));
    }
    await Promise.all(wave);
    peak = Math.max(peak, process.memoryUsage.rss() / 2 ** 20);
  }
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sample);
  const active = actors.runtime.activeCount;
  const timersAtEnd = store.timersCount();
  await actors.stop();
  await store.close();
  return { peakMB: peak, idleMB, eventsPerSecond: events / seconds, active, timersAtStart, timersAtEnd };
}

/** How many customers have a pending timer in the data set, and how many are dormant. */
function census(path: string): { leads: number; withTimer: number; dormant: number } {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const count = (sql: string): number => Number(db.prepare(sql).get()?.["n"] ?? 0);
    return {
      leads: count("SELECT count(*) AS n FROM crm_leads"),
      withTimer: count("SELECT count(DISTINCT actor) AS n FROM crm_timers"),
      dormant: count("SELECT count(*) AS n FROM crm_leads WHERE dormant_since IS NOT NULL"),
    };
  } finally {
    db.close();
  }
}

/** P2: peak RSS while 1M events go to uniformly random customers among 1M stored. */
export async function p2(): Promise<Figure[]> {
  const source = dataset({ leads: customers, eventsPerLead: 1, days: 365, end, recent: 0.3 }, (line) => console.error(line));
  const stored = census(source);
  const dir = mkdtempSync(join(tmpdir(), "crm-bench-p2-"));
  try {
    const path = copyOf(source, join(dir, "crm.sqlite"));
    const run = spawnSync(process.execPath, [...runtimeNodeFlags, fileURLToPath(import.meta.url), "--child", path], { encoding: "utf8", maxBuffer: 1 << 20 });
    if (run.status !== 0) throw new Error(`P2 child failed: ${run.stderr}`);
    const report = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "{}") as ChildReport;
    const n = (value: number): string => value.toLocaleString("en");
    return [
      {
        id: "P2_MB",
        what: "peak RSS, 1M events to random customers of 1M, 300k with a pending timer",
        value: Math.round(report.peakMB),
        unit: "MB",
        bar: "<= 300",
        detail:
          `node ${runtimeNodeFlags.join(" ")}; the runtime with its timer scheduler and effect worker started; ${n(stored.leads)} customers, ${n(stored.withTimer)} with a pending timer ` +
          `(${n(report.timersAtStart)} timer rows at start, ${n(report.timersAtEnd)} at the end), ${n(stored.dormant)} dormant; ${round(report.idleMB, 0)} MB once started; ` +
          `${n(Math.round(report.eventsPerSecond))} ev/s, nearly every one a cold activation from a stored snapshot; ${report.active} live actors at the end`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--child" && process.argv[3]) {
  console.log(JSON.stringify(await child(process.argv[3])));
}
