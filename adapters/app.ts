/**
 * The product, composed: store, customer runtime, AI, both bots, the report scheduler, the Sheets
 * mirror, and the runner or the webhook server, from a validated config. `npm start` runs it;
 * `npm run inspect -- --live` runs it with the inspector's hooks. Nothing here decides behaviour.
 */
import { run, type RunnerHandle } from "@grammyjs/runner";
import { Option, Redacted } from "effect";
import { GrammyError, type Bot, type Context } from "grammy";
import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import { createCustomerRuntime, type CustomerRuntimeOptions } from "../actors/customerRuntime.ts";
import { describeError, type Logger } from "../actors/log.port.ts";
import type { CrmStore } from "../actors/store.port.ts";
import { loadJsonCatalog } from "./catalog/jsonCatalog.ts";
import { ownerIdsOf, ownerTagsOf, type AppConfig } from "./config.ts";
import { openJsonStore } from "./json/jsonStore.ts";
import { createJsonLogger } from "./logging/jsonLogger.ts";
import type { SheetsMirror } from "./sheets/sheetsMirror.ts";
import { openSqliteStore } from "./sqlite/sqliteStore.ts";
import { createDailyReportScheduler } from "./telegram/owner/dailyReport.ts";
import { createOwnerBot, type OwnerBot } from "./telegram/owner/ownerBot.ts";
import { ownerCommands } from "./telegram/owner/ownerCommands.ts";
import type { OwnerSession } from "./telegram/owner/ownerSession.ts";
import { sessionStorageFor } from "./telegram/sessionStorage.ts";
import { createShopBot } from "./telegram/shop/shopBot.ts";
import { shopCommands } from "./telegram/shop/shopCommands.ts";
import type { ShopSession } from "./telegram/shop/shopSession.ts";
import { startWebhookServer } from "./webhookServer.ts";

/** Why the product cannot start, as lines a person can act on; never holds a secret. */
export class StartupError extends Error {
  override readonly name = "StartupError";
  readonly lines: readonly string[];

  constructor(lines: readonly string[]) {
    super(lines.join("\n"));
    this.lines = lines;
  }
}

/** What a developer tool may add; each hook is optional and costs nothing when absent. */
export interface AppHooks {
  /** Told of every durable customer transition (the runtime's `observe`). */
  readonly observe?: CustomerRuntimeOptions["observe"];
  /** Sees each bot before it starts taking updates. */
  readonly wrapBot?: (name: "shop" | "owner", bot: Bot<Context>) => void;
  /** Where the JSON log lines go (stdout by default). */
  readonly writeLog?: (line: string) => void;
  /** `false` leaves the Sheets mirror off whatever the config says. */
  readonly sheets?: boolean;
  /** `false` polls even when WEBHOOK_URL is set. */
  readonly webhook?: boolean;
}

export interface RunningApp {
  readonly log: Logger;
  readonly started: Readonly<Record<string, string | number>>;
  stop(): Promise<void>;
}

