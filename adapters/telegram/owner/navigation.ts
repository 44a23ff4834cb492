import { Composer } from "grammy";
import { openCard } from "./card.ts";
import type { OwnerContext } from "./ownerContext.ts";
import { onButton, type OwnerKit } from "./ownerKit.ts";
import { openOrders } from "./orders.ts";
import { crmMenu, funnelScreen, leadsPerPage, leadsScreen, ownerMenu } from "./ownerScreens.ts";
import { openReport } from "./reports.ts";
import { campaignLines, withCampaignLines } from "./campaignScreens.ts";
import { campaignStats } from "../../../actors/campaignStats.ts";
import { stageTimeLines } from "./stageTimeScreen.ts";

/** A page of the most recently seen leads. */
async function openLeads(kit: OwnerKit, ctx: OwnerContext, offset: number): Promise<void> {
  const place = await kit.go(ctx, { type: "LEADS", offset });
  await kit.answer(ctx);
  await kit.show(ctx, leadsScreen(kit.view(ctx), await kit.store.recentLeads({ offset: place.context.leadsOffset, limit: leadsPerPage })));
}

/** The funnel, with the time in stage and what the campaigns earned over the last 30 days once there is anyone in it. */
async function funnelWithCampaigns(kit: OwnerKit, ctx: OwnerContext) {
  const now = kit.clock.now();
  const [funnel, campaigns, stageTimes] = await Promise.all([kit.store.funnel(), campaignStats(kit.store, { from: now - 30 * 24 * 3_600_000, to: now + 1 }), kit.store.stageTimes()]);
  const screen = funnelScreen(kit.view(ctx), funnel);
  if (funnel.total === 0) return screen;
  const view = kit.view(ctx);
  return withCampaignLines(withCampaignLines(screen, stageTimeLines(view, stageTimes)), campaignLines(view, campaigns, kit.currency, "campaigns-earned-30d"));
}

/** Shows the screen of wherever the navigation flow now is. */
export async function renderPlace(kit: OwnerKit, ctx: OwnerContext): Promise<void> {
  const place = kit.flows.nav.of(ctx);
  switch (place.value) {
    case "menu":
      await kit.answer(ctx);
      return kit.show(ctx, ownerMenu(kit.view(ctx)));
    case "crm":
      await kit.answer(ctx);
      return kit.show(ctx, crmMenu(kit.view(ctx), kit.today()));
    case "funnel":
      await kit.answer(ctx);
      return kit.show(ctx, await funnelWithCampaigns(kit, ctx));
    case "leads":
      return openLeads(kit, ctx, place.context.leadsOffset);
    case "orders":
      return openOrders(kit, ctx);
    case "report":
      return openReport(kit, ctx, place.context.day ?? kit.today());
    case "card":
    case "history":
      return place.context.userId === null ? kit.show(ctx, crmMenu(kit.view(ctx), kit.today())) : openCard(kit, ctx, place.context.userId);
  }
}

/** The menus: `/start`, `/crm`, `/cancel`, the main and CRM menus, the funnel, the leads pages, and "back". */
export function navigation(kit: OwnerKit): Composer<OwnerContext> {
  const composer = new Composer<OwnerContext>();
  composer.command(["start", "menu"], async (ctx) => {
    kit.dropInputFlows(ctx);
    await kit.go(ctx, { type: "MENU" });
    await kit.send(ctx, ownerMenu(kit.view(ctx)));
  });
  composer.command(["crm", "cancel"], async (ctx) => {
    kit.dropInputFlows(ctx);
    await kit.go(ctx, { type: "CRM" });
    await kit.send(ctx, crmMenu(kit.view(ctx), kit.today()));
  });
  onButton(composer, "menu", async (ctx) => {
    kit.dropInputFlows(ctx);
    await kit.go(ctx, { type: "MENU" });
    await renderPlace(kit, ctx);
  });
  onButton(composer, "crm", async (ctx) => {
    await kit.go(ctx, { type: "CRM" });
    await renderPlace(kit, ctx);
  });
  onButton(composer, "fun", async (ctx) => {
    await kit.go(ctx, { type: "FUNNEL" });
    await renderPlace(kit, ctx);
  });
  onButton(composer, "back", async (ctx) => {
    await kit.go(ctx, { type: "BACK" });
    await renderPlace(kit, ctx);
  });
  onButton(composer, "leads", (ctx, [offset]) => openLeads(kit, ctx, offset));
  return composer;
}
