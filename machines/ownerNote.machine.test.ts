import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { initialTransition, transition, type SnapshotFrom } from "xstate";
import { toDirectedGraph } from "xstate/graph";
import { maxNoteChars, ownerNoteMachine } from "./ownerNote.machine.ts";
import type { OwnerNoteEvent } from "./ownerNote.types.ts";
import { collectEdges } from "./testing/collectEdges.ts";
import { itRestoresEachState, persistedRoundTrip } from "./testing/rehydration.ts";

type Snapshot = SnapshotFrom<typeof ownerNoteMachine>;

const start = (): Snapshot => initialTransition(ownerNoteMachine)[0];
const send = (snapshot: Snapshot, ...events: OwnerNoteEvent[]): Snapshot =>
  events.reduce((current, event) => transition(ownerNoteMachine, current, event)[0], snapshot);

/** The named actions a step decides, with their params: what the bot's flow runner runs after it. */
const named = (snapshot: Snapshot, event: OwnerNoteEvent) =>
  transition(ownerNoteMachine, snapshot, event)[1].filter((action) => !action.type.startsWith("xstate.")).map(({ type, params }) => ({ type, params }));

const open = (userId: number): OwnerNoteEvent => ({ type: "START", userId });
const text = (value: string): OwnerNoteEvent => ({ type: "TEXT", text: value });
const saved: OwnerNoteEvent = { type: "SAVED" };
const failed: OwnerNoteEvent = { type: "FAILED" };
const cancel: OwnerNoteEvent = { type: "CANCEL" };

/** Each state reached by its shortest path from the start. */
const reach = {
  idle: (): Snapshot => start(),
  awaitingText: (): Snapshot => send(start(), open(42)),
  saving: (): Snapshot => send(start(), open(42), text("  Prefers size M\n")),
};

const persisted = (snapshot: Snapshot): unknown => ownerNoteMachine.getPersistedSnapshot(snapshot);

describe("ownerNote graph", () => {
  it("has exactly these transitions between states", () => {
    expect(collectEdges(toDirectedGraph(ownerNoteMachine)).sort()).toEqual(
      [
        "idle --START--> awaitingText",
        "awaitingText --TEXT--> saving",
        "awaitingText --CANCEL--> idle",
        "saving --SAVED--> idle",
        "saving --FAILED--> awaitingText",
      ].sort(),
    );
  });

  it("has no final state, so one machine serves note after note", () => {
    expect(Object.values(ownerNoteMachine.root.states).filter((node) => node.type === "final")).toEqual([]);
  });
});

describe("ownerNote paths", () => {
  it("starts idle with no client and no note", () => {
    const snapshot = start();
    expect(snapshot.value).toBe("idle");
    expect(snapshot.context).toEqual({ userId: null, text: null, error: null, lastSavedFor: null });
  });

  it("walks idle → awaitingText → saving → idle and remembers whose note was saved", () => {
    const awaiting = send(start(), open(42));
    expect(awaiting.value).toBe("awaitingText");
    expect(awaiting.context).toEqual({ userId: 42, text: null, error: null, lastSavedFor: null });
    const saving = send(awaiting, text("  Prefers size M\n"));
    expect(saving.value).toBe("saving");
    expect(saving.context).toEqual({ userId: 42, text: "Prefers size M", error: null, lastSavedFor: null });
    const done = send(saving, saved);
    expect(done.value).toBe("idle");
    expect(done.status).toBe("active");
    expect(done.context).toEqual({ userId: null, text: null, error: null, lastSavedFor: 42 });
  });

  it("names saveNote with the client and the trimmed note on entering saving, and on nothing else", () => {
    expect(named(send(start(), open(42)), text("  Prefers size M\n"))).toEqual([{ type: "saveNote", params: { userId: 42, text: "Prefers size M" } }]);
    expect(named(send(start(), open(42), text("x"), failed), text("again"))).toEqual([{ type: "saveNote", params: { userId: 42, text: "again" } }]);
    expect(named(send(start(), open(42)), text("   "))).toEqual([]);
    expect(named(reach.saving(), saved)).toEqual([]);
    expect(named(reach.saving(), text("twice"))).toEqual([]);
    expect(named(start(), open(42))).toEqual([]);
  });

  it("takes the next note for another client after one is saved", () => {
    const second = send(reach.saving(), saved, open(7), text("Call after 6 pm"));
    expect(second.value).toBe("saving");
    expect(second.context).toEqual({ userId: 7, text: "Call after 6 pm", error: null, lastSavedFor: 42 });
    expect(send(second, saved).context.lastSavedFor).toBe(7);
  });

  it("refuses a blank note with empty", () => {
    for (const value of ["", "   ", "\n\t "]) {
      const refused = send(reach.awaitingText(), text(value));
      expect(refused.value).toBe("awaitingText");
      expect(refused.context).toEqual({ userId: 42, text: null, error: "empty", lastSavedFor: null });
    }
  });

  it("refuses a note over maxNoteChars with too_long, and takes one of exactly maxNoteChars", () => {
    expect(maxNoteChars).toBe(2000);
    const refused = send(reach.awaitingText(), text("a".repeat(maxNoteChars + 1)));
    expect(refused.value).toBe("awaitingText");
    expect(refused.context).toMatchObject({ text: null, error: "too_long" });
    const longest = "я".repeat(maxNoteChars - 1) + "📝";
    const accepted = send(refused, text(`\n${longest}  `));
    expect(accepted.value).toBe("saving");
    expect(accepted.context).toMatchObject({ text: longest, error: null });
  });

  it("returns to awaitingText with failed and the note kept when saving fails, and saves it when sent again", () => {
    const retry = send(reach.saving(), failed);
    expect(retry.value).toBe("awaitingText");
    expect(retry.context).toEqual({ userId: 42, text: "Prefers size M", error: "failed", lastSavedFor: null });
    const saving = send(retry, text("Prefers size M, not L"));
    expect(saving.value).toBe("saving");
    expect(saving.context).toMatchObject({ text: "Prefers size M, not L", error: null });
    expect(send(saving, saved).context).toEqual({ userId: null, text: null, error: null, lastSavedFor: 42 });
  });

  it("cancels from awaitingText to idle, dropping the client and the note but not the last saved", () => {
    const cancelled = send(reach.saving(), saved, open(7), text("x"), failed, cancel);
    expect(cancelled.value).toBe("idle");
    expect(cancelled.context).toEqual({ userId: null, text: null, error: null, lastSavedFor: 42 });
  });

  it("switches to another client on START while waiting for the text, clearing the error and the failed note", () => {
    const switched = send(reach.saving(), failed, open(7));
    expect(switched.value).toBe("awaitingText");
    expect(switched.context).toEqual({ userId: 7, text: null, error: null, lastSavedFor: null });
    expect(send(switched, text("hi"), saved).context.lastSavedFor).toBe(7);
  });

  it("ignores events that do not belong to the current state; a note in flight is neither changed nor cancelled", () => {
    const cases: Array<[keyof typeof reach, OwnerNoteEvent]> = [
      ["idle", text("note")],
      ["idle", saved],
      ["idle", failed],
      ["idle", cancel],
      ["awaitingText", saved],
      ["awaitingText", failed],
      ["saving", text("another note")],
      ["saving", open(7)],
      ["saving", cancel],
    ];
    for (const [state, event] of cases) {
      const before = reach[state]();
      expect(before.can(event), `${state} can ${event.type}`).toBe(false);
      expect(persisted(send(before, event)), `${state} + ${event.type}`).toEqual(persisted(before));
    }
  });
});

