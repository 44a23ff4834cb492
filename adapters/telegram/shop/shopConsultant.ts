import { Composer } from "grammy";
import { maxQuestionChars } from "../../../machines/customer.input.ts";
import { answer, customerOf, dispatch, dispatchResult, hasCurrentConsent, isCommand, menuOf, onButtons, view, type Shop, type ShopContext } from "./shopContext.ts";
import { consultantConsentScreen, consultantScreen } from "./shopScreens.ts";

/**
 * The AI consultant, as the customer actor's `consultant` region keeps it. Entering needs consent
 * to the current terms (the AI reads the question, and the chat keeps it); without it the customer
 * is asked, and nothing is dispatched. A question is `question_asked`: the machine queues the
 * `askConsultant` effect, whose answer comes back as an event and reaches the chat through the
 * `sendConsultantAnswer` effect (adapters/telegram/shop/shopEffects.ts). No handler here waits
 * for the AI.
 */

async function enterConsultant(shop: Shop, ctx: ShopContext): Promise<void> {
  if (!shop.aiEnabled) {
    await answer(ctx, ctx.t("consultant-unavailable"), true);
    return shop.show(ctx, menuOf(shop, ctx, await customerOf(shop, ctx)));
  }
  const consented = hasCurrentConsent(shop, (await customerOf(shop, ctx)).context);
  const entered = consented ? await dispatch(shop, ctx, { type: "consultant_entered" }) : null;
  await answer(ctx);
  // The machine has the last word on consent: a refused entry shows the same question.
  if (entered === null || entered.value.consultant === "off") return shop.show(ctx, consultantConsentScreen(view(shop, ctx), shop.consentVersion));
  await shop.show(ctx, consultantScreen(view(shop, ctx)));
}

/** Leaves the consultant (if in it) and shows the menu. */
export async function leaveConsultant(shop: Shop, ctx: ShopContext): Promise<void> {
  const snapshot = await customerOf(shop, ctx);
  const inside = snapshot.value.consultant !== "off";
  const left = inside ? await dispatch(shop, ctx, { type: "consultant_left" }) : snapshot;
  await answer(ctx);
  await shop.show(ctx, menuOf(shop, ctx, left, inside ? { text: ctx.t("consultant-left") } : {}));
}

/** A question: checked here (empty, too long, one at a time), limited by the machine; the answer arrives later. */
async function ask(shop: Shop, ctx: ShopContext, text: string): Promise<void> {
  const question = text.trim();
  if (question === "") return void (await ctx.reply(ctx.t("consultant-empty")));
  if ([...question].length > maxQuestionChars) return void (await ctx.reply(ctx.t("consultant-too-long", { max: maxQuestionChars })));
  if ((await customerOf(shop, ctx)).value.consultant === "thinking") return void (await ctx.reply(ctx.t("consultant-busy")));
  const asked = await dispatchResult(shop, ctx, { type: "question_asked", text: question });
  if (asked.duplicate) return;
  if (asked.snapshot.value.consultant !== "thinking") return void (await ctx.reply(ctx.t("consultant-rate-limited")));
  await ctx.replyWithChatAction("typing").catch(() => undefined);
}

const consulting = (shop: Shop) => async (ctx: ShopContext): Promise<boolean> => !isCommand(ctx) && (await customerOf(shop, ctx)).value.consultant !== "off";

/** The consultant's Composer: its buttons, `/exit`, and the messages it takes while on (install before the catalog's text). */
export function shopConsultant(shop: Shop): Composer<ShopContext> {
  const composer = new Composer<ShopContext>();
  onButtons(composer, { ai: (ctx) => enterConsultant(shop, ctx), aix: (ctx) => leaveConsultant(shop, ctx) });
  composer.command("exit", (ctx) => leaveConsultant(shop, ctx));
  composer.on("message:text").filter(consulting(shop), (ctx) => ask(shop, ctx, ctx.message.text));
  composer.on("message").filter(consulting(shop), async (ctx) => {
    await ctx.reply(ctx.t("consultant-text-only"));
  });
  return composer;
}
