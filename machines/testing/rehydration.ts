import { expect, it } from "vitest";
import { createActor, type AnyMachineSnapshot, type AnyStateMachine, type InputFrom, type SnapshotFrom } from "xstate";

/**
 * What a grammY session does with a flow: keep the persisted snapshot as JSON text, and start an
 * actor from it again. `input` is there for machines whose types ask for one; a restored actor
 * takes its context from the snapshot.
 */
export function persistedRoundTrip<M extends AnyStateMachine>(machine: M, input?: InputFrom<M>) {
  return {
    store: (snapshot: SnapshotFrom<M>): string => JSON.stringify(machine.getPersistedSnapshot(snapshot)),
    restore: (stored: string) => createActor(machine, { snapshot: JSON.parse(stored) as SnapshotFrom<M>, ...(input === undefined ? {} : { input }) } as never).start(),
  };
}

/** One test per state: its persisted snapshot is small, and restores to the same state and context. */
export function itRestoresEachState<M extends AnyStateMachine>(machine: M, reach: Readonly<Record<string, () => SnapshotFrom<M>>>, input?: InputFrom<M>): void {
  const { store, restore } = persistedRoundTrip(machine, input);
  it.each(Object.keys(reach))("restores %s from a JSON round-trip of the persisted snapshot", (state) => {
    const reached = reach[state];
    if (!reached) throw new Error(`no way to reach ${state}`);
    const stored = store(reached());
    expect(stored.length).toBeLessThan(1_000);
    const restored = restore(stored);
    const snapshot = restored.getSnapshot() as AnyMachineSnapshot;
    expect(snapshot.value).toBe(state);
    expect(snapshot.context).toEqual((reached() as AnyMachineSnapshot).context);
    restored.stop();
  });
}

/** A snapshot as a store keeps it: the machine's persisted snapshot, through JSON text and back. */
export function throughJson<M extends AnyStateMachine>(machine: M, snapshot: SnapshotFrom<M>): { readonly text: string; readonly snapshot: SnapshotFrom<M> } {
  const text = JSON.stringify(machine.getPersistedSnapshot(snapshot));
  return { text, snapshot: JSON.parse(text) as SnapshotFrom<M> };
}
