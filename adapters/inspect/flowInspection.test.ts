import type { Update } from "grammy/types";
import { afterEach, describe, expect, it } from "vitest";
import { aiSummaryMachine } from "../../machines/aiSummary.machine.ts";
import { ownerNavigationMachine } from "../../machines/ownerNavigation.machine.ts";
import { setFlowObserver, startFlow, transitionFlow } from "../telegram/flowState.ts";
import * as updates from "../telegram/testing/telegramUpdates.ts";
import { createInspectorBridge } from "./inspectorBridge.ts";
import { recordingInspector } from "./testing/recordingInspector.ts";
import { currentUpdateChat, traceUpdateChats } from "./updateChats.ts";

afterEach(() => setFlowObserver(null));

/** A stand-in for a bot: its handler steps flows, as the owner bot does. */
function fakeBot(handler: () => void) {
  return { handleUpdate: async (_update: Update): Promise<void> => handler() };
}

const summaryFor = (userId: number) => transitionFlow(aiSummaryMachine, startFlow(aiSummaryMachine, undefined), { type: "REQUEST", userId });

describe("chat flows in the inspector", () => {
  it("shows each flow step as the flow's actor in its chat, the event, and the state after it", async () => {
    const { inspector, sent, kinds } = recordingInspector();
    const bridge = createInspectorBridge({ inspector });
    setFlowObserver((step) => bridge.flow(step, currentUpdateChat()));
    const owner = fakeBot(() => {
      const loading = summaryFor(501).snapshot;
      transitionFlow(aiSummaryMachine, loading, { type: "LOADED", text: "Regular, likes sencha." });
    });
    traceUpdateChats(owner, "owner");

    await owner.handleUpdate(updates.privateText(updates.user(1), "/crm"));

    expect(kinds()).toEqual(["@xstate.actor owner-1-aiSummary", "@xstate.event owner-1-aiSummary", "@xstate.snapshot owner-1-aiSummary", "@xstate.event owner-1-aiSummary", "@xstate.snapshot owner-1-aiSummary"]);
    expect(sent[0]).toMatchObject({ name: "aiSummary · owner chat 1", snapshot: { value: "idle" } });
    expect(sent[2]).toMatchObject({ event: { type: "REQUEST", userId: 501 }, snapshot: { value: "loading", context: { userId: 501 } } });
    expect(sent[4]).toMatchObject({ snapshot: { value: "shown", context: { text: "Regular, likes sencha." } } });
    expect(currentUpdateChat()).toBeUndefined();
  });

  it("keeps the owner's flows about a filtered customer, and nothing else", async () => {
    const { inspector, kinds } = recordingInspector();
    const bridge = createInspectorBridge({ inspector, users: new Set([501]) });
    setFlowObserver((step) => bridge.flow(step, currentUpdateChat()));
    const owner = fakeBot(() => {
      summaryFor(777);
      summaryFor(501);
      transitionFlow(ownerNavigationMachine, startFlow(ownerNavigationMachine, undefined), { type: "FUNNEL" });
    });
    traceUpdateChats(owner, "owner");

    await owner.handleUpdate(updates.privateText(updates.user(1), "/crm"));

    expect(kinds()).toEqual(["@xstate.actor owner-1-aiSummary", "@xstate.event owner-1-aiSummary", "@xstate.snapshot owner-1-aiSummary"]);
  });

  it("never changes a flow, even when the inspector throws", () => {
    setFlowObserver(() => {
      throw new Error("the inspector is down");
    });
    expect(summaryFor(501).snapshot.value).toBe("loading");
  });
});
