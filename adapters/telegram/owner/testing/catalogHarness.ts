import { Api } from "grammy";
import type { Message, Update, User } from "grammy/types";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Catalog } from "../../../../actors/catalog.port.ts";
import { createCustomerActors, type CustomerActors } from "../../../../actors/customerActors.ts";
import type { LogFields, Logger } from "../../../../actors/log.port.ts";
import type { CrmStore } from "../../../../actors/store.port.ts";
import { seedEmptyCatalog } from "../../../catalog/catalogSeed.ts";
import { readCatalogFile } from "../../../catalog/jsonCatalog.ts";
import { storeCatalog } from "../../../catalog/storeCatalog.ts";
import { openSqliteStore } from "../../../sqlite/sqliteStore.ts";
import { manualClock } from "../../../storeContract.ts";
import { startBotApiStandIn, testBotInfo, type StoredMessage } from "../../testing/botApiStandIn.ts";
import * as updates from "../../testing/telegramUpdates.ts";
import { startUserFiles, type UserFileIds } from "../../testing/userFilesStandIn.ts";
import { createShopBot } from "../../shop/shopBot.ts";
import { createShopEffects } from "../../shop/shopEffects.ts";
import { createOwnerBot, type OwnerBot } from "../ownerBot.ts";
import { ownerEffectsOff } from "../ownerEffects.ts";

export const ownerToken = "7003:owner-test-token-not-real";
export const shopToken = "7001:shop-test-token-not-real";
const ownerBotInfo = testBotInfo({ id: 7003, first_name: "CRM", username: "shop_crm_owner_bot", can_join_groups: false });
const shopBotInfo = testBotInfo({ id: 7001, first_name: "Чайная", username: "tea_shop_bot", can_join_groups: false });

/** The seed the harness starts from: two shelves, a tracked product, an untracked one, one with a photo link. */
export const teaShop = {
  categories: [
    { id: "tea", emoji: "🍵", title: "Чай" },
    { id: "coffee", emoji: "☕", title: "Кофе" },
  ],
  products: [
    { id: "sencha", categoryId: "tea", title: "Сенча", description: "Японский зелёный чай.", price: 590, currency: "RUB", stock: 5 },
    { id: "puer", categoryId: "tea", title: "Шу пуэр", description: "Землистый, плотный.", price: 990, currency: "RUB" },
    { id: "kenya", categoryId: "coffee", title: "Кения AA", description: "Ягодный.", price: 1200, currency: "RUB", photo: "https://example.com/kenya.jpg" },
  ],
};

/**
 * The shop and the owner bot on one SQLite file, as `npm start` composes them since the catalog
 * moved into the store: the seed imported on the first boot, the shop reading `storeCatalog`, and
 * the owner bot editing and importing the catalog. grammY talks over HTTP to the Bot API stand-in;
 * the owner bot's requests pass through the file server (userFilesStandIn.ts), which answers
 * `getFile` and downloads for what the owner sends. Orders are rows (no order actors here).
 */
