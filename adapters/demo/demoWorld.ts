import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api, type Bot } from "grammy";
import type { Update, User } from "grammy/types";
import type { Catalog } from "../../actors/catalog.port.ts";
import { createCustomerActors, type CustomerActors } from "../../actors/customerActors.ts";
import type { CustomerRuntime, CustomerRuntimeOptions } from "../../actors/customerRuntime.ts";
import { defaultQuietHours, provideCustomerSettings, type CustomerMachine } from "../../actors/customerSettings.ts";
import type { EffectNotice } from "../../actors/effectWorker.ts";
import type { LogFields, Logger } from "../../actors/log.port.ts";
import type { OrderRuntime, OrderTransition } from "../../actors/orderRuntime.ts";
import { provideOrderSettings } from "../../actors/orderSettings.ts";
import type { CrmStore } from "../../actors/store.port.ts";
import type { OrderMachine } from "../../machines/order.machine.ts";
import type { PaymentMethod } from "../../machines/order.types.ts";
import { seedEmptyCatalog } from "../catalog/catalogSeed.ts";
import { readCatalogFile } from "../catalog/jsonCatalog.ts";
import { storeCatalog } from "../catalog/storeCatalog.ts";
import { createOpenAiPort } from "../openai/openaiAi.ts";
import { standInApiKey, startChatCompletionsStandIn, type ChatCompletionsStandIn } from "../openai/testing/chatCompletionsStandIn.ts";
import { openSqliteStore } from "../sqlite/sqliteStore.ts";
import { ownerOrderEffects } from "../telegram/owner/orderNotices.ts";
import { createOwnerBot, type OwnerBot } from "../telegram/owner/ownerBot.ts";
import { ownerEffects, ownerNotices } from "../telegram/owner/ownerEffects.ts";
import { createShopBot, createShopEffects, type ShopContext } from "../telegram/shop/shopBot.ts";
import { createShopOrderEffects } from "../telegram/shop/shopOrderEffects.ts";
import { startBotApiStandIn, testBotInfo, type BotApiStandIn } from "../telegram/testing/botApiStandIn.ts";
import * as updates from "../telegram/testing/telegramUpdates.ts";
import { demoAiReply } from "./demoAi.ts";
import { demoChat, type DemoChat } from "./demoChat.ts";
import { demoClock, type DemoClock } from "./demoClock.ts";

const shopToken = "7101:demo-shop-token-not-real";
const ownerToken = "7102:demo-owner-token-not-real";
const shopBotInfo = testBotInfo({ id: 7101, first_name: "Кофейня «Зерно»", username: "zerno_shop_bot", can_join_groups: false });
const ownerBotInfo = testBotInfo({ id: 7102, first_name: "Зерно CRM", username: "zerno_crm_bot", can_join_groups: false });

/** The owner the demo's CRM lets in. */
export const demoOwnerId = 1;
/** The zone the demo's day and every date it prints are in. */
export const demoTimeZone = "Europe/Moscow";
/** The sample shop `npm start` seeds its store with when `CATALOG_PATH` is not set: the demo's too. */
export const demoCatalogPath = new URL("../catalog/sampleCatalog.json", import.meta.url).pathname;
/**
 * How the demo shop takes money, as `PAYMENTS=stars,cash STAR_PRICE=1.8 ORDER_PAYMENT_MINUTES=60`
 * would set it for `npm start`: Telegram Stars (through the stand-in's payments) or on delivery.
 */
export const demoPayments = { methods: ["stars", "cash"] as readonly PaymentMethod[], starPrice: 1.8, paymentMinutes: 60, feedbackHours: 24 } as const;

/** Options for {@link startDemoWorld}. */
export interface DemoWorldOptions {
  /** Where the simulated day starts (epoch ms); the clock only moves when the demo moves it. */
  readonly start: number;
  /** Told of every durable customer transition: how `npm run inspect` watches the actors. */
  readonly observe?: CustomerRuntimeOptions["observe"];
  /** Told of every durable step of an order after it was placed (its placement is the customer's transition). */
  readonly observeOrders?: (transition: OrderTransition) => void;
  /** Told of every effect delivery, retry, drop and failure. */
  readonly observeEffects?: (notice: EffectNotice) => void;
  /** Called once the customer and order actors exist, before the day starts. */
  readonly onActors?: (connection: { readonly runtime: CustomerRuntime; readonly queues: CrmStore; readonly machine: CustomerMachine; readonly orderMachine: OrderMachine }) => void;
}

