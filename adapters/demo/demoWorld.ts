import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Bot } from "grammy";
import type { Update, User } from "grammy/types";
import type { Catalog } from "../../actors/catalog.port.ts";
import { createCustomerRuntime, type CustomerRuntime, type CustomerRuntimeOptions } from "../../actors/customerRuntime.ts";
import type { LogFields, Logger } from "../../actors/log.port.ts";
import type { CrmStore } from "../../actors/store.port.ts";
import { loadJsonCatalog } from "../catalog/jsonCatalog.ts";
import { createOpenAiPort } from "../openai/openaiAi.ts";
import { standInApiKey, startChatCompletionsStandIn, type ChatCompletionsStandIn } from "../openai/testing/chatCompletionsStandIn.ts";
import { openSqliteStore } from "../sqlite/sqliteStore.ts";
import { createOwnerBot, type OwnerBot } from "../telegram/owner/ownerBot.ts";
import { createShopBot, type ShopContext } from "../telegram/shop/shopBot.ts";
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

/** Options for {@link startDemoWorld}. */
export interface DemoWorldOptions {
  /** Where the simulated day starts (epoch ms); the clock only moves when the demo moves it. */
  readonly start: number;
  /** Told of every durable customer transition: how `npm run inspect` watches the actors. */
  readonly observe?: CustomerRuntimeOptions["observe"];
}

/** A line the bots logged at warn or error level: the demo reports them, and its test wants none. */
export interface DemoProblem {
  readonly level: "warn" | "error";
  readonly event: string;
  readonly fields: LogFields;
}

/**
 * The whole product offline, composed as `npm start` composes it but on local stand-ins: both bots
 * on the in-process Bot API stand-in, a temporary SQLite file, the sample catalog, and the OpenAI
 * adapter on the chat-completions stand-in. Nothing is configured and nothing leaves the machine.
 */
export interface DemoWorld {
  readonly clock: DemoClock;
  readonly catalog: Catalog;
  readonly store: CrmStore;
  readonly runtime: CustomerRuntime;
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
  const catalog = loadJsonCatalog(new URL("../catalog/sampleCatalog.json", import.meta.url).pathname);
  const store = await openSqliteStore({ path: join(dir, "crm.sqlite") });
  const runtime = createCustomerRuntime({ store, clock, ...(options.observe ? { observe: options.observe } : {}) });

  const owner = createOwnerBot({
    token: ownerToken,
    apiRoot: telegram.apiRoot,
    botInfo: ownerBotInfo,
    runtime,
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
    orders: owner.notifications,
    consentVersion: "2026-11",
    consultant: { timeoutMs: 10_000 },
    timeZone: demoTimeZone,
    clock,
    log,
  });
  await shopBot.init();
  await owner.bot.init();

  // Through the bot objects' own `handleUpdate`, looked up at each call, so that a wrapper put on
  // them later (the inspector's) sees every update.
  const delivered = { shop: 0, owner: 0 };
  const toShop = (update: Update): Promise<void> => {
    delivered.shop += 1;
    return shopBot.handleUpdate(update);
  };
  const toOwner = (update: Update): Promise<void> => {
    delivered.owner += 1;
    return owner.bot.handleUpdate(update);
  };
  const ownerUser = updates.user(demoOwnerId, { first_name: "Ольга", username: "olga_owner", language_code: "ru" });

  return {
    clock,
    catalog,
    store,
    runtime,
    shopBot,
    owner,
    telegram,
    openAi,
    problems,
    delivered,
    customer: (user) => demoChat(telegram, shopToken, toShop, user),
    ownerChat: () => demoChat(telegram, ownerToken, toOwner, ownerUser),
    async close() {
      try {
        await runtime.close();
        await store.close();
      } finally {
        await telegram.close();
        await openAi.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
