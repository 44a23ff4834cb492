/**
 * `npm run bench [-- --only P1,P6]`: every figure as a ratio against a baseline run in the same
 * process (or as an absolute where the issue sets one), a readable table, and on the last line
 * one JSON object of every figure by id.
 */
import { meets, type Figure } from "./figures.ts";
import { p1 } from "./p1Dispatch.ts";
import { p2 } from "./p2Memory.ts";
import { p3 } from "./p3OwnerQueries.ts";
import { p4 } from "./p4ShopBot.ts";
import { p5 } from "./p5Sheets.ts";
import { p6 } from "./p6JsonStore.ts";
import { p7 } from "./p7Footprint.ts";

const benchmarks: Record<string, () => Promise<Figure[]>> = { P1: p1, P2: p2, P3: p3, P4: p4, P5: p5, P6: p6, P7: p7 };

const onlyArg = process.argv.indexOf("--only");
const only = onlyArg >= 0 ? (process.argv[onlyArg + 1] ?? "").split(",").map((id) => id.trim().toUpperCase()).filter(Boolean) : Object.keys(benchmarks);
const unknown = only.filter((id) => !(id in benchmarks));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(", ")}; known: ${Object.keys(benchmarks).join(", ")}`);
  process.exit(2);
}

const figures: Figure[] = [];
for (const id of only) {
  const run = benchmarks[id];
  if (!run) continue;
  console.error(`running ${id}…`);
  figures.push(...(await run()));
}

const rows = figures.map((figure) => [figure.id, figure.what, `${figure.value}${figure.unit === "ratio" ? "" : ` ${figure.unit}`}`, figure.bar ?? "—", { true: "yes", false: "NO", null: "—" }[String(meets(figure)) as "true" | "false" | "null"], figure.detail]);
const header = ["id", "what", "value", "bar", "met", "measured"];
const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(" | ");
console.log(line(header));
console.log(widths.map((width) => "-".repeat(width)).join("-|-"));
for (const row of rows) console.log(line(row));
console.log(JSON.stringify(Object.fromEntries(figures.map((figure) => [figure.id, figure.value]))));
