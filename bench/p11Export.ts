import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { writeExport } from "../adapters/export/exportFile.ts";
import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { round, type Figure } from "./figures.ts";
import { dataset } from "./syntheticCrm.ts";

const end = Date.parse("2026-11-01T00:00:00Z");
/** `npm start`'s flags (as P2's); not imported from p2Memory.ts, whose `--child` entry would run P2 in this child. */
const runtimeNodeFlags = ["--max-semi-space-size=16"];

interface ChildReport {
  readonly peakMB: number;
  readonly idleMB: number;
  readonly rows: number;
  readonly files: number;
  readonly fileMB: number;
  readonly seconds: number;
}

/** In a process of its own, so that only the export counts in its RSS: every lead to XLSX, as the owner's 📤 does it. */
async function child(path: string): Promise<ChildReport> {
  const store = openSqliteStore({ path });
  const idleMB = process.memoryUsage.rss() / 2 ** 20;
  let peak = idleMB;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss() / 2 ** 20)), 50);
  const t0 = performance.now();
  const result = await writeExport(store, { kind: "leads", context: { consentVersion: "1" } }, "xlsx", { name: "leads" });
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sample);
  peak = Math.max(peak, process.memoryUsage.rss() / 2 ** 20);
  const fileMB = result.files.reduce((sum, file) => sum + statSync(file).size, 0) / 2 ** 20;
  await rm(result.dir, { recursive: true, force: true });
  await store.close();
  return { peakMB: peak, idleMB, rows: result.rows, files: result.files.length, fileMB, seconds };
}

/** P11_export_MB: peak RSS while every lead of 1M (10M events) is written to XLSX, streamed from the store. */
export async function p11Export(): Promise<Figure[]> {
  const path = dataset({ leads: 1_000_000, eventsPerLead: 10, days: 365, end }, (line) => console.error(line));
  const run = spawnSync(process.execPath, [...runtimeNodeFlags, fileURLToPath(import.meta.url), "--child", path], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (run.status !== 0) throw new Error(`P11_export child failed: ${run.stderr}`);
  const report = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "{}") as ChildReport;
  return [
    {
      id: "P11_export_MB",
      what: "peak RSS exporting every lead of 1M to XLSX",
      value: Math.round(report.peakMB),
      unit: "MB",
      bar: "<= 300",
      detail:
        `node ${runtimeNodeFlags.join(" ")}; ${report.rows.toLocaleString("en")} rows in ${round(report.seconds, 1)} s ` +
        `(${Math.round(report.rows / report.seconds).toLocaleString("en")} rows/s) into ${report.files} file(s) of ${round(report.fileMB, 1)} MB in all; ${round(report.idleMB, 0)} MB with the store open`,
    },
  ];
}

if (process.argv[2] === "--child" && process.argv[3]) {
  console.log(JSON.stringify(await child(process.argv[3])));
}