export async function startCatalogHarness(options: { readonly ownerIds?: readonly number[]; readonly seed?: unknown } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "owner-catalog-"));
  const seedPath = join(dir, "catalog.json");
  writeFileSync(seedPath, JSON.stringify(options.seed ?? teaShop));
  const clock = manualClock(Date.parse("2026-11-23T10:00:00Z"));
  updates.setUpdateClock(clock.now);
  const standIn = await startBotApiStandIn({ botInfo: ownerBotInfo, now: clock.now });
  const files = await startUserFiles(standIn.apiRoot);
  const logLines: { level: string; event: string; fields: LogFields }[] = [];
  const line = (level: string) => (event: string, fields: LogFields = {}) => void logLines.push({ level, event, fields });
  const log: Logger = { info: line("info"), warn: line("warn"), error: line("error") };
  const ownerIds = options.ownerIds ?? [100];

  let store: CrmStore;
  let actors: CustomerActors;
  let owner: OwnerBot;
  let shop: ReturnType<typeof createShopBot>;
  let catalog: Catalog;

  async function boot(): Promise<void> {
    store = openSqliteStore({ path: join(dir, "crm.sqlite") });
    await seedEmptyCatalog(store, readCatalogFile(seedPath), seedPath, clock.now());
    catalog = storeCatalog(store);
    const effects = createShopEffects({ api: new Api(shopToken, { apiRoot: standIn.apiRoot }), catalog, ai: null, aiTimeoutMs: 5_000, timeZone: "Europe/Moscow", log });
    actors = createCustomerActors({ store, clock, handlers: { ...effects, ...ownerEffectsOff }, log });
    await actors.runtime.recover();
    shop = createShopBot({ token: shopToken, apiRoot: standIn.apiRoot, botInfo: shopBotInfo, runtime: actors.runtime, store, catalog, ai: null, consentVersion: "2026-01", timeZone: "Europe/Moscow", log });
    owner = createOwnerBot({
      token: ownerToken,
      apiRoot: files.apiRoot,
      botInfo: ownerBotInfo,
      runtime: actors.runtime,
      store,
      ownerIds,
      currency: "RUB",
      timeZone: "Europe/Moscow",
      clock,
      log,
      catalog: { photoDir: join(dir, "photos"), seedPath },
    });
    await Promise.all([shop.init(), owner.bot.init()]);
  }
  await boot();

  async function settle(): Promise<void> {
    await actors.runtime.settled();
    await actors.effects.drain();
  }

  function driver(token: string, from: User, deliver: (update: Update) => Promise<void>) {
    const last = (): StoredMessage | undefined => standIn.viewedMessage(from.id, token);
    return {
      from,
      deliver,
      command: (name: string, payload?: string) => deliver(updates.command(from, name, payload)),
      send: (text: string) => deliver(updates.privateText(from, text)),
      press: (text: string) => deliver(updates.press(from, standIn.messageWithButton(from.id, token, text), text)),
      pressOn: (message: StoredMessage | undefined, text: string) => deliver(updates.press(from, message, text)),
      pressData: (data: string) => {
        const message = last();
        if (!message) throw new Error("no message to press on");
        return deliver(updates.callback(from, data, message));
      },
      last,
      screen: () => {
        const message = last();
        return { text: message?.text ?? message?.caption ?? "", buttons: standIn.buttonsOf(message).map((button) => button.text) };
      },
      messages: () => standIn.messages(from.id, token),
      toast: () => standIn.callbackAnswers.findLast((answer) => answer.token === token)?.text,
    };
  }

  /** A message of the owner carrying `fields` in place of text (a document, a photo), as Telegram sends it. */
  function withMedia(from: User, fields: Partial<Message>): Update {
    const update = updates.privateText(from, "media");
    const { text: _text, ...message } = update.message as Message & { text?: string };
    return { ...update, message: { ...message, ...fields } as Update["message"] };
  }

  function ownerChat(id: number, profile: Parameters<typeof updates.user>[1] = {}) {
    const from = updates.user(id, { first_name: "Ольга", username: `owner${id}`, language_code: "ru", ...profile });
    const deliver = async (update: Update): Promise<void> => {
      standIn.observe(update);
      await owner.bot.handleUpdate(update);
    };
    return {
      ...driver(ownerToken, from, deliver),
      /** Sends a file as a document: its bytes are served by getFile; `size` claims another size, as Telegram reports it. */
      sendDocument: (name: string, content: string | Uint8Array, options: { readonly mime?: string; readonly size?: number } = {}): Promise<void> => {
        const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
        const ids = files.add(ownerToken, bytes, { name, ...(options.size !== undefined ? { size: options.size } : {}) });
        return deliver(withMedia(from, { document: { ...ids, file_name: name, ...(options.mime ? { mime_type: options.mime } : {}) } }));
      },
      /** Sends a photo in two sizes; the larger one's bytes are `bytes`. */
      sendPhoto: (bytes: Uint8Array): Promise<{ readonly small: UserFileIds; readonly large: UserFileIds }> => {
        const small = files.add(ownerToken, bytes.subarray(0, 16), { name: "small.jpg" });
        const large = files.add(ownerToken, bytes, { name: "large.jpg" });
        const photo = [
          { ...large, width: 1280, height: 960 },
          { ...small, width: 90, height: 90 },
        ];
        return deliver(withMedia(from, { photo })).then(() => ({ small, large }));
      },
    };
  }

  function customer(id: number) {
    const from = updates.user(id, { first_name: "Анна", username: `customer${id}`, language_code: "ru" });
    return driver(shopToken, from, async (update) => {
      standIn.observe(update);
      await shop.handleUpdate(update);
      await settle();
    });
  }

  return {
    dir,
    seedPath,
    clock,
    standIn,
    files,
    logLines,
    get store() {
      return store;
    },
    get catalog() {
      return catalog;
    },
    ownerChat,
    customer,
    settle,
    async restart(): Promise<void> {
      await actors.stop();
      await store.close();
      await boot();
    },
    async close(): Promise<void> {
      await actors.stop();
      await store.close();
      await files.close();
      await standIn.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type CatalogHarness = Awaited<ReturnType<typeof startCatalogHarness>>;
