import { createRecordingScope } from "../../actors/recordingScope.ts";
import type { AnyMachineSnapshot, AnyStateMachine, AnyStateNode, EventFrom, EventObject, InputFrom, SnapshotFrom } from "xstate";
import { assertDurable } from "../../actors/durableMachine.ts";

/**
 * A chat flow (an owner's note, tags, AI summary, navigation) kept in a grammY session: the
 * machine's persisted snapshot and the version of the machine that wrote it. A snapshot of another
 * version, or one that no longer resolves, is dropped, and the chat starts the flow afresh.
 */
export interface PersistedFlow {
  readonly version: number;
  readonly snapshot: unknown;
}

/**
 * What a flow's named action does, provided by the adapter: it reaches outside (saves a note, asks
 * the AI) and may answer with an event for the same flow (`SAVED`, `LOADED`), which the runner
 * steps next. `env` is what the bot hands every step (the update's context), for idempotency keys
 * and the like. A throw ends the step with that error: nothing is dropped silently.
 */
export type FlowActionImplementation<Params, Event extends EventObject, Env> = (params: Params, env: Env) => Promise<Event | void> | Event | void;

/** One implementation per named action of a flow machine, typed by a map of names to params. */
export type FlowActionImplementations<ParamsByName, Event extends EventObject, Env> = {
  readonly [Name in keyof ParamsByName]: FlowActionImplementation<ParamsByName[Name], Event, Env>;
};

/** A flow machine together with the implementations of its named actions: what a bot steps. */
export interface Flow<M extends AnyStateMachine, Env> {
  readonly machine: M;
  /** Stored with each snapshot: a stored flow of another version is dropped. */
  readonly version: number;
  readonly actions: Readonly<Record<string, FlowActionImplementation<unknown, EventFrom<M>, Env>>>;
}

/** An action a flow step named, as the recording scope saw it. */
export interface FlowAction {
  readonly type: string;
  readonly params: unknown;
}

/**
 * A flow names an action it has no implementation for, or does something a flow runner cannot
 * do (wait with `after`, emit, raise later). Thrown when the flow is created, so `npm start`
 * refuses at start-up; and by a step, should one ever record such an action anyway.
 */
export class FlowActionError extends Error {
  override readonly name = "FlowActionError";
}

/** XState's built-in actions are functions carrying `type` and `resolve`; the setup's declared placeholders are plain functions. */
const isBuiltin = (action: unknown): boolean => typeof action === "function" && "resolve" in action && typeof (action as { type?: unknown }).type === "string";

/** The names a machine declares in `setup` that are neither `assign` nor another of XState's own actions. */
export function namedFlowActions(machine: AnyStateMachine): string[] {
  const declared: Readonly<Record<string, unknown>> = machine.implementations.actions;
  return Object.entries(declared)
    .filter(([, implementation]) => !isBuiltin(implementation))
    .map(([name]) => name)
    .sort();
}

function statesWithDelays(node: AnyStateNode): string[] {
  const own = Object.keys(node.config.after ?? {}).length > 0 ? [node.path.join(".") || "(root)"] : [];
  return [...own, ...Object.values(node.states).flatMap((child) => statesWithDelays(child))];
}

/**
 * Pairs a flow machine with the implementations of its named actions, and checks them before any
 * chat steps it: every action the machine declares needs an implementation, every implementation
 * a declared action, and the machine may use nothing a runner would drop (an `after` delay, an
 * invoked or spawned actor, an inline function action).
 *
 * @throws FlowActionError naming the machine and the actions; NotDurableError for an invoke, a spawn or an inline action.
 * @example
 * const noteFlow = createFlow(ownerNoteMachine, ownerNoteVersion, {
 *   saveNote: async ({ userId, text }, ctx) => { await runtime.addNote(userId, text, keyOf(ctx)); return { type: "SAVED" }; },
 * });
 */
export function createFlow<M extends AnyStateMachine, Env, ParamsByName extends object = Record<string, unknown>>(
  machine: M,
  version: number,
  actions: FlowActionImplementations<ParamsByName, EventFrom<M>, Env>,
): Flow<M, Env> {
  const provided = Object.keys(actions);
  const declared = namedFlowActions(machine);
  const missing = declared.filter((name) => typeof (actions as Record<string, unknown>)[name] !== "function");
  if (missing.length > 0) throw new FlowActionError(`the flow "${machine.id}" names ${missing.map((name) => `"${name}"`).join(", ")} with no implementation: provide one for each named action`);
  const unknown = provided.filter((name) => !declared.includes(name));
  if (unknown.length > 0) throw new FlowActionError(`the flow "${machine.id}" declares no action ${unknown.map((name) => `"${name}"`).join(", ")}: an implementation of it would never run`);
  const delayed = statesWithDelays(machine.root);
  if (delayed.length > 0) throw new FlowActionError(`the flow "${machine.id}" waits with "after" in ${delayed.join(", ")}: a chat flow has no timers, so the delay would be dropped`);
  assertDurable(machine, { writes: [], effects: declared });
  return { machine, version, actions: actions as Flow<M, Env>["actions"] };
}

interface Recorder {
  readonly scope: unknown;
  take(): FlowAction[];
}

const recorders = new WeakMap<AnyStateMachine, Recorder>();

