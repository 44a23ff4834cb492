import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createCustomerRuntime } from "../actors/customerRuntime.ts";
import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { random, round, type Figure } from "./figures.ts";
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
}

/** In a process of its own, so that nothing else the bench did counts in its RSS. */
async function child(path: string): Promise<ChildReport> {
  const store = openSqliteStore({ path });
  const runtime = createCustomerRuntime({ store });
  const idleMB = process.memoryUsage.rss() / 2 ** 20;
  let peak = idleMB;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss() / 2 ** 20)), 50);
  const next = random(3);
  const t0 = performance.now();
  for (let i = 0; i < events; i += concurrency) {
    const wave: Promise<unknown>[] = [];
    for (let j = i; j < i + concurrency; j++) {
      const userId = 1 + Math.floor(next() * customers);
      wave.push(runtime.dispatch(userId, { type: "product_view", productId: `p${j % 300}`, key: `p2:${j}`, at: end + j }));
    }
    await Promise.all(wave);
    peak = Math.max(peak, process.memoryUsage.rss() / 2 ** 20);
  }
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sample);
  const active = runtime.activeCount;
  await runtime.close();
  await store.close();
  return { peakMB: peak, idleMB, eventsPerSecond: events / seconds, active };
}

/** P2: peak RSS while 1M events go to uniformly random customers among 1M stored. */
export async function p2(): Promise<Figure[]> {
  const source = dataset({ leads: customers, eventsPerLead: 1, days: 365, end }, (line) => console.error(line));
  const dir = mkdtempSync(join(tmpdir(), "crm-bench-p2-"));
  try {
    const path = copyOf(source, join(dir, "crm.sqlite"));
    const run = spawnSync(process.execPath, [...runtimeNodeFlags, fileURLToPath(import.meta.url), "--child", path], { encoding: "utf8", maxBuffer: 1 << 20 });
    if (run.status !== 0) throw new Error(`P2 child failed: ${run.stderr}`);
    const report = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "{}") as ChildReport;
    return [
      {
        id: "P2_MB",
        what: "peak RSS, 1M events to random customers of 1M",
        value: Math.round(report.peakMB),
        unit: "MB",
        bar: "<= 300",
        detail: `node ${runtimeNodeFlags.join(" ")}; ${round(report.idleMB, 0)} MB with the store open; ${Math.round(report.eventsPerSecond).toLocaleString("en")} ev/s, nearly every one a cold activation; ${report.active} live actors at the end`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--child" && process.argv[3]) {
  console.log(JSON.stringify(await child(process.argv[3])));
}
