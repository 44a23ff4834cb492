/**
 * The product, composed: store, customer runtime, AI, both bots, the report scheduler, the Sheets
 * mirror, and the runner or the webhook server, from a validated config. `npm start` runs it;
 * `npm run inspect -- --live` runs it with the inspector's hooks. Nothing here decides behaviour.
 *
 * Start-up either serves or ends with a StartupError of lines a person can act on (never a stack,
 * never a secret); a stop signal at any moment of it closes what was opened and ends with
 * StartupAborted. Either way the store is closed again, so its lock is released.
 */
import { Option, Redacted } from "effect";
import { Api, type Bot, type Context, type StorageAdapter } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { dirname, join } from "node:path";
import type { CustomerRuntime } from "../actors/customerRuntime.ts";
import { provideCustomerSettings } from "../actors/customerSettings.ts";
import { loadCampaignSettings, type CampaignSettingsStore } from "../actors/campaignSettings.ts";
import { deploymentOf } from "../actors/deployment.port.ts";
import { describeError, type Logger } from "../actors/log.port.ts";
import type { AiPort } from "../actors/ai.port.ts";
import type { Catalog } from "../actors/catalog.port.ts";
import type { OrderCommands } from "../actors/orders.port.ts";
import type { CrmStore } from "../actors/store.port.ts";
import { readCatalogFile, type CatalogFile } from "./catalog/jsonCatalog.ts";
import { seedEmptyCatalog, SeedRefused } from "./catalog/catalogSeed.ts";
import { storeCatalog } from "./catalog/storeCatalog.ts";
import { campaignDefaultsOf, customerSettingsOf, ownerIdsOf, ownerTagsOf, paymentMethodsOf, type AppConfig } from "./config.ts";
import { createJsonLogger } from "./logging/jsonLogger.ts";
import type { SheetsMirror } from "./sheets/sheetsMirror.ts";
import { databaseUrlSecrets } from "./postgres/databaseUrl.ts";
import { oneLine, StartupAborted, StartupError } from "./startupErrors.ts";
import { openStore } from "./appStore.ts";
import { createOwnerBot, type OwnerBot } from "./telegram/owner/ownerBot.ts";
import { uploadThroughShopBot } from "./telegram/owner/broadcastKit.ts";
import type { Broadcasts } from "../actors/broadcasts.port.ts";
import { ownerCommands } from "./telegram/owner/ownerCommands.ts";
import type { OwnerSession } from "./telegram/owner/ownerSession.ts";
import { sessionStorageFor } from "./telegram/sessionStorage.ts";
import { createShopBot } from "./telegram/shop/shopBot.ts";
import { createShopOrderEffects } from "./telegram/shop/shopOrderEffects.ts";
import { shopCommands } from "./telegram/shop/shopCommands.ts";
import type { ShopSession } from "./telegram/shop/shopSession.ts";
import { connectTelegram, type ApiSignal } from "./telegramConnect.ts";
import { appHealthCheck } from "./appHealth.ts";
import { createActors, type ActorsHooks } from "./appActors.ts";
import { bounded, serve, webhookUrlOf, type BotEntry, type Served } from "./appServe.ts";
import { leaderRole, startRoles } from "./appLeader.ts";

export { StartupAborted, StartupError } from "./startupErrors.ts";

/** What a developer tool (or `npm start`) may add; each hook is optional and costs nothing when absent. */
export interface AppHooks extends ActorsHooks {
  /** Sees each bot before it starts taking updates. */
  readonly wrapBot?: (name: "shop" | "owner", bot: Bot<Context>) => void;
  /** Where the JSON log lines go (stdout by default). */
  readonly writeLog?: (line: string) => void;
  /** `false` leaves the Sheets mirror off whatever the config says. */
  readonly sheets?: boolean;
  /** `false` polls even when WEBHOOK_URL is set. */
  readonly webhook?: boolean;
  /** A stop signal (SIGINT, SIGTERM): ends start-up at whatever step it is in, closing what it opened. */
  readonly signal?: AbortSignal;
}

