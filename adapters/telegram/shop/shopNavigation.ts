import { Composer } from "grammy";
import type { CustomerSnapshot } from "../../../actors/customerRuntime.ts";
import { clip, escapeHtml } from "../format.ts";
import { cancelCheckout } from "./shopCheckout.ts";
import { leaveConsultant } from "./shopConsultant.ts";
import { answer, customerOf, dispatch, keyOf, languageOf, menuOf, needsConsent, onButtons, type Shop, type ShopContext } from "./shopContext.ts";

/**
 * Getting around: `/start` (with a deep-link source), `/menu` and the menu button, `/help`, and
 * `/cancel`. Going to the menu leaves a checkout under way (the cart stays) and the consultant.
 */

/** Leaves the checkout and the consultant, if either is under way; the customer after that. */
async function leaveFlows(shop: Shop, ctx: ShopContext, snapshot: CustomerSnapshot): Promise<CustomerSnapshot> {
  let now = snapshot;
  if (now.value.checkout !== "idle") {
    now = await dispatch(shop, ctx, { type: "checkout_cancelled" }, keyOf(ctx, "leave_checkout"));
    await ctx.reply(ctx.t("checkout-cancelled"), { reply_markup: { remove_keyboard: true } });
  }
  if (now.value.consultant !== "off") now = await dispatch(shop, ctx, { type: "consultant_left" }, keyOf(ctx, "leave_consultant"));
  return now;
}

async function start(shop: Shop, ctx: ShopContext): Promise<void> {
  const from = ctx.from;
  if (!from) return;
  const payload = typeof ctx.match === "string" ? ctx.match.trim() : "";
  const source = /^[A-Za-z0-9_-]{1,64}$/.test(payload) ? payload : null;
  const name = clip([from.first_name, from.last_name].filter(Boolean).join(" ").trim(), 64) || null;
  const started = await dispatch(shop, ctx, { type: "start", source, username: from.username ?? null, name, language: languageOf(ctx) });
  const snapshot = await leaveFlows(shop, ctx, started);
  const greeting = ctx.t("greeting", { name: escapeHtml(from.first_name), shop: escapeHtml(ctx.me.first_name) });
  const askConsent = needsConsent(shop, snapshot.context);
  const text = askConsent ? `${greeting}\n\n${ctx.t("consent-ask", { version: escapeHtml(shop.consentVersion) })}` : greeting;
  await shop.show(ctx, menuOf(shop, ctx, snapshot, { text, askConsent }));
}

async function showMenu(shop: Shop, ctx: ShopContext): Promise<void> {
  const snapshot = await leaveFlows(shop, ctx, await customerOf(shop, ctx));
  await answer(ctx);
  await shop.show(ctx, menuOf(shop, ctx, snapshot));
}

/** `/cancel`: cancels the checkout (the cart stays) or leaves the consultant; otherwise shows the menu. */
async function cancelFlows(shop: Shop, ctx: ShopContext): Promise<void> {
  const snapshot = await customerOf(shop, ctx);
  if (snapshot.value.checkout !== "idle") return cancelCheckout(shop, ctx);
  if (snapshot.value.consultant !== "off") return leaveConsultant(shop, ctx);
  await answer(ctx);
  await shop.show(ctx, menuOf(shop, ctx, snapshot));
}

/** The navigation Composer: install it first, so that its commands win over text taken by a flow. */
export function shopNavigation(shop: Shop): Composer<ShopContext> {
  const composer = new Composer<ShopContext>();
  composer.command("start", (ctx) => start(shop, ctx));
  composer.command("menu", (ctx) => showMenu(shop, ctx));
  composer.command("help", async (ctx) => {
    await ctx.reply(ctx.t("help"));
  });
  composer.command("cancel", (ctx) => cancelFlows(shop, ctx));
  onButtons(composer, { menu: (ctx) => showMenu(shop, ctx), cancel: (ctx) => cancelFlows(shop, ctx) });
  return composer;
}
