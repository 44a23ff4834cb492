import { createActor, type ActorScope, type AnyActorRef, type AnyMachineSnapshot, type AnyStateMachine, type EventFrom, type EventObject, type InputFrom, type SnapshotFrom } from "xstate";

/**
 * A chat flow (checkout, consultant, an owner's note) kept in a grammY session: the machine's
 * persisted snapshot and the version of the machine that wrote it. A snapshot of another version,
 * or one that no longer resolves, is dropped, and the chat starts the flow afresh.
 */
export interface PersistedFlow {
  readonly version: number;
  readonly snapshot: unknown;
}

type AnyScope = ActorScope<never, EventObject, AnyActorRef["system"], EventObject>;
const scopes = new WeakMap<AnyStateMachine, AnyScope>();

/**
 * One inert actor scope per machine, shared by every chat, as actors/customerStepper.ts does for
 * customers: XState's exported `transition()` and `initialTransition()` build an actor per call
 * (~25 µs). The flow machines only assign, so an inert scope loses nothing.
 */
function scopeOf<M extends AnyStateMachine>(machine: M, from: { readonly snapshot: SnapshotFrom<M> } | { readonly input: InputFrom<M> }): AnyScope {
  let scope = scopes.get(machine);
  if (!scope) {
    const self = createActor(machine, from as never);
    scope = { self, id: "", sessionId: "", system: self.system, logger: () => {}, defer: () => {}, emit: () => {}, stopChild: () => {}, actionExecutor: () => {} } as unknown as AnyScope;
    scopes.set(machine, scope);
  }
  return scope;
}

/** The machine's first state for this input; pure, no actor is left running. */
export function startFlow<M extends AnyStateMachine>(machine: M, input: InputFrom<M>): SnapshotFrom<M> {
  return machine.getInitialSnapshot(scopeOf(machine, { input }) as never, input) as SnapshotFrom<M>;
}

/** One step of a chat flow, as {@link setFlowObserver} is told of it. */
export interface FlowStep {
  readonly machine: AnyStateMachine;
  readonly before: AnyMachineSnapshot;
  readonly event: EventObject;
  readonly after: AnyMachineSnapshot;
}

let flowObserver: ((step: FlowStep) => void) | null = null;

/**
 * Lets a developer tool (`npm run inspect`) watch every flow step of both bots; `null` detaches.
 * The observer only looks: what it throws is ignored, and without one `stepFlow` pays nothing.
 */
export function setFlowObserver(observer: ((step: FlowStep) => void) | null): void {
  flowObserver = observer;
}

/** One event through the machine's own transition; pure (an observer, when set, is told of it). */
export function stepFlow<M extends AnyStateMachine>(machine: M, snapshot: SnapshotFrom<M>, event: EventFrom<M>): SnapshotFrom<M> {
  const after = machine.transition(snapshot, event, scopeOf(machine, { snapshot }) as never) as SnapshotFrom<M>;
  if (flowObserver) {
    try {
      flowObserver({ machine, before: snapshot, event, after });
    } catch {
      // Inspection is best effort: it never changes a flow.
    }
  }
  return after;
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
