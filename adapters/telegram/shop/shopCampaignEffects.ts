import { InlineKeyboard } from "grammy";
import type { CampaignSettingsSource } from "../../../actors/campaignSettings.ts";
import type { EffectHandler, EffectOutcome } from "../../../actors/effects.port.ts";
import type { CustomerEffectParams, Language } from "../../../machines/customer.types.ts";
import type { Screen, View } from "../screen.ts";
import { shopButtons } from "./shopButtons.ts";
import { withUnsubscribe } from "./shopNews.ts";

/** Sends a screen to an effect's customer (plain text when `html` is false) and answers with `done` or what the failure calls for. */
export type CampaignSend = (actor: string, screen: Screen, html: boolean, signal: AbortSignal, done: EffectOutcome) => Promise<EffectOutcome>;

/** The customer machine's campaign effects, as the effect worker calls them. */
export interface CampaignEffectHandlers {
  readonly sendSecondReminder: EffectHandler<"sendSecondReminder", CustomerEffectParams["sendSecondReminder"]>;
  readonly sendWinBack: EffectHandler<"sendWinBack", CustomerEffectParams["sendWinBack"]>;
}

/**
 * The automatic campaigns' messages: the second cart reminder and the win-back. Each sends the
 * owner's text as it is when the effect is delivered (a text edited after the timer was armed is the
 * one sent), as plain text, with the "Unsubscribe" button; a campaign turned off between the firing
 * and the delivery sends nothing. What reached the customer comes back as `second_reminder_sent` /
 * `winback_sent`, the facts the campaigns' figures are counted from.
 */
export function campaignEffects(send: CampaignSend, viewIn: (language: Language) => View, campaigns: CampaignSettingsSource): CampaignEffectHandlers {
  const sendSecondReminder: CampaignEffectHandlers["sendSecondReminder"] = ({ actor, params }, signal) => {
    const { enabled, text } = campaigns.current().secondReminder;
    if (!enabled || text.trim() === "") return Promise.resolve({ outcome: "done" });
    const keyboard = withUnsubscribe(new InlineKeyboard().text(viewIn(params.language).t("btn-open-cart"), shopButtons.encode("cart")), params.language);
    return send(actor, { text, keyboard }, false, signal, { outcome: "done", reply: { type: "second_reminder_sent" } });
  };
  const sendWinBack: CampaignEffectHandlers["sendWinBack"] = ({ actor, params }, signal) => {
    const { enabled, text, catalogButton } = campaigns.current().winBack;
    if (!enabled || text.trim() === "") return Promise.resolve({ outcome: "done" });
    const buttons = catalogButton ? new InlineKeyboard().text(viewIn(params.language).t("btn-campaign-catalog"), shopButtons.encode("cats")) : new InlineKeyboard();
    return send(actor, { text, keyboard: withUnsubscribe(buttons, params.language) }, false, signal, { outcome: "done", reply: { type: "winback_sent" } });
  };
  return { sendSecondReminder, sendWinBack };
}
