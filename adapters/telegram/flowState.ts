import { initialTransition, transition, type AnyStateMachine, type EventFrom, type InputFrom, type SnapshotFrom } from "xstate";

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

/** One event through the machine's own transition; pure. */
export function stepFlow<M extends AnyStateMachine>(machine: M, snapshot: SnapshotFrom<M>, event: EventFrom<M>): SnapshotFrom<M> {
  return transition(machine, snapshot, event)[0] as SnapshotFrom<M>;
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
