import { Composer } from "grammy";
import { escapeHtml } from "../format.ts";
import { showCheckoutStep } from "./shopCheckout.ts";
import { customerOf, keyOf, menuOf, needsConsent, view, type Shop, type ShopContext } from "./shopContext.ts";
import { consultantScreen } from "./shopScreens.ts";

/**
 * Telegram delivers an update again when its handling committed but no 200 came back (the
 * process died before answering). Every event the update led to is keyed `shop:<update_id>:…`,
 * but which event a message leads to is chosen from the customer's state, and that state has
 * moved on: read again, a typed phone would become the delivery address, a question a search, a
 * search a question. So a message whose update is already in the log is never routed again: the
 * customer is shown where they are now, and nothing is dispatched. One probe of the key index per
 * message. Button presses go on to their features: each names what it does, so its event is a
 * duplicate by its key, and its handler shows the screen it led to.
 */

/** Where the customer is now: the checkout's step, the consultant, or the menu (asking for consent when it is due). */
async function showWhereTheyAre(shop: Shop, ctx: ShopContext): Promise<void> {
  const snapshot = await customerOf(shop, ctx);
  if (snapshot.value.checkout !== "idle") return showCheckoutStep(shop, ctx, snapshot);
  if (snapshot.value.consultant === "thinking") return void (await ctx.reply(ctx.t("consultant-busy")));
  if (snapshot.value.consultant !== "off") return shop.show(ctx, consultantScreen(view(shop, ctx)));
  const askConsent = needsConsent(shop, snapshot.context);
  const text = askConsent ? ctx.t("consent-ask", { version: escapeHtml(shop.consentVersion) }) : undefined;
  await shop.show(ctx, menuOf(shop, ctx, snapshot, { askConsent, ...(text ? { text } : {}) }));
}

/** The Composer that answers a message already applied; install it before every feature. */
export function shopRedelivery(shop: Shop): Composer<ShopContext> {
  const composer = new Composer<ShopContext>();
  composer.on("message", async (ctx, next) => {
    if (!(await shop.store.hasEventKeyPrefix(keyOf(ctx, "")))) return next();
    await showWhereTheyAre(shop, ctx);
  });
  return composer;
}
