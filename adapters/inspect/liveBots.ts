/**
 * `npm run inspect -- --live`: the real bots, configured exactly as for `npm start` (the same
 * settings, `.env`, store, catalog, AI and sessions), composed from the same parts with two
 * additions for the inspector: the customer runtime's `observe`, and each bot's updates traced to
 * their chat. The Sheets mirror, a background copy with no machine of its own, is left off.
 *
 * `adapters/main.ts` could instead take these two hooks itself (see {@link LiveHooks}); until it
 * does, this file keeps a second, smaller composition, and a change to `npm start`'s wiring should
 * be made here too.
 */

import { run, type RunnerHandle } from "@grammyjs/runner";
import { Option, Redacted } from "effect";
import { existsSync } from "node:fs";
import { createCustomerRuntime, type CustomerRuntimeOptions } from "../../actors/customerRuntime.ts";
import type { CrmStore } from "../../actors/store.port.ts";
import { loadJsonCatalog } from "../catalog/jsonCatalog.ts";
import { loadConfig, ownerIdsOf, ownerTagsOf } from "../config.ts";
import { openJsonStore } from "../json/jsonStore.ts";
import { createJsonLogger } from "../logging/jsonLogger.ts";
import { openSqliteStore } from "../sqlite/sqliteStore.ts";
import { createDailyReportScheduler } from "../telegram/owner/dailyReport.ts";
import { createOwnerBot } from "../telegram/owner/ownerBot.ts";
import { ownerCommands } from "../telegram/owner/ownerCommands.ts";
import type { OwnerSession } from "../telegram/owner/ownerSession.ts";
import { sessionStorageFor } from "../telegram/sessionStorage.ts";
import { createShopBot } from "../telegram/shop/shopBot.ts";
import { shopCommands } from "../telegram/shop/shopCommands.ts";
import type { ShopSession } from "../telegram/shop/shopSession.ts";
import { traceUpdateChats } from "./updateChats.ts";

/** What the inspector needs from a running app: both hooks are optional, and cost nothing when absent. */
export interface LiveHooks {
  /** Passed to `createCustomerRuntime({ observe })`. */
  readonly observe: NonNullable<CustomerRuntimeOptions["observe"]>;
  /** Where the bots' JSON log lines go (default stderr, so the inspector's own lines stay readable on stdout). */
  readonly writeLog?: (line: string) => void;
}

/** The running bots, and how to stop them as `npm start` does on Ctrl-C. */
export interface LiveBots {
  /** One line for the terminal: which bots, which store. */
  readonly started: string;
  stop(): Promise<void>;
}