/**
 * One recording actor scope per machine, shared by every chat (actors/recordingScope.ts): the
 * actions a step names are recorded, and the runner runs each with its implementation after the step.
 */
function recorderOf(machine: AnyStateMachine): Recorder {
  let recorder = recorders.get(machine);
  if (!recorder) {
    const recording = createRecordingScope();
    recorder = {
      scope: recording.scope,
      // A raise without a delay is XState's own: the transition has already taken its event.
      take: () => recording.take().filter((action) => !(action.type === "xstate.raise" && typeof (action.params as { delay?: unknown }).delay !== "number")),
    };
    recorders.set(machine, recorder);
  }
  return recorder;
}

/** The machine's first state for this input; pure, no actor is left running. An initial state that names an action is refused. */
export function startFlow<M extends AnyStateMachine>(machine: M, input: InputFrom<M>): SnapshotFrom<M> {
  const recorder = recorderOf(machine);
  recorder.take();
  const snapshot = machine.getInitialSnapshot(recorder.scope as never, input) as SnapshotFrom<M>;
  const named = recorder.take();
  if (named.length > 0) throw new FlowActionError(`the flow "${machine.id}" names ${named.map((action) => `"${action.type}"`).join(", ")} in its initial state, which no event started: name it on a transition`);
  return snapshot;
}

/** One step of a chat flow, as {@link setFlowObserver} is told of it: the state before and after, and the actions it named. */
export interface FlowStep {
  readonly machine: AnyStateMachine;
  readonly before: AnyMachineSnapshot;
  readonly event: EventObject;
  readonly after: AnyMachineSnapshot;
  readonly actions: readonly FlowAction[];
}

let flowObserver: ((step: FlowStep) => void) | null = null;

/**
 * Lets a developer tool (`npm run inspect`) watch every flow step of the bots; `null` detaches.
 * The observer only looks: what it throws is ignored, and without one `stepFlow` pays nothing.
 */
export function setFlowObserver(observer: ((step: FlowStep) => void) | null): void {
  flowObserver = observer;
}

function observe(step: FlowStep): void {
  if (!flowObserver) return;
  try {
    flowObserver(step);
  } catch {
    // Inspection is best effort: it never changes a flow.
  }
}

/** One transition through the recording scope: the snapshot after it, and the named actions it decided, in order. */
export function transitionFlow<M extends AnyStateMachine>(machine: M, snapshot: SnapshotFrom<M>, event: EventFrom<M>): { readonly snapshot: SnapshotFrom<M>; readonly actions: readonly FlowAction[] } {
  const recorder = recorderOf(machine);
  recorder.take();
  const after = machine.transition(snapshot, event, recorder.scope as never) as SnapshotFrom<M>;
  const actions = recorder.take();
  observe({ machine, before: snapshot, event, after, actions });
  return { snapshot: after, actions };
}

/** A chain of steps longer than this is a flow answering its own actions forever. */
const maxChainedSteps = 16;

/**
 * One event through a flow: the machine's own transition, then each named action the step decided,
 * in order, by its implementation, right after the step; an event an implementation answers with
 * is stepped next, the same way. Resolves with the snapshot once the chain is done. An action with
 * no implementation (which `createFlow` already refuses) or one of XState's that a runner cannot
 * keep (a delayed raise, an emit) throws {@link FlowActionError} rather than being dropped.
 */
export async function stepFlow<M extends AnyStateMachine, Env>(flow: Flow<M, Env>, snapshot: SnapshotFrom<M>, event: EventFrom<M>, env: Env): Promise<SnapshotFrom<M>> {
  let current = snapshot;
  const queue: EventFrom<M>[] = [event];
  for (let steps = 0; queue.length > 0; steps++) {
    if (steps >= maxChainedSteps) throw new FlowActionError(`the flow "${flow.machine.id}" answered its own actions ${maxChainedSteps} times in a row; a flow step must settle`);
    const next = queue.shift() as EventFrom<M>;
    const stepped = transitionFlow(flow.machine, current, next);
    current = stepped.snapshot;
    for (const action of stepped.actions) {
      const implementation = flow.actions[action.type];
      if (!implementation) throw new FlowActionError(`the flow "${flow.machine.id}" ran "${action.type}" on "${(next as EventObject).type}", which it cannot run: only named actions with an implementation are`);
      const reply = await implementation(action.params, env);
      if (reply) queue.push(reply);
    }
  }
  return current;
}

export function persistFlow<M extends AnyStateMachine>(machine: M, version: number, snapshot: SnapshotFrom<M>): PersistedFlow {
  return { version, snapshot: machine.getPersistedSnapshot(snapshot) };
}

export function restoreFlow<M extends AnyStateMachine>(machine: M, version: number, persisted: PersistedFlow | null | undefined): SnapshotFrom<M> | null {
  if (!persisted || persisted.version !== version || typeof persisted.snapshot !== "object" || persisted.snapshot === null) return null;
  try {
    const snapshot: { status: string } = machine.resolveState(persisted.snapshot as Parameters<M["resolveState"]>[0]);
    return snapshot.status === "active" || snapshot.status === "done" ? (snapshot as SnapshotFrom<M>) : null;
  } catch {
    return null;
  }
}
