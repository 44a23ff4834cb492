import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api, type StorageAdapter } from "grammy";
import type { Update, User, UserFromGetMe } from "grammy/types";
import type { Catalog } from "../../../../actors/catalog.port.ts";
import type { CatalogChange } from "../../../../actors/catalogStore.port.ts";
import { createCustomerActors, type CustomerActors } from "../../../../actors/customerActors.ts";
import type { CustomerSnapshot } from "../../../../actors/customerRuntime.ts";
import { defaultQuietHours, provideCustomerSettings } from "../../../../actors/customerSettings.ts";
import { defaultCampaignSettings, loadCampaignSettings, type CampaignSettingsSource, type CampaignSettingsStore } from "../../../../actors/campaignSettings.ts";
import { provideOrderSettings } from "../../../../actors/orderSettings.ts";
import type { EffectHandler } from "../../../../actors/effects.port.ts";
import type { LogFields, Logger } from "../../../../actors/log.port.ts";
import type { CrmStore, Lead, StoredOrder } from "../../../../actors/store.port.ts";
import type { CustomerEffectParams } from "../../../../machines/customer.types.ts";
import { localConsultant, type LocalConsultantMode } from "../../../ai/testing/localConsultant.ts";
import { catalogFileFromJson, loadJsonCatalog } from "../../../catalog/jsonCatalog.ts";
import { seedEmptyCatalog } from "../../../catalog/catalogSeed.ts";
import { storeCatalog } from "../../../catalog/storeCatalog.ts";
import { openSqliteStore } from "../../../sqlite/sqliteStore.ts";
import { manualClock } from "../../../storeContract.ts";
import { startBotApiStandIn, testBotInfo, type BotApiStandIn, type StoredMessage } from "../../testing/botApiStandIn.ts";
import * as updates from "../../testing/telegramUpdates.ts";
import { createOwnerBot, type OwnerBot } from "../../owner/ownerBot.ts";
import { ownerEffects, ownerEffectsOff } from "../../owner/ownerEffects.ts";
import { ownerOrderEffects, ownerOrderEffectsOff } from "../../owner/orderNotices.ts";
import type { OwnerSession } from "../../owner/ownerSession.ts";
import { createShopBot } from "../shopBot.ts";
import { createShopEffects } from "../shopEffects.ts";
import { createShopOrderEffects } from "../shopOrderEffects.ts";
import type { ShopSession } from "../shopSession.ts";
import { paymentDriver } from "./paymentDriver.ts";
import { cashOnly, type PaymentSettings } from "../orderPayments.ts";

export const shopToken = "7001:shop-test-token-not-real";
export const shopBotInfo: UserFromGetMe = testBotInfo({ id: 7001, first_name: "Кофейня", username: "coffee_shop_bot", can_join_groups: false });

export const ownerToken = "7003:owner-test-token-not-real";
export const ownerBotInfo: UserFromGetMe = testBotInfo({ id: 7003, first_name: "CRM", username: "shop_crm_owner_bot", can_join_groups: false });

export interface OwnerHarnessOptions {
  readonly ownerIds: readonly number[];
  readonly tagSet?: readonly string[];
  /** `null`: no AI configured for the owner bot. */
  readonly ai?: LocalConsultantMode | null;
  readonly aiTimeoutMs?: number;
  readonly noticeTimeoutMs?: number;
  /** Sessions elsewhere than the store (storage-free); built afresh at every boot. */
  readonly sessionStorage?: () => StorageAdapter<OwnerSession>;
}

