import { describe, expect, it } from "vitest";
import { assign, createActor, setup } from "xstate";
import { createTargetlessStep } from "./targetlessStep.ts";

type Event = { type: "seen"; at: number } | { type: "go"; at: number } | { type: "both"; at: number };

/** Two regions: `facts` records every event; `flow` moves on `go`, and reacts to `both` too. */
const machine = setup({
  types: { context: {} as { seen: number; last: number; moved: number }, events: {} as Event },
  actions: {
    record: assign(({ context, event }) => ({ seen: context.seen + 1, last: event.at })),
    move: assign(({ context }) => ({ moved: context.moved + 1 })),
  },
}).createMachine({
  id: "probe",
  type: "parallel",
  context: { seen: 0, last: 0, moved: 0 },
  states: {
    facts: { initial: "recording", states: { recording: { on: { seen: { actions: "record" }, go: { actions: "record" }, both: { actions: "record" } } } } },
    flow: { initial: "a", states: { a: { on: { go: "b", both: { actions: "move" } } }, b: {} } },
  },
});

describe("the targetless step", () => {
  const actor = createActor(machine);
  const scope = { self: actor, system: actor.system };
  const fast = createTargetlessStep(machine, scope);

  it("takes an event only the facts region records, and gives XState's own context", () => {
    const start = machine.resolveState({ value: { facts: "recording", flow: "a" }, context: { seen: 0, last: 0, moved: 0 } });
    const next = fast?.step(start, { type: "seen", at: 7 } as Event);
    expect(next?.context).toEqual({ seen: 1, last: 7, moved: 0 });
    expect(next?.value).toEqual({ facts: "recording", flow: "a" });
    const live = createActor(machine, { snapshot: start }).start();
    live.send({ type: "seen", at: 7 });
    expect(next?.context).toEqual(live.getSnapshot().context);
  });

  it("leaves to XState an event with a target, or one that two regions react to", () => {
    const start = machine.resolveState({ value: { facts: "recording", flow: "a" }, context: { seen: 0, last: 0, moved: 0 } });
    expect(fast?.step(start, { type: "go", at: 1 } as Event)).toBeNull();
    expect(fast?.step(start, { type: "both", at: 1 } as Event)).toBeNull();
  });

  it("is not offered for a machine with eventless transitions", () => {
    const eventless = setup({}).createMachine({ initial: "a", states: { a: { always: { target: "b" } }, b: {} } });
    expect(createTargetlessStep(eventless, scope)).toBeNull();
  });
});
