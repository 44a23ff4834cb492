import { GrammyError, HttpError, type Api } from "grammy";
import { aiFailureOf, type AiPort } from "../../../actors/ai.port.ts";
import { priceCart } from "../../../actors/cart.ts";
import type { Catalog } from "../../../actors/catalog.port.ts";
import { customerIdOf } from "../../../actors/customerStepper.ts";
import type { EffectHandler, EffectHandlers, EffectOutcome } from "../../../actors/effects.port.ts";
import { describeError, silentLogger, type Logger } from "../../../actors/log.port.ts";
import type { CustomerEffectParams, Language } from "../../../machines/customer.types.ts";
import { clip } from "../format.ts";
import { apiSignal } from "../../telegramConnect.ts";
import type { Screen } from "../screen.ts";
import { createShopI18n, viewOf } from "./shopContext.ts";
import { consultantKeyboard, reminderScreen } from "./shopScreens.ts";
import { defaultCampaignSettings, fixedCampaignSettings, type CampaignSettingsSource } from "../../../actors/campaignSettings.ts";
import { campaignEffects } from "./shopCampaignEffects.ts";
import { withUnsubscribe } from "./shopNews.ts";

/** The customer machine's effects that reach the customer's chat or the AI; the owners' notice is the owner side's. */
export type ShopEffectHandlers = Omit<EffectHandlers<CustomerEffectParams>, "notifyOwnersOfOrder">;

/** What the shop's effect handlers reach: the Bot API, the catalog and the AI. */
export interface ShopEffectsOptions {
  /**
   * The shop bot's Bot API client. Give it one without grammY's auto-retry (`new Api(token, { apiRoot })`):
   * a 429 or a 5xx is the effect worker's to retry, with its backoff and its last attempt, never a
   * loop inside one attempt.
   */
  readonly api: Api;
  readonly catalog: Catalog;
  /** Absent: a question queued before the AI was switched off is answered as a failure. */
  readonly ai: AiPort | null;
  /** How long the AI may take for one answer; keep it under the machine's `consultantTimeout`. */
  readonly aiTimeoutMs: number;
  readonly timeZone?: string;
  /** Translations by language; the shop's own Fluent files by default. */
  readonly translate?: (language: Language, key: string, vars?: Record<string, string | number>) => string;
  readonly log?: Logger;
  /** The owner's campaign settings (the texts of the second reminder and the win-back); without them both are off. */
  readonly campaigns?: CampaignSettingsSource;
}

/** How much of the catalog the consultant sees with each question. */
const consultantCatalogChars = 6_000;
/** Telegram takes 4,096 characters in a message; an answer is cut below that. */
const maxAnswerChars = 4_000;
/** Control characters other than tab and line breaks: nothing a person reads, and they would bloat the stored event. */
const controlChars = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/**
 * A failed Bot API call as the worker's next step: a customer who blocked the bot is recorded
 * (`blocked`) and never retried; a 429 waits as long as Telegram says; a 5xx or a network error is
 * retried with backoff; any other refusal cannot succeed and is dropped with its reason.
 */
export function outcomeOfSendError(error: unknown): EffectOutcome {
  if (error instanceof GrammyError) {
    if (error.error_code === 403) return { outcome: "done", reply: { type: "blocked" } };
    if (error.error_code === 429) return { outcome: "retry", reason: `429 ${error.description}`, afterMs: (error.parameters.retry_after ?? 1) * 1_000 };
    if (error.error_code >= 500) return { outcome: "retry", reason: `${error.error_code} ${error.description}` };
    return { outcome: "drop", reason: `${error.error_code} ${error.description}` };
  }
  if (error instanceof HttpError) return { outcome: "retry", reason: `network: ${describeError(error.error).error}` };
  return { outcome: "retry", reason: describeError(error).error };
}

/**
 * The handlers of the shop's effects: the abandoned-cart reminder, the question to the AI, and the
 * consultant's answer or failure in the chat. Each is called at least once per effect by the
 * effect worker (actors/effectWorker.ts), with the effect's key; what the machine needs back
 * (`reminder_sent`, the AI's answer, `blocked`) is the reply.
 *
 * @example
 * const handlers = { ...createShopEffects({ api: new Api(token), catalog, ai, aiTimeoutMs: 30_000, log }), notifyOwnersOfOrder };
 * const actors = createCustomerActors({ store, machine, handlers, log });
 */
