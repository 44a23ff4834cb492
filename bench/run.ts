/**
 * `npm run bench [-- --only P1,P8_fire,P8_scan]`: every figure as a ratio against a baseline run in the same
 * process (or as an absolute where the issue sets one), a readable table, and on the last line
 * one JSON object of every figure by id.
 */
import { meets, type Figure } from "./figures.ts";

/**
 * Each benchmark by id, imported only when it runs: one that cannot load (a part of the product
 * being rewritten) fails alone, with its reason, and the others still report.
 */
const benchmarks: Record<string, () => Promise<Figure[]>> = {
  P1: async () => (await import("./p1Dispatch.ts")).p1(),
  P2: async () => (await import("./p2Memory.ts")).p2(),
  P3: async () => (await import("./p3OwnerQueries.ts")).p3(),
  P4: async () => (await import("./p4ShopBot.ts")).p4(),
  P5: async () => (await import("./p5Sheets.ts")).p5(),
  P6: async () => (await import("./p6JsonStore.ts")).p6(),
  P7: async () => (await import("./p7Footprint.ts")).p7(),
  P8_fire: async () => (await import("./p8Timers.ts")).p8Fire(),
  P8_scan: async () => (await import("./p8Timers.ts")).p8Scan(),
  P8_late: async () => (await import("./p8Lateness.ts")).p8Late(),
  P9_precheckout: async () => (await import("./p9Payments.ts")).p9Precheckout(),
  P9_orders: async () => (await import("./p9Orders.ts")).p9Orders(),
  P10_segment: async () => (await import("./p10Segments.ts")).p10Segments(),
  P10_broadcast: async () => (await import("./p10Broadcast.ts")).p10Broadcast(),
  P11_chart: async () => (await import("./p11Chart.ts")).p11Chart(),
  P11_stage_time: async () => (await import("./p11StageTime.ts")).p11StageTime(),
  P11_cohort: async () => (await import("./p11Cohort.ts")).p11Cohort(),
  P11_export: async () => (await import("./p11Export.ts")).p11Export(),
  P11_rebuild: async () => (await import("./p11Rebuild.ts")).p11Rebuild(),
  P12_pg: async () => (await import("./p12Postgres.ts")).p12Postgres(),
  P12_procs: async () => (await import("./p12Procs.ts")).p12Procs(),
};

/**
 * The benchmarks an `--only` id asks for: a benchmark's id (`P8_scan`), one of its figures' ids
 * (`P2_MB`, `P8_late_ms`: the longest benchmark id it starts with), or a group (`P8`: every `P8_…`).
 */
function benchmarksFor(id: string): string[] {
  const wanted = id.toUpperCase();
  const keys = Object.keys(benchmarks);
  const exact = keys.find((key) => key.toUpperCase() === wanted);
  if (exact) return [exact];
  const owner = keys.filter((key) => wanted.startsWith(`${key.toUpperCase()}_`)).sort((a, b) => b.length - a.length)[0];
  if (owner) return [owner];
  return keys.filter((key) => key.toUpperCase().startsWith(`${wanted}_`));
}

const onlyArg = process.argv.indexOf("--only");
const asked = onlyArg >= 0 ? (process.argv[onlyArg + 1] ?? "").split(",").map((id) => id.trim()).filter(Boolean) : Object.keys(benchmarks);
const unknown = asked.filter((id) => benchmarksFor(id).length === 0);
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(", ")}; known: ${Object.keys(benchmarks).join(", ")}`);
  process.exit(2);
}
const only = [...new Set(asked.flatMap(benchmarksFor))];

const figures: Figure[] = [];
const failed: string[] = [];
for (const id of only) {
  const run = benchmarks[id];
  if (!run) continue;
  console.error(`running ${id}…`);
  try {
    figures.push(...(await run()));
  } catch (error) {
    failed.push(id);
    console.error(`${id} failed: ${error instanceof Error ? error.message : String(error)}`.split("\n")[0]);
  }
}

const rows = figures.map((figure) => [figure.id, figure.what, `${figure.value}${figure.unit === "ratio" ? "" : ` ${figure.unit}`}`, figure.bar ?? "—", { true: "yes", false: "NO", null: "—" }[String(meets(figure)) as "true" | "false" | "null"], figure.detail]);
const header = ["id", "what", "value", "bar", "met", "measured"];
const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(" | ");
console.log(line(header));
console.log(widths.map((width) => "-".repeat(width)).join("-|-"));
for (const row of rows) console.log(line(row));
for (const id of failed) console.log(`${id}: did not run (see above)`);
console.log(JSON.stringify(Object.fromEntries(figures.map((figure) => [figure.id, figure.value]))));
if (failed.length > 0) process.exitCode = 1;
