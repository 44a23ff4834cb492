import { autoRetry } from "@grammyjs/auto-retry";
import { I18n, type I18nFlavor } from "@grammyjs/i18n";
import { Bot, Context, InlineKeyboard, Keyboard, session, type SessionFlavor, type StorageAdapter } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { fileURLToPath } from "node:url";
import { aiFailureOf, type AiPort } from "../../../actors/ai.port.ts";
import { addToCart, decrement, itemsCount, orderItemsOf, priceCart, qtyOf, removeLine } from "../../../actors/cart.ts";
import type { Catalog, Product } from "../../../actors/catalog.port.ts";
import { systemClock, type Clock, type CustomerRuntime } from "../../../actors/customerRuntime.ts";
import { describeError, silentLogger, type Logger } from "../../../actors/log.port.ts";
import type { OrderNotifications } from "../../../actors/orders.port.ts";
import type { CrmStore, Lead, Page } from "../../../actors/store.port.ts";
import { checkoutMachine, checkoutVersion, maxDeliveryChars } from "../../../machines/checkout.machine.ts";
import { consultantMachine, consultantVersion, maxQuestionChars } from "../../../machines/consultant.machine.ts";
import { persistFlow, restoreFlow, startFlow, stepFlow } from "../flowState.ts";
import { clip, escapeHtml, formatMoney } from "../format.ts";
import { rememberBundleMatches } from "../i18nCache.ts";
import { lastResort, logEachUpdate, oneUpdatePerChat, updateBoundary } from "../botPlumbing.ts";
import { shopBlocking } from "./shopBlocking.ts";
import { showScreen } from "../showScreen.ts";
import { storeSessionStorage } from "../storeSessionStorage.ts";
import { productPhotos } from "./productPhotos.ts";
import { shopButtons, type ShopButton } from "./shopButtons.ts";
import {
  cartScreen,
  categoriesScreen,
  categoryScreen,
  consentScreen,
  consultantScreen,
  forgetScreen,
  mainMenu,
  myDataScreen,
  privacyScreen,
  productScreen,
  productsPerPage,
  resultsPerPage,
  searchScreen,
  summaryScreen,
  type Screen,
  type View,
} from "./shopScreens.ts";
import { initialShopSession, maxSearchIds, shopSessionKey, shopSessionStorage, type ShopSession } from "./shopSession.ts";

export type ShopContext = Context & SessionFlavor<ShopSession> & I18nFlavor;

export interface ShopBotOptions {
  readonly token: string;
  /** A self-hosted Bot API server, or a local stand-in in tests. */
  readonly apiRoot?: string;
  /** Skips `getMe` at start-up (tests, and faster cold starts). */
  readonly botInfo?: UserFromGetMe;
  readonly runtime: CustomerRuntime;
  readonly store: CrmStore;
  readonly catalog: Catalog;
  /** Absent: the consultant button is hidden. */
  readonly ai?: AiPort | null;
  readonly orders?: OrderNotifications;
  /** Where carts and flows live; by default in the CRM's own store. */
  readonly sessionStorage?: StorageAdapter<ShopSession>;
  /** The current version of the data processing terms; a change asks every customer again. */
  readonly consentVersion: string;
  readonly consultant?: { readonly maxQuestions?: number; readonly windowMs?: number; readonly timeoutMs?: number };
  readonly timeZone?: string;
  /** How long a product photo may take before its card is shown as text instead (default 15 s). */
  readonly photoTimeoutMs?: number;
  readonly clock?: Clock;
  readonly log?: Logger;
}

const localesDir = fileURLToPath(new URL("./locales", import.meta.url));
/** How much of the catalog the consultant sees with each question. */
const consultantCatalogChars = 6_000;

/** Russian is the default; an English-speaking Telegram client gets English. */
export function languageOf(ctx: Context): "ru" | "en" {
  return ctx.from?.language_code?.toLowerCase().startsWith("en") ? "en" : "ru";
}

/** The readable order id of a checkout: unique because the event seq is, and the same on a redelivery. */
export function orderIdOf(checkoutSeq: number): string {
  return `SO-${checkoutSeq.toString(36).toUpperCase()}`;
}

/**
 * The customers' bot: catalog, search, cart, checkout, consent, data rights and the consultant.
 * Every customer action becomes a runtime event with a key derived from the Telegram update id,
 * so a redelivered update changes nothing. Private chats only; one update per chat at a time.
 */
