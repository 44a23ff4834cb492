import { I18n, type I18nFlavor } from "@grammyjs/i18n";
import type { Composer, Context, LazySessionFlavor } from "grammy";
import { fileURLToPath } from "node:url";
import type { Catalog } from "../../../actors/catalog.port.ts";
import type { CustomerRuntime, CustomerSnapshot, DispatchResult } from "../../../actors/customerRuntime.ts";
import type { Logger } from "../../../actors/log.port.ts";
import type { OrderCommands } from "../../../actors/orders.port.ts";
import type { CrmStore } from "../../../actors/store.port.ts";
import { consentStands } from "../../../machines/customer.machine.ts";
import type { CustomerContext, CustomerEventInput, Language } from "../../../machines/customer.types.ts";
import { clip } from "../format.ts";
import { rememberBundleMatches } from "../i18nCache.ts";
import type { PaymentSettings } from "./orderPayments.ts";
import { shopButtons, type ShopButton } from "./shopButtons.ts";
import { mainMenu, type Screen, type View } from "./shopScreens.ts";
import type { ShopSession } from "./shopSession.ts";

/**
 * What every feature of the shop bot shares: the context type, the customer's snapshot for this
 * update, dispatching an event keyed by the update, answering a button, and the menu. Each feature
 * lives in its own file with its own Composer; `createShopBot` only composes them.
 */

/** A shop update's context: translations, and the chat's session read only when a handler asks for it. */
export type ShopContext = Context & LazySessionFlavor<ShopSession> & I18nFlavor;

/** What the features are built from: the runtime they dispatch to, the catalog they read, and how a screen is shown. */
export interface Shop {
  readonly runtime: CustomerRuntime;
  readonly store: CrmStore;
  readonly catalog: Catalog;
  /** The current version of the data processing terms; a change asks every customer again. */
  readonly consentVersion: string;
  /** Whether an AI is configured: without one the consultant button is hidden. */
  readonly aiEnabled: boolean;
  readonly timeZone: string;
  readonly log: Logger;
  /** The order actors: paying, cancelling and rating an order. Null: orders are rows only (My orders still lists them). */
  readonly orders: OrderCommands | null;
  /** The payment methods the checkout offers, and what an invoice costs. */
  readonly payments: PaymentSettings;
  /** Shows a screen in place of the pressed message, or as a new one (product photos included). */
  readonly show: (ctx: ShopContext, screen: Screen) => Promise<void>;
}

const localesDir = fileURLToPath(new URL("./locales", import.meta.url));

/** Russian is the default; an English-speaking Telegram client gets English. */
export function languageOf(ctx: Context): Language {
  return ctx.from?.language_code?.toLowerCase().startsWith("en") ? "en" : "ru";
}

/** The shop's Fluent translations, for the bot's updates and for its effect handlers alike. */
export function createShopI18n(): I18n<ShopContext> {
  const i18n = new I18n<ShopContext>({
    defaultLocale: "ru",
    directory: localesDir,
    localeNegotiator: languageOf,
    fluentBundleOptions: { useIsolating: false },
  });
  rememberBundleMatches(i18n);
  return i18n;
}

/** The screens' view of a language: translations, number and date formats, the shop's time zone. */
export function viewOf(t: View["t"], language: Language, timeZone: string): View {
  return { t, locale: language === "en" ? "en-US" : "ru-RU", timeZone };
}

/** The screens' view of this update: the customer's Telegram language. */
export const view = (shop: Shop, ctx: ShopContext): View => viewOf((key, vars) => ctx.t(key, vars), languageOf(ctx), shop.timeZone);

/** The idempotency key of what this update did: a redelivered update changes nothing. */
export const keyOf = (ctx: Context, what: string): string => `shop:${ctx.update.update_id}:${what}`;

/** The customer of an update: in a private chat, the sender (their chat id is the same number). */
export function userOf(ctx: Context): number {
  if (!ctx.from) throw new Error("an update without a sender");
  return ctx.from.id;
}

/** Answers a button press (a toast, or an alert), or replies to a message when there is something to say. */
export async function answer(ctx: ShopContext, text?: string, alert = false): Promise<void> {
  if (!ctx.callbackQuery) {
    if (text) await ctx.reply(text, { parse_mode: "HTML" });
    return;
  }
  await ctx.answerCallbackQuery(text ? { text: clip(text.replace(/<[^>]+>/g, ""), 190), show_alert: alert } : {}).catch(() => undefined);
}

