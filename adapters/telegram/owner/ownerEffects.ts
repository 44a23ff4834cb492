import type { I18n } from "@grammyjs/i18n";
import { GrammyError, InlineKeyboard, type Api, type StorageAdapter } from "grammy";
import type { EffectFailedCallback, EffectHandler, EffectOutcome } from "../../../actors/effects.port.ts";
import { describeError, silentLogger, type LogFields, type Logger } from "../../../actors/log.port.ts";
import type { CrmStore, StoredEffect } from "../../../actors/store.port.ts";
import type { CustomerEffectParams, Language } from "../../../machines/customer.types.ts";
import { escapeHtml } from "../format.ts";
import type { Screen, View } from "../screen.ts";
import { storeSessionStorage } from "../storeSessionStorage.ts";
import { ownerButtons as b } from "./ownerButtons.ts";
import { ownerI18n, viewIn, type OwnerContext } from "./ownerContext.ts";
import { orderAsNotice, rememberNotice } from "./orderNoticeState.ts";
import { orderNoticeScreen } from "./orderScreens.ts";
import { ownerSessionKey, type OwnerSession } from "./ownerSession.ts";
import { readStoredState } from "./storedState.ts";

export interface OwnerEffectsOptions {
  /** The owner bot's Bot API client (`new Api(OWNER_BOT_TOKEN, { apiRoot })`, or the owner bot's `bot.api`). */
  readonly api: Api;
  /** The orders and leads a notice shows, and the notices' progress (in the key-value space). */
  readonly store: CrmStore;
  readonly ownerIds: readonly number[];
  /** Where the owner bot keeps its sessions (each owner's language); the store by default, as the bot's own default. */
  readonly sessions?: StorageAdapter<OwnerSession>;
  readonly timeZone?: string;
  readonly log?: Logger;
  /** The owner bot's translations; made afresh when absent. */
  readonly i18n?: I18n<OwnerContext>;
  /** How long a plain notice to one owner may take (default 15 s); an order's notice is bounded by the worker's attempt instead. */
  readonly noticeTimeoutMs?: number;
}

type ApiSignal = Parameters<Api["sendMessage"]>[3];

/** Why one owner did not get a message. `unreachable`: they blocked the bot or never started it, and trying again would not help. */
export type Delivery = { readonly sent: true; readonly messageId?: number } | { readonly sent: false; readonly unreachable: boolean; readonly reason: string; readonly afterMs?: number };

function deliveryFailure(error: unknown): Delivery {
  const unreachable = error instanceof GrammyError && (error.error_code === 403 || error.error_code === 400);
  const retryAfter = error instanceof GrammyError ? error.parameters.retry_after : undefined;
  const { error: name, message } = describeError(error);
  return { sent: false, unreachable, reason: `${name}: ${message}`, ...(retryAfter === undefined ? {} : { afterMs: retryAfter * 1_000 }) };
}

/** Sending to owners outside any update: each in the language of their last visit to the bot. */
export function ownerPost(options: OwnerEffectsOptions) {
  const i18n = options.i18n ?? ownerI18n();
  const sessions = options.sessions ?? storeSessionStorage<OwnerSession>(options.store);
  const timeZone = options.timeZone ?? "Europe/Moscow";
  async function languageOf(ownerId: number): Promise<Language> {
    try {
      return (await sessions.read(ownerSessionKey(ownerId)))?.lang ?? "ru";
    } catch {
      return "ru";
    }
  }
  return {
    viewFor: async (ownerId: number): Promise<View> => viewIn(i18n, await languageOf(ownerId), timeZone),
    async send(ownerId: number, screen: Screen, signal?: AbortSignal): Promise<Delivery> {
      try {
        const other = { parse_mode: "HTML" as const, ...(screen.keyboard ? { reply_markup: screen.keyboard } : {}) };
        const message = await options.api.sendMessage(ownerId, screen.text, other, signal as ApiSignal);
        return { sent: true, messageId: message.message_id };
      } catch (error) {
        return deliveryFailure(error);
      }
    },
    /** Rewrites a message sent earlier; one Telegram cannot edit any more (gone, too old, the same) counts as done. */
    async edit(ownerId: number, messageId: number, screen: Screen, signal?: AbortSignal): Promise<Delivery> {
      try {
        const other = { parse_mode: "HTML" as const, ...(screen.keyboard ? { reply_markup: screen.keyboard } : {}) };
        await options.api.editMessageText(ownerId, messageId, screen.text, other, signal as ApiSignal);
        return { sent: true, messageId };
      } catch (error) {
        return error instanceof GrammyError && error.error_code === 400 ? { sent: true } : deliveryFailure(error);
      }
    },
  };
}

