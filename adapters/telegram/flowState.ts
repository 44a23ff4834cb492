import { initialTransition, transition, type AnyMachineSnapshot, type AnyStateMachine, type EventFrom, type EventObject, type InputFrom, type SnapshotFrom } from "xstate";

/**
 * A chat flow (checkout, consultant, an owner's note) kept in a grammY session: the machine's
 * persisted snapshot and the version of the machine that wrote it. A snapshot of another version,
 * or one that no longer resolves, is dropped, and the chat starts the flow afresh.
 */
export interface PersistedFlow {
  readonly version: number;
  readonly snapshot: unknown;
}

/** The machine's first state for this input; pure, no actor is left running. */
export function startFlow<M extends AnyStateMachine>(machine: M, input: InputFrom<M>): SnapshotFrom<M> {
  return initialTransition(machine, input)[0] as SnapshotFrom<M>;
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
  const after = transition(machine, snapshot, event)[0] as SnapshotFrom<M>;
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