export interface ShopHarnessOptions {
  /** Runs the owner bot too, on the same store, with new orders wired to it. */
  readonly owner?: OwnerHarnessOptions;
  /** `null`: no AI configured. */
  readonly ai?: LocalConsultantMode | null;
  /** How long the `askConsultant` effect waits for the AI, in real milliseconds (default 5 s). */
  readonly aiTimeoutMs?: number;
  readonly consentVersion?: string;
  readonly catalog?: Catalog;
  /**
   * A catalog document (docs/catalog.md) seeded into the store on the first boot, which the shop
   * then reads from the store, as `npm start` does: stock is reserved by orders and an owner's edit
   * (`editCatalog`) shows at once. Without it the shop reads `catalog` (the sample by default).
   */
  readonly storeCatalog?: unknown;
  /** The customer machine's consultant limits (its `consultantTimeout` runs on the harness's clock). */
  readonly consultant?: { readonly maxQuestions?: number; readonly windowMs?: number; readonly timeoutMs?: number };
  /** `CART_REMINDER_MINUTES` (default 120). */
  readonly cartReminderMinutes?: number;
  /** How long a product photo may take before the card is shown as text. */
  readonly photoTimeoutMs?: number;
  /** Sessions elsewhere than the store; built afresh at every boot. */
  readonly sessionStorage?: () => StorageAdapter<ShopSession>;
  /**
   * Whether each delivered update waits for the effects it queued (the AI's answer, say), as a
   * customer sees them soon after (default true). Without it, a test calls `drain()` itself.
   */
  readonly drainAfterUpdates?: boolean;
  /** The clock's start (default Monday 2026-11-23 10:00 UTC, 13:00 in Moscow). */
  readonly startAt?: number;
  /** `PAYMENTS`, `STAR_PRICE`, `ORDER_PAYMENT_MINUTES` (default: pay on delivery only, 60 minutes). */
  readonly payments?: Partial<PaymentSettings>;
  /** `ORDER_FEEDBACK_HOURS` (default 24). */
  readonly feedbackHours?: number;
  /** `false`: no order actors, orders are rows only (a shop as it was before issue 12). */
  readonly orderActors?: boolean;
  /** `PAYMENT_PROVIDER_TOKEN` for provider invoices (default a test token of the stand-in's shape). */
  readonly providerToken?: string;
}

/** What stays across restarts: the folder, the clock, the stand-in, the AI stand-ins and what was recorded. */
interface HarnessEnv {
  readonly options: ShopHarnessOptions;
  readonly dir: string;
  readonly clock: ReturnType<typeof manualClock>;
  readonly standIn: BotApiStandIn;
  readonly catalog: Catalog;
  readonly consultant: ReturnType<typeof localConsultant>;
  readonly ownerAi: ReturnType<typeof localConsultant>;
  readonly notified: StoredOrder[];
  readonly log: Logger;
}

/** One boot of the process's parts on the harness's SQLite file. */
interface Parts {
  readonly store: CrmStore;
  readonly catalog: Catalog;
  readonly actors: CustomerActors;
  readonly bot: ReturnType<typeof createShopBot>;
  readonly owner: OwnerBot | undefined;
  /** The owner's campaign settings, as `npm start` loads them from the store. */
  readonly campaigns: CampaignSettingsStore;
}

/** The shop's payment settings in this harness: pay on delivery only unless the test says otherwise. */
function paymentsOf(options: ShopHarnessOptions): PaymentSettings {
  return { ...cashOnly, ...options.payments };
}

/** The customer machine as the composition provides it: the shop's reminder, quiet hours, terms and consultant limits. */
function machineFor(options: ShopHarnessOptions, consentVersion: string, campaigns: CampaignSettingsSource) {
  return provideCustomerSettings({
    cartReminderMinutes: options.cartReminderMinutes ?? 120,
    dormantDays: 30,
    timeZone: "Europe/Moscow",
    quietHours: defaultQuietHours,
    consentVersion,
    consultant: { maxQuestions: options.consultant?.maxQuestions ?? 20, windowMs: options.consultant?.windowMs ?? 3_600_000, timeoutMs: options.consultant?.timeoutMs ?? 60_000 },
  }, campaigns);
}

/** The store's catalog, seeded from a document when the store has none yet (the first boot). */
async function seededCatalog(store: CrmStore, document: unknown, at: number): Promise<Catalog> {
  await seedEmptyCatalog(store, catalogFileFromJson(document, "test-catalog.json"), "test-catalog.json", at);
  return storeCatalog(store);
}

function createOwner(env: HarnessEnv, parts: Omit<Parts, "bot" | "owner" | "catalog">, owner: OwnerHarnessOptions, sessions: StorageAdapter<OwnerSession> | undefined): OwnerBot {
  return createOwnerBot({
    token: ownerToken,
    apiRoot: env.standIn.apiRoot,
    botInfo: ownerBotInfo,
    runtime: parts.actors.runtime,
    orders: parts.actors.orders,
    store: parts.store,
    ownerIds: owner.ownerIds,
    campaigns: parts.campaigns,
    ...(owner.tagSet ? { tagSet: owner.tagSet } : {}),
    ai: owner.ai === null ? null : env.ownerAi.port,
    ...(owner.aiTimeoutMs ? { aiTimeoutMs: owner.aiTimeoutMs } : {}),
    ...(owner.noticeTimeoutMs ? { noticeTimeoutMs: owner.noticeTimeoutMs } : {}),
    ...(sessions ? { sessionStorage: sessions } : {}),
    currency: "RUB",
    timeZone: "Europe/Moscow",
    clock: env.clock,
    log: env.log,
  });
}

