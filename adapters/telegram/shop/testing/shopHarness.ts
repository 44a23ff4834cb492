import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Update, User, UserFromGetMe } from "grammy/types";
import type { Catalog } from "../../../../actors/catalog.port.ts";
import { createCustomerRuntime, type CustomerRuntime } from "../../../../actors/customerRuntime.ts";
import type { LogFields } from "../../../../actors/log.port.ts";
import type { CrmStore, Lead, StoredOrder } from "../../../../actors/store.port.ts";
import { localConsultant, type LocalConsultantMode } from "../../../ai/testing/localConsultant.ts";
import { loadJsonCatalog } from "../../../catalog/jsonCatalog.ts";
import { openSqliteStore } from "../../../sqlite/sqliteStore.ts";
import { manualClock } from "../../../storeContract.ts";
import { startBotApiStandIn, testBotInfo, type StoredMessage } from "../../testing/botApiStandIn.ts";
import * as updates from "../../testing/telegramUpdates.ts";
import type { StorageAdapter } from "grammy";
import { createOwnerBot, type OwnerBot } from "../../owner/ownerBot.ts";
import type { OwnerSession } from "../../owner/ownerSession.ts";
import { createShopBot } from "../shopBot.ts";

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
  readonly consentVersion?: string;
  readonly catalog?: Catalog;
  readonly consultant?: { readonly maxQuestions?: number; readonly windowMs?: number; readonly timeoutMs?: number };
  /** How long a product photo may take before the card is shown as text. */
  readonly photoTimeoutMs?: number;
}

/**
 * The shop bot as it runs, on real parts: a SQLite file in a temporary folder, the customer
 * runtime, the sample catalog, and grammY talking over HTTP to a local Bot API stand-in.
 * Updates go in through `bot.handleUpdate`; what the customer sees is read back from the stand-in.
 */
export async function startShopHarness(options: ShopHarnessOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), "shop-bot-"));
  const clock = manualClock(Date.parse("2026-11-23T10:00:00Z"));
  updates.setUpdateClock(clock.now);
  const standIn = await startBotApiStandIn({ botInfo: shopBotInfo, now: clock.now });
  const catalog = options.catalog ?? loadJsonCatalog(new URL("../../../catalog/sampleCatalog.json", import.meta.url).pathname);
  const consultant = localConsultant(options.ai === null ? "answer" : (options.ai ?? "answer"));
  const notified: StoredOrder[] = [];
  const logLines: { level: string; event: string; fields: LogFields }[] = [];
  const log = {
    info: (event: string, fields: LogFields = {}) => logLines.push({ level: "info", event, fields }),
    warn: (event: string, fields: LogFields = {}) => logLines.push({ level: "warn", event, fields }),
    error: (event: string, fields: LogFields = {}) => logLines.push({ level: "error", event, fields }),
  };

  let store: CrmStore;
  let runtime: CustomerRuntime;
  let bot: ReturnType<typeof createShopBot>;
  let owner: OwnerBot | undefined;
  const ownerAi = localConsultant(options.owner?.ai === null ? "answer" : (options.owner?.ai ?? "answer"));

  let consentVersion = options.consentVersion ?? "2026-01";

  async function boot(): Promise<void> {
    store = await openSqliteStore({ path: join(dir, "crm.sqlite") });
    runtime = createCustomerRuntime({ store, clock });
    bot = createShopBot({
      token: shopToken,
      apiRoot: standIn.apiRoot,
      botInfo: shopBotInfo,
      runtime,
      store,
      catalog,
      ai: options.ai === null ? null : consultant.port,
      orders: {
        orderPlaced: async (order) => {
          notified.push(order);
          await owner?.notifications.orderPlaced(order);
        },
      },
      consentVersion,
      ...(options.consultant ? { consultant: options.consultant } : {}),
      ...(options.photoTimeoutMs !== undefined ? { photoTimeoutMs: options.photoTimeoutMs } : {}),
      timeZone: "Europe/Moscow",
      clock,
      log,
    });
    await bot.init();
    if (options.owner) {
      owner = createOwnerBot({
        token: ownerToken,
        apiRoot: standIn.apiRoot,
        botInfo: ownerBotInfo,
        runtime,
        store,
        ownerIds: options.owner.ownerIds,
        ...(options.owner.tagSet ? { tagSet: options.owner.tagSet } : {}),
        ai: options.owner.ai === null ? null : ownerAi.port,
        ...(options.owner.aiTimeoutMs ? { aiTimeoutMs: options.owner.aiTimeoutMs } : {}),
        ...(options.owner.noticeTimeoutMs ? { noticeTimeoutMs: options.owner.noticeTimeoutMs } : {}),
        ...(options.owner.sessionStorage ? { sessionStorage: options.owner.sessionStorage() } : {}),
        currency: "RUB",
        timeZone: "Europe/Moscow",
        clock,
        log,
      });
      await owner.bot.init();
    }
  }
  await boot();

  async function deliver(update: Update): Promise<void> {
    standIn.observe(update);
    await bot.handleUpdate(update);
  }

  async function deliverToOwnerBot(update: Update): Promise<void> {
    if (!owner) throw new Error("the harness runs no owner bot");
    standIn.observe(update);
    await owner.bot.handleUpdate(update);
  }

  function customer(id: number, profile: Parameters<typeof updates.user>[1] = {}) {
    return chat(shopToken, deliver, updates.user(id, { first_name: "Анна", username: `customer${id}`, language_code: "ru", ...profile }));
  }

  function ownerChat(id: number, profile: Parameters<typeof updates.user>[1] = {}) {
    return chat(ownerToken, deliverToOwnerBot, updates.user(id, { first_name: "Ольга", username: `owner${id}`, language_code: "ru", ...profile }));
  }

  /** Drives one private chat with one of the bots, and reads back what that person sees. */
  function chat(token: string, deliver: (update: Update) => Promise<void>, from: User) {
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
      lead: async (): Promise<Lead | null> => {
        await runtime.settled();
        return store.lead(id);
      },
      /** The toast or alert of the newest answered button press. */
      toast: () => standIn.callbackAnswers.findLast((answer) => answer.token === token)?.text,
    };
  }

  return {
    dir,
    clock,
    standIn,
    catalog,
    consultant,
    notified,
    logLines,
    get store() {
      return store;
    },
    get runtime() {
      return runtime;
    },
    get bot() {
      return bot;
    },
    ownerAi,
    get owner() {
      if (!owner) throw new Error("the harness runs no owner bot");
      return owner;
    },
    customer,
    ownerChat,
    deliver,
    deliverToOwnerBot,
    /** Stops and starts the process's parts on the same SQLite file, as a restart would. */
    async restart(changes: { readonly consentVersion?: string } = {}): Promise<void> {
      await runtime.close();
      await store.close();
      consentVersion = changes.consentVersion ?? consentVersion;
      await boot();
    },
    async close(): Promise<void> {
      await runtime.close();
      await store.close();
      await standIn.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type ShopHarness = Awaited<ReturnType<typeof startShopHarness>>;
export type ShopCustomer = ReturnType<ShopHarness["customer"]>;
export type OwnerChat = ReturnType<ShopHarness["ownerChat"]>;
