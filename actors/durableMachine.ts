import type { AnyStateMachine, AnyStateNode } from "xstate";

/**
 * The names a machine may run besides XState's own pure actions: writes (done inside the step's
 * unit of work against the store) and effects (queued in the outbox, delivered by the effect worker).
 */
export interface DurableActions {
  readonly writes: readonly string[];
  readonly effects: readonly string[];
}

/** One thing in a machine that the runtime could not make survive a restart. */
export interface DurabilityProblem {
  /** The state node's path, e.g. `cart.filled.waiting`, or `(root)`. */
  readonly state: string;
  readonly problem: string;
}

/**
 * A machine uses something the durable runtime cannot persist: an invoked or spawned actor, an
 * inline or unknown action, a delay without an implementation. Thrown at start-up by
 * {@link assertDurable} (so nothing is silently dropped later), and by the stepper if a step ever
 * records such an action anyway. The message names the machine and the state (or the event).
 */
export class NotDurableError extends Error {
  override readonly name = "NotDurableError";
  readonly machineId: string;
  readonly problems: readonly DurabilityProblem[];

  constructor(machineId: string, problems: readonly DurabilityProblem[]) {
    const listed = problems.map(({ state, problem }) => `state "${state}" ${problem}`).join("; ");
    super(`the machine "${machineId}" cannot run durably: ${listed}`);
    this.machineId = machineId;
    this.problems = problems;
  }
}

/** XState's built-in actions are functions that carry `type` and `resolve`; an inline action has no `resolve`. */
interface BuiltinAction {
  readonly type: string;
  readonly resolve: unknown;
  readonly id?: unknown;
  readonly delay?: unknown;
  readonly assignment?: unknown;
}

const isBuiltin = (action: unknown): action is BuiltinAction =>
  typeof action === "function" && "resolve" in action && typeof (action as { type?: unknown }).type === "string";

/** Refused built-ins, with why, in words a person fixing the machine can act on. */
const refusedBuiltins: Readonly<Record<string, string>> = {
  "xstate.spawnChild": "spawns a child actor, which would not survive a restart",
  "xstate.sendTo": "sends to another actor (sendTo, sendParent or forwardTo), which the log cannot replay",
  "xstate.stopChild": "stops a child actor; durable machines have none",
  "xstate.enqueueActions": "enqueues actions dynamically, which cannot be checked before they run; name each action instead",
  "xstate.log": "logs from inside the machine, an effect that would be dropped; make it a named effect",
};

/** The source of an `assign` mentions `spawn(`: a live child created inside a context update. */
function assignSpawns(assignment: unknown): boolean {
  const parts = typeof assignment === "function" ? [assignment] : typeof assignment === "object" && assignment !== null ? Object.values(assignment) : [];
  return parts.some((part) => typeof part === "function" && /\bspawn\s*\(/.test(String(part)));
}

function createChecker(machine: AnyStateMachine, durable: DurableActions) {
  const writes = new Set(durable.writes);
  const effects = new Set(durable.effects);
  const actions: Readonly<Record<string, unknown>> = machine.implementations.actions;
  const delays: Readonly<Record<string, unknown>> = machine.implementations.delays;
  const used = { writes: new Set<string>(), effects: new Set<string>() };

  function builtin(action: BuiltinAction): string | null {
    const refused = refusedBuiltins[action.type];
    if (refused) return refused;
    if (action.type === "xstate.assign") return assignSpawns(action.assignment) ? "spawns a child actor inside an assign, which would not survive a restart" : null;
    if (action.type !== "xstate.raise" || action.delay === undefined) return null;
    // `after` transitions add their own raise; their delays are checked where they are declared.
    if (typeof action.id === "string" && action.id.startsWith("xstate.after.")) return null;
    if (typeof action.id !== "string") return "raises a delayed event without an id, so it could neither be cancelled nor fired once";
    if (typeof action.delay === "string" && delays[action.delay] === undefined) return `raises after the delay "${action.delay}", which is not implemented`;
    return null;
  }

  function named(name: string): string | null {
    const implementation = actions[name];
    const listed = writes.has(name) ? "write" : effects.has(name) ? "effect" : null;
    if (implementation === undefined) return `runs the action "${name}", which is not implemented (declare it in setup)`;
    if (isBuiltin(implementation)) {
      if (listed) return `runs "${name}", listed as a ${listed} but implemented as ${implementation.type}`;
      const problem = builtin(implementation);
      return problem && `runs "${name}", which ${problem}`;
    }
    if (listed === "write") used.writes.add(name);
    else if (listed === "effect") used.effects.add(name);
    else return `runs the action "${name}", which is neither an assign nor a listed write or effect`;
    return null;
  }

  function action(value: unknown): string | null {
    if (typeof value === "string") return named(value);
    if (isBuiltin(value)) return builtin(value);
    if (typeof value === "function") return "runs an inline function action: name it in setup and list it as a write or an effect";
    if (typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string") return named((value as { type: string }).type);
    return `runs an action the runtime does not know (${typeof value})`;
  }

  return { action, delays, used };
}

function pathOf(node: AnyStateNode): string {
  return node.path.length === 0 ? "(root)" : node.path.join(".");
}

function checkNode(node: AnyStateNode, checker: ReturnType<typeof createChecker>, problems: DurabilityProblem[]): void {
  const state = pathOf(node);
  const add = (problem: string | null, where = ""): void => {
    if (problem) problems.push({ state, problem: where ? `${problem} (${where})` : problem });
  };
  for (const invoked of node.invoke) add(`invokes the actor "${String(invoked.src)}", which would not survive a restart`);
  for (const entry of node.entry) add(checker.action(entry), "entry");
  for (const exit of node.exit) add(checker.action(exit), "exit");
  for (const [descriptor, transitions] of node.transitions) {
    for (const transition of transitions) for (const each of transition.actions) add(checker.action(each), `on ${descriptor}`);
  }
  for (const transition of node.always ?? []) for (const each of transition.actions) add(checker.action(each), "always");
  for (const each of node.initial?.actions ?? []) add(checker.action(each), "initial");
  for (const delay of Object.keys(node.config.after ?? {})) {
    if (Number.isNaN(Number(delay)) && checker.delays[delay] === undefined) add(`waits for the delay "${delay}", which is neither a number nor implemented`, "after");
  }
  for (const child of Object.values(node.states)) checkNode(child, checker, problems);
}

/**
 * Refuses, before it runs, a machine that the durable runtime would have to silently drop parts of:
 * any `invoke`, any spawn, `sendTo`/`sendParent`/`forwardTo`/`stopChild`/`enqueueActions`, an inline
 * function action, a named action that is not implemented or is neither an `assign` nor a listed
 * write or effect, and an `after` delay that is neither a number nor an implemented named delay.
 * Every problem of every state is listed in one {@link NotDurableError}.
 *
 * Returns the writes and effects the machine actually uses, so that the effect worker can require a
 * handler for each effect.
 */
export function assertDurable(machine: AnyStateMachine, durable: DurableActions): { readonly writes: readonly string[]; readonly effects: readonly string[] } {
  const checker = createChecker(machine, durable);
  const problems: DurabilityProblem[] = [];
  checkNode(machine.root, checker, problems);
  if (problems.length > 0) throw new NotDurableError(machine.id, problems);
  return { writes: [...checker.used.writes].sort(), effects: [...checker.used.effects].sort() };
}