async function boot(env: HarnessEnv, consentVersion: string): Promise<Parts> {
  const { options, standIn, clock, log } = env;
  const store = await openSqliteStore({ path: join(env.dir, "crm.sqlite") });
  const catalog = options.storeCatalog === undefined ? env.catalog : await seededCatalog(store, options.storeCatalog, clock.now());
  const campaigns = await loadCampaignSettings(store, defaultCampaignSettings({ cartReminderMinutes: options.cartReminderMinutes ?? 120, winBackDays: 14 }));
  const ownerSessions = options.owner?.sessionStorage?.();
  const owners = options.owner
    ? ownerEffects({ api: new Api(ownerToken, { apiRoot: standIn.apiRoot }), store, ownerIds: options.owner.ownerIds, ...(ownerSessions ? { sessions: ownerSessions } : {}), timeZone: "Europe/Moscow", log })
    : ownerEffectsOff;
  // The owners' notice of an order is the owner side's effect; the harness also records each delivery of it.
  const notifyOwnersOfOrder: EffectHandler<"notifyOwnersOfOrder", CustomerEffectParams["notifyOwnersOfOrder"]> = async (request, signal) => {
    const order = await store.order(request.params.orderId);
    if (order) env.notified.push(order);
    return owners.notifyOwnersOfOrder(request, signal);
  };
  const ai = options.ai === null ? null : env.consultant.port;
  const shopApi = new Api(shopToken, { apiRoot: standIn.apiRoot });
  const effects = createShopEffects({ api: shopApi, catalog, ai, aiTimeoutMs: options.aiTimeoutMs ?? 5_000, timeZone: "Europe/Moscow", log, campaigns });
  const ownerSide = { api: new Api(ownerToken, { apiRoot: standIn.apiRoot }), store, ownerIds: options.owner?.ownerIds ?? [], ...(ownerSessions ? { sessions: ownerSessions } : {}), timeZone: "Europe/Moscow", log };
  const orderHandlers = { ...createShopOrderEffects({ api: shopApi, providerToken: options.providerToken ?? "284685063:TEST:shop-harness", timeZone: "Europe/Moscow", log }), ...(options.owner ? ownerOrderEffects(ownerSide) : ownerOrderEffectsOff) };
  const payments = paymentsOf(options);
  const orders = options.orderActors === false ? undefined : { handlers: orderHandlers, machine: provideOrderSettings({ paymentMinutes: payments.paymentMinutes, feedbackHours: options.feedbackHours ?? 24 }), payments: payments.methods };
  const actors = createCustomerActors({ store, clock, machine: machineFor(options, consentVersion, campaigns), handlers: { ...effects, notifyOwnersOfOrder }, ...(orders ? { orders } : {}), log, effects: { backoffMs: 1_000 } });
  await actors.runtime.recover();
  await actors.orders?.recover();
  const bot = createShopBot({
    token: shopToken,
    apiRoot: standIn.apiRoot,
    botInfo: shopBotInfo,
    runtime: actors.runtime,
    store,
    catalog,
    ai,
    ...(actors.orders ? { orders: actors.orders } : {}),
    payments,
    consentVersion,
    ...(options.sessionStorage ? { sessionStorage: options.sessionStorage() } : {}),
    ...(options.photoTimeoutMs !== undefined ? { photoTimeoutMs: options.photoTimeoutMs } : {}),
    timeZone: "Europe/Moscow",
    log,
  });
  await bot.init();
  const owner = options.owner ? createOwner(env, { store, actors, campaigns }, options.owner, ownerSessions) : undefined;
  await owner?.bot.init();
  return { store, catalog, actors, bot, owner, campaigns };
}

