/**
 * `npm run rebuild`: replays every customer's log through this code's customer machine and
 * switches the store to the result (docs/actor-runtime.md, Rebuilding history). Progress goes to
 * stderr, the summary to stdout; a refusal or a failure is one line on stderr and exit code 1.
 */
import { existsSync } from "node:fs";
import { createJsonLogger } from "../logging/jsonLogger.ts";

function fail(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

try {
  const { loadConfig } = await import("../config.ts");
  const { parseRebuildArgs, rebuildUsage, runRebuild, summaryOf } = await import("./rebuildCli.ts");
  const { RebuildRefused } = await import("./rebuildErrors.ts");
  const { progressReporter } = await import("../demo/demoProgress.ts");
  try {
    const args = parseRebuildArgs(process.argv.slice(2));
    if (args.help) {
      process.stdout.write(`${rebuildUsage}\n`);
      process.exit(0);
    }
    if (existsSync(".env")) process.loadEnvFile(".env");
    const loaded = loadConfig(process.env);
    if (!loaded.ok) fail(`Shop CRM cannot rebuild; fix these settings (in the environment or .env): ${loaded.problems.join("; ")}`);
    const reporter = progressReporter({ write: (text) => process.stderr.write(text), isTTY: process.stderr.isTTY === true, label: "rebuilding customers", unit: "customers" });
    const result = await runRebuild(loaded.config, args, { progress: (done, total) => reporter.update(done, total), log: createJsonLogger({ write: (line) => process.stderr.write(`${line}\n`) }) });
    reporter.finish();
    process.stdout.write(`${summaryOf(result)}\n`);
    process.exit(0);
  } catch (error) {
    if (error instanceof RebuildRefused) fail(`Shop CRM cannot rebuild: ${error.message}`);
    throw error;
  }
} catch (error) {
  const text = error instanceof Error ? `${error.name}: ${error.message.split("\n")[0] ?? ""}` : String(error);
  fail(`Shop CRM cannot rebuild: ${text.slice(0, 300)}`);
}
