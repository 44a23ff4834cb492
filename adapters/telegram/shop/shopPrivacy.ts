import { Composer, InlineKeyboard } from "grammy";
import { itemsCount } from "../../../actors/cart.ts";
import { leadOf } from "../../../actors/customerSnapshot.ts";
import type { CustomerSnapshot } from "../../../actors/customerRuntime.ts";
import type { Lead } from "../../../actors/store.port.ts";
import { escapeHtml } from "../format.ts";
import { shopButtons } from "./shopButtons.ts";
import { answer, customerOf, dispatch, keyOf, menuOf, onButtons, userOf, view, type Shop, type ShopContext } from "./shopContext.ts";
import { forgetScreen, myDataScreen, privacyScreen } from "./shopScreens.ts";
import { shopSessionKey } from "./shopSession.ts";

/**
 * Consent and the customer's data rights: the consent buttons (`consent_given`, and
 * `consent_declined` for "not now", so they are not asked again until the terms change),
 * `/privacy` with its revoke, `/mydata`, and `/forget`, which erases the customer's personal data,
 * their cart, checkout and consultant, and this chat's session in one transaction.
 */

/** The lead as the customer's own snapshot has it; null for someone the shop has never seen. */
const leadIn = (snapshot: CustomerSnapshot): Lead | null => (snapshot.context.firstSeenAt === null ? null : leadOf(snapshot));

const menuButton = (ctx: ShopContext): InlineKeyboard => new InlineKeyboard().text(ctx.t("btn-menu"), shopButtons.encode("menu"));

async function setConsent(shop: Shop, ctx: ShopContext, given: boolean): Promise<void> {
  const version = shop.consentVersion;
  const snapshot = await dispatch(shop, ctx, given ? { type: "consent_given", version } : { type: "consent_declined", version });
  await answer(ctx);
  const text = given ? ctx.t("consent-given", { version: escapeHtml(version) }) : ctx.t("consent-declined");
  await shop.show(ctx, menuOf(shop, ctx, snapshot, { text }));
}

/** Revoking is also a "not now" to the current terms: the customer is not asked again until they change. */
async function revokeConsent(shop: Shop, ctx: ShopContext): Promise<void> {
  if ((await customerOf(shop, ctx)).context.consentAt !== null) await dispatch(shop, ctx, { type: "consent_revoked" });
  await dispatch(shop, ctx, { type: "consent_declined", version: shop.consentVersion });
  await answer(ctx);
  await shop.show(ctx, { text: ctx.t("consent-revoked"), keyboard: menuButton(ctx) });
}

async function showPrivacy(shop: Shop, ctx: ShopContext): Promise<void> {
  const lead = leadIn(await customerOf(shop, ctx));
  await answer(ctx);
  await shop.show(ctx, privacyScreen(view(shop, ctx), lead, shop.consentVersion));
}

async function showMyData(shop: Shop, ctx: ShopContext): Promise<void> {
  const userId = userOf(ctx);
  const snapshot = await customerOf(shop, ctx);
  const [messages, orders] = await Promise.all([shop.store.messagesCount(userId), shop.store.orders(userId, { limit: 5 })]);
  await answer(ctx);
  const data = { lead: leadIn(snapshot), messages, orders: orders.items, cartItems: itemsCount(snapshot.context.cart) };
  await shop.show(ctx, myDataScreen(view(shop, ctx), data, shop.consentVersion));
}

async function forget(shop: Shop, ctx: ShopContext): Promise<void> {
  const userId = userOf(ctx);
  const { context, value } = await customerOf(shop, ctx);
  const messages = await shop.store.messagesCount(userId);
  // The chat's session goes in the erasure's own transaction; null tells grammY it is gone, so nothing is written back.
  await shop.runtime.forget(userId, keyOf(ctx, "forget"), { sessionKeys: [shopSessionKey(ctx.chat?.id ?? userId)] });
  ctx.session = null;
  const yesNo = (yes: boolean): string => (yes ? ctx.t("yes") : ctx.t("no"));
  await answer(ctx);
  await shop.show(ctx, {
    text: ctx.t("forget-done", { messages, phone: yesNo(context.phone !== null), username: yesNo(context.username !== null || context.name !== null), notes: context.notes.length, orders: context.ordersCount }),
    keyboard: menuButton(ctx),
  });
  if (value.checkout !== "idle") await ctx.reply(ctx.t("checkout-cancelled"), { reply_markup: { remove_keyboard: true } });
}

/** The Composer of consent and personal data: its commands and buttons. */
export function shopPrivacy(shop: Shop): Composer<ShopContext> {
  const composer = new Composer<ShopContext>();
  composer.command("privacy", (ctx) => showPrivacy(shop, ctx));
  composer.command("mydata", (ctx) => showMyData(shop, ctx));
  composer.command("forget", (ctx) => shop.show(ctx, forgetScreen(view(shop, ctx))));
  onButtons(composer, {
    cons: (ctx, [given]) => setConsent(shop, ctx, given),
    revoke: (ctx) => revokeConsent(shop, ctx),
    priv: (ctx) => showPrivacy(shop, ctx),
    mydata: (ctx) => showMyData(shop, ctx),
    forget: async (ctx, [confirmed]) => {
      if (confirmed) return forget(shop, ctx);
      await answer(ctx);
      await shop.show(ctx, forgetScreen(view(shop, ctx)));
    },
  });
  return composer;
}
