import { assign, setup } from "xstate";
import type { OwnerNoteActionParams, OwnerNoteContext, OwnerNoteError, OwnerNoteEvent } from "./ownerNote.types.ts";

/**
 * Bump this whenever the machine's states or context change shape.
 * A stored note of another version is dropped, and the owner starts the note afresh.
 */
export const ownerNoteVersion = 1;

/** The longest note taken, in characters (code points), so a session stays small. */
export const maxNoteChars = 2000;

const charCount = (text: string): number => [...text].length;

/** The note `saving` stores: the client and the text the transition into it kept. */
const noteToSave = ({ context }: { readonly context: OwnerNoteContext }): OwnerNoteActionParams["saveNote"] => ({ userId: context.userId, text: context.text });

/**
 * The owner's note on a client: idle → awaitingText → saving → idle again, ready for the next.
 *
 * Entering `saving` names the action `saveNote`, which the bot provides (it records the note and
 * answers `SAVED` or `FAILED`); nothing else stores a note. `saving` takes no
 * `TEXT`, `START` or `CANCEL`, so a note in flight is stored once and cannot be half cancelled.
 * A saved note returns to `idle` with `lastSavedFor`; a failed one returns to `awaitingText` with
 * the error `failed` and its text kept. A refused text stays where it is and says why in `error`.
 *
 * @example
 * const [idle] = initialTransition(ownerNoteMachine);
 * const [awaiting] = transition(ownerNoteMachine, idle, { type: "START", userId: 42 });
 * const [saving] = transition(ownerNoteMachine, awaiting, { type: "TEXT", text: "Prefers size M" });
 * saving.context.text; // "Prefers size M": `saveNote` stores it, and the bot sends SAVED or FAILED
 * transition(ownerNoteMachine, saving, { type: "SAVED" })[0].context.lastSavedFor; // 42
 */
export const ownerNoteMachine = setup({
  types: {
    context: {} as OwnerNoteContext,
    events: {} as OwnerNoteEvent,
  },
  actions: {
    /** Declared for its name and params; the bot's implementation runs it (adapters/telegram/flowState.ts). */
    saveNote: (_: unknown, _params: OwnerNoteActionParams["saveNote"]) => {},
    begin: assign((_, params: { userId: number }) => ({ userId: params.userId, text: null, error: null })),
    store: assign((_, params: { text: string }) => ({ text: params.text.trim(), error: null })),
    refuse: assign((_, params: { error: OwnerNoteError }) => ({ error: params.error })),
    finish: assign(({ context }) => ({ userId: null, text: null, error: null, lastSavedFor: context.userId })),
    drop: assign({ userId: null, text: null, error: null }),
  },
  guards: {
    isBlank: (_, params: { text: string }) => params.text.trim() === "",
    isTooLong: (_, params: { text: string }) => charCount(params.text.trim()) > maxNoteChars,
  },
}).createMachine({
  id: "ownerNote",
  initial: "idle",
  context: { userId: null, text: null, error: null, lastSavedFor: null },
  states: {
    idle: {
      on: {
        START: { target: "awaitingText", actions: { type: "begin", params: ({ event }) => ({ userId: event.userId }) } },
      },
    },
    awaitingText: {
      on: {
        TEXT: [
          {
            guard: { type: "isBlank", params: ({ event }) => ({ text: event.text }) },
            actions: { type: "refuse", params: { error: "empty" } },
          },
          {
            guard: { type: "isTooLong", params: ({ event }) => ({ text: event.text }) },
            actions: { type: "refuse", params: { error: "too_long" } },
          },
          { target: "saving", actions: { type: "store", params: ({ event }) => ({ text: event.text }) } },
        ],
        START: { actions: { type: "begin", params: ({ event }) => ({ userId: event.userId }) } },
        CANCEL: { target: "idle", actions: "drop" },
      },
    },
    saving: {
      entry: { type: "saveNote", params: noteToSave },
      on: {
        SAVED: { target: "idle", actions: "finish" },
        FAILED: { target: "awaitingText", actions: { type: "refuse", params: { error: "failed" } } },
      },
    },
  },
});
