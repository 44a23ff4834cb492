/**
 * The vocabulary of the owner editing an automatic campaign (issue 13): which setting, the text or
 * number typed, and whether the bot saved it. Plain JSON and bounded: it lives in the owner's session.
 */

/** The settings typed in the chat: the two campaign texts and the three delays. */
export type CampaignField = "cartMinutes" | "secondText" | "secondHours" | "winBackText" | "winBackDays";

export const campaignFields = ["cartMinutes", "secondText", "secondHours", "winBackText", "winBackDays"] as const satisfies readonly CampaignField[];

/** Telegram's limit for a message's text: a campaign's text is sent as it is, so this is its limit too. */
export const maxCampaignTextChars = 4096;

/** The bounds of each delay the owner may type, in its own unit (minutes, hours, days). */
export const campaignDelayBounds = {
  cartMinutes: { min: 5, max: 7 * 24 * 60 },
  secondHours: { min: 1, max: 30 * 24 },
  winBackDays: { min: 1, max: 365 },
} as const;

/** Why the last text was not taken; the bot turns it into a hint and asks again. */
export type OwnerCampaignError = "empty" | "too_long" | "not_a_number" | "failed";

export interface OwnerCampaignContext {
  /** The setting being typed; null when idle. */
  readonly field: CampaignField | null;
  /** What is being saved: the trimmed text, or the number; null otherwise. */
  readonly value: string | number | null;
  readonly error: OwnerCampaignError | null;
  /** The setting saved last, so the bot can confirm it. */
  readonly lastSaved: CampaignField | null;
}

export type OwnerCampaignEvent =
  /** The owner tapped a setting's button on the 📣 screen. */
  | { readonly type: "START"; readonly field: CampaignField }
  | { readonly type: "TEXT"; readonly text: string }
  | { readonly type: "SAVED" }
  | { readonly type: "FAILED" }
  | { readonly type: "CANCEL" };

export interface OwnerCampaignActionParams {
  /** Store the setting in the campaign settings; the bot answers `SAVED`, or `FAILED` when the store refused. */
  saveCampaignField: { readonly field: CampaignField | null; readonly value: string | number | null };
}