export function createShopBot(options: ShopBotOptions): Bot<ShopContext> {
  const { runtime, store, catalog, consentVersion } = options;
  const ai = options.ai ?? null;
  const clock = options.clock ?? systemClock;
  const log = options.log ?? silentLogger;
  const timeZone = options.timeZone ?? "Europe/Moscow";
  const limits = {
    maxQuestions: options.consultant?.maxQuestions ?? 20,
    windowMs: options.consultant?.windowMs ?? 60 * 60_000,
    timeoutMs: options.consultant?.timeoutMs ?? 30_000,
  };

  const bot = new Bot<ShopContext>(options.token, {
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
    client: { ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}) },
  });
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));

  const i18n = new I18n<ShopContext>({
    defaultLocale: "ru",
    directory: localesDir,
    localeNegotiator: languageOf,
    fluentBundleOptions: { useIsolating: false },
  });
  rememberBundleMatches(i18n);

  const view = (ctx: ShopContext): View => ({
    t: (key, vars) => ctx.t(key, vars),
    locale: languageOf(ctx) === "en" ? "en-US" : "ru-RU",
    timeZone,
  });
  const keyOf = (ctx: ShopContext, what: string): string => `shop:${ctx.update.update_id}:${what}`;
  const userOf = (ctx: ShopContext): number => {
    if (!ctx.from) throw new Error("an update without a sender");
    return ctx.from.id;
  };

  // ── plumbing: everything below runs inside the one boundary ─────────────────
  const blocking = shopBlocking(runtime, log);
  bot.use(updateBoundary<ShopContext>({ bot: "shop", log, failureText: (ctx) => i18n.t(languageOf(ctx), "error-generic"), onBlocked: blocking.recordBlocked }));
  bot.use(oneUpdatePerChat);
  bot.use(logEachUpdate("shop", log));
  bot.use(blocking.composer);
  bot.use(i18n);
  bot.catch(lastResort("shop", log));

  // Groups and channels: the shop talks to customers one to one only.
  bot.chatType(["group", "supergroup"]).command("start", async (ctx) => {
    await ctx.reply(ctx.t("private-only"), {
      reply_markup: new InlineKeyboard().url(ctx.t("btn-open-private"), `https://t.me/${ctx.me.username}?start=group`),
    });
  });

  const shop = bot.chatType("private");
  shop.use(
    session({
      initial: initialShopSession,
      storage: shopSessionStorage(options.sessionStorage ?? storeSessionStorage<ShopSession>(store)),
      getSessionKey: (ctx) => (ctx.chat ? shopSessionKey(ctx.chat.id) : undefined),
    }),
  );

  // Catalog pictures are uploaded once; their file_ids live in the store, under `photo:` keys.
  const photos = productPhotos(store, () => bot.botInfo.id);
  const showOptions = { photos, ...(options.photoTimeoutMs !== undefined ? { photoTimeoutMs: options.photoTimeoutMs } : {}) };
  const show = (ctx: ShopContext, screen: Screen): Promise<void> => showScreen(ctx, screen, log, showOptions);

  async function answer(ctx: ShopContext, text?: string, alert = false): Promise<void> {
    if (!ctx.callbackQuery) {
      if (text) await ctx.reply(text, { parse_mode: "HTML" });
      return;
    }
    await ctx.answerCallbackQuery(text ? { text: clip(text.replace(/<[^>]+>/g, ""), 190), show_alert: alert } : {}).catch(() => undefined);
  }

  const menuOf = (ctx: ShopContext, text?: string): Screen => mainMenu(view(ctx), ctx.session.cart, { aiEnabled: ai !== null, ...(text ? { text } : {}) });

  async function currentLead(userId: number): Promise<Lead> {
    const snapshot = await runtime.snapshotOf(userId);
    return { ...snapshot.context, stage: snapshot.value };
  }

  const consentIsCurrent = (lead: Lead): boolean => lead.consentAt !== null && lead.consentVersion === consentVersion;

  /** Whether to ask: no consent to the current terms, and no "not now" to this version of them. */
  const needsConsent = (ctx: ShopContext, lead: Lead): boolean => !consentIsCurrent(lead) && ctx.session.consentDeclined !== consentVersion;

  async function askConsentIfNeeded(ctx: ShopContext, lead: Lead): Promise<void> {
    if (!needsConsent(ctx, lead)) return;
    const screen = consentScreen(view(ctx), consentVersion);
    await ctx.reply(screen.text, { parse_mode: "HTML", reply_markup: screen.keyboard });
  }

  // ── flows kept in the session ───────────────────────────────────────────────
  const checkoutOf = (ctx: ShopContext) => restoreFlow(checkoutMachine, checkoutVersion, ctx.session.checkout);
  type CheckoutSnapshot = NonNullable<ReturnType<typeof checkoutOf>>;
  function keepCheckout(ctx: ShopContext, snapshot: CheckoutSnapshot | null): void {
    ctx.session.checkout = snapshot && snapshot.status === "active" ? persistFlow(checkoutMachine, checkoutVersion, snapshot) : null;
  }

  const consultantOf = (ctx: ShopContext) => restoreFlow(consultantMachine, consultantVersion, ctx.session.consultant);
  type ConsultantSnapshot = NonNullable<ReturnType<typeof consultantOf>>;
  function keepConsultant(ctx: ShopContext, snapshot: ConsultantSnapshot | null): void {
    ctx.session.consultant = snapshot && snapshot.value !== "idle" ? persistFlow(consultantMachine, consultantVersion, snapshot) : null;
  }

  /** Leaves the consultant and drops a half-done checkout (the cart stays): /start, /menu and the menu button. */
  async function resetFlows(ctx: ShopContext): Promise<void> {
    const hadReplyKeyboard = checkoutOf(ctx) !== null;
    ctx.session.consultant = null;
    ctx.session.checkout = null;
    if (hadReplyKeyboard) await ctx.reply(ctx.t("checkout-cancelled"), { reply_markup: { remove_keyboard: true } });
  }

  // ── commands ────────────────────────────────────────────────────────────────
  shop.command("start", async (ctx) => {
    const payload = typeof ctx.match === "string" ? ctx.match.trim() : "";
    const source = /^[A-Za-z0-9_-]{1,64}$/.test(payload) ? payload : null;
    const from = ctx.from;
    const name = clip([from.first_name, from.last_name].filter(Boolean).join(" ").trim(), 64) || null;
    await runtime.dispatch(from.id, { type: "start", source, username: from.username ?? null, name, key: keyOf(ctx, "start") });
    await resetFlows(ctx);
    const greeting = ctx.t("greeting", { name: escapeHtml(from.first_name), shop: escapeHtml(ctx.me.first_name) });
    const askConsent = needsConsent(ctx, await currentLead(from.id));
    const text = askConsent ? `${greeting}\n\n${ctx.t("consent-ask", { version: escapeHtml(consentVersion) })}` : greeting;
    await show(ctx, mainMenu(view(ctx), ctx.session.cart, { aiEnabled: ai !== null, text, askConsent }));
  });

  shop.command("menu", async (ctx) => {
    await resetFlows(ctx);
    await show(ctx, menuOf(ctx));
  });

  shop.command("help", (ctx) => ctx.reply(ctx.t("help")));
  shop.command("cart", (ctx) => showCart(ctx));
  shop.command("catalog", (ctx) => openCatalog(ctx));
  shop.command("privacy", async (ctx) => show(ctx, privacyScreen(view(ctx), await store.lead(userOf(ctx)), consentVersion)));
  shop.command("mydata", (ctx) => showMyData(ctx));
  shop.command("forget", (ctx) => show(ctx, forgetScreen(view(ctx))));
  shop.command("cancel", (ctx) => cancelFlows(ctx));
  shop.command("exit", (ctx) => leaveConsultant(ctx));

  // ── catalog, search and cart ────────────────────────────────────────────────
  async function openCatalog(ctx: ShopContext, notice?: string): Promise<void> {
    await runtime.dispatch(userOf(ctx), { type: "catalog_view", key: keyOf(ctx, "catalog_view") });
    await show(ctx, categoriesScreen(view(ctx), catalog.categories(), notice));
  }

  async function openCategory(ctx: ShopContext, categoryId: string, offset: number): Promise<void> {
    const category = catalog.category(categoryId);
    if (!category) {
      await answer(ctx, ctx.t("category-gone"));
      await show(ctx, categoriesScreen(view(ctx), catalog.categories(), ctx.t("category-gone")));
      return;
    }
    await show(ctx, categoryScreen(view(ctx), category, catalog.products(category.id, { offset, limit: productsPerPage })));
  }

  async function openProduct(ctx: ShopContext, productId: string): Promise<void> {
    const product = catalog.product(productId);
    if (!product) {
      await answer(ctx, ctx.t("product-gone"));
      await show(ctx, categoriesScreen(view(ctx), catalog.categories(), ctx.t("product-gone")));
      return;
    }
    await runtime.dispatch(userOf(ctx), { type: "product_view", productId: product.id, key: keyOf(ctx, "product_view") });
    await show(ctx, productScreen(view(ctx), product, qtyOf(ctx.session.cart, product.id)));
  }

  async function addProduct(ctx: ShopContext, productId: string): Promise<void> {
    const product = catalog.product(productId);
    if (!product) {
      await answer(ctx, ctx.t("product-gone"), true);
      await show(ctx, categoriesScreen(view(ctx), catalog.categories(), ctx.t("product-gone")));
      return;
    }
    const outcome = addToCart(ctx.session.cart, product);
    switch (outcome.kind) {
      case "out_of_stock":
        return answer(ctx, ctx.t("out-of-stock", { title: product.title }), true);
      case "limited":
        return answer(ctx, ctx.t("limited", { count: outcome.limitedTo }), true);
      case "cart_full":
        return answer(ctx, ctx.t("cart-full", { count: 30 }), true);
      case "added": {
        const recorded = await runtime.dispatch(userOf(ctx), { type: "add_to_cart", productId: product.id, qty: 1, key: keyOf(ctx, "add_to_cart") });
        // A redelivered update was already applied to the cart: count it once.
        if (!recorded.duplicate) ctx.session.cart = outcome.cart;
        const inCart = qtyOf(ctx.session.cart, product.id);
        await answer(ctx, ctx.t("added", { title: product.title, count: inCart }));
        await show(ctx, productScreen(view(ctx), product, inCart));
      }
    }
  }

  async function showCart(ctx: ShopContext, headline?: string): Promise<void> {
    const priced = priceCart(ctx.session.cart, catalog);
    ctx.session.cart = priced.cart;
    await show(ctx, cartScreen(view(ctx), priced, headline));
  }

  async function changeCart(ctx: ShopContext, action: "inc" | "dec" | "rm", productId: string, rev: number): Promise<void> {
    const cart = ctx.session.cart;
    if (rev !== cart.rev) {
      await answer(ctx, ctx.t("cart-stale"));
      return showCart(ctx, ctx.t("cart-stale"));
    }
    if (qtyOf(cart, productId) === 0) {
      await answer(ctx, ctx.t("cart-not-in"));
      return showCart(ctx);
    }
    if (action === "inc") {
      const product = catalog.product(productId);
      if (!product) return showCart(ctx);
      const outcome = addToCart(cart, product);
      if (outcome.kind !== "added") {
        await answer(ctx, outcome.kind === "limited" ? ctx.t("limited", { count: outcome.limitedTo }) : ctx.t("out-of-stock", { title: product.title }), true);
        return showCart(ctx);
      }
      const recorded = await runtime.dispatch(userOf(ctx), { type: "add_to_cart", productId, qty: 1, key: keyOf(ctx, "add_to_cart") });
      if (!recorded.duplicate) ctx.session.cart = outcome.cart;
    } else {
      ctx.session.cart = action === "dec" ? decrement(cart, productId) : removeLine(cart, productId);
    }
    await answer(ctx);
    await showCart(ctx);
  }

  /** Every match of a query, counted; the ids of the first {@link maxSearchIds}, in result order. */
  function searchCatalog(query: string): { readonly ids: readonly string[]; readonly results: number } {
    const ids: string[] = [];
    let results = 0;
    for (let page = catalog.search(query, { offset: 0, limit: 100 }); ; page = catalog.search(query, { offset: results, limit: 100 })) {
      for (const product of page.items) if (ids.length < maxSearchIds) ids.push(product.id);
      results += page.items.length;
      if (!page.hasMore || page.items.length === 0) return { ids, results };
    }
  }

  /** A page of a search's results from the product ids it kept; products gone from the catalog since are skipped. */
  function resultsPage(ids: readonly string[], offset: number): Page<Product> {
    const products = ids.flatMap((id) => catalog.product(id) ?? []);
    return { items: products.slice(offset, offset + resultsPerPage), offset, limit: resultsPerPage, hasMore: products.length > offset + resultsPerPage };
  }

  /**
   * Free text typed outside a flow. Without consent to the current terms the words are kept
   * nowhere: the event records how many products were found, and the pages work from their ids.
   */
  async function runSearch(ctx: ShopContext, query: string): Promise<void> {
    const trimmed = clip(query.trim(), 200);
    const userId = userOf(ctx);
    const { ids, results } = searchCatalog(trimmed);
    const words = consentIsCurrent(await currentLead(userId)) ? { query: trimmed } : {};
    await runtime.dispatch(userId, { type: "search", ...words, results, key: keyOf(ctx, "search") });
    ctx.session.search = ids.length > 0 ? { ids } : null;
    await show(ctx, searchScreen(view(ctx), trimmed, resultsPage(ids, 0)));
  }

  async function searchPage(ctx: ShopContext, offset: number): Promise<void> {
    const page = resultsPage(ctx.session.search?.ids ?? [], offset);
    if (page.items.length === 0) {
      await answer(ctx, ctx.t("search-expired"));
      return show(ctx, menuOf(ctx));
    }
    await answer(ctx);
    await show(ctx, searchScreen(view(ctx), null, page));
  }

  // ── checkout ────────────────────────────────────────────────────────────────
  const cancelKeyboard = (ctx: ShopContext) => new Keyboard().text(ctx.t("btn-cancel")).resized();

  async function askPhone(ctx: ShopContext, knownPhone: string | null, notice?: string): Promise<void> {
    const keyboard = new Keyboard().requestContact(ctx.t("btn-share-contact")).row();
    if (knownPhone) keyboard.text(knownPhone).row();
    keyboard.text(ctx.t("btn-cancel")).resized().oneTime();
    await ctx.reply(notice ?? ctx.t("checkout-phone"), { parse_mode: "HTML", reply_markup: keyboard });
  }

  async function askDelivery(ctx: ShopContext, notice?: string): Promise<void> {
    await ctx.reply(notice ?? ctx.t("checkout-delivery", { max: maxDeliveryChars }), { parse_mode: "HTML", reply_markup: cancelKeyboard(ctx) });
  }

  async function showSummary(ctx: ShopContext, snapshot: CheckoutSnapshot, notice?: string): Promise<void> {
    const priced = priceCart(ctx.session.cart, catalog);
    ctx.session.cart = priced.cart;
    const screen = summaryScreen(view(ctx), priced, snapshot.context, notice);
    await ctx.reply(screen.text, { parse_mode: "HTML", reply_markup: screen.keyboard });
  }

  async function startCheckout(ctx: ShopContext): Promise<void> {
    const priced = priceCart(ctx.session.cart, catalog);
    ctx.session.cart = priced.cart;
    if (priced.lines.length === 0) {
      await answer(ctx, ctx.t("checkout-empty"), true);
      return show(ctx, cartScreen(view(ctx), priced, ctx.t("checkout-empty")));
    }
    const userId = userOf(ctx);
    const started = await runtime.dispatch(userId, { type: "checkout_started", key: keyOf(ctx, "checkout_started") });
    const snapshot = startFlow(checkoutMachine, { orderId: orderIdOf(started.seq) });
    keepCheckout(ctx, snapshot);
    await answer(ctx);
    await askPhone(ctx, (await currentLead(userId)).phone);
  }

  async function acceptPhone(ctx: ShopContext, snapshot: CheckoutSnapshot, event: { type: "PHONE_TYPED"; text: string } | { type: "CONTACT_SHARED"; phone: string }): Promise<void> {
    const next = stepFlow(checkoutMachine, snapshot, event);
    keepCheckout(ctx, next);
    if (next.value !== "delivery" || next.context.phone === null) {
      return askPhone(ctx, null, ctx.t("checkout-invalid-phone"));
    }
    await runtime.dispatch(userOf(ctx), { type: "contact_shared", phone: next.context.phone, key: keyOf(ctx, "contact_shared") });
    await askDelivery(ctx);
  }

  async function acceptDelivery(ctx: ShopContext, snapshot: CheckoutSnapshot, text: string): Promise<void> {
    const next = stepFlow(checkoutMachine, snapshot, { type: "DELIVERY", text });
    keepCheckout(ctx, next);
    if (next.value !== "confirming") {
      const key = next.context.error === "delivery_too_long" ? "checkout-delivery-too-long" : "checkout-delivery-empty";
      return askDelivery(ctx, ctx.t(key, { max: maxDeliveryChars }));
    }
    await showSummary(ctx, next);
  }

  async function confirmOrder(ctx: ShopContext, orderId: string): Promise<void> {
    const snapshot = checkoutOf(ctx);
    if (!snapshot || snapshot.context.orderId !== orderId) {
      const placed = ctx.session.lastOrderId === orderId;
      await answer(ctx, placed ? ctx.t("checkout-already-placed", { orderId }) : ctx.t("checkout-not-active"), true);
      if (ctx.callbackQuery?.message) await ctx.editMessageReplyMarkup().catch(() => undefined);
      return;
    }
    if (snapshot.value !== "confirming") return answer(ctx, ctx.t("checkout-not-active"), true);
    const priced = priceCart(ctx.session.cart, catalog);
    if (priced.lines.length === 0) {
      keepCheckout(ctx, stepFlow(checkoutMachine, snapshot, { type: "CANCEL" }));
      ctx.session.cart = priced.cart;
      await answer(ctx, ctx.t("checkout-empty"), true);
      await ctx.reply(ctx.t("checkout-empty"), { reply_markup: { remove_keyboard: true } });
      return showCart(ctx);
    }
    if (priced.notices.length > 0 || priced.cart.rev !== ctx.session.cart.rev) {
      ctx.session.cart = priced.cart;
      await answer(ctx, ctx.t("checkout-cart-changed"), true);
      return showSummary(ctx, snapshot, ctx.t("checkout-cart-changed"));
    }
    const placing = stepFlow(checkoutMachine, snapshot, { type: "CONFIRM" });
    const userId = userOf(ctx);
    let placed;
    try {
      placed = await runtime.placeOrder(userId, {
        orderId,
        items: orderItemsOf(priced),
        total: priced.total,
        currency: priced.currency ?? "RUB",
        phone: snapshot.context.phone,
        delivery: snapshot.context.delivery,
        key: `order:${orderId}`,
      });
    } catch (error) {
      log.error("order_failed", { bot: "shop", orderId, ...describeError(error) });
      keepCheckout(ctx, stepFlow(checkoutMachine, placing, { type: "ORDER_FAILED" }));
      await answer(ctx, ctx.t("checkout-failed"), true);
      return;
    }
    keepCheckout(ctx, stepFlow(checkoutMachine, placing, { type: "ORDER_PLACED" }));
    ctx.session.lastOrderId = orderId;
    ctx.session.cart = { rev: ctx.session.cart.rev + 1, lines: [] };
    await answer(ctx);
    await ctx.editMessageReplyMarkup().catch(() => undefined);
    const total = formatMoney(priced.total, priced.currency ?? "RUB", view(ctx).locale);
    await ctx.reply(ctx.t("order-placed", { orderId, total, phone: escapeHtml(snapshot.context.phone ?? "—") }), {
      parse_mode: "HTML",
      reply_markup: { remove_keyboard: true },
    });
    const menu = menuOf(ctx);
    await ctx.reply(menu.text, { parse_mode: "HTML", reply_markup: menu.keyboard });
    if (!placed.duplicate && options.orders) {
      const order = await store.order(orderId);
      if (order) await options.orders.orderPlaced(order).catch((error: unknown) => log.error("order_notification_failed", { orderId, ...describeError(error) }));
    }
  }

  async function editCheckout(ctx: ShopContext, what: "EDIT_PHONE" | "EDIT_DELIVERY"): Promise<void> {
    const snapshot = checkoutOf(ctx);
    if (!snapshot || (snapshot.value !== "confirming" && snapshot.value !== "delivery")) return answer(ctx, ctx.t("checkout-not-active"), true);
    const next = stepFlow(checkoutMachine, snapshot, { type: what });
    keepCheckout(ctx, next);
    await answer(ctx);
    if (next.value === "phone") return askPhone(ctx, snapshot.context.phone);
    return askDelivery(ctx);
  }

  /** Cancels the checkout (the cart stays) or leaves the consultant; otherwise shows the menu. */
  async function cancelFlows(ctx: ShopContext): Promise<void> {
    const checkout = checkoutOf(ctx);
    if (checkout && checkout.value !== "placing") {
      keepCheckout(ctx, stepFlow(checkoutMachine, checkout, { type: "CANCEL" }));
      ctx.session.checkout = null;
      await answer(ctx);
      if (ctx.callbackQuery?.message) await ctx.editMessageReplyMarkup().catch(() => undefined);
      await ctx.reply(ctx.t("checkout-cancelled"), { reply_markup: { remove_keyboard: true } });
      const menu = menuOf(ctx);
      await ctx.reply(menu.text, { parse_mode: "HTML", reply_markup: menu.keyboard });
      return;
    }
    if (consultantOf(ctx)) return leaveConsultant(ctx);
    await answer(ctx);
    await show(ctx, menuOf(ctx));
  }

  // ── consultant ──────────────────────────────────────────────────────────────
  async function enterConsultant(ctx: ShopContext): Promise<void> {
    if (!ai) {
      await answer(ctx, ctx.t("consultant-unavailable"), true);
      return show(ctx, menuOf(ctx));
    }
    const current = consultantOf(ctx) ?? startFlow(consultantMachine, { maxQuestions: limits.maxQuestions, windowMs: limits.windowMs });
    keepConsultant(ctx, stepFlow(consultantMachine, current, { type: "ENTER" }));
    await answer(ctx);
    await show(ctx, consultantScreen(view(ctx)));
    await askConsentIfNeeded(ctx, await currentLead(userOf(ctx)));
  }

  async function leaveConsultant(ctx: ShopContext): Promise<void> {
    const current = consultantOf(ctx);
    if (current) keepConsultant(ctx, stepFlow(consultantMachine, current, { type: "EXIT" }));
    ctx.session.consultant = null;
    await answer(ctx);
    await show(ctx, menuOf(ctx, current ? ctx.t("consultant-left") : undefined));
  }

  async function askConsultant(ctx: ShopContext, snapshot: ConsultantSnapshot, text: string): Promise<void> {
    const userId = userOf(ctx);
    const asked = stepFlow(consultantMachine, snapshot, { type: "ASK", text, at: clock.now() });
    keepConsultant(ctx, asked);
    if (asked.value !== "thinking" || !ai || asked.context.question === null) {
      const notice = asked.context.notice;
      const message =
        notice === "rate_limited" ? ctx.t("consultant-rate-limited") : notice === "too_long" ? ctx.t("consultant-too-long", { max: maxQuestionChars }) : ctx.t("consultant-empty");
      await ctx.reply(message);
      return;
    }
    const question = asked.context.question;
    const logging = consentIsCurrent(await currentLead(userId));
    if (logging) await runtime.logMessage(userId, { direction: "in", type: "text", text: question, key: keyOf(ctx, "ask") });
    await ctx.replyWithChatAction("typing").catch(() => undefined);
    let reply: string;
    try {
      reply = (await ai.consult({ question, catalog: catalog.describe(consultantCatalogChars), language: languageOf(ctx) }, AbortSignal.timeout(limits.timeoutMs))).trim();
      if (reply.length === 0) throw new Error("an empty answer");
    } catch (error) {
      const reason = aiFailureOf(error);
      log.warn("consultant_failed", { bot: "shop", reason, ...describeError(error) });
      keepConsultant(ctx, stepFlow(consultantMachine, asked, { type: "FAILED", reason: reason === "timeout" ? "timeout" : "failed" }));
      await ctx.reply(reason === "timeout" ? ctx.t("consultant-timeout") : ctx.t("consultant-failed"), { reply_markup: consultantScreen(view(ctx)).keyboard });
      return;
    }
    keepConsultant(ctx, stepFlow(consultantMachine, asked, { type: "ANSWERED" }));
    const shown = clip(reply, 4_000);
    await ctx.reply(shown, { reply_markup: consultantScreen(view(ctx)).keyboard });
    if (logging) await runtime.logMessage(userId, { direction: "out", type: "ai_response", text: shown, key: keyOf(ctx, "answer") });
  }

  // ── consent and personal data ───────────────────────────────────────────────
  async function setConsent(ctx: ShopContext, given: boolean): Promise<void> {
    const userId = userOf(ctx);
    if (given) {
      await runtime.dispatch(userId, { type: "consent_given", version: consentVersion, key: keyOf(ctx, "consent_given") });
      ctx.session.consentDeclined = null;
      await answer(ctx);
      return show(ctx, menuOf(ctx, ctx.t("consent-given", { version: escapeHtml(consentVersion) })));
    }
    ctx.session.consentDeclined = consentVersion;
    await answer(ctx);
    await show(ctx, menuOf(ctx, ctx.t("consent-declined")));
  }

  async function revokeConsent(ctx: ShopContext): Promise<void> {
    const userId = userOf(ctx);
    const lead = await currentLead(userId);
    if (lead.consentAt !== null) await runtime.dispatch(userId, { type: "consent_revoked", key: keyOf(ctx, "consent_revoked") });
    ctx.session.consentDeclined = consentVersion;
    await answer(ctx);
    await show(ctx, { text: ctx.t("consent-revoked"), keyboard: new InlineKeyboard().text(ctx.t("btn-menu"), shopButtons.encode("menu")) });
  }

  async function showMyData(ctx: ShopContext): Promise<void> {
    const userId = userOf(ctx);
    await runtime.settled();
    const [lead, messages, orders] = await Promise.all([store.lead(userId), store.messagesCount(userId), store.orders(userId, { limit: 5 })]);
    await answer(ctx);
    await show(ctx, myDataScreen(view(ctx), { lead, messages, orders: orders.items, cartItems: itemsCount(ctx.session.cart) }, consentVersion));
  }

  async function forget(ctx: ShopContext): Promise<void> {
    const userId = userOf(ctx);
    const lead = await currentLead(userId);
    const messages = await store.messagesCount(userId);
    const hadCheckout = ctx.session.checkout !== null;
    // The chat's session goes in the erasure's own transaction; null tells grammY it is gone, so it writes nothing back.
    await runtime.forget(userId, keyOf(ctx, "forget"), { sessionKeys: [shopSessionKey(ctx.chat?.id ?? userId)] });
    ctx.session = null;
    const yesNo = (value: boolean): string => (value ? ctx.t("yes") : ctx.t("no"));
    await answer(ctx);
    await show(ctx, {
      text: ctx.t("forget-done", { messages, phone: yesNo(lead.phone !== null), username: yesNo(lead.username !== null || lead.name !== null), notes: lead.notes.length, orders: lead.ordersCount }),
      keyboard: new InlineKeyboard().text(ctx.t("btn-menu"), shopButtons.encode("menu")),
    });
    if (hadCheckout) await ctx.reply(ctx.t("checkout-cancelled"), { reply_markup: { remove_keyboard: true } });
  }

  // ── buttons ─────────────────────────────────────────────────────────────────
  async function onButton(ctx: ShopContext, button: ShopButton): Promise<void> {
    switch (button.action) {
      case "menu":
        await resetFlows(ctx);
        await answer(ctx);
        return show(ctx, menuOf(ctx));
      case "cats":
        await answer(ctx);
        return openCatalog(ctx);
      case "cat":
        await answer(ctx);
        return openCategory(ctx, button.args[0], button.args[1]);
      case "prod":
        await answer(ctx);
        return openProduct(ctx, button.args[0]);
      case "add":
        return addProduct(ctx, button.args[0]);
      case "cart":
        await answer(ctx);
        return showCart(ctx);
      case "inc":
      case "dec":
      case "rm":
        return changeCart(ctx, button.action, button.args[0], button.args[1]);
      case "co":
        return startCheckout(ctx);
      case "ok":
        return confirmOrder(ctx, button.args[0]);
      case "cancel":
        return cancelFlows(ctx);
      case "editp":
        return editCheckout(ctx, "EDIT_PHONE");
      case "editd":
        return editCheckout(ctx, "EDIT_DELIVERY");
      case "find":
        await answer(ctx);
        return show(ctx, { text: ctx.t("search-prompt"), keyboard: new InlineKeyboard().text(ctx.t("btn-catalog"), shopButtons.encode("cats")).text(ctx.t("btn-menu"), shopButtons.encode("menu")) });
      case "sp":
        return searchPage(ctx, button.args[0]);
      case "ai":
        return enterConsultant(ctx);
      case "aix":
        return leaveConsultant(ctx);
      case "cons":
        return setConsent(ctx, button.args[0]);
      case "forget":
        if (button.args[0]) return forget(ctx);
        await answer(ctx);
        return show(ctx, forgetScreen(view(ctx)));
      case "revoke":
        return revokeConsent(ctx);
      case "priv":
        await answer(ctx);
        return show(ctx, privacyScreen(view(ctx), await store.lead(userOf(ctx)), consentVersion));
      case "mydata":
        return showMyData(ctx);
    }
  }

  shop.on("callback_query:data", async (ctx) => {
    const button = shopButtons.decode(ctx.callbackQuery.data);
    if (!button) {
      await answer(ctx, ctx.t("button-outdated"));
      const menu = menuOf(ctx, ctx.t("button-outdated"));
      await ctx.reply(menu.text, { parse_mode: "HTML", reply_markup: menu.keyboard });
      return;
    }
    await onButton(ctx, button);
  });
  shop.on("callback_query", (ctx) => answer(ctx, ctx.t("button-outdated")));

  // ── messages ────────────────────────────────────────────────────────────────
  shop.on("message:contact", async (ctx) => {
    const contact = ctx.message.contact;
    const checkout = checkoutOf(ctx);
    if (checkout?.value === "phone") {
      if (contact.user_id !== undefined && contact.user_id !== ctx.from.id) return askPhone(ctx, null, ctx.t("checkout-invalid-phone"));
      return acceptPhone(ctx, checkout, { type: "CONTACT_SHARED", phone: contact.phone_number });
    }
    await show(ctx, menuOf(ctx, ctx.t("unsupported-message")));
  });

  shop.on("message:text", async (ctx) => {
    const text = ctx.message.text;
    const checkout = checkoutOf(ctx);
    if (checkout && text.trim() === ctx.t("btn-cancel")) return cancelFlows(ctx);
    if (checkout?.value === "phone") return acceptPhone(ctx, checkout, { type: "PHONE_TYPED", text });
    if (checkout?.value === "delivery") return acceptDelivery(ctx, checkout, text);
    if (checkout?.value === "confirming") return showSummary(ctx, checkout, ctx.t("checkout-use-buttons"));
    const consultant = consultantOf(ctx);
    if (consultant && consultant.value !== "idle") return askConsultant(ctx, consultant, text);
    if (text.startsWith("/")) return ctx.reply(ctx.t("help"));
    await runSearch(ctx, text);
  });

  shop.on("message", async (ctx) => {
    const checkout = checkoutOf(ctx);
    if (checkout?.value === "phone") return askPhone(ctx, null, ctx.t("checkout-text-needed", { hint: ctx.t("checkout-invalid-phone") }));
    if (checkout?.value === "delivery") return askDelivery(ctx, ctx.t("checkout-text-needed", { hint: ctx.t("checkout-delivery-empty") }));
    if (consultantOf(ctx)) return void (await ctx.reply(ctx.t("consultant-text-only")));
    await show(ctx, menuOf(ctx, ctx.t("unsupported-message")));
  });

  return bot;
}