export type OwnerPost = ReturnType<typeof ownerPost>;

const progressKey = (effectKey: string): string => `owner:notice:${effectKey}`;

/**
 * One effect's message to every owner, once each: `deliver` is tried for each owner who does not
 * have it yet, and who has it is kept in the store's key-value space under the effect's key after
 * each, so a retry (one owner could not be reached) or a redelivery after a crash goes only to the
 * others. An owner who blocked the bot (or never started it) is skipped with a warning and does not
 * stop the others; the progress goes when everyone has it.
 */
export async function onceToEachOwner(
  options: OwnerEffectsOptions,
  effect: { readonly key: string; readonly event: string; readonly fields: LogFields },
  deliver: (ownerId: number) => Promise<Delivery>,
): Promise<EffectOutcome> {
  const { store } = options;
  const log = options.log ?? silentLogger;
  const { key, event, fields } = effect;
  const stored = await readStoredState(store, progressKey(key), ({ told }) => (Array.isArray(told) ? told.filter((id): id is number => typeof id === "number") : null));
  const told = new Set(stored ?? []);
  const failed: { ownerId: number; reason: string; afterMs?: number }[] = [];
  for (const ownerId of options.ownerIds) {
    if (told.has(ownerId)) continue;
    const delivery = await deliver(ownerId);
    if (!delivery.sent && !delivery.unreachable) {
      log.warn(`${event}_failed`, { key, ownerId, ...fields, reason: delivery.reason });
      failed.push({ ownerId, reason: delivery.reason, ...(delivery.afterMs === undefined ? {} : { afterMs: delivery.afterMs }) });
      continue;
    }
    if (delivery.sent) log.info(`${event}_sent`, { key, ownerId, ...fields });
    else log.warn(`${event}_unreachable`, { key, ownerId, ...fields, reason: delivery.reason });
    told.add(ownerId);
    await store.writeSession(progressKey(key), JSON.stringify({ told: [...told] }));
  }
  if (failed.length > 0) {
    const afterMs = Math.max(...failed.map((failure) => failure.afterMs ?? 0));
    return { outcome: "retry", reason: `${failed.length} of ${options.ownerIds.length} owners not reached: ${failed[0]?.reason ?? ""}`, ...(afterMs > 0 ? { afterMs } : {}) };
  }
  await store.deleteSession(progressKey(key));
  return { outcome: "done" };
}

/**
 * The owner side of the customer machine's effects, for the effect worker (actors/effects.port.ts):
 * `notifyOwnersOfOrder` sends the new order (items, payment, phone, delivery, its moves as buttons,
 * its card and the client's) to every owner once ({@link onceToEachOwner}), in the language of
 * their last visit. Each owner's notice is remembered (orderNotices.ts), so the order's later moves
 * rewrite it.
 *
 * @example
 * const actors = createCustomerActors({ store, handlers: { ...shopEffects, ...ownerEffects({ api: new Api(token), store, ownerIds }) } });
 */
export function ownerEffects(options: OwnerEffectsOptions): { readonly notifyOwnersOfOrder: EffectHandler<"notifyOwnersOfOrder", CustomerEffectParams["notifyOwnersOfOrder"]> } {
  const { store } = options;
  const post = ownerPost(options);

  async function notifyOwnersOfOrder(request: Parameters<EffectHandler<"notifyOwnersOfOrder", CustomerEffectParams["notifyOwnersOfOrder"]>>[0], signal: AbortSignal): Promise<EffectOutcome> {
    const { key, params } = request;
    const shown = await orderAsNotice(store, params.orderId);
    if (!shown) return { outcome: "drop", reason: `the order ${params.orderId} is not in the store` };
    return onceToEachOwner(options, { key, event: "order_notice", fields: { orderId: params.orderId } }, async (ownerId) => {
      const delivery = await post.send(ownerId, orderNoticeScreen(await post.viewFor(ownerId), shown.order, shown.who, shown.acts), signal);
      if (delivery.sent && delivery.messageId !== undefined) await rememberNotice(store, params.orderId, ownerId, delivery.messageId);
      return delivery;
    });
  }

  return { notifyOwnersOfOrder };
}

/**
 * For a shop without the owner bot (no OWNER_BOT_TOKEN): there is nobody to tell of an order, so
 * the notice is done at once. The effect worker needs a handler for every effect the machine names.
 */
