/**
 * `npm run demo [-- --customers 50 --seed 2026]`: the whole product offline, printed to the
 * terminal. See {@link runDemo}. Exits 1 only when a bot logged an error.
 */
import { parseArgs } from "node:util";
import { runDemo } from "./runDemo.ts";

const { values } = parseArgs({ options: { customers: { type: "string" }, seed: { type: "string" } } });
const count = (text: string | undefined, name: string): number | undefined => {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    process.stderr.write(`--${name} takes a whole number above 0, not ${text}\n`);
    process.exit(2);
  }
  return value;
};

const customers = count(values.customers, "customers");
const seed = count(values.seed, "seed");
const outcome = await runDemo({
  ...(customers !== undefined ? { customers } : {}),
  ...(seed !== undefined ? { seed } : {}),
  write: (text) => process.stdout.write(text),
});
process.exitCode = outcome.problems.some((problem) => problem.level === "error") ? 1 : 0;
