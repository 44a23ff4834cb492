import { describe, expect, it } from "vitest";
import { assign, cancel, emit, raise, sendTo, setup } from "xstate";
import { NotDurableError } from "./durableMachine.ts";
import { createDurableStepper, createTimerFold, firedSendId } from "./durableStep.ts";

type ProbeEvent = { type: "go"; at: number } | { type: "stop"; at: number } | { type: "ping" } | { type: "xstate.after.wait.probe.waiting"; at: number };

const probe = setup({
  types: { context: {} as { count: number }, events: {} as ProbeEvent, emitted: {} as { type: "went" } },
  actions: {
    save: (_: unknown, _params: { n: number }) => {},
    notify: (_: unknown, _params: { to: string }) => {},
    bump: assign(({ context }) => ({ count: context.count + 1 })),
  },
  delays: { wait: 5_000 },
}).createMachine({
  id: "probe",
  context: { count: 0 },
  initial: "idle",
  states: {
    idle: {
      after: { 100: "waiting" },
      on: {
        go: {
          target: "waiting",
          actions: ["bump", { type: "save", params: ({ context }) => ({ n: context.count }) }, { type: "notify", params: { to: "owner" } }, emit({ type: "went" }), raise({ type: "ping" })],
        },
      },
    },
    waiting: {
      after: { wait: "idle" },
      entry: raise({ type: "ping" }, { id: "pinger", delay: 50 }),
      on: { stop: { target: "idle", actions: cancel("pinger") } },
    },
  },
});

describe("the recording stepper", () => {
  const stepper = createDurableStepper(probe, { writes: ["save"], effects: ["notify"] });

  it("returns the initial snapshot with the timers its states arm", () => {
    const { snapshot, actions } = stepper.initial(undefined);
    expect(snapshot.value).toBe("idle");
    expect(actions).toEqual([{ kind: "timer", sendId: "xstate.after.100.probe.idle", delay: 100, event: { type: "xstate.after.100.probe.idle" } }]);
  });

  it("classifies each action of a step in the machine's order: cancels, writes, effects, emits and timers; assign and an undelayed raise are the step itself", () => {
    const { snapshot } = stepper.initial(undefined);
    const step = stepper.step(snapshot, { type: "go", at: 1 });
    expect(step.snapshot.value).toBe("waiting");
    expect(step.snapshot.context.count).toBe(1);
    expect(step.actions).toEqual([
      { kind: "cancel", sendId: "xstate.after.100.probe.idle" },
      { kind: "write", name: "save", params: { n: 1 } },
      { kind: "effect", name: "notify", params: { to: "owner" } },
      { kind: "emit", event: { type: "went" } },
      { kind: "timer", sendId: "pinger", delay: 50, event: { type: "ping" } },
      { kind: "timer", sendId: "xstate.after.wait.probe.waiting", delay: 5_000, event: { type: "xstate.after.wait.probe.waiting" } },
    ]);
    expect(stepper.step(step.snapshot, { type: "stop", at: 2 }).actions).toEqual([
      { kind: "cancel", sendId: "xstate.after.wait.probe.waiting" },
      { kind: "cancel", sendId: "pinger" },
      { kind: "timer", sendId: "xstate.after.100.probe.idle", delay: 100, event: { type: "xstate.after.100.probe.idle" } },
    ]);
  });

  it("refuses, naming the machine, the action and the event, a named action outside its lists", () => {
    const unlisted = createDurableStepper(probe, { writes: ["save"], effects: [] });
    const { snapshot } = unlisted.initial(undefined);
    expect(() => unlisted.step(snapshot, { type: "go", at: 1 })).toThrow(NotDurableError);
    expect(() => unlisted.step(snapshot, { type: "go", at: 1 })).toThrow('the machine "probe" cannot run durably: state "(on event)" ran "notify" on the event "go"');
  });

  it("refuses a step that sends to another actor rather than dropping it", () => {
    const sender = setup({}).createMachine({ id: "sender", initial: "a", states: { a: { on: { go: { actions: sendTo(({ self }) => self, { type: "x" }) } } } } });
    const sending = createDurableStepper(sender, { writes: [], effects: [] });
    expect(() => sending.step(sending.initial(undefined).snapshot, { type: "go" })).toThrow(/ran "xstate.sendTo" on the event "go"/);
  });

  it("folds timers as a log replays them: armed by an event, removed when fired or cancelled", () => {
    const fold = createTimerFold("probe:1");
    const { actions } = stepper.initial(undefined);
    fold.apply({ at: 1_000, seq: 3 }, actions);
    expect(fold.rows()).toEqual([{ actor: "probe:1", sendId: "xstate.after.100.probe.idle", dueAt: 1_100, event: '{"type":"xstate.after.100.probe.idle"}', key: "t:probe:1:3:xstate.after.100.probe.idle" }]);
    fold.fired("t:probe:1:3:xstate.after.100.probe.idle");
    expect(fold.rows()).toEqual([]);
    fold.apply({ at: 2_000, seq: 4 }, [{ kind: "timer", sendId: "s", delay: 1, event: { type: "x" } }, { kind: "cancel", sendId: "s" }]);
    expect(fold.rows()).toEqual([]);
  });

  it("reads a firing's sendId from its key, and only for its own actor", () => {
    expect(firedSendId("customer:4", "t:customer:4:17:xstate.after.dormancy.customer.activity.active")).toBe("xstate.after.dormancy.customer.activity.active");
    expect(firedSendId("customer:4", "t:customer:41:17:x")).toBeNull();
    expect(firedSendId("customer:4", "tg:1:start")).toBeNull();
  });
});

describe("the recording stepper's delays", () => {
  it("refuses a delay that is not a finite number of milliseconds, which XState would fire at once", () => {
    const probe = setup({ types: { context: {} as { at?: number } }, delays: { fromContext: ({ context }) => Number(context.at) + 1_000 } }).createMachine({
      id: "timing",
      context: {},
      initial: "waiting",
      states: { waiting: { after: { fromContext: "done" } }, done: {} },
    });
    const stepper = createDurableStepper(probe, { writes: [], effects: [] });
    expect(() => stepper.initial(undefined)).toThrow(/machine "timing".*ran "a delay of NaN ms for xstate.after.fromContext.timing.waiting" on the event "xstate.init"/);
  });
});
