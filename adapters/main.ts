/**
 * `npm start`: reads the config (environment and `.env`), starts the product, and stops it
 * gracefully on SIGINT or SIGTERM; a second signal exits at once.
 *
 * The signal handlers come first, before anything is opened, so that Ctrl-C works at every step
 * (connecting to Telegram, recovering the store, serving): what was started is stopped and the
 * store is closed, which releases its lock. A start-up failure is one line on stderr, never a stack.
 */
import { Option, Redacted } from "effect";
import { existsSync } from "node:fs";
import { describeError } from "../actors/log.port.ts";
import { createJsonLogger } from "./logging/jsonLogger.ts";

/** For the lines written before the app has its own logger; they carry no value from outside. */
const log = createJsonLogger();
const stopRequested = new AbortController();
function onSignal(signal: NodeJS.Signals): void {
  if (stopRequested.signal.aborted) {
    log.warn("shutdown_forced", { signal });
    process.exit(1);
  }
  log.info("shutdown", { signal });
  stopRequested.abort(signal);
}
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

function fail(lines: readonly string[]): never {
  for (const line of lines) process.stderr.write(`${line}\n`);
  process.exit(1);
}

/** The first line of an error nobody foresaw, with every secret of the environment masked. */
function unexpected(error: unknown, secrets: readonly string[]): string {
  const text = error instanceof Error ? `${error.name}: ${error.message.split("\n")[0] ?? ""}` : String(error);
  return secrets.filter((secret) => secret.length >= 6).reduce((line, secret) => line.split(secret).join("[redacted]"), `Shop CRM cannot start: ${text.slice(0, 300)}`);
}

let secrets: string[] = [];
try {
  // The modules load inside the try: even an error while loading one is a line, not a stack.
  const { loadConfig } = await import("./config.ts");
  const { startApp, StartupAborted, StartupError } = await import("./app.ts");
  const { databaseUrlSecrets } = await import("./postgres/databaseUrl.ts");
  if (existsSync(".env")) process.loadEnvFile(".env");
  const loaded = loadConfig(process.env);
  if (!loaded.ok) fail(["Shop CRM cannot start; fix these settings (in the environment or .env):", ...loaded.problems.map((line) => `  ${line}`)]);
  const { config } = loaded;
  secrets = [config.SHOP_BOT_TOKEN, config.OWNER_BOT_TOKEN, config.OPENAI_API_KEY, config.WEBHOOK_SECRET].flatMap((secret) => (Option.isSome(secret) ? [Redacted.value(secret.value)] : []));
  if (Option.isSome(config.DATABASE_URL)) secrets.push(...databaseUrlSecrets(Redacted.value(config.DATABASE_URL.value)));
  try {
    const app = await startApp(config, { signal: stopRequested.signal });
    process.stderr.write(`Shop bot: https://t.me/${app.usernames.shop}\n`);
    process.stderr.write(app.usernames.owner ? `Owner bot: https://t.me/${app.usernames.owner}\n` : "Owner bot: off (set OWNER_BOT_TOKEN and OWNER_IDS to turn it on)\n");
    // A stop signal, or the app failing to serve (a poller ended): either way it stops cleanly; a failure exits 1.
    const stopped = new Promise<undefined>((resolve) => (stopRequested.signal.aborted ? resolve(undefined) : stopRequested.signal.addEventListener("abort", () => resolve(undefined), { once: true })));
    const failure = await Promise.race([stopped, app.failed]);
    await app.stop().then(
      () => process.exit(failure === undefined ? 0 : 1),
      (error: unknown) => {
        app.log.error("stop_failed", describeError(error));
        process.exit(1);
      },
    );
  } catch (error) {
    if (error instanceof StartupAborted) process.exit(0);
    if (error instanceof StartupError) fail(error.lines);
    throw error;
  }
} catch (error) {
  fail([unexpected(error, secrets)]);
}
