import { GrammyError, type Api } from "grammy";
import type { EffectHandler, EffectHandlers, EffectOutcome } from "../../../actors/effects.port.ts";
import { describeError, silentLogger, type Logger } from "../../../actors/log.port.ts";
import type { Language } from "../../../machines/customer.types.ts";
import type { OrderEffectParams } from "../../../machines/order.types.ts";
import { apiSignal } from "../../telegramConnect.ts";
import type { Screen } from "../screen.ts";
import { createShopI18n, viewOf } from "./shopContext.ts";
import { outcomeOfSendError } from "./shopEffects.ts";
import { invoiceWords, orderNoticeScreen, ratingScreen } from "./shopOrderScreens.ts";

/** The order machine's effects that reach the customer's chat or Telegram's payments; the owners' are the owner side's. */
export type ShopOrderEffectParams = Pick<OrderEffectParams, "sendInvoice" | "notifyCustomerOfOrder" | "refundStarPayment" | "askForRating">;
/** Their handlers, for `createCustomerActors({ orders: { handlers } })` beside the owners' two. */
export type ShopOrderEffectHandlers = EffectHandlers<ShopOrderEffectParams>;

/** What the handlers reach: the shop bot's Bot API, the provider token, and how to write to the customer. */
export interface ShopOrderEffectsOptions {
  /** The shop bot's Bot API client, without auto-retry: retries are the effect worker's. */
  readonly api: Api;
  /** `PAYMENT_PROVIDER_TOKEN`; without it a provider invoice cannot be sent and its effect is dropped. Never logged. */
  readonly providerToken?: string;
  readonly timeZone?: string;
  readonly translate?: (language: Language, key: string, vars?: Record<string, string | number>) => string;
  readonly log?: Logger;
}

/** Telegram's answer for a charge that was already given back: the refund is done, whoever did it. */
const alreadyRefunded = /CHARGE_ALREADY_REFUNDED/;

/**
 * The handlers of an order's effects that talk to its customer: the invoice (Stars with no
 * provider token, or the provider's, its payload the order id), the notice of each move in the
 * customer's language, the Stars refund (whose result is the effect's reply to the order,
 * `refund_completed` or `refund_failed` by `payment`, applied with the effect's completion, once),
 * and the rating question. Called at least once per effect by the effect
 * worker; a send that fails is retried or dropped as `outcomeOfSendError` says (a customer who
 * blocked the bot is dropped: the order has nothing to record of it).
 *
 * @example
 * const actors = createCustomerActors({ store, handlers, orders: { handlers: { ...createShopOrderEffects({ api: new Api(token), log }), ...ownerOrderEffects(owners) } } });
 */
export function createShopOrderEffects(options: ShopOrderEffectsOptions): ShopOrderEffectHandlers {
  const { api } = options;
  const log = options.log ?? silentLogger;
  const timeZone = options.timeZone ?? "Europe/Moscow";
  const translate = options.translate ?? defaultTranslate();
  const viewIn = (language: Language) => viewOf((key, vars) => translate(language, key, vars), language, timeZone);

  async function send(chatId: number, screen: Screen, signal: AbortSignal): Promise<EffectOutcome> {
    try {
      await api.sendMessage(chatId, screen.text, { parse_mode: "HTML", ...(screen.keyboard ? { reply_markup: screen.keyboard } : {}) }, apiSignal(signal));
      return { outcome: "done" };
    } catch (error) {
      return sendFailure(error);
    }
  }

  const sendInvoice: EffectHandler<"sendInvoice", OrderEffectParams["sendInvoice"]> = async ({ params }, signal) => {
    const { orderId, userId, invoice, payment } = params;
    if (payment === "provider" && !options.providerToken) return { outcome: "drop", reason: "no PAYMENT_PROVIDER_TOKEN for a provider invoice" };
    const words = invoiceWords(viewIn(params.language), orderId, params.items);
    const provider = payment === "provider" && options.providerToken ? { provider_token: options.providerToken } : {};
    try {
      await api.sendInvoice(userId, words.title, words.description, orderId, invoice.currency, [{ label: words.title, amount: invoice.amount }], provider, apiSignal(signal));
      return { outcome: "done" };
    } catch (error) {
      return sendFailure(error);
    }
  };

  const notifyCustomerOfOrder: EffectHandler<"notifyCustomerOfOrder", OrderEffectParams["notifyCustomerOfOrder"]> = async ({ params }, signal) => {
    const screen = orderNoticeScreen(viewIn(params.language), params);
    return screen ? send(params.userId, screen, signal) : { outcome: "done" };
  };

  const askForRating: EffectHandler<"askForRating", OrderEffectParams["askForRating"]> = ({ params }, signal) => send(params.userId, ratingScreen(viewIn(params.language), params.orderId), signal);

  /** Gives the Stars back; what became of it goes back to the order with the effect's completion, once. */
  const refundStarPayment: EffectHandler<"refundStarPayment", OrderEffectParams["refundStarPayment"]> = async ({ key, params }, signal) => {
    const { orderId, userId, chargeId } = params;
    try {
      await api.refundStarPayment(userId, chargeId, apiSignal(signal));
    } catch (error) {
      const refused = error instanceof GrammyError && error.error_code >= 400 && error.error_code < 500 && error.error_code !== 429;
      if (!refused) return outcomeOfSendError(error);
      if (!alreadyRefunded.test(error.description)) {
        log.warn("star_refund_failed", { orderId, key, error: error.description });
        return { outcome: "done", reply: { type: "refund_failed", by: "payment", reason: error.description, chargeId } };
      }
    }
    log.info("star_refunded", { orderId, key });
    return { outcome: "done", reply: { type: "refund_completed", by: "payment", chargeId } };
  };

  return { sendInvoice, notifyCustomerOfOrder, refundStarPayment, askForRating };
}

/** A failed send of an order's message: as the customer's effects, except that a blocked customer is dropped (an order takes no `blocked`). */
function sendFailure(error: unknown): EffectOutcome {
  const outcome = outcomeOfSendError(error);
  if (outcome.outcome === "done") return { outcome: "drop", reason: `blocked: ${describeError(error).error}` };
  return outcome;
}

function defaultTranslate(): NonNullable<ShopOrderEffectsOptions["translate"]> {
  const i18n = createShopI18n();
  return (language, key, vars) => i18n.t(language, key, vars);
}