/** Starts both bots from the environment (and `.env`); throws an Error whose message says what to fix. */
export async function startLiveBots(hooks: LiveHooks): Promise<LiveBots> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  const loaded = loadConfig(process.env);
  if (!loaded.ok) throw new Error(["fix these settings (in the environment or .env):", ...loaded.problems.map((line) => `  ${line}`)].join("\n"));
  const config = loaded.config;
  const shopToken = Option.getOrUndefined(config.SHOP_BOT_TOKEN);
  if (!shopToken) throw new Error("--live runs the real bots: set SHOP_BOT_TOKEN (and OWNER_BOT_TOKEN, OWNER_IDS) as for npm start, or leave out --live for the demo");
  const ownerToken = Option.getOrUndefined(config.OWNER_BOT_TOKEN);
  const openAiKey = Option.getOrUndefined(config.OPENAI_API_KEY);
  const secrets = [shopToken, ownerToken, openAiKey].flatMap((secret) => (secret ? [Redacted.value(secret)] : []));
  const log = createJsonLogger({ secrets, write: hooks.writeLog ?? ((line) => process.stderr.write(`${line}\n`)) });
  const apiRoot = Option.isSome(config.TELEGRAM_API_ROOT) ? { apiRoot: config.TELEGRAM_API_ROOT.value.toString().replace(/\/$/, "") } : {};
  const catalog = loadJsonCatalog(config.CATALOG_PATH);
  const ai = openAiKey
    ? (await import("../openai/openaiAi.ts")).createOpenAiPort({
        apiKey: Redacted.value(openAiKey),
        model: config.OPENAI_MODEL,
        ...(Option.isSome(config.OPENAI_BASE_URL) ? { baseURL: config.OPENAI_BASE_URL.value.toString().replace(/\/$/, "") } : {}),
        timeoutMs: Math.max(5_000, Math.floor((config.AI_TIMEOUT_SECONDS * 1_000) / 2)),
        maxRetries: 1,
        log,
      })
    : null;

  const store: CrmStore = config.STORE === "json" ? await openJsonStore({ dir: config.JSON_STORE_DIR }) : await openSqliteStore({ path: config.DATABASE_PATH });
  const runtime = createCustomerRuntime({ store, observe: hooks.observe });
  await runtime.recover();
  const currency = catalog.categories().flatMap((category) => catalog.products(category.id, { offset: 0, limit: 1 }).items)[0]?.currency ?? "RUB";

  const owner = ownerToken
    ? createOwnerBot({
        token: Redacted.value(ownerToken),
        ...apiRoot,
        runtime,
        store,
        ownerIds: ownerIdsOf(config),
        tagSet: ownerTagsOf(config),
        ai,
        aiTimeoutMs: config.AI_TIMEOUT_SECONDS * 1_000,
        currency,
        timeZone: config.TIME_ZONE,
        sessionStorage: sessionStorageFor<OwnerSession>({ kind: config.SESSION_STORAGE, store, botToken: Redacted.value(ownerToken) }),
        log,
      })
    : undefined;
  const shopBot = createShopBot({
    token: Redacted.value(shopToken),
    ...apiRoot,
    runtime,
    store,
    catalog,
    ai,
    ...(owner ? { orders: owner.notifications } : {}),
    sessionStorage: sessionStorageFor<ShopSession>({ kind: config.SESSION_STORAGE, store, botToken: Redacted.value(shopToken) }),
    consentVersion: config.CONSENT_VERSION,
    consultant: { maxQuestions: config.CONSULTANT_MAX_QUESTIONS, windowMs: config.CONSULTANT_WINDOW_MINUTES * 60_000, timeoutMs: config.AI_TIMEOUT_SECONDS * 1_000 },
    timeZone: config.TIME_ZONE,
    log,
  });
  traceUpdateChats(shopBot, "shop");
  if (owner) traceUpdateChats(owner.bot, "owner");
  // The runner's stop does not wait for updates being handled; these are awaited before the store closes.
  const inFlight = new Set<Promise<void>>();
  for (const bot of owner ? [shopBot, owner.bot] : [shopBot]) {
    const handle = bot.handleUpdate.bind(bot);
    bot.handleUpdate = (...args) => {
      const handling = handle(...args);
      inFlight.add(handling);
      void handling.finally(() => inFlight.delete(handling)).catch(() => undefined);
      return handling;
    };
  }

  try {
    await shopBot.init();
    await shopCommands(shopBot.api);
    if (owner) {
      await owner.bot.init();
      await ownerCommands(owner.bot.api);
    }
  } catch (error) {
    await runtime.close();
    await store.close();
    throw new Error(`Telegram refused or could not be reached: ${error instanceof Error ? error.message : String(error)}`);
  }

  const allowed_updates = ["message", "callback_query", "channel_post", "my_chat_member"] as const;
  const runners: RunnerHandle[] = [
    run(shopBot, { runner: { fetch: { allowed_updates } } }),
    ...(owner ? [run(owner.bot, { runner: { fetch: { allowed_updates } } })] : []),
  ];
  const reports = owner
    ? createDailyReportScheduler({
        state: store,
        ownerIds: owner.ownerIds,
        hour: config.REPORT_HOUR,
        timeZone: config.TIME_ZONE,
        clock: { now: () => Date.now() },
        send: (ownerId, day) => owner.sendDailyReport(ownerId, day),
        log,
      })
    : undefined;
  reports?.start();

  return {
    started: `shop bot @${shopBot.botInfo.username}${owner ? `, CRM bot @${owner.bot.botInfo.username}` : ", CRM bot off (no OWNER_BOT_TOKEN)"}, ${store.kind} store, AI ${ai ? "on" : "off"}`,
    async stop() {
      await Promise.all(runners.map((runner) => (runner.isRunning() ? runner.stop() : undefined)));
      await Promise.allSettled([...inFlight]);
      await reports?.stop();
      await runtime.close();
      await store.close();
    },
  };
}