/** The demo shop's terms: the version its customers consent to. */
const demoConsentVersion = "2026-11";

/** A line the bots logged at warn or error level: the demo reports them, and its test wants none. */
export interface DemoProblem {
  readonly level: "warn" | "error";
  readonly event: string;
  readonly fields: LogFields;
}

/**
 * The whole product offline, composed as `npm start` composes it but on local stand-ins: both bots
 * on the in-process Bot API stand-in, a temporary SQLite file whose catalog is seeded from the
 * sample shop (as a first start seeds it from `CATALOG_PATH`), orders as actors taking Telegram
 * Stars and cash, and the OpenAI adapter on the chat-completions stand-in. Nothing is configured
 * and nothing leaves the machine.
 */
export interface DemoWorld {
  readonly clock: DemoClock;
  /** The shop's catalog, read from the store as the owner last saved it (stock included). */
  readonly catalog: Catalog;
  readonly store: CrmStore;
  readonly runtime: CustomerRuntime;
  /** The order actors the bots move orders with. */
  readonly orders: OrderRuntime;
  /** The runtimes with their timer scheduler and effect worker; the demo fires and delivers as its clock moves. */
  readonly actors: CustomerActors;
  readonly shopBot: Bot<ShopContext>;
  readonly owner: OwnerBot;
  readonly telegram: BotApiStandIn;
  readonly openAi: ChatCompletionsStandIn;
  readonly problems: readonly DemoProblem[];
  /** How many updates each bot has been handed so far. */
  readonly delivered: { readonly shop: number; readonly owner: number };
  /** A customer's chat with the shop bot. */
  customer(user: User): DemoChat;
  /** The owner's chat with the CRM bot. */
  ownerChat(): DemoChat;
  /** Fires the timers due on the demo's clock and delivers every queued effect, as after each update. */
  settle(): Promise<void>;
  /** The temporary folder of its SQLite file, deleted by `close`. */
  readonly dir: string;
  /** Stops everything and deletes the temporary database. */
  close(): Promise<void>;
}

