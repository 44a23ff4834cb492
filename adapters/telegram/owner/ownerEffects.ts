import type { I18n } from "@grammyjs/i18n";
import { GrammyError, InlineKeyboard, type Api, type StorageAdapter } from "grammy";
import type { EffectFailedCallback, EffectHandler, EffectOutcome } from "../../../actors/effects.port.ts";
import { describeError, silentLogger, type Logger } from "../../../actors/log.port.ts";
import type { CrmStore, StoredEffect } from "../../../actors/store.port.ts";
import type { CustomerEffectParams, Language } from "../../../machines/customer.types.ts";
import { escapeHtml } from "../format.ts";
import type { Screen, View } from "../screen.ts";
import { storeSessionStorage } from "../storeSessionStorage.ts";
import { ownerButtons as b } from "./ownerButtons.ts";
import { ownerI18n, viewIn, type OwnerContext } from "./ownerContext.ts";
import { newOrderScreen } from "./ownerScreens.ts";
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
type Delivery = { readonly sent: true } | { readonly sent: false; readonly unreachable: boolean; readonly reason: string; readonly afterMs?: number };

function deliveryFailure(error: unknown): Delivery {
  const unreachable = error instanceof GrammyError && (error.error_code === 403 || error.error_code === 400);
  const retryAfter = error instanceof GrammyError ? error.parameters.retry_after : undefined;
  const { error: name, message } = describeError(error);
  return { sent: false, unreachable, reason: `${name}: ${message}`, ...(retryAfter === undefined ? {} : { afterMs: retryAfter * 1_000 }) };
}

/** Sending to owners outside any update: each in the language of their last visit to the bot. */
function ownerPost(options: OwnerEffectsOptions) {
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
        await options.api.sendMessage(ownerId, screen.text, other, signal as ApiSignal);
        return { sent: true };
      } catch (error) {
        return deliveryFailure(error);
      }
    },
  };
}

const progressKey = (effectKey: string): string => `owner:notice:${effectKey}`;

/**
 * The owner side of the customer machine's effects, for the effect worker (actors/effects.port.ts):
 * `notifyOwnersOfOrder` sends the new order (items, phone, delivery, a button to the client's card)
 * to every owner, in the language of their last visit. An owner who blocked the bot (or never
 * started it) is skipped with a warning and does not stop the others. Which owners got the notice
 * is kept in the store's key-value space under the effect's key after each send, so a retry (one
 * owner could not be reached) or a redelivery after a crash sends only to those who did not get
 * it; the progress goes when everyone has it.
 *
 * @example
 * const actors = createCustomerActors({ store, handlers: { ...shopEffects, ...ownerEffects({ api: new Api(token), store, ownerIds }) } });
 */
export function ownerEffects(options: OwnerEffectsOptions): { readonly notifyOwnersOfOrder: EffectHandler<"notifyOwnersOfOrder", CustomerEffectParams["notifyOwnersOfOrder"]> } {
  const { store } = options;
  const log = options.log ?? silentLogger;
  const post = ownerPost(options);
  const readTold = async (key: string): Promise<number[]> =>
    (await readStoredState(store, progressKey(key), ({ told }) => (Array.isArray(told) ? told.filter((id): id is number => typeof id === "number") : null))) ?? [];

  async function notifyOwnersOfOrder(request: Parameters<EffectHandler<"notifyOwnersOfOrder", CustomerEffectParams["notifyOwnersOfOrder"]>>[0], signal: AbortSignal): Promise<EffectOutcome> {
    const { key, params } = request;
    const order = await store.order(params.orderId);
    if (!order) return { outcome: "drop", reason: `the order ${params.orderId} is not in the store` };
    const lead = await store.lead(order.userId);
    const told = new Set(await readTold(key));
    const failed: { ownerId: number; reason: string; afterMs?: number }[] = [];
    for (const ownerId of options.ownerIds) {
      if (told.has(ownerId)) continue;
      const delivery = await post.send(ownerId, newOrderScreen(await post.viewFor(ownerId), order, lead), signal);
      if (!delivery.sent && !delivery.unreachable) {
        log.warn("order_notice_failed", { key, ownerId, orderId: order.orderId, reason: delivery.reason });
        failed.push({ ownerId, reason: delivery.reason, ...(delivery.afterMs === undefined ? {} : { afterMs: delivery.afterMs }) });
        continue;
      }
      if (delivery.sent) log.info("order_notice_sent", { key, ownerId, orderId: order.orderId });
      else log.warn("order_notice_unreachable", { key, ownerId, orderId: order.orderId, reason: delivery.reason });
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

  return { notifyOwnersOfOrder };
}

/**
 * For a shop without the owner bot (no OWNER_BOT_TOKEN): there is nobody to tell of an order, so
 * the notice is done at once. The effect worker needs a handler for every effect the machine names.
 */
export const ownerEffectsOff: { readonly notifyOwnersOfOrder: EffectHandler<"notifyOwnersOfOrder", CustomerEffectParams["notifyOwnersOfOrder"]> } = {
  notifyOwnersOfOrder: async () => ({ outcome: "done" }),
};

/** What a failed effect was meant to do, in the owner's words. */
function effectWhat(view: View, effect: StoredEffect): string {
  if (effect.type === "notifyOwnersOfOrder") {
    let orderId = "?";
    try {
      const params: unknown = JSON.parse(effect.params);
      if (typeof params === "object" && params !== null && typeof (params as { orderId?: unknown }).orderId === "string") orderId = (params as { orderId: string }).orderId;
    } catch {
      // A row whose params do not parse still deserves its notice.
    }
    return view.t("effect-notifyOwnersOfOrder", { orderId: escapeHtml(orderId) });
  }
  const known = ["sendCartReminder", "askConsultant", "sendConsultantAnswer", "sendConsultantFailure"];
  return known.includes(effect.type) ? view.t(`effect-${effect.type}`) : view.t("effect-other", { type: escapeHtml(effect.type) });
}

/**
 * Plain notices to every owner outside any update: `tellOwners` (the Sheets mirror stopped, say),
 * and `effectFailed`, the composition's `onEffectFailed`: "⚠️ Could not … for customer 42 after 8
 * tries: <reason>", with a button to the customer's card, in each owner's language. An owner who
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
    const customer = /^customer:(\d+)$/.exec(effect.actor)?.[1];
    const attempts = options.store.effectsOf(effect.actor).find((row) => row.key === effect.key)?.attempts ?? effect.attempts + 1;
    return toEveryOwner("effect_failure_notice", (view) => ({
      text: view.t("effect-failed", { what: effectWhat(view, effect), customer: customer ?? escapeHtml(effect.actor), attempts, reason: escapeHtml(reason) }),
      ...(customer ? { keyboard: new InlineKeyboard().text(view.t("btn-open-card"), b.encode("card", Number(customer))) } : {}),
    })).catch((error: unknown) => log.error("effect_failure_notice_failed", describeError(error)));
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
