import { afterEach, describe, expect, it } from "vitest";
import { assign, fromPromise, setup } from "xstate";
import { NotDurableError } from "../../actors/durableMachine.ts";
import { ownerNoteMachine, ownerNoteVersion } from "../../machines/ownerNote.machine.ts";
import type { OwnerNoteActionParams, OwnerNoteEvent } from "../../machines/ownerNote.types.ts";
import { ownerTagsMachine, ownerTagsVersion } from "../../machines/ownerTags.machine.ts";
import { createFlow, FlowActionError, namedFlowActions, setFlowObserver, startFlow, stepFlow, type FlowStep } from "./flowState.ts";

afterEach(() => {
  setFlowObserver(null);
});

interface Env {
  readonly updateId: number;
}

describe("a flow's named actions", () => {
  it("runs saveNote right after the step that named it, with its params and the update, and steps the event it answers", async () => {
    const ran: { params: OwnerNoteActionParams["saveNote"]; env: Env; state: string }[] = [];
    let seen: unknown = null;
    const flow = createFlow<typeof ownerNoteMachine, Env, OwnerNoteActionParams>(ownerNoteMachine, ownerNoteVersion, {
      saveNote: (params, env) => {
        ran.push({ params, env, state: String(seen) });
        return { type: "SAVED" };
      },
    });
    setFlowObserver((step) => {
      seen = step.after.value;
    });
    const awaiting = await stepFlow(flow, startFlow(ownerNoteMachine, undefined), { type: "START", userId: 42 }, { updateId: 1 });
    expect(ran).toEqual([]);
    const saved = await stepFlow(flow, awaiting, { type: "TEXT", text: "  Перезвонить в пятницу " }, { updateId: 2 });
    expect(ran).toEqual([{ params: { userId: 42, text: "Перезвонить в пятницу" }, env: { updateId: 2 }, state: "saving" }]);
    expect(saved.value).toBe("idle");
    expect(saved.context.lastSavedFor).toBe(42);
  });

  it("runs toggleTag and addTag with the client and the tag, and nothing for a refused tag", async () => {
    const ran: string[] = [];
    const flow = createFlow(ownerTagsMachine, ownerTagsVersion, {
      toggleTag: ({ userId, tag }: { userId: number; tag: string }) => void ran.push(`toggle ${userId} ${tag}`),
      addTag: ({ userId, tag }: { userId: number | null; tag: string | null }) => void ran.push(`add ${userId} ${tag}`),
    });
    const start = startFlow(ownerTagsMachine, undefined);
    const toggled = await stepFlow(flow, start, { type: "TOGGLE", userId: 7, tag: "VIP" }, null);
    const typing = await stepFlow(flow, toggled, { type: "ADD_NEW" }, null);
    const refused = await stepFlow(flow, typing, { type: "TAG", text: "two words" }, null);
    await stepFlow(flow, refused, { type: "TAG", text: "Опт" }, null);
    expect(ran).toEqual(["toggle 7 vip", "add 7 опт"]);
  });

  it("tells the observer of every step with the actions it named, and ignores an observer that throws", async () => {
    const steps: FlowStep[] = [];
    setFlowObserver((step) => {
      steps.push(step);
      throw new Error("the inspector is down");
    });
    const flow = createFlow(ownerNoteMachine, ownerNoteVersion, { saveNote: (): OwnerNoteEvent => ({ type: "FAILED" }) });
    const after = await stepFlow(flow, startFlow(ownerNoteMachine, undefined), { type: "START", userId: 42 }, null);
    const failed = await stepFlow(flow, after, { type: "TEXT", text: "note" }, null);
    expect(failed.value).toBe("awaitingText");
    expect(failed.context).toMatchObject({ error: "failed", text: "note" });
    expect(steps.map((step) => [step.event.type, step.after.value, step.actions.map((action) => action.type)])).toEqual([
      ["START", "awaitingText", []],
      ["TEXT", "saving", ["saveNote"]],
      ["FAILED", "awaitingText", []],
    ]);
  });

  it("rejects the step with the implementation's error: nothing is dropped", async () => {
    const flow = createFlow(ownerNoteMachine, ownerNoteVersion, {
      saveNote: () => {
        throw new Error("the store is gone");
      },
    });
    const awaiting = await stepFlow(flow, startFlow(ownerNoteMachine, undefined), { type: "START", userId: 42 }, null);
    await expect(stepFlow(flow, awaiting, { type: "TEXT", text: "note" }, null)).rejects.toThrow("the store is gone");
  });
});

describe("flows refused before any chat steps them", () => {
  it("refuses a flow action without an implementation, naming the machine and the action", () => {
    expect(namedFlowActions(ownerNoteMachine)).toEqual(["saveNote"]);
    expect(namedFlowActions(ownerTagsMachine)).toEqual(["addTag", "toggleTag"]);
    expect(() => createFlow(ownerNoteMachine, ownerNoteVersion, {})).toThrow(new FlowActionError('the flow "ownerNote" names "saveNote" with no implementation: provide one for each named action'));
    expect(() => createFlow(ownerTagsMachine, ownerTagsVersion, { toggleTag: () => undefined })).toThrow(/the flow "ownerTags" names "addTag" with no implementation/);
  });

  it("refuses an implementation of an action the machine does not declare", () => {
    expect(() => createFlow(ownerNoteMachine, ownerNoteVersion, { saveNote: () => undefined, saveNotes: () => undefined })).toThrow(
      new FlowActionError('the flow "ownerNote" declares no action "saveNotes": an implementation of it would never run'),
    );
  });

  it("refuses a flow that waits with after, invokes an actor, or runs an inline function", () => {
    const waits = setup({}).createMachine({ id: "waits", initial: "a", states: { a: { after: { 1000: "b" } }, b: {} } });
    expect(() => createFlow(waits, 1, {})).toThrow(new FlowActionError('the flow "waits" waits with "after" in a: a chat flow has no timers, so the delay would be dropped'));
    const invokes = setup({ actors: { load: fromPromise(async () => 1) } }).createMachine({ id: "invokes", initial: "a", states: { a: { invoke: { src: "load" } } } });
    expect(() => createFlow(invokes, 1, {})).toThrow(NotDurableError);
    const inline = setup({}).createMachine({ id: "inline", initial: "a", states: { a: { on: { GO: { actions: () => undefined } } } } });
    expect(() => createFlow(inline, 1, {})).toThrow(/state "a" runs an inline function action/);
  });

  it("refuses a named action in an initial state, which no event started", () => {
    const eager = setup({ actions: { load: () => {}, keep: assign({}) } }).createMachine({ id: "eager", initial: "a", states: { a: { entry: "load" } } });
    expect(() => startFlow(eager, undefined)).toThrow(new FlowActionError('the flow "eager" names "load" in its initial state, which no event started: name it on a transition'));
  });

  it("refuses a flow whose actions keep answering each other", async () => {
    const echo = setup({ types: { events: {} as { type: "PING" } }, actions: { ping: () => {} } }).createMachine({ id: "echo", on: { PING: { actions: "ping" } } });
    const flow = createFlow(echo, 1, { ping: () => ({ type: "PING" as const }) });
    await expect(stepFlow(flow, startFlow(echo, undefined), { type: "PING" }, null)).rejects.toThrow(/answered its own actions 16 times in a row/);
  });
});
