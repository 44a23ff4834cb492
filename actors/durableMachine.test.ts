import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assign, enqueueActions, forwardTo, fromCallback, fromPromise, log, raise, sendParent, sendTo, setup, spawnChild, stopChild, type AnyStateMachine } from "xstate";
import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { customerEffects, customerMachine, customerWrites } from "../machines/customer.machine.ts";
import { provideCustomerSettings } from "./customerSettings.ts";
import { createCustomerRuntime } from "./customerRuntime.ts";
import { assertDurable, NotDurableError } from "./durableMachine.ts";

const none = { writes: [], effects: [] };

/** The error assertDurable throws for a machine, or a failure if it accepts it. */
function refusal(machine: AnyStateMachine, durable: { writes: readonly string[]; effects: readonly string[] } = none): NotDurableError {
  try {
    assertDurable(machine, durable);
  } catch (error) {
    if (error instanceof NotDurableError) return error;
    throw error;
  }
  throw new Error(`assertDurable accepted the machine "${machine.id}"`);
}

describe("assertDurable refuses at start-up what the runtime cannot persist", () => {
  it("an invoked promise, naming the machine and the state", () => {
    const machine = setup({ actors: { fetchPrice: fromPromise(async () => 1) } }).createMachine({
      id: "probe",
      initial: "idle",
      states: { idle: { on: { go: "loading" } }, loading: { invoke: { src: "fetchPrice", onDone: "idle" } } },
    });
    const error = refusal(machine);
    expect(error.message).toBe('the machine "probe" cannot run durably: state "loading" invokes the actor "fetchPrice", which would not survive a restart');
    expect(error.problems).toEqual([{ state: "loading", problem: 'invokes the actor "fetchPrice", which would not survive a restart' }]);
  });

  it("an invoked callback in a nested state", () => {
    const machine = setup({ actors: { ticker: fromCallback(() => () => {}) } }).createMachine({
      id: "probe",
      initial: "outer",
      states: { outer: { initial: "inner", states: { inner: { invoke: { src: "ticker" } } } } },
    });
    expect(refusal(machine).message).toMatch(/machine "probe".*state "outer\.inner" invokes the actor "ticker"/);
  });

  it("a spawned child, with spawnChild or with spawn inside an assign", () => {
    const child = fromPromise(async () => 1);
    const spawning = setup({ actors: { child } }).createMachine({ id: "spawner", initial: "a", states: { a: { entry: spawnChild("child") } } });
    expect(refusal(spawning).message).toMatch(/machine "spawner".*state "a" spawns a child actor.*\(entry\)/);
    const assigning = setup({ types: { context: {} as { ref: unknown } }, actors: { child } }).createMachine({
      id: "assigner",
      context: { ref: null },
      initial: "a",
      states: { a: { on: { go: { actions: assign({ ref: ({ spawn }) => spawn("child") }) } } } },
    });
    expect(refusal(assigning).message).toMatch(/machine "assigner".*state "a" spawns a child actor inside an assign, which would not survive a restart \(on go\)/);
  });

  it("an inline side effect", () => {
    const machine = setup({}).createMachine({ id: "probe", initial: "a", states: { a: { on: { go: { actions: () => console.log("sent") } } } } });
    expect(refusal(machine).message).toMatch(/state "a" runs an inline function action: name it in setup and list it as a write or an effect \(on go\)/);
  });

  it("a named action that is neither an assign nor a listed write or effect", () => {
    const machine = setup({ actions: { sendEmail: () => {} } }).createMachine({ id: "probe", initial: "a", states: { a: { exit: "sendEmail" } } });
    expect(refusal(machine).message).toMatch(/state "a" runs the action "sendEmail", which is neither an assign nor a listed write or effect \(exit\)/);
    expect(() => assertDurable(machine, { writes: [], effects: ["sendEmail"] })).not.toThrow();
  });

  it("a named action that is not implemented, even when it is listed", () => {
    const machine = setup({}).createMachine({ id: "probe", initial: "a", states: { a: { entry: { type: "notify" } as never } } });
    expect(refusal(machine, { writes: [], effects: ["notify"] }).message).toMatch(/state "a" runs the action "notify", which is not implemented \(declare it in setup\)/);
  });

  it("a listed name implemented as one of XState's pure actions (it would never reach the outbox)", () => {
    const machine = setup({ actions: { notify: assign({}) } }).createMachine({ id: "probe", initial: "a", states: { a: { entry: "notify" } } });
    expect(refusal(machine, { writes: [], effects: ["notify"] }).message).toMatch(/runs "notify", listed as a effect but implemented as xstate.assign/);
  });

  it("sendTo, sendParent, forwardTo, stopChild, enqueueActions and log, each by name", () => {
    const machine = setup({}).createMachine({
      id: "probe",
      initial: "a",
      states: {
        a: {
          on: {
            one: { actions: sendTo("other", { type: "x" }) },
            two: { actions: sendParent({ type: "x" }) },
            three: { actions: forwardTo("other") },
            four: { actions: stopChild("other") },
            five: { actions: enqueueActions(({ enqueue }) => enqueue.raise({ type: "x" })) },
            six: { actions: log("hello") },
          },
        },
      },
    });
    const { problems } = refusal(machine);
    expect(problems.map((problem) => problem.problem)).toEqual([
      "sends to another actor (sendTo, sendParent or forwardTo), which the log cannot replay (on one)",
      "sends to another actor (sendTo, sendParent or forwardTo), which the log cannot replay (on two)",
      "sends to another actor (sendTo, sendParent or forwardTo), which the log cannot replay (on three)",
      "stops a child actor; durable machines have none (on four)",
      "enqueues actions dynamically, which cannot be checked before they run; name each action instead (on five)",
      "logs from inside the machine, an effect that would be dropped; make it a named effect (on six)",
    ]);
  });

  it("an after delay that is neither a number nor an implemented named delay, and a delayed raise without an id", () => {
    const machine = setup({ delays: { known: 1_000 } }).createMachine({
      id: "probe",
      initial: "a",
      states: {
        a: { after: { known: "b", 500: "b", ...({ forgotten: "b" } as object) } },
        b: { entry: raise({ type: "ping" }, { delay: 100 }) },
      },
    });
    expect(refusal(machine).problems).toEqual([
      { state: "a", problem: 'waits for the delay "forgotten", which is neither a number nor implemented (after)' },
      { state: "b", problem: "raises a delayed event without an id, so it could neither be cancelled nor fired once (entry)" },
    ]);
  });

  it("accepts the customer machine, with its defaults and with the shop's settings, and says which effects it uses", () => {
    const settings = { cartReminderMinutes: 120, dormantDays: 30, timeZone: "Europe/Moscow", quietHours: { from: 22, to: 9 }, consentVersion: "v1", consultant: { maxQuestions: 20, windowMs: 3_600_000, timeoutMs: 60_000 } };
    for (const machine of [customerMachine, provideCustomerSettings(settings)]) {
      expect(assertDurable(machine, { writes: customerWrites, effects: customerEffects })).toEqual({ writes: [...customerWrites].sort(), effects: [...customerEffects].sort() });
    }
  });

  it("createCustomerRuntime refuses a non-durable customer machine before any event", () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-durable-"));
    const store = openSqliteStore({ path: join(dir, "crm.sqlite") });
    try {
      const leaky = customerMachine.provide({ actions: { record: () => {} } });
      expect(() => createCustomerRuntime({ store, machine: leaky })).toThrow(NotDurableError);
      expect(() => createCustomerRuntime({ store, machine: leaky })).toThrow(/the machine "customer" cannot run durably: state "facts\.recording" runs the action "record", which is neither an assign/);
    } finally {
      void store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