/** Drives one private chat with one of the bots, and reads back what that person sees. */
function chatDriver(standIn: BotApiStandIn, token: string, deliver: (update: Update) => Promise<void>, from: User, lead: () => Promise<Lead | null>) {
  const id = from.id;
  /** The message the person is looking at: the one most recently sent or edited in this chat. */
  const last = (): StoredMessage | undefined => standIn.viewedMessage(id, token);
  /** The newest message that shows a button with this text. */
  const withButton = (text: string): StoredMessage | undefined => standIn.messageWithButton(id, token, text);
  return {
    from,
    id,
    start: (payload?: string) => deliver(updates.command(from, "start", payload)),
    command: (name: string, payload?: string) => deliver(updates.command(from, name, payload)),
    send: (text: string) => deliver(updates.privateText(from, text)),
    /** Presses a button on the newest message that has it, as a customer would. */
    press: (text: string) => deliver(updates.press(from, withButton(text), text)),
    /** Presses a button on one particular (maybe old) message. */
    pressOn: (message: StoredMessage | undefined, text: string) => deliver(updates.press(from, message, text)),
    pressData: (data: string) => {
      const message = last();
      if (!message) throw new Error("no message to press on");
      return deliver(updates.callback(from, data, message));
    },
    shareContact: (phone: string, userId?: number | null) => deliver(updates.contact(from, phone, userId)),
    sticker: () => deliver(updates.sticker(from)),
    photo: () => deliver(updates.photo(from)),
    deliver,
    last,
    /** Text and button labels of the newest message. */
    screen: () => {
      const message = last();
      return { text: message?.text ?? message?.caption ?? "", buttons: standIn.buttonsOf(message).map((button) => button.text) };
    },
    messages: () => standIn.messages(id, token),
    replyKeyboard: () => standIn.replyKeyboard(id, token),
    lead,
    /** The toast or alert of the newest answered button press. */
    toast: () => standIn.callbackAnswers.findLast((answer) => answer.token === token)?.text,
  };
}

function recordingLog(lines: { level: string; event: string; fields: LogFields }[]): Logger {
  return {
    info: (event, fields = {}) => lines.push({ level: "info", event, fields }),
    warn: (event, fields = {}) => lines.push({ level: "warn", event, fields }),
    error: (event, fields = {}) => lines.push({ level: "error", event, fields }),
  };
}

/** The parts that outlive a restart: a temporary folder, the manual clock, the Bot API stand-in, the catalog, the AI stand-ins. */
async function harnessEnv(options: ShopHarnessOptions, log: Logger): Promise<HarnessEnv> {
  const clock = manualClock(options.startAt ?? Date.parse("2026-11-23T10:00:00Z"));
  updates.setUpdateClock(clock.now);
  return {
    options,
    dir: mkdtempSync(join(tmpdir(), "shop-bot-")),
    clock,
    standIn: await startBotApiStandIn({ botInfo: shopBotInfo, now: clock.now }),
    catalog: options.catalog ?? loadJsonCatalog(new URL("../../../catalog/sampleCatalog.json", import.meta.url).pathname),
    consultant: localConsultant(options.ai === null ? "answer" : (options.ai ?? "answer")),
    ownerAi: localConsultant(options.owner?.ai === null ? "answer" : (options.owner?.ai ?? "answer")),
    notified: [],
    log,
  };
}

/** Feeding updates to the bots of the current boot, and waiting for what they set off. */
function deliveries(env: HarnessEnv, current: () => Parts) {
  /** Commits what is queued, then delivers every effect due now (and what their replies queue). */
  async function drain(): Promise<void> {
    const { actors } = current();
    await actors.runtime.settled();
    await actors.orders?.settled();
    await actors.effects.drain();
    await actors.runtime.settled();
    await actors.orders?.settled();
  }
  return {
    drain,
    async deliver(update: Update): Promise<void> {
      env.standIn.observe(update);
      await current().bot.handleUpdate(update);
      if (env.options.drainAfterUpdates ?? true) await drain();
    },
    async deliverToOwnerBot(update: Update): Promise<void> {
      const { owner } = current();
      if (!owner) throw new Error("the harness runs no owner bot");
      env.standIn.observe(update);
      await owner.bot.handleUpdate(update);
    },
    leadOf: (id: number) => async (): Promise<Lead | null> => {
      await current().actors.runtime.settled();
      return current().store.lead(id);
    },
  };
}