/** Sends a screen as a new message (the reply keyboard under the input field stays as it is). */
export async function reply(ctx: ShopContext, screen: Screen, removeKeyboard = false): Promise<void> {
  const markup = screen.keyboard ?? (removeKeyboard ? { remove_keyboard: true as const } : undefined);
  await ctx.reply(screen.text, { parse_mode: "HTML", ...(markup ? { reply_markup: markup } : {}) });
}

const current = new WeakMap<Context, CustomerSnapshot>();

/** The customer as of this update: read once, then replaced by the snapshot each dispatch returns. */
export async function customerOf(shop: Shop, ctx: ShopContext): Promise<CustomerSnapshot> {
  const known = current.get(ctx);
  if (known) return known;
  const snapshot = await shop.runtime.snapshotOf(userOf(ctx));
  current.set(ctx, snapshot);
  return snapshot;
}

/**
 * Turns what the customer did into an event, keyed by this update unless `key` says otherwise (an
 * order is keyed by its id), and resolves once it is committed, with whether it was a redelivery;
 * the handler renders from the snapshot it brings.
 */
export async function dispatchResult(shop: Shop, ctx: ShopContext, event: CustomerEventInput, key: string = keyOf(ctx, event.type)): Promise<DispatchResult> {
  const result = await shop.runtime.dispatch(userOf(ctx), { ...event, key });
  current.set(ctx, result.snapshot);
  return result;
}

/** {@link dispatchResult}, for the many handlers that need only the customer after the event. */
export async function dispatch(shop: Shop, ctx: ShopContext, event: CustomerEventInput, key?: string): Promise<CustomerSnapshot> {
  return (await dispatchResult(shop, ctx, event, key)).snapshot;
}

/** Consent to exactly the terms in force (and given after any erasure): what the consultant and reminders need. */
export const hasCurrentConsent = (shop: Shop, context: CustomerContext): boolean => consentStands(context) && context.consentVersion === shop.consentVersion;

/** Whether to ask for consent: none to the current terms, and no "not now" to this version of them. */
export const needsConsent = (shop: Shop, context: CustomerContext): boolean => !hasCurrentConsent(shop, context) && context.consentDeclined !== shop.consentVersion;

/** The main menu, its cart button counting what the customer's cart holds now. */
export function menuOf(shop: Shop, ctx: ShopContext, snapshot: CustomerSnapshot, options: { readonly text?: string; readonly askConsent?: boolean } = {}): Screen {
  return mainMenu(view(shop, ctx), snapshot.context.cart, { aiEnabled: shop.aiEnabled, ...options });
}

/**
 * Whether a message is a command (`/menu`, `/forget`): commands belong to their features, whichever
 * flow is under way, so the checkout and the consultant never take one as their text.
 */
export function isCommand(ctx: Context): boolean {
  const first = ctx.message?.entities?.[0];
  return first?.type === "bot_command" && first.offset === 0;
}

const decoded = new WeakMap<Context, ShopButton | null>();

/** The pressed button, decoded once per update; null for data that is not one of today's buttons. */
export function buttonOf(ctx: Context): ShopButton | null {
  let button = decoded.get(ctx);
  if (button === undefined) {
    button = shopButtons.decode(ctx.callbackQuery?.data);
    decoded.set(ctx, button);
  }
  return button;
}

type ButtonAction = ShopButton["action"];
type ButtonArgs<A extends ButtonAction> = Extract<ShopButton, { action: A }>["args"];

/** A feature's inline buttons: the handler of each action it owns, given the button's decoded arguments. */
export type ButtonRoutes = { readonly [A in ButtonAction]?: (ctx: ShopContext, args: ButtonArgs<A>) => Promise<unknown> };

/** Routes a feature's inline buttons to their handlers, in one middleware; other presses go on to the next feature. */
export function onButtons(composer: Composer<ShopContext>, routes: ButtonRoutes): void {
  composer.on("callback_query:data", async (ctx, next) => {
    const button = buttonOf(ctx);
    const route = button ? (routes[button.action] as ((ctx: ShopContext, args: ShopButton["args"]) => Promise<unknown>) | undefined) : undefined;
    if (!button || !route) return next();
    await route(ctx, button.args);
  });
}