/** Starts a {@link DemoWorld}; `close()` it in a `finally`. */
export async function startDemoWorld(options: DemoWorldOptions): Promise<DemoWorld> {
  const clock = demoClock(options.start);
  updates.setUpdateClock(clock.now);
  const dir = mkdtempSync(join(tmpdir(), "shop-crm-demo-"));
  const problems: DemoProblem[] = [];
  const log: Logger = {
    info: () => {},
    warn: (event, fields = {}) => void problems.push({ level: "warn", event, fields }),
    error: (event, fields = {}) => void problems.push({ level: "error", event, fields }),
  };
  const telegram = await startBotApiStandIn({ bots: { [shopToken]: shopBotInfo, [ownerToken]: ownerBotInfo }, now: clock.now });
  const openAi = await startChatCompletionsStandIn({ reply: demoAiReply, now: clock.now });
  const ai = createOpenAiPort({ apiKey: standInApiKey, baseURL: openAi.baseURL, timeoutMs: 10_000, maxRetries: 0, log });
  const store = await openSqliteStore({ path: join(dir, "crm.sqlite") });
  // As npm start's first start: the catalog file is the seed of the store's catalog, which the shop then reads.
  await seedEmptyCatalog(store, readCatalogFile(demoCatalogPath), demoCatalogPath, clock.now());
  const catalog = storeCatalog(store);
  const actors = demoActors(options, { clock, store, catalog, ai, telegram, log });
  const { runtime } = actors;
  const orders = actors.orders;
  if (!orders) throw new Error("the demo runs its orders as actors");

  const owner = createOwnerBot({
    token: ownerToken,
    apiRoot: telegram.apiRoot,
    botInfo: ownerBotInfo,
    runtime,
    orders,
    store,
    ownerIds: [demoOwnerId],
    ai,
    aiTimeoutMs: 10_000,
    currency: "RUB",
    timeZone: demoTimeZone,
    clock,
    log,
  });
  const shopBot = createShopBot({
    token: shopToken,
    apiRoot: telegram.apiRoot,
    botInfo: shopBotInfo,
    runtime,
    store,
    catalog,
    ai,
    consentVersion: demoConsentVersion,
    timeZone: demoTimeZone,
    orders,
    payments: { methods: demoPayments.methods, starPrice: demoPayments.starPrice, paymentMinutes: demoPayments.paymentMinutes },
    log,
  });
  await shopBot.init();
  await owner.bot.init();

  // Through the bot objects' own `handleUpdate`, looked up at each call, so that a wrapper put on
  // them later (the inspector's) sees every update.
  const delivered = { shop: 0, owner: 0 };
  // After each update: the timers that fell due on the demo's clock fire, and every queued effect
  // (an AI answer, a reminder, an order notice) is delivered before the next person acts.
  const settle = async (): Promise<void> => {
    await actors.timers.fireDue(clock.now());
    await actors.effects.drain();
  };
  const toShop = async (update: Update): Promise<void> => {
    delivered.shop += 1;
    await shopBot.handleUpdate(update);
    await settle();
  };
  const toOwner = async (update: Update): Promise<void> => {
    delivered.owner += 1;
    await owner.bot.handleUpdate(update);
    await settle();
  };
  const ownerUser = updates.user(demoOwnerId, { first_name: "Ольга", username: "olga_owner", language_code: "ru" });

  return {
    clock,
    catalog,
    store,
    runtime,
    orders,
    actors,
    shopBot,
    owner,
    telegram,
    openAi,
    problems,
    delivered,
    customer: (user) => demoChat(telegram, shopToken, toShop, user),
    ownerChat: () => demoChat(telegram, ownerToken, toOwner, ownerUser),
    settle,
    /** The temporary folder of its SQLite file, deleted by `close`. */
    dir,
    async close() {
      try {
        await actors.stop();
        await store.close();
      } finally {
        await telegram.close();
        await openAi.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * The demo's customer and order actors, as `npm start` builds them but on the stand-ins and the
 * demo's clock: the shop's settings (a reminder two hours after a cart is left, quiet hours in the
 * demo's zone, an hour to pay an order, a rating asked a day after delivery), the shop's and the
 * owner's effect handlers, the orders' among them.
 */
function demoActors(
  options: DemoWorldOptions,
  deps: { clock: DemoClock; store: CrmStore; catalog: Catalog; ai: ReturnType<typeof createOpenAiPort>; telegram: BotApiStandIn; log: Logger },
): CustomerActors {
  const { clock, store, catalog, ai, telegram, log } = deps;
  const machine = provideCustomerSettings({
    cartReminderMinutes: 120,
    dormantDays: 30,
    timeZone: demoTimeZone,
    quietHours: defaultQuietHours,
    consentVersion: demoConsentVersion,
    consultant: { maxQuestions: 20, windowMs: 60 * 60_000, timeoutMs: 25_000 },
  });
  const orderMachine = provideOrderSettings({ paymentMinutes: demoPayments.paymentMinutes, feedbackHours: demoPayments.feedbackHours });
  const ownerSide = { api: new Api(ownerToken, { apiRoot: telegram.apiRoot }), store, ownerIds: [demoOwnerId], timeZone: demoTimeZone, log };
  const shopApi = new Api(shopToken, { apiRoot: telegram.apiRoot });
  const actors = createCustomerActors({
    store,
    clock,
    machine,
    log,
    handlers: { ...createShopEffects({ api: shopApi, catalog, ai, aiTimeoutMs: 10_000, timeZone: demoTimeZone, log }), ...ownerEffects(ownerSide) },
    orders: {
      handlers: { ...createShopOrderEffects({ api: shopApi, timeZone: demoTimeZone, log }), ...ownerOrderEffects(ownerSide) },
      machine: orderMachine,
      payments: demoPayments.methods,
      ...(options.observeOrders ? { observe: options.observeOrders } : {}),
    },
    onEffectFailed: (effect, reason) => void ownerNotices(ownerSide).effectFailed(effect, reason),
    ...(options.observe ? { observe: options.observe } : {}),
    effects: { ...(options.observeEffects ? { observe: options.observeEffects } : {}) },
  });
  options.onActors?.({ runtime: actors.runtime, queues: store, machine, orderMachine });
  return actors;
}