export interface RunningApp {
  readonly log: Logger;
  readonly started: Readonly<Record<string, string | number>>;
  /** The bots' usernames, for their t.me links; `owner` is absent when the CRM bot is off. */
  readonly usernames: { readonly shop: string; readonly owner?: string };
  /**
   * Resolves with a reason when the app can no longer serve (a poller ended: Telegram's 401 or 409,
   * or its retries given up); `npm start` then stops it and exits 1, so a supervisor restarts it.
   */
  readonly failed: Promise<string>;
  stop(): Promise<void>;
}

/** What start-up reads before it opens anything: tokens, the logger, the catalog, the AI and Sheets clients. */
interface Prepared {
  readonly shopToken: string;
  readonly ownerToken: string | undefined;
  readonly log: Logger;
  /** Every secret of the config, masked out of any line that leaves the process. */
  readonly redact: (line: string) => string;
  readonly apiRoot: string | undefined;
  /** `CATALOG_PATH`, read and checked: the catalog of a store that has none yet. */
  readonly seed: CatalogFile;
  readonly ai: AiPort | null;
  readonly createMirror: ((store: CrmStore, owner: OwnerBot | undefined) => SheetsMirror) | undefined;
}

/** Reads what start-up needs before it opens anything; a bad token, service account or catalog is a StartupError. */
async function prepare(config: AppConfig, hooks: AppHooks): Promise<Prepared> {
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
  const sheetsModules = serviceAccountSetting ? await Promise.all([import("./sheets/sheetsClient.ts"), import("./sheets/sheetsMirror.ts")]) : undefined;
  let serviceAccount;
  try {
    serviceAccount = serviceAccountSetting && sheetsModules ? sheetsModules[0].readServiceAccount(Redacted.value(serviceAccountSetting)) : undefined;
  } catch (error) {
    throw new StartupError([`Shop CRM cannot start: ${error instanceof Error ? error.message : String(error)}`]);
  }
  const secrets = [shopToken, ownerToken, openAiKey, Option.getOrUndefined(config.WEBHOOK_SECRET), Option.getOrUndefined(config.PAYMENT_PROVIDER_TOKEN)].flatMap((secret) => (secret ? [Redacted.value(secret)] : []));
  const databaseUrl = Option.getOrUndefined(config.DATABASE_URL);
  secrets.push(...databaseUrlSecrets(databaseUrl && Redacted.value(databaseUrl)));
  if (serviceAccount) secrets.push(serviceAccount.private_key);
  const log = createJsonLogger({ secrets, ...(hooks.writeLog ? { write: hooks.writeLog } : {}) });
  const redact = (line: string): string => secrets.filter((secret) => secret.length >= 6).reduce((text, secret) => text.split(secret).join("[redacted]"), line);

  let seed;
  try {
    seed = readCatalogFile(config.CATALOG_PATH);
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
  const sheetsId = Option.getOrUndefined(config.GOOGLE_SHEETS_ID);
  const createMirror =
    hooks.sheets !== false && serviceAccount && sheetsModules && sheetsId
      ? (store: CrmStore, owner: OwnerBot | undefined) =>
          sheetsModules[1].createSheetsMirror({
            sheets: sheetsModules[0].createSheetsClient({ auth: serviceAccount }),
            spreadsheetId: sheetsId,
            outbox: store,
            store,
            requestsPerMinute: config.SHEETS_REQUESTS_PER_MINUTE,
            log,
            onStopped: async (reason) => owner?.tellOwners(reason),
          })
      : undefined;
  const apiRoot = Option.isSome(config.TELEGRAM_API_ROOT) ? config.TELEGRAM_API_ROOT.value.toString().replace(/\/$/, "") : undefined;
  return { shopToken: Redacted.value(shopToken), ownerToken: ownerToken && Redacted.value(ownerToken), log, redact, apiRoot, seed, ai, createMirror };
}

/** Start-up once the store is open: the shop reads its catalog from the store. */
type Composed = Prepared & { readonly catalog: Catalog };

/** Imports the seed into a store without a catalog (the first start), then reads the catalog from the store. */
async function withStoreCatalog(config: AppConfig, prepared: Prepared, store: CrmStore): Promise<Composed> {
  try {
    const applied = await seedEmptyCatalog(store, prepared.seed, config.CATALOG_PATH, Date.now());
    if (applied > 0) prepared.log.info("catalog_seeded", { file: config.CATALOG_PATH, edits: applied });
  } catch (error) {
    if (error instanceof SeedRefused) throw new StartupError([`The catalog cannot be loaded: ${error.message}`]);
    throw error;
  }
  return { ...prepared, catalog: storeCatalog(store) };
}

/** `PAYMENT_PROVIDER_TOKEN`, for the shop's provider invoices (a secret: masked in every log line). */
const providerTokenOf = (config: AppConfig): { providerToken?: string } => {
  const token = Option.getOrUndefined(config.PAYMENT_PROVIDER_TOKEN);
  return token ? { providerToken: Redacted.value(token) } : {};
};

/** Sets a bot's command menu; a failure is a warning (the bot works without the menu), not a refusal to start. */
async function setCommands(bot: "shop" | "owner", set: (signal: ApiSignal) => Promise<void>, log: Logger, signal: AbortSignal | undefined): Promise<void> {
  try {
    await set(bounded(signal));
  } catch (error) {
    if (signal?.aborted) throw new StartupAborted();
    log.warn("commands_not_set", { bot, ...describeError(error), effect: "the bot works; its command menu in Telegram stays as it was" });
  }
}

/** The bots, built on the users getMe returned; the owner bot only with OWNER_BOT_TOKEN. */
function createBots(
  config: AppConfig,
  app: Composed,
  deps: {
    runtime: CustomerRuntime;
    orders: OrderCommands | null;
    store: CrmStore;
    shopInfo: UserFromGetMe;
    ownerInfo: UserFromGetMe | undefined;
    ownerSessions: StorageAdapter<OwnerSession> | undefined;
    campaigns: CampaignSettingsStore;
    broadcasts: Broadcasts | null;
  },
) {
  const { runtime, store } = deps;
  const apiRoot = app.apiRoot ? { apiRoot: app.apiRoot } : {};
  /** The shop's currency, for the owner's sums: the catalog's (one per catalog). */
  const currency = app.catalog.categories().flatMap((category) => app.catalog.products(category.id, { offset: 0, limit: 1 }).items)[0]?.currency ?? "RUB";
  const owner: OwnerBot | undefined =
    app.ownerToken && deps.ownerInfo
      ? createOwnerBot({
          token: app.ownerToken,
          botInfo: deps.ownerInfo,
          ...apiRoot,
          runtime,
          orders: deps.orders,
          store,
          ownerIds: ownerIdsOf(config),
          tagSet: ownerTagsOf(config),
          segments: { consentVersion: config.CONSENT_VERSION },
          // 📣: the broadcasts, their audiences, and photos uploaded once through the shop bot.
          ...(deps.broadcasts ? { broadcasts: { broadcasts: deps.broadcasts, segments: store, consentVersion: config.CONSENT_VERSION, uploadPhoto: uploadThroughShopBot(new Api(app.shopToken, apiRoot)) } } : {}),
          campaigns: deps.campaigns,
          ai: app.ai,
          aiTimeoutMs: config.AI_TIMEOUT_SECONDS * 1_000,
          currency,
          timeZone: config.TIME_ZONE,
          reportHour: config.REPORT_HOUR,
          ...(deps.ownerSessions ? { sessionStorage: deps.ownerSessions } : {}),
          catalog: { photoDir: config.STORE === "json" ? join(config.JSON_STORE_DIR, "catalog-photos") : join(dirname(config.DATABASE_PATH), "catalog-photos"), seedPath: config.CATALOG_PATH },
          log: app.log,
        })
      : undefined;
  const shopBot = createShopBot({
    token: app.shopToken,
    botInfo: deps.shopInfo,
    ...apiRoot,
    runtime,
    store,
    catalog: app.catalog,
    ai: app.ai,
    sessionStorage: sessionStorageFor<ShopSession>({ kind: config.SESSION_STORAGE, store, botToken: app.shopToken }),
    consentVersion: config.CONSENT_VERSION,
    timeZone: config.TIME_ZONE,
    ...(deps.orders ? { orders: deps.orders } : {}),
    payments: { methods: paymentMethodsOf(config) ?? ["cash"], starPrice: Option.getOrNull(config.STAR_PRICE), paymentMinutes: config.ORDER_PAYMENT_MINUTES },
    log: app.log,
  });
  return { shopBot, owner };
}

/**
 * Updates being handled, so that a shutdown waits for them before it closes the store: the
 * runner's stop() ends fetching but does not wait for updates already handed out.
 */
function trackInFlight(bots: readonly BotEntry[]): Set<Promise<void>> {
  const inFlight = new Set<Promise<void>>();
  for (const { bot } of bots) {
    const handle = bot.handleUpdate.bind(bot);
    bot.handleUpdate = (...args) => {
      const handling = handle(...args);
      inFlight.add(handling);
      const done = () => inFlight.delete(handling);
      void handling.then(done, done);
      return handling;
    };
  }
  return inFlight;
}

/** Closes what start-up opened, last first; one that fails does not keep the others open. */
async function closeAll(closers: readonly (() => Promise<void>)[]): Promise<void> {
  for (const close of closers) await close().catch(() => undefined);
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StartupAborted();
}

/**
 * Starts the product and resolves once it takes updates. Rejects with a StartupError (lines to show
 * as they are) or, when `hooks.signal` fired, StartupAborted; in both cases whatever it had opened
 * (the store first of all, so that its lock is free) is closed again.
 */
export async function startApp(config: AppConfig, hooks: AppHooks = {}): Promise<RunningApp> {
  const app = await prepare(config, hooks);
  if (hooks.signal?.aborted) {
    app.log.info("stopped");
    throw new StartupAborted();
  }
  const store = await openStore(config, app.log, app.redact);
  const closers: (() => Promise<void>)[] = [() => store.close()];
  try {
    return await compose(config, hooks, app, store, closers);
  } catch (error) {
    await closeAll(closers);
    if (hooks.signal?.aborted) {
      app.log.info("stopped");
      throw new StartupAborted();
    }
    if (error instanceof StartupError) throw error;
    throw new StartupError([app.redact(`Shop CRM cannot start: ${oneLine(error)}`)]);
  }
}

/** Everything after the store is open; each part that must be undone on failure adds its closer. */
async function compose(config: AppConfig, hooks: AppHooks, prepared: Prepared, store: CrmStore, closers: (() => Promise<void>)[]): Promise<RunningApp> {
  const app = await withStoreCatalog(config, prepared, store);
  const { log } = app;
  const { signal } = hooks;
  const deployment = deploymentOf(store);
  const shared = deployment.kind === "shared";
  // The owner's campaign settings: the machine reads delays and on/off from them, the shop's effects the texts.
  const campaigns = await loadCampaignSettings(store, campaignDefaultsOf(config), shared ? deployment : undefined, log);
  const machine = provideCustomerSettings(customerSettingsOf(config), campaigns);
  const ownerSessions = app.ownerToken ? sessionStorageFor<OwnerSession>({ kind: config.SESSION_STORAGE, store, botToken: app.ownerToken }) : undefined;
  const orderHandlers = createShopOrderEffects({ api: new Api(app.shopToken, app.apiRoot ? { apiRoot: app.apiRoot } : {}), ...providerTokenOf(config), timeZone: config.TIME_ZONE, log });
  const actors = createActors(config, app, hooks, { store, machine, ownerSessions, orderHandlers, campaigns });
  const { runtime } = actors;
  closers.unshift(() => actors.stop());
  const recovered = await runtime.recover();
  throwIfAborted(signal);
  const attempts = Option.getOrUndefined(config.TELEGRAM_CONNECT_ATTEMPTS);
  const connect = (setting: "SHOP_BOT_TOKEN" | "OWNER_BOT_TOKEN", token: string) =>
    connectTelegram({ setting, token, log, ...(app.apiRoot ? { apiRoot: app.apiRoot } : {}), ...(attempts !== undefined ? { attempts } : {}), ...(signal ? { signal } : {}) });
  const shopInfo = await connect("SHOP_BOT_TOKEN", app.shopToken);
  const ownerInfo = app.ownerToken ? await connect("OWNER_BOT_TOKEN", app.ownerToken) : undefined;
  const { shopBot, owner } = createBots(config, app, { runtime, orders: actors.orders, store, shopInfo, ownerInfo, ownerSessions, campaigns, broadcasts: actors.broadcasts });
  await setCommands("shop", (bound) => shopCommands(shopBot.api, bound), log, signal);
  if (owner) {
    await setCommands("owner", (bound) => ownerCommands(owner.bot.api, bound), log, signal);
  }
  throwIfAborted(signal);
  const mirror = app.createMirror?.(store, owner);
  const bots: BotEntry[] = [{ name: "shop", path: "/shop", bot: shopBot as unknown as Bot<Context> }, ...(owner ? [{ name: "owner" as const, path: "/owner", bot: owner.bot as unknown as Bot<Context> }] : [])];
  for (const { name, bot } of bots) hooks.wrapBot?.(name, bot);
  const inFlight = trackInFlight(bots);
  let served: Served | undefined;
  const usernames = { shop: shopInfo.username, owner: ownerInfo?.username ?? "" };
  const health = appHealthCheck(config, {
    store, mirror, bots: bots.map(({ name }) => ({ name, username: usernames[name] })), polling: webhookUrlOf(config, hooks) === undefined, serving: () => served, redact: app.redact,
    ...(shared ? { leading: () => deployment.leading() } : {}),
  });
  served = await serve({ config, log, apiRoot: app.apiRoot, hooks }, bots, health, closers, shared);
  const leader = leaderRole(config, store, log, { served, owner, mirror, actors });
  closers.unshift(() => leader.stop());
  const { failed } = await startRoles(deployment, leader, { actors, served, log });
  const started = {
    store: store.kind,
    shopBot: shopInfo.username,
    ownerBot: ownerInfo ? ownerInfo.username : "off (no OWNER_BOT_TOKEN)",
    owners: owner?.ownerIds.length ?? 0,
    sessions: config.SESSION_STORAGE,
    ai: app.ai ? config.OPENAI_MODEL : "off (no OPENAI_API_KEY)",
    sheets: mirror ? "on" : "off (no GOOGLE_SHEETS_ID)",
    mode: served.mode,
    recovered,
    consentVersion: config.CONSENT_VERSION,
    pendingTimers: store.timersCount(),
    pendingEffects: store.effectsCount().pending,
  };
  log.info("started", started);
  return {
    log,
    started,
    usernames: { shop: shopInfo.username, ...(ownerInfo ? { owner: ownerInfo.username } : {}) },
    failed,
    /** Stops taking updates, finishes those in flight, commits, drains what it can of the outbox, closes. */
    stop: () => stopApp({ served, inFlight, leader, actors, mirror, store, log }),
  };
}

/** npm start's stop, in order: no new updates, those in flight finished, the leader's parts, the actors, the mirror drained, the store. */
async function stopApp(parts: {
  readonly served: Served;
  readonly inFlight: Set<Promise<void>>;
  readonly leader: { stop(): Promise<void> };
  readonly actors: { stop(): Promise<void> };
  readonly mirror: SheetsMirror | undefined;
  readonly store: CrmStore;
  readonly log: Logger;
}): Promise<void> {
  const { runners, server, healthServer } = parts.served;
  await Promise.all(runners.map((runner) => (runner.isRunning() ? runner.stop() : undefined)));
  if (server) await new Promise((resolve) => server.close(resolve));
  if (healthServer) await new Promise((resolve) => healthServer.close(resolve));
  await Promise.race([Promise.allSettled([...parts.inFlight]), new Promise((resolve) => setTimeout(resolve, 15_000).unref())]);
  await parts.leader.stop();
  await parts.actors.stop();
  const { mirror } = parts;
  if (mirror) {
    // Drain what can be drained in a few seconds; the rest waits in the outbox for the next start.
    await mirror.stop();
    await Promise.race([mirror.drainNow().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
  }
  await parts.store.close();
  parts.log.info("stopped");
}