export async function startApp(config: AppConfig, hooks: AppHooks = {}): Promise<RunningApp> {
  const shopToken = Option.getOrUndefined(config.SHOP_BOT_TOKEN);
  if (!shopToken) {
    throw new StartupError([
      "Shop CRM needs a bot token to talk to Telegram.",
      "  Set SHOP_BOT_TOKEN (the token @BotFather gives you) in the environment or in .env; .env.example lists every setting.",
      "  To try the whole product offline first, with no token: npm run demo",
    ]);
  }

  const ownerToken = Option.getOrUndefined(config.OWNER_BOT_TOKEN);
  const openAiKey = Option.getOrUndefined(config.OPENAI_API_KEY);
  const serviceAccountSetting = Option.getOrUndefined(config.GOOGLE_SERVICE_ACCOUNT);
  // The OpenAI and Google clients are loaded only when configured: they are a third of start-up.
  const sheetsModules = serviceAccountSetting
    ? await Promise.all([import("./sheets/sheetsClient.ts"), import("./sheets/sheetsMirror.ts")])
    : undefined;
  let serviceAccount;
  try {
    serviceAccount = serviceAccountSetting && sheetsModules ? sheetsModules[0].readServiceAccount(Redacted.value(serviceAccountSetting)) : undefined;
  } catch (error) {
    throw new StartupError([`Shop CRM cannot start: ${error instanceof Error ? error.message : String(error)}`]);
  }
  const secrets = [shopToken, ownerToken, openAiKey, Option.getOrUndefined(config.WEBHOOK_SECRET)].flatMap((secret) => (secret ? [Redacted.value(secret)] : []));
  if (serviceAccount) secrets.push(serviceAccount.private_key);
  const log = createJsonLogger({ secrets, ...(hooks.writeLog ? { write: hooks.writeLog } : {}) });
  const apiRoot = Option.isSome(config.TELEGRAM_API_ROOT) ? { apiRoot: config.TELEGRAM_API_ROOT.value.toString().replace(/\/$/, "") } : {};

  let catalog;
  try {
    catalog = loadJsonCatalog(config.CATALOG_PATH);
  } catch (error) {
    throw new StartupError([`The catalog cannot be loaded: ${error instanceof Error ? error.message : String(error)}`]);
  }

  /** The AI port, when a key is set; without one the consultant and the summary are hidden. */
  const ai = openAiKey
    ? (await import("./openai/openaiAi.ts")).createOpenAiPort({
        apiKey: Redacted.value(openAiKey),
        model: config.OPENAI_MODEL,
        ...(Option.isSome(config.OPENAI_BASE_URL) ? { baseURL: config.OPENAI_BASE_URL.value.toString().replace(/\/$/, "") } : {}),
        // One retry inside the bots' own deadline (AI_TIMEOUT_SECONDS), which ends the call anyway.
        timeoutMs: Math.max(5_000, Math.floor((config.AI_TIMEOUT_SECONDS * 1_000) / 2)),
        maxRetries: 1,
        log,
      })
    : null;

  const store: CrmStore = config.STORE === "json" ? await openJsonStore({ dir: config.JSON_STORE_DIR }) : await openSqliteStore({ path: config.DATABASE_PATH });
  const runtime = createCustomerRuntime({ store, ...(hooks.observe ? { observe: hooks.observe } : {}) });
  const recovered = await runtime.recover();

  /** The shop's currency, for the owner's sums: the catalog's (one per catalog). */
  const currency = catalog.categories().flatMap((category) => catalog.products(category.id, { offset: 0, limit: 1 }).items)[0]?.currency ?? "RUB";

  const owner: OwnerBot | undefined = ownerToken
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
    consultant: {
      maxQuestions: config.CONSULTANT_MAX_QUESTIONS,
      windowMs: config.CONSULTANT_WINDOW_MINUTES * 60_000,
      timeoutMs: config.AI_TIMEOUT_SECONDS * 1_000,
    },
    timeZone: config.TIME_ZONE,
    log,
  });

  const mirror: SheetsMirror | undefined =
    hooks.sheets !== false && serviceAccount && sheetsModules && Option.isSome(config.GOOGLE_SHEETS_ID)
      ? sheetsModules[1].createSheetsMirror({
          sheets: sheetsModules[0].createSheetsClient({ auth: serviceAccount }),
          spreadsheetId: config.GOOGLE_SHEETS_ID.value,
          outbox: store,
          store,
          requestsPerMinute: config.SHEETS_REQUESTS_PER_MINUTE,
          log,
          onStopped: async (reason) => owner?.tellOwners(reason),
        })
      : undefined;

  async function connect(name: "SHOP_BOT_TOKEN" | "OWNER_BOT_TOKEN", start: () => Promise<void>): Promise<void> {
    try {
      await start();
    } catch (error) {
      const rejected = error instanceof GrammyError && (error.error_code === 401 || error.error_code === 404);
      await runtime.close();
      await store.close();
      throw new StartupError([rejected ? `Telegram rejected ${name}: check the token @BotFather gave you.` : `Telegram cannot be reached: ${describeError(error).message}`]);
    }
  }
  await connect("SHOP_BOT_TOKEN", async () => {
    await shopBot.init();
    await shopCommands(shopBot.api);
  });
  if (owner) {
    await connect("OWNER_BOT_TOKEN", async () => {
      await owner.bot.init();
      await ownerCommands(owner.bot.api);
    });
    // Orders committed while the process was going down are announced now.
    await owner.catchUpOrderNotices().catch((error: unknown) => log.error("order_notices_failed", describeError(error)));
  }

  const allowed_updates = ["message", "callback_query", "channel_post", "my_chat_member"] as const;
  const bots = [{ name: "shop" as const, path: "/shop", bot: shopBot as unknown as Bot<Context> }, ...(owner ? [{ name: "owner" as const, path: "/owner", bot: owner.bot as unknown as Bot<Context> }] : [])];
  for (const { name, bot } of bots) hooks.wrapBot?.(name, bot);
  // Updates being handled, so that a shutdown waits for them before it closes the store: the
  // runner's stop() ends fetching but does not wait for updates already handed out.
  const inFlight = new Set<Promise<void>>();
  for (const { bot } of bots) {
    const handle = bot.handleUpdate.bind(bot);
    bot.handleUpdate = (...args) => {
      const handling = handle(...args);
      inFlight.add(handling);
      void handling.then(
        () => inFlight.delete(handling),
        () => inFlight.delete(handling),
      );
      return handling;
    };
  }
  const startedAt = Date.now();
  const webhookUrl = hooks.webhook === false ? undefined : Option.getOrUndefined(config.WEBHOOK_URL);
  let runners: RunnerHandle[] = [];
  let server: Server | undefined;
  if (webhookUrl) {
    // Webhook mode: Telegram posts to WEBHOOK_URL/shop and /owner with the secret; GET /health answers.
    const secretToken = Option.isSome(config.WEBHOOK_SECRET) ? Redacted.value(config.WEBHOOK_SECRET.value) : randomBytes(24).toString("hex");
    server = await startWebhookServer({ port: config.PORT, routes: bots, secretToken, log, health: () => ({ mode: "webhook", store: store.kind, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) }) });
    const base = webhookUrl.toString().replace(/\/$/, "");
    for (const { path, bot } of bots) await bot.api.setWebhook(`${base}${path}`, { secret_token: secretToken, allowed_updates });
  } else {
    // Long polling, one chat at a time per bot (each bot's `sequentialize`); a webhook left set would block it.
    for (const { bot } of bots) await bot.api.deleteWebhook();
    runners = bots.map(({ bot }) => run(bot, { runner: { fetch: { allowed_updates } } }));
  }
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
  mirror?.start();
  const started = {
    store: store.kind,
    shopBot: shopBot.botInfo.username,
    ownerBot: owner ? owner.bot.botInfo.username : "off (no OWNER_BOT_TOKEN)",
    owners: owner?.ownerIds.length ?? 0,
    sessions: config.SESSION_STORAGE,
    ai: ai ? config.OPENAI_MODEL : "off (no OPENAI_API_KEY)",
    sheets: mirror ? "on" : "off (no GOOGLE_SHEETS_ID)",
    mode: webhookUrl ? `webhook on port ${config.PORT}` : "long polling",
    recovered,
    consentVersion: config.CONSENT_VERSION,
  };
  log.info("started", started);

  return {
    log,
    started,
    /** Stops taking updates, finishes those in flight, commits, drains what it can of the outbox, closes. */
    async stop(): Promise<void> {
      await Promise.all(runners.map((runner) => (runner.isRunning() ? runner.stop() : undefined)));
      if (server) await new Promise((resolve) => server?.close(resolve));
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => setTimeout(resolve, 15_000).unref())]);
      await reports?.stop();
      await runtime.close();
      if (mirror) {
        // Drain what can be drained in a few seconds; the rest waits in the outbox for the next start.
        await mirror.stop();
        await Promise.race([mirror.drainNow().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
      }
      await store.close();
      log.info("stopped");
    },
  };
}
