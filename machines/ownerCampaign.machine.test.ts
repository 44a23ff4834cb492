import { describe, expect, it } from "vitest";
import { initialTransition, transition } from "xstate";
import { campaignInputProblem, ownerCampaignMachine } from "./ownerCampaign.machine.ts";
import type { OwnerCampaignEvent } from "./ownerCampaign.types.ts";

function walk(...events: OwnerCampaignEvent[]) {
  let [snapshot, actions] = initialTransition(ownerCampaignMachine);
  for (const event of events) [snapshot, actions] = transition(ownerCampaignMachine, snapshot, event);
  return { snapshot, named: actions.filter((action) => action.type === "saveCampaignField").map((action) => action.params) };
}

describe("the owner's campaign input", () => {
  it("saves a trimmed text once, through saveCampaignField, and confirms which setting", () => {
    const saving = walk({ type: "START", field: "winBackText" }, { type: "TEXT", text: "  We miss you  " });
    expect(saving.snapshot.value).toBe("saving");
    expect(saving.named).toEqual([{ field: "winBackText", value: "We miss you" }]);
    const again = transition(ownerCampaignMachine, saving.snapshot, { type: "TEXT", text: "other" })[0];
    expect(again.context.value).toBe("We miss you");
    const saved = transition(ownerCampaignMachine, saving.snapshot, { type: "SAVED" })[0];
    expect(saved.value).toBe("idle");
    expect(saved.context).toEqual({ field: null, value: null, error: null, lastSaved: "winBackText" });
  });

  it.each([
    ["winBackText", "", "empty"],
    ["secondText", " \n ", "empty"],
    ["secondText", "x".repeat(4097), "too_long"],
    ["winBackDays", "0", "not_a_number"],
    ["winBackDays", "366", "not_a_number"],
    ["secondHours", "1.5", "not_a_number"],
    ["cartMinutes", "4", "not_a_number"],
    ["cartMinutes", "ten", "not_a_number"],
  ] as const)("refuses %s = %j as %s, and keeps waiting", (field, text, error) => {
    const { snapshot, named } = walk({ type: "START", field }, { type: "TEXT", text });
    expect(snapshot.value).toBe("awaitingText");
    expect(snapshot.context.error).toBe(error);
    expect(named).toEqual([]);
    expect(campaignInputProblem(field, text)).toBe(error);
  });

  it("takes a delay as a number, and returns to the text with `failed` when the store refused", () => {
    const { snapshot, named } = walk({ type: "START", field: "winBackDays" }, { type: "TEXT", text: " 21 " });
    expect(named).toEqual([{ field: "winBackDays", value: 21 }]);
    const failed = transition(ownerCampaignMachine, snapshot, { type: "FAILED" })[0];
    expect(failed.value).toBe("awaitingText");
    expect(failed.context.error).toBe("failed");
    expect(walk({ type: "START", field: "winBackDays" }, { type: "CANCEL" }).snapshot.context).toMatchObject({ field: null, error: null });
  });
});