/**
 * The shop bot as it runs, on real parts: a SQLite file in a temporary folder, the customer actors
 * (runtime, timer scheduler and effect worker, with the shop's effect handlers and the shop's
 * settings provided to the machine), the sample catalog, and grammY talking over HTTP to a local
 * Bot API stand-in. Updates go in through `bot.handleUpdate`; what the customer sees is read back
 * from the stand-in. Time is a manual clock: timers fire only when a test moves it (`advance`) and
 * effects are delivered when drained; each delivered update drains the effects it queued.
 */
export async function startShopHarness(options: ShopHarnessOptions = {}) {
  const logLines: { level: string; event: string; fields: LogFields }[] = [];
  const env = await harnessEnv(options, recordingLog(logLines));
  const { dir, clock } = env;
  let consentVersion = options.consentVersion ?? "2026-01";
  let parts = await boot(env, consentVersion);
  const { drain, deliver, deliverToOwnerBot, leadOf } = deliveries(env, () => parts);
  const payments = paymentDriver(env.standIn, shopToken, deliver);
  const user = (id: number, defaults: Parameters<typeof updates.user>[1], profile: Parameters<typeof updates.user>[1]) => updates.user(id, { ...defaults, ...profile });

  return {
    dir,
    clock,
    shopToken,
    standIn: env.standIn,
    get catalog() {
      return parts.catalog;
    },
    /** An owner's edit of the store's catalog (a price, a stock), as the owner bot applies it. */
    editCatalog: (change: CatalogChange): Promise<void> => parts.store.transact((tx) => tx.applyCatalogEdit({ by: { kind: "owner", id: 1 }, at: clock.now(), change })),
    consultant: env.consultant,
    ownerAi: env.ownerAi,
    notified: env.notified,
    logLines,
    get store() {
      return parts.store;
    },
    get runtime() {
      return parts.actors.runtime;
    },
    get actors() {
      return parts.actors;
    },
    get bot() {
      return parts.bot;
    },
    /** The owner's campaign settings of the current boot (what the owner bot's 📣 screen saves). */
    get campaigns() {
      return parts.campaigns;
    },
    get owner() {
      if (!parts.owner) throw new Error("the harness runs no owner bot");
      return parts.owner;
    },
    customer: (id: number, profile: Parameters<typeof updates.user>[1] = {}) =>
      chatDriver(env.standIn, shopToken, deliver, user(id, { first_name: "Анна", username: `customer${id}`, language_code: "ru" }, profile), leadOf(id)),
    ownerChat: (id: number, profile: Parameters<typeof updates.user>[1] = {}) =>
      chatDriver(env.standIn, ownerToken, deliverToOwnerBot, user(id, { first_name: "Ольга", username: `owner${id}`, language_code: "ru" }, profile), leadOf(id)),
    deliver,
    deliverToOwnerBot,
    drain,
    /** The customer pays the newest invoice in their chat (see {@link paymentDriver}). */
    pay: payments.pay,
    /** Delivers to the shop bot what the stand-in queued for it (a forged payment, say). */
    deliverQueued: payments.deliverQueued,
    lastInvoice: payments.lastInvoice,
    /** The order actors of the current boot. */
    get orders() {
      const orders = parts.actors.orders;
      if (!orders) throw new Error("the harness runs without order actors");
      return orders;
    },
    /** Moves the clock, fires every timer due by then, and delivers the effects they queued. */
    async advance(ms: number): Promise<void> {
      clock.advance(ms);
      await parts.actors.timers.fireDue(clock.now());
      await drain();
    },
    /** The customer's actor as it is now. */
    snapshotOf: (userId: number): Promise<CustomerSnapshot> => parts.actors.runtime.snapshotOf(userId),
    /** Stops and starts the process's parts on the same SQLite file, as a restart would. */
    async restart(changes: { readonly consentVersion?: string } = {}): Promise<void> {
      await parts.actors.stop();
      await parts.store.close();
      consentVersion = changes.consentVersion ?? consentVersion;
      parts = await boot(env, consentVersion);
    },
    async close(): Promise<void> {
      await parts.actors.stop();
      await parts.store.close();
      await env.standIn.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type ShopHarness = Awaited<ReturnType<typeof startShopHarness>>;
export type ShopCustomer = ReturnType<ShopHarness["customer"]>;
export type OwnerChat = ReturnType<ShopHarness["ownerChat"]>;
