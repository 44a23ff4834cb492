import { assign, setup } from "xstate";
import { campaignDelayBounds, maxCampaignTextChars, type CampaignField, type OwnerCampaignActionParams, type OwnerCampaignContext, type OwnerCampaignError, type OwnerCampaignEvent } from "./ownerCampaign.types.ts";

/**
 * Bump this whenever the machine's states or context change shape.
 * A stored flow of another version is dropped, and the owner taps the setting again.
 */
export const ownerCampaignVersion = 1;

const isText = (field: CampaignField | null): boolean => field === "secondText" || field === "winBackText";

/** A typed delay as a whole number within its field's bounds, or null. */
export function campaignDelayOf(field: CampaignField | null, text: string): number | null {
  if (field === null || isText(field) || !/^\s*\d{1,6}\s*$/.test(text)) return null;
  const bounds = campaignDelayBounds[field as keyof typeof campaignDelayBounds];
  const value = Number(text.trim());
  return value >= bounds.min && value <= bounds.max ? value : null;
}

/** Why a typed value is refused for a field, or null when it is taken. */
export function campaignInputProblem(field: CampaignField | null, text: string): OwnerCampaignError | null {
  if (!isText(field)) return campaignDelayOf(field, text) === null ? "not_a_number" : null;
  if (text.trim() === "") return "empty";
  return text.trim().length > maxCampaignTextChars ? "too_long" : null;
}

const valueOf = (field: CampaignField | null, text: string): string | number | null => (isText(field) ? text.trim() : campaignDelayOf(field, text));

/**
 * The owner typing a campaign's text or delay: idle → awaitingText → saving → idle.
 *
 * Entering `saving` names `saveCampaignField`, which the bot provides (it writes the settings and
 * answers `SAVED` or `FAILED`). An empty or oversized text, or a delay that is not a whole number
 * within its bounds, stays in `awaitingText` and says why in `error`. `saving` takes no `TEXT`,
 * `START` or `CANCEL`, so a value in flight is saved once.
 *
 * @example
 * const [idle] = initialTransition(ownerCampaignMachine);
 * const [waiting] = transition(ownerCampaignMachine, idle, { type: "START", field: "winBackDays" });
 * transition(ownerCampaignMachine, waiting, { type: "TEXT", text: "400" })[0].context.error; // "not_a_number"
 */
export const ownerCampaignMachine = setup({
  types: {
    context: {} as OwnerCampaignContext,
    events: {} as OwnerCampaignEvent,
  },
  actions: {
    /** Declared for its name and params; the bot's implementation runs it (adapters/telegram/flowState.ts). */
    saveCampaignField: (_: unknown, _params: OwnerCampaignActionParams["saveCampaignField"]) => {},
    begin: assign((_, params: { field: CampaignField }) => ({ field: params.field, value: null, error: null })),
    keep: assign(({ context }, params: { text: string }) => ({ value: valueOf(context.field, params.text), error: null })),
    refuse: assign(({ context }, params: { text: string | null; error?: OwnerCampaignError }) => ({
      error: params.error ?? campaignInputProblem(context.field, params.text ?? "") ?? "empty",
    })),
    finish: assign(({ context }) => ({ field: null, value: null, error: null, lastSaved: context.field })),
    drop: assign({ field: null, value: null, error: null }),
  },
  guards: {
    isRefused: ({ context }, params: { text: string }) => campaignInputProblem(context.field, params.text) !== null,
  },
}).createMachine({
  id: "ownerCampaign",
  initial: "idle",
  context: { field: null, value: null, error: null, lastSaved: null },
  states: {
    idle: {
      on: {
        START: { target: "awaitingText", actions: { type: "begin", params: ({ event }) => ({ field: event.field }) } },
      },
    },
    awaitingText: {
      on: {
        TEXT: [
          { guard: { type: "isRefused", params: ({ event }) => ({ text: event.text }) }, actions: { type: "refuse", params: ({ event }) => ({ text: event.text }) } },
          { target: "saving", actions: { type: "keep", params: ({ event }) => ({ text: event.text }) } },
        ],
        START: { actions: { type: "begin", params: ({ event }) => ({ field: event.field }) } },
        CANCEL: { target: "idle", actions: "drop" },
      },
    },
    saving: {
      entry: { type: "saveCampaignField", params: ({ context }) => ({ field: context.field, value: context.value }) },
      on: {
        SAVED: { target: "idle", actions: "finish" },
        FAILED: { target: "awaitingText", actions: { type: "refuse", params: { text: null, error: "failed" } } },
      },
    },
  },
});