export function createShopEffects(options: ShopEffectsOptions): ShopEffectHandlers {
  const { api, catalog, ai, aiTimeoutMs } = options;
  const log = options.log ?? silentLogger;
  const timeZone = options.timeZone ?? "Europe/Moscow";
  const translate = options.translate ?? defaultTranslate();
  const viewIn = (language: Language) => viewOf((key, vars) => translate(language, key, vars), language, timeZone);

  /** Sends a screen to the effect's customer: done, or what the failure calls for. */
  async function send(actor: string, screen: Screen, html: boolean, signal: AbortSignal, done: EffectOutcome): Promise<EffectOutcome> {
    const chatId = customerIdOf(actor);
    if (chatId === null) return { outcome: "drop", reason: `not a customer: ${actor}` };
    try {
      await api.sendMessage(chatId, screen.text, { ...(html ? { parse_mode: "HTML" as const } : {}), ...(screen.keyboard ? { reply_markup: screen.keyboard } : {}) }, apiSignal(signal));
      return done;
    } catch (error) {
      return outcomeOfSendError(error);
    }
  }

  const sendCartReminder: EffectHandler<"sendCartReminder", CustomerEffectParams["sendCartReminder"]> = async ({ actor, params }, signal) => {
    const priced = priceCart({ rev: 0, lines: params.lines }, catalog);
    if (priced.lines.length === 0) return { outcome: "done" };
    const screen = reminderScreen(viewIn(params.language), priced);
    const keyboard = screen.keyboard ? withUnsubscribe(screen.keyboard, params.language) : undefined;
    return send(actor, { ...screen, ...(keyboard ? { keyboard } : {}) }, true, signal, { outcome: "done", reply: { type: "reminder_sent" } });
  };

  const askConsultant: EffectHandler<"askConsultant", CustomerEffectParams["askConsultant"]> = async ({ key, params }, signal) => {
    if (!ai) return { outcome: "done", reply: { type: "consultant_failed", reason: "failed" } };
    try {
      const input = { question: params.question, catalog: catalog.describe(consultantCatalogChars), language: params.language };
      const text = clip((await ai.consult(input, AbortSignal.any([signal, AbortSignal.timeout(aiTimeoutMs)]))).replace(controlChars, "").trim(), maxAnswerChars);
      if (text === "") throw new Error("an empty answer");
      return { outcome: "done", reply: { type: "consultant_answered", text } };
    } catch (error) {
      // The worker stopped or gave up on this attempt: ask again later rather than tell the customer it failed.
      if (signal.aborted) return { outcome: "retry", reason: "the attempt was stopped" };
      const reason = aiFailureOf(error);
      log.warn("consultant_failed", { key, reason, error: describeError(error).error });
      return { outcome: "done", reply: { type: "consultant_failed", reason: reason === "timeout" ? "timeout" : "failed" } };
    }
  };

  const sendConsultantAnswer: EffectHandler<"sendConsultantAnswer", CustomerEffectParams["sendConsultantAnswer"]> = ({ actor, params }, signal) =>
    send(actor, { text: params.text, keyboard: consultantKeyboard(viewIn(params.language)) }, false, signal, { outcome: "done" });

  const sendConsultantFailure: EffectHandler<"sendConsultantFailure", CustomerEffectParams["sendConsultantFailure"]> = ({ actor, params }, signal) => {
    const view = viewIn(params.language);
    const text = view.t(params.reason === "timeout" ? "consultant-timeout" : "consultant-failed");
    return send(actor, { text, keyboard: consultantKeyboard(view) }, false, signal, { outcome: "done" });
  };

  const campaigns = options.campaigns ?? fixedCampaignSettings(defaultCampaignSettings({ cartReminderMinutes: 120, winBackDays: 14 }));
  return { sendCartReminder, askConsultant, sendConsultantAnswer, sendConsultantFailure, ...campaignEffects(send, viewIn, campaigns) };
}

function defaultTranslate(): NonNullable<ShopEffectsOptions["translate"]> {
  const i18n = createShopI18n();
  return (language, key, vars) => i18n.t(language, key, vars);
}