describe("ownerNote properties", () => {
  const event: fc.Arbitrary<OwnerNoteEvent> = fc.oneof(
    fc.constantFrom<OwnerNoteEvent>(saved, failed, cancel, text("ok"), text(" ")),
    fc.integer({ min: 1, max: 4 }).map(open),
    fc.string({ maxLength: 8 }).map(text),
  );

  it("saves only a trimmed, non-blank note of at most maxNoteChars, and credits it to the client it was written for", () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), (events) => {
        let snapshot = start();
        for (const next of events) {
          const before = snapshot;
          snapshot = send(snapshot, next);
          if (snapshot.matches("saving")) {
            const note = snapshot.context.text ?? "";
            expect(note.length).toBeGreaterThan(0);
            expect(note.trim()).toBe(note);
            expect([...note].length).toBeLessThanOrEqual(maxNoteChars);
            expect(snapshot.context.userId).not.toBeNull();
          }
          if (before.matches("saving") && snapshot.matches("idle")) expect(snapshot.context.lastSavedFor).toBe(before.context.userId);
          if (!before.matches("saving")) expect(snapshot.context.lastSavedFor).toBe(before.context.lastSavedFor);
        }
      }),
      { numRuns: 5_000 },
    );
  });
});

describe("rehydration", () => {
  const { store, restore } = persistedRoundTrip(ownerNoteMachine);

  itRestoresEachState(ownerNoteMachine, reach);

  it("continues a restored awaitingText through TEXT → saving → SAVED, back to idle for the same client", () => {
    const restored = restore(store(reach.awaitingText()));
    expect(restored.getSnapshot().value).toBe("awaitingText");
    restored.send(text("  Prefers size M  "));
    expect(restored.getSnapshot().value).toBe("saving");
    expect(restored.getSnapshot().context.text).toBe("Prefers size M");
    restored.send(saved);
    expect(restored.getSnapshot().value).toBe("idle");
    expect(restored.getSnapshot().context).toEqual({ userId: null, text: null, error: null, lastSavedFor: 42 });
    restored.stop();
  });

  it("continues a restored saving: a second TEXT is still ignored, a failure keeps the note", () => {
    const restored = restore(store(reach.saving()));
    restored.send(text("something else"));
    expect(restored.getSnapshot().value).toBe("saving");
    restored.send(failed);
    expect(restored.getSnapshot().value).toBe("awaitingText");
    expect(restored.getSnapshot().context).toMatchObject({ text: "Prefers size M", error: "failed" });
    restored.stop();
  });

  it("keeps the longest note within half of a 16 KiB session, even in four-byte characters", () => {
    const stored = store(send(reach.awaitingText(), text("😀".repeat(maxNoteChars))));
    expect(Buffer.byteLength(stored)).toBeLessThan(8 * 1024 + 200);
    const restored = restore(stored);
    expect(restored.getSnapshot().context.text).toBe("😀".repeat(maxNoteChars));
    restored.stop();
  });
});