export const ownerEffectsOff: { readonly notifyOwnersOfOrder: EffectHandler<"notifyOwnersOfOrder", CustomerEffectParams["notifyOwnersOfOrder"]> } = {
  notifyOwnersOfOrder: async () => ({ outcome: "done" }),
};

/** The order a failed effect was about: its params' `orderId`, or "?" for a row whose params do not say. */
function orderIdOf(effect: StoredEffect): string {
  try {
    const params: unknown = JSON.parse(effect.params);
    if (typeof params === "object" && params !== null && typeof (params as { orderId?: unknown }).orderId === "string") return (params as { orderId: string }).orderId;
  } catch {
    // A row whose params do not parse still deserves its notice.
  }
  return "?";
}

/** The effects the owners are told of in their own words; any other by its name. */
const knownEffects: ReadonlySet<string> = new Set([
  "sendCartReminder",
  "askConsultant",
  "sendConsultantAnswer",
  "sendConsultantFailure",
  "notifyOwnersOfOrder",
  "notifyCustomerOfOrder",
  "notifyOwnersOfOrderMove",
  "sendInvoice",
  "refundStarPayment",
  "askOwnersToRefund",
  "askForRating",
]);

/** What a failed effect was meant to do, in the owner's words. */
function effectWhat(view: View, effect: StoredEffect): string {
  return knownEffects.has(effect.type) ? view.t(`effect-${effect.type}`, { orderId: escapeHtml(orderIdOf(effect)) }) : view.t("effect-other", { type: escapeHtml(effect.type) });
}

/** Whom a failed effect was for: a customer (with a button to their card) or an order (with a button to its card). */
function effectSubject(view: View, effect: StoredEffect): { readonly who: string; readonly keyboard?: InlineKeyboard } {
  const customer = /^customer:(\d+)$/.exec(effect.actor)?.[1];
  if (customer) return { who: view.t("effect-customer", { customer }), keyboard: new InlineKeyboard().text(view.t("btn-open-card"), b.encode("card", Number(customer))) };
  const order = /^order:([A-Za-z0-9_-]{1,24})$/.exec(effect.actor)?.[1];
  if (order) return { who: view.t("effect-order", { orderId: escapeHtml(order) }), keyboard: new InlineKeyboard().text(view.t("ord-btn-card"), b.encode("ocn", order)) };
  return { who: escapeHtml(effect.actor) };
}

/**
 * Plain notices to every owner outside any update: `tellOwners` (the Sheets mirror stopped, say),
 * and `effectFailed`, the composition's `onEffectFailed`: "⚠️ Could not … for customer 42 after 8
 * tries: <reason>", with a button to the customer's card (or "for order SO-2F", to the order's),
 * in each owner's language. An owner who
 * cannot be reached is logged and skipped; the others still get it.
 */
export function ownerNotices(options: OwnerEffectsOptions) {
  const log = options.log ?? silentLogger;
  const post = ownerPost(options);
  async function toEveryOwner(what: string, render: (view: View) => Screen): Promise<void> {
    for (const ownerId of options.ownerIds) {
      const delivery = await post.send(ownerId, render(await post.viewFor(ownerId)), AbortSignal.timeout(options.noticeTimeoutMs ?? 15_000));
      if (!delivery.sent) log[delivery.unreachable ? "warn" : "error"](`${what}_failed`, { ownerId, reason: delivery.reason });
    }
  }
  /** Resolves once every owner was tried; the worker does not wait for it. */
  const effectFailed = (effect: StoredEffect, reason: string): Promise<void> => {
    const attempts = options.store.effectsOf(effect.actor).find((row) => row.key === effect.key)?.attempts ?? effect.attempts + 1;
    return toEveryOwner("effect_failure_notice", (view) => {
      const { who, keyboard } = effectSubject(view, effect);
      return { text: view.t("effect-failed", { what: effectWhat(view, effect), customer: who, attempts, reason: escapeHtml(reason) }), ...(keyboard ? { keyboard } : {}) };
    }).catch((error: unknown) => log.error("effect_failure_notice_failed", describeError(error)));
  };
  return {
    /** A plain-text notice to every owner; the text is escaped. */
    tellOwners: (text: string): Promise<void> => toEveryOwner("owner_notice", () => ({ text: `⚠️ ${escapeHtml(text)}` })),
    /** For `createCustomerActors({ onEffectFailed })`. */
    effectFailed: effectFailed satisfies EffectFailedCallback,
    /** How an owner reads the bot: the language of their last visit. */
    viewFor: post.viewFor,
  };
}

export type OwnerNotices = ReturnType<typeof ownerNotices>;
