/**
 * `npm start`: reads the config, opens the store, starts the customer runtime and the bots.
 * It only composes; every part lives in its own module.
 */
import { run, type RunnerHandle } from "@grammyjs/runner";
import { Option, Redacted } from "effect";
import { GrammyError } from "grammy";
import { existsSync } from "node:fs";
import { createCustomerRuntime } from "../actors/customerRuntime.ts";
import { describeError } from "../actors/log.port.ts";
import type { CrmStore } from "../actors/store.port.ts";
import { loadJsonCatalog } from "./catalog/jsonCatalog.ts";
import { loadConfig } from "./config.ts";
import { openJsonStore } from "./json/jsonStore.ts";
import { createJsonLogger } from "./logging/jsonLogger.ts";
import { openSqliteStore } from "./sqlite/sqliteStore.ts";
import { createShopBot } from "./telegram/shop/shopBot.ts";
import { shopCommands } from "./telegram/shop/shopCommands.ts";

function fail(lines: readonly string[]): never {
  for (const line of lines) process.stderr.write(`${line}\n`);
  process.exit(1);
}

if (existsSync(".env")) process.loadEnvFile(".env");
const loaded = loadConfig(process.env);
if (!loaded.ok) fail(["Shop CRM cannot start; fix these settings (in the environment or .env):", ...loaded.problems.map((line) => `  ${line}`)]);
const config = loaded.config;

const shopToken = Option.getOrUndefined(config.SHOP_BOT_TOKEN);
if (!shopToken) {
  fail([
    "Shop CRM needs a bot token to talk to Telegram.",
    "  Set SHOP_BOT_TOKEN (the token @BotFather gives you) in the environment or in .env; .env.example lists every setting.",
  ]);
}

const log = createJsonLogger({ secrets: [Redacted.value(shopToken)] });

let catalog;
try {
  catalog = loadJsonCatalog(config.CATALOG_PATH);
} catch (error) {
  fail([`The catalog cannot be loaded: ${error instanceof Error ? error.message : String(error)}`]);
}

const store: CrmStore = config.STORE === "json" ? await openJsonStore({ dir: config.JSON_STORE_DIR }) : await openSqliteStore({ path: config.DATABASE_PATH });
const runtime = createCustomerRuntime({ store });
const recovered = await runtime.recover();

const shopBot = createShopBot({
  token: Redacted.value(shopToken),
  ...(Option.isSome(config.TELEGRAM_API_ROOT) ? { apiRoot: config.TELEGRAM_API_ROOT.value.toString().replace(/\/$/, "") } : {}),
  runtime,
  store,
  catalog,
  ai: null,
  consentVersion: config.CONSENT_VERSION,
  consultant: {
    maxQuestions: config.CONSULTANT_MAX_QUESTIONS,
    windowMs: config.CONSULTANT_WINDOW_MINUTES * 60_000,
    timeoutMs: config.AI_TIMEOUT_SECONDS * 1_000,
  },
  timeZone: config.TIME_ZONE,
  log,
});

try {
  await shopBot.init();
  await shopCommands(shopBot.api);
} catch (error) {
  const rejected = error instanceof GrammyError && (error.error_code === 401 || error.error_code === 404);
  await store.close();
  fail([rejected ? "Telegram rejected SHOP_BOT_TOKEN: check the token @BotFather gave you." : `Telegram cannot be reached: ${describeError(error).message}`]);
}

const runner: RunnerHandle = run(shopBot, { runner: { fetch: { allowed_updates: ["message", "callback_query", "channel_post", "my_chat_member"] } } });
log.info("started", { store: store.kind, shopBot: shopBot.botInfo.username, recovered, consentVersion: config.CONSENT_VERSION });

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) {
    log.warn("shutdown_forced", { signal });
    process.exit(1);
  }
  stopping = true;
  log.info("shutdown", { signal });
  // Stop taking updates and finish those in flight; then commit what the runtime holds, and close.
  if (runner.isRunning()) await runner.stop();
  await runtime.close();
  await store.close();
  log.info("stopped");
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
