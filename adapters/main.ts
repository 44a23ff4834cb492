/**
 * `npm start`: reads the config (environment and `.env`), starts the product, and stops it
 * gracefully on SIGINT or SIGTERM; a second signal exits at once.
 */
import { existsSync } from "node:fs";
import { startApp, StartupError, type RunningApp } from "./app.ts";
import { loadConfig } from "./config.ts";

function fail(lines: readonly string[]): never {
  for (const line of lines) process.stderr.write(`${line}\n`);
  process.exit(1);
}

if (existsSync(".env")) process.loadEnvFile(".env");
const loaded = loadConfig(process.env);
if (!loaded.ok) fail(["Shop CRM cannot start; fix these settings (in the environment or .env):", ...loaded.problems.map((line) => `  ${line}`)]);

let app: RunningApp;
try {
  app = await startApp(loaded.config);
} catch (error) {
  if (error instanceof StartupError) fail(error.lines);
  throw error;
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) {
    app.log.warn("shutdown_forced", { signal });
    process.exit(1);
  }
  stopping = true;
  app.log.info("shutdown", { signal });
  await app.stop();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
