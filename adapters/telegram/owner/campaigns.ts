import { Composer } from "grammy";
import { defaultCampaignSettings, loadCampaignSettings, type CampaignSettings, type CampaignSettingsStore } from "../../../actors/campaignSettings.ts";
import { describeError } from "../../../actors/log.port.ts";
import { ownerCampaignMachine, ownerCampaignVersion } from "../../../machines/ownerCampaign.machine.ts";
import type { CampaignField, OwnerCampaignActionParams, OwnerCampaignEvent } from "../../../machines/ownerCampaign.types.ts";
import { createFlow, type FlowActionImplementations } from "../flowState.ts";
import { campaignFieldCodes, campaignPromptScreen, campaignsScreen, campaignToggleCodes, type CampaignToggle } from "./campaignScreens.ts";
import type { OwnerContext } from "./ownerContext.ts";
import { slot } from "./ownerFlows.ts";
import { onButton, type OwnerKit } from "./ownerKit.ts";

/** The settings with one typed value applied. */
function withField(settings: CampaignSettings, field: CampaignField, value: string | number): CampaignSettings {
  const { secondReminder: second, winBack } = settings;
  switch (field) {
    case "cartMinutes":
      return { ...settings, cartReminderMinutes: Number(value) };
    case "secondText":
      return { ...settings, secondReminder: { ...second, text: String(value) } };
    case "secondHours":
      return { ...settings, secondReminder: { ...second, hours: Number(value) } };
    case "winBackText":
      return { ...settings, winBack: { ...winBack, text: String(value) } };
    case "winBackDays":
      return { ...settings, winBack: { ...winBack, days: Number(value) } };
  }
}

/** The settings with one switch flipped, or why not: a campaign without its text cannot be turned on. */
function flipped(settings: CampaignSettings, which: CampaignToggle): CampaignSettings | "no_text" {
  const { secondReminder: second, winBack } = settings;
  if (which === "catalogButton") return { ...settings, winBack: { ...winBack, catalogButton: !winBack.catalogButton } };
  const campaign = which === "second" ? second : winBack;
  if (!campaign.enabled && campaign.text.trim() === "") return "no_text";
  return which === "second" ? { ...settings, secondReminder: { ...second, enabled: !second.enabled } } : { ...settings, winBack: { ...winBack, enabled: !winBack.enabled } };
}

/**
 * 📣 Campaigns: the owner's settings of the automatic campaigns (the first cart reminder's delay, the
 * second reminder and the win-back: text, delay, on/off), typed through a flow machine
 * (machines/ownerCampaign.machine.ts) kept in the owner's session. `settings` is the process's own
 * store of them, shared with the customer machine and the shop's effects, so a save applies to the
 * next timer armed; without it (a composition that runs the owner bot alone) the bot reads and writes
 * the store directly, and the shop sees a change at its next start.
 */
export function campaigns(kit: OwnerKit, settings?: CampaignSettingsStore): Composer<OwnerContext> {
  let loaded: Promise<CampaignSettingsStore> | null = settings ? Promise.resolve(settings) : null;
  const store = (): Promise<CampaignSettingsStore> => (loaded ??= loadCampaignSettings(kit.store, defaultCampaignSettings({ cartReminderMinutes: 120, winBackDays: 14 })));
  const actions: FlowActionImplementations<OwnerCampaignActionParams, OwnerCampaignEvent, OwnerContext> = {
    saveCampaignField: async ({ field, value }) => {
      if (field === null || value === null) return { type: "FAILED" };
      try {
        const current = await store();
        await current.save(withField(current.current(), field, value));
        kit.log.info("campaign_changed", { bot: "owner", field });
        return { type: "SAVED" };
      } catch (error) {
        kit.log.error("campaign_save_failed", { bot: "owner", field, ...describeError(error) });
        return { type: "FAILED" };
      }
    },
  };
  const flow = slot(createFlow(ownerCampaignMachine, ownerCampaignVersion, actions), "campaign", (snapshot) => snapshot.value !== "idle");

  const open = async (ctx: OwnerContext, notice?: string): Promise<void> => {
    await kit.answer(ctx);
    await kit.show(ctx, campaignsScreen(kit.view(ctx), (await store()).current(), notice));
  };
  const composer = new Composer<OwnerContext>();
  onButton(composer, "cmp", (ctx) => open(ctx));
  onButton(composer, "cmpe", async (ctx, [n]) => {
    const field = campaignFieldCodes[n];
    if (field === undefined) return open(ctx);
    kit.dropInputFlows(ctx);
    await flow.step(ctx, { type: "START", field });
    await kit.answer(ctx);
    await kit.show(ctx, campaignPromptScreen(kit.view(ctx), field, null));
  });
  onButton(composer, "cmpt", async (ctx, [n]) => {
    const which = campaignToggleCodes[n];
    if (which === undefined) return open(ctx);
    const current = await store();
    const next = flipped(current.current(), which);
    if (next === "no_text") return kit.answer(ctx, ctx.t("campaign-needs-text"), true);
    await current.save(next);
    return open(ctx);
  });
  onButton(composer, "cmpx", async (ctx) => {
    flow.clear(ctx);
    return open(ctx, ctx.t("campaign-cancelled"));
  });
  composer.on("message:text", async (ctx, next) => {
    const waiting = flow.of(ctx);
    if (waiting.value !== "awaitingText" || waiting.context.field === null) return next();
    const field = waiting.context.field;
    const after = await flow.step(ctx, { type: "TEXT", text: ctx.message.text }, waiting);
    if (after.value !== "idle") return kit.send(ctx, campaignPromptScreen(kit.view(ctx), field, after.context.error, ctx.message.text.trim().length));
    await kit.send(ctx, campaignsScreen(kit.view(ctx), (await store()).current(), ctx.t("campaign-saved")));
  });
  return composer;
}
