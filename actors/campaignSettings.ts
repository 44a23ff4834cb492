import { campaignDelayBounds, maxCampaignTextChars } from "../machines/ownerCampaign.types.ts";
import type { SessionStore } from "./store.port.ts";
import type { Deployment } from "./deployment.port.ts";
import { describeError, type Logger } from "./log.port.ts";

export { maxCampaignTextChars } from "../machines/ownerCampaign.types.ts";

/**
 * The automatic campaigns' settings (issue 13): the first cart reminder's delay, the second cart
 * reminder and the win-back, each with its text, delay and on/off. The owner edits them in the owner
 * bot; they live in the store's key-value space under {@link campaignSettingsKey}, with the
 * environment's values as defaults. The customer machine reads them through `.provide()` when it
 * arms a timer (the delay) and when the timer fires (on/off); the effect handler reads the text when
 * it delivers. So a change applies to timers armed after it, while a pending timer keeps its due
 * time, sends the text current at delivery, and sends nothing if its campaign was turned off.
 */
export interface CampaignSettings {
  /** Minutes a cart with items waits before the first reminder (`CART_REMINDER_MINUTES` by default). */
  readonly cartReminderMinutes: number;
  readonly secondReminder: { readonly enabled: boolean; readonly text: string; readonly hours: number };
  readonly winBack: { readonly enabled: boolean; readonly text: string; readonly days: number; readonly catalogButton: boolean };
}

/** Where the settings are kept in the store's key-value space. */
export const campaignSettingsKey = "owner:campaigns";

/** Bounds of the delays an owner may set, so that a typo cannot arm a timer for a century. */
export const campaignLimits = {
  cartReminderMinutes: campaignDelayBounds.cartMinutes,
  secondReminderHours: campaignDelayBounds.secondHours,
  winBackDays: campaignDelayBounds.winBackDays,
} as const;

/** The settings before the owner changed anything: the second reminder and the win-back are off until the owner writes their texts. */
export function defaultCampaignSettings(defaults: { readonly cartReminderMinutes: number; readonly winBackDays: number; readonly secondReminderHours?: number }): CampaignSettings {
  return {
    cartReminderMinutes: defaults.cartReminderMinutes,
    secondReminder: { enabled: false, text: "", hours: defaults.secondReminderHours ?? 24 },
    winBack: { enabled: false, text: "", days: defaults.winBackDays, catalogButton: true },
  };
}

/** Why a campaign's text is refused, or null when it can be sent. */
export function campaignTextProblem(text: string): "empty" | "too_long" | null {
  if (text.trim() === "") return "empty";
  if (text.length > maxCampaignTextChars) return "too_long";
  return null;
}

const isWhole = (value: unknown, bounds: { readonly min: number; readonly max: number }): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= bounds.min && value <= bounds.max;
const asText = (value: unknown): string => (typeof value === "string" && campaignTextProblem(value) === null ? value : "");
const field = (value: unknown, key: string): unknown => (typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined);

/** Stored JSON read over the defaults: a field missing, malformed or out of bounds keeps its default; a campaign without a text is off. */
export function parseCampaignSettings(text: string | undefined, defaults: CampaignSettings): CampaignSettings {
  if (text === undefined) return defaults;
  let stored: unknown;
  try {
    stored = JSON.parse(text);
  } catch {
    return defaults;
  }
  const second = field(stored, "secondReminder");
  const winBack = field(stored, "winBack");
  const cartMinutes = field(stored, "cartReminderMinutes");
  const secondHours = field(second, "hours");
  const winBackDays = field(winBack, "days");
  const secondText = asText(field(second, "text"));
  const winBackText = asText(field(winBack, "text"));
  return {
    cartReminderMinutes: isWhole(cartMinutes, campaignLimits.cartReminderMinutes) ? cartMinutes : defaults.cartReminderMinutes,
    secondReminder: {
      enabled: field(second, "enabled") === true && secondText !== "",
      text: secondText,
      hours: isWhole(secondHours, campaignLimits.secondReminderHours) ? secondHours : defaults.secondReminder.hours,
    },
    winBack: {
      enabled: field(winBack, "enabled") === true && winBackText !== "",
      text: winBackText,
      days: isWhole(winBackDays, campaignLimits.winBackDays) ? winBackDays : defaults.winBack.days,
      catalogButton: field(winBack, "catalogButton") !== false,
    },
  };
}

/** What the machine and the effect handlers read: the settings as they are now, synchronously. */
export interface CampaignSettingsSource {
  current(): CampaignSettings;
}

/** The settings kept in the store, read once at start-up and changed only through `save`, so `current()` never waits. */
export interface CampaignSettingsStore extends CampaignSettingsSource {
  /** Writes the settings durably, then makes them current. */
  save(next: CampaignSettings): Promise<void>;
}

/** Settings that never change: the environment's defaults, for tests and for a composition without the owner bot. */
export function fixedCampaignSettings(settings: CampaignSettings): CampaignSettingsSource {
  return { current: () => settings };
}

/**
 * Loads the owner's campaign settings from the store's key-value space, over the environment's
 * defaults. One process owns them: the owner bot's `save` and the shop's reads share this object.
 */
export async function loadCampaignSettings(store: SessionStore, defaults: CampaignSettings, deployment?: Deployment, log?: Logger): Promise<CampaignSettingsStore> {
  let settings = parseCampaignSettings(await store.readSession(campaignSettingsKey), defaults);
  // Several processes (PostgreSQL): a save in one is announced, and each reads the settings again.
  let reads = Promise.resolve();
  deployment?.onChange("campaigns", () => {
    reads = reads.then(async () => {
      settings = parseCampaignSettings(await store.readSession(campaignSettingsKey), defaults);
    }).catch((error: unknown) => log?.warn("campaigns_not_reloaded", { ...describeError(error), effect: "this process keeps the settings it had until the next change" }));
  });
  return {
    current: () => settings,
    async save(next) {
      await store.writeSession(campaignSettingsKey, JSON.stringify(next));
      settings = next;
      // Saved either way; a process that missed the news has lost its link and restarts (Deployment.lost).
      await deployment?.announce("campaigns").catch((error: unknown) => log?.warn("campaigns_not_announced", describeError(error)));
    },
  };
}
