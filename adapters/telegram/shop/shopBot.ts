import { autoRetry } from "@grammyjs/auto-retry";
import { Bot, lazySession, type StorageAdapter } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { AiPort } from "../../../actors/ai.port.ts";
import type { Catalog } from "../../../actors/catalog.port.ts";
import type { CustomerRuntime } from "../../../actors/customerRuntime.ts";
import { silentLogger, type Logger } from "../../../actors/log.port.ts";
import type { OrderCommands } from "../../../actors/orders.port.ts";
import type { CrmStore } from "../../../actors/store.port.ts";
import { lastResort, logEachUpdate, oneUpdatePerChat, updateBoundary } from "../botPlumbing.ts";
import { showScreen } from "../showScreen.ts";
import { storeSessionStorage } from "../storeSessionStorage.ts";
import { cashOnly, type PaymentSettings } from "./orderPayments.ts";
import { productPhotos } from "./productPhotos.ts";
import { shopBlocking } from "./shopBlocking.ts";
import { shopCart } from "./shopCart.ts";
import { shopCatalog } from "./shopCatalog.ts";
import { shopCheckout } from "./shopCheckout.ts";
import { shopConsultant } from "./shopConsultant.ts";
import { createShopI18n, languageOf, type Shop, type ShopContext } from "./shopContext.ts";
import { shopFallbacks } from "./shopFallbacks.ts";
import { shopNavigation } from "./shopNavigation.ts";
import { shopNews } from "./shopNews.ts";
import { shopOrders } from "./shopOrders.ts";
import { shopPayments } from "./shopPayments.ts";
import { shopPrivacy } from "./shopPrivacy.ts";
import { shopRedelivery } from "./shopRedelivery.ts";
import { shopSessionKey, shopSessionStorage, type ShopSession } from "./shopSession.ts";

export type { ShopContext } from "./shopContext.ts";
export { languageOf } from "./shopContext.ts";
export { createShopEffects, type ShopEffectHandlers, type ShopEffectsOptions } from "./shopEffects.ts";
export { createShopOrderEffects, type ShopOrderEffectHandlers, type ShopOrderEffectsOptions } from "./shopOrderEffects.ts";

export interface ShopBotOptions {
  readonly token: string;
  /** A self-hosted Bot API server, or a local stand-in in tests. */
  readonly apiRoot?: string;
  /** Skips `getMe` at start-up (tests, and faster cold starts). */
  readonly botInfo?: UserFromGetMe;
  readonly runtime: CustomerRuntime;
  readonly store: CrmStore;
  readonly catalog: Catalog;
  /** Absent: the consultant button is hidden. The AI itself is called by the `askConsultant` effect's handler. */
  readonly ai?: AiPort | null;
  /** Where the pages of a search are kept; by default in the CRM's own store. */
  readonly sessionStorage?: StorageAdapter<ShopSession>;
  /** The current version of the data processing terms; a change asks every customer again. */
  readonly consentVersion: string;
  readonly timeZone?: string;
  /** How long a product photo may take before its card is shown as text instead (default 15 s). */
  readonly photoTimeoutMs?: number;
  readonly log?: Logger;
  /** The order actors; without them orders are only listed, and payments other than cash cannot be taken. */
  readonly orders?: OrderCommands;
  /** `PAYMENTS`, `STAR_PRICE`, `ORDER_PAYMENT_MINUTES`; pay on delivery only by default. */
  readonly payments?: PaymentSettings;
}

/**
 * The customers' bot: catalog, search, cart, checkout (with the payment method), payments (the
 * pre-checkout answer and the successful payment), "My orders", consent, data rights and the
 * consultant, one Composer per feature. Every customer action becomes an event of their actor, keyed by the
 * Telegram update, so a redelivered update changes nothing; the screen is drawn from the snapshot
 * the committed event left. What reaches outside (the order's notice, the AI, reminders) is the
 * machine's effects, delivered by their handlers (`createShopEffects`, and the order's
 * `createShopOrderEffects`: invoices, notices, Stars refunds, the rating question). Private chats
 * only, but for a pre-checkout query, which has no chat; one update per chat at a time.
 */
export function createShopBot(options: ShopBotOptions): Bot<ShopContext> {
  const { runtime, store } = options;
  const log = options.log ?? silentLogger;
  const bot = new Bot<ShopContext>(options.token, {
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
    client: { ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}) },
  });
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));
  const i18n = createShopI18n();
  // Catalog pictures are uploaded once; their file_ids live in the store, under `photo:` keys.
  const showOptions = { photos: productPhotos(store, () => bot.botInfo.id), ...(options.photoTimeoutMs !== undefined ? { photoTimeoutMs: options.photoTimeoutMs } : {}) };
  const shop: Shop = {
    runtime,
    store,
    catalog: options.catalog,
    consentVersion: options.consentVersion,
    aiEnabled: (options.ai ?? null) !== null,
    timeZone: options.timeZone ?? "Europe/Moscow",
    log,
    orders: options.orders ?? null,
    payments: options.payments ?? cashOnly,
    show: (ctx, screen) => showScreen(ctx, screen, log, showOptions),
  };

  const blocking = shopBlocking(runtime, log);
  bot.use(updateBoundary<ShopContext>({ bot: "shop", log, failureText: (ctx) => i18n.t(languageOf(ctx), "error-generic"), onBlocked: blocking.recordBlocked }));
  bot.use(oneUpdatePerChat, logEachUpdate("shop", log), blocking.composer, i18n);
  bot.catch(lastResort("shop", log));

  // A pre-checkout query has no chat; a payment is keyed by its charge, so it goes before any feature.
  bot.use(shopPayments(shop));
  const chats = bot.chatType("private");
  // Read only by the updates that page a search, and written only by those that search.
  chats.use(
    lazySession({
      storage: shopSessionStorage(options.sessionStorage ?? storeSessionStorage<ShopSession>(store)),
      getSessionKey: (ctx) => (ctx.chat ? shopSessionKey(ctx.chat.id) : undefined),
    }),
  );
  // Order matters: a message already applied goes no further; commands first; the checkout and the
  // consultant take text while under way; then search.
  chats.use(shopRedelivery(shop), shopNavigation(shop), shopOrders(shop), shopCart(shop), shopCheckout(shop), shopPrivacy(shop), shopNews(shop), shopConsultant(shop), shopCatalog(shop));
  bot.use(shopFallbacks(shop));
  return bot;
}
