import { Composer } from "grammy";
import type { Lead } from "../../../actors/store.port.ts";
import type { CardSource } from "../../../machines/ownerNavigation.types.ts";
import type { Screen } from "../screen.ts";
import { ownerButtons as b } from "./ownerButtons.ts";
import type { OwnerContext } from "./ownerContext.ts";
import { onButton, type OwnerKit } from "./ownerKit.ts";
import { cardScreen, crmMenu, isErased } from "./ownerScreens.ts";
import { withJourneyButton } from "./journeyScreen.ts";
import { cardCampaignLines, cardCampaignMessages, campaignMessageTypes, withCampaignLines } from "./campaignScreens.ts";

/** The client card, its "back" leading where the owner came from: the leads page, the search results, or the CRM. */
export function cardOf(kit: OwnerKit, ctx: OwnerContext, lead: Lead, notice?: string): Screen {
  const nav = kit.flows.nav.of(ctx);
  const search = kit.flows.search.of(ctx);
  const from = nav.context.cardFrom;
  const backTo = from === "leads" ? b.encode("leads", nav.context.leadsOffset) : from === "search" && search.value === "results" ? b.encode("sp", search.context.offset) : b.encode("crm");
  const view = kit.view(ctx);
  return withJourneyButton(view, cardScreen(view, { lead, currency: kit.currency, aiEnabled: kit.ai !== null, backTo }, notice), lead.userId);
}

/** How the card being opened was reached, from where the owner is now. */
function sourceOf(kit: OwnerKit, ctx: OwnerContext): CardSource {
  const nav = kit.flows.nav.of(ctx);
  const place = nav.value;
  if (place === "leads") return "leads";
  if (kit.flows.search.of(ctx).value === "results" && (place === "crm" || place === "card")) return "search";
  if (place === "card" || place === "history") return nav.context.cardFrom ?? "notification";
  return "notification";
}

/** Opens a client's card (an unknown client gets an alert and the CRM menu). */
export async function openCard(kit: OwnerKit, ctx: OwnerContext, userId: number, notice?: string): Promise<void> {
  const lead = await kit.leadOf(userId);
  if (!lead) {
    await kit.answer(ctx, ctx.t("lead-missing"), true);
    return kit.show(ctx, crmMenu(kit.view(ctx), kit.today()));
  }
  await kit.go(ctx, { type: "CARD", userId, from: sourceOf(kit, ctx) });
  const campaigns = await kit.store.events(userId, { types: campaignMessageTypes, limit: cardCampaignMessages });
  const journey = cardCampaignLines(kit.view(ctx), campaigns, lead.unsubscribedAt);
  const screen = cardOf(kit, ctx, lead, notice);
  await kit.answer(ctx);
  await kit.show(ctx, journey === null ? screen : withCampaignLines(screen, journey));
}

/** The client, when notes, tags, history or a summary may be about them; otherwise a clear answer and null. */
export async function actionable(kit: OwnerKit, ctx: OwnerContext, userId: number): Promise<Lead | null> {
  const lead = await kit.leadOf(userId);
  if (!lead) {
    await kit.answer(ctx, ctx.t("lead-missing"), true);
    return null;
  }
  if (isErased(lead)) {
    await kit.answer(ctx, ctx.t("erased-action"), true);
    await kit.show(ctx, cardOf(kit, ctx, lead, ctx.t("erased-action")));
    return null;
  }
  return lead;
}

/** The client card: opened from a list, a search, an order or a notice. */
export function card(kit: OwnerKit): Composer<OwnerContext> {
  const composer = new Composer<OwnerContext>();
  onButton(composer, "card", (ctx, [userId]) => openCard(kit, ctx, userId));
  return composer;
}
