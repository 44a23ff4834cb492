import { assign, setup } from "xstate";
import type { OwnerSegmentActionParams, OwnerSegmentContext, OwnerSegmentError, OwnerSegmentEvent, SegmentField, SegmentFilterJson } from "./ownerSegment.types.ts";

/**
 * Bump this whenever the machine's states or context change shape.
 * A stored builder of another version is dropped, and the owner starts afresh.
 */
export const ownerSegmentVersion = 1;

/** The longest name of a saved segment, in characters (code points); the stores hold the same limit. */
export const maxSegmentNameChars = 64;

const charCount = (text: string): number => [...text].length;

const cleared: OwnerSegmentContext = { filter: {}, savedId: null, name: null, field: null, error: null, saving: null };

const toSave = ({ context }: { readonly context: OwnerSegmentContext }): OwnerSegmentActionParams["saveSegment"] => ({ name: context.saving ?? "", filter: context.filter });

/**
 * The owner's segment builder: idle → building, where each button changes the filter (the bot shows
 * the count at once); `typing` waits for a typed range, dates or sources; `naming` for the name to
 * save it under; `saving` names the action `saveSegment` and takes nothing else until the store
 * answers. A refused value or name stays where it is and says why in `error`. `CANCEL` goes back
 * one step: from typing or naming to the builder, from the builder to idle.
 *
 * @example
 * const [idle] = initialTransition(ownerSegmentMachine);
 * const [building] = transition(ownerSegmentMachine, idle, { type: "START" });
 * const [staged] = transition(ownerSegmentMachine, building, { type: "SET", filter: { stages: ["cart"] } });
 * const [naming] = transition(ownerSegmentMachine, staged, { type: "SAVE" });
 * transition(ownerSegmentMachine, naming, { type: "NAME", text: " Брошенные корзины " })[0].context.saving; // "Брошенные корзины"
 */
export const ownerSegmentMachine = setup({
  types: {
    context: {} as OwnerSegmentContext,
    events: {} as OwnerSegmentEvent,
  },
  actions: {
    /** Declared for its name and params; the bot's implementation runs it (adapters/telegram/flowState.ts). */
    saveSegment: (_: unknown, _params: OwnerSegmentActionParams["saveSegment"]) => {},
    begin: assign((_, params: { saved: { id: number; name: string; filter: SegmentFilterJson } | null }) =>
      params.saved === null ? cleared : { ...cleared, savedId: params.saved.id, name: params.saved.name, filter: params.saved.filter },
    ),
    setFilter: assign((_, params: { filter: SegmentFilterJson }) => ({ filter: params.filter, field: null, error: null })),
    ask: assign((_, params: { field: SegmentField }) => ({ field: params.field, error: null })),
    refuse: assign((_, params: { error: OwnerSegmentError }) => ({ error: params.error })),
    keepName: assign((_, params: { text: string }) => ({ saving: params.text.trim(), error: null })),
    saved: assign(({ context }, params: { id: number }) => ({ savedId: params.id, name: context.saving, saving: null, error: null })),
    back: assign({ field: null, error: null, saving: null }),
    drop: assign(cleared),
  },
  guards: {
    isBlank: (_, params: { text: string }) => params.text.trim() === "",
    isTooLong: (_, params: { text: string }) => charCount(params.text.trim()) > maxSegmentNameChars,
  },
}).createMachine({
  id: "ownerSegment",
  initial: "idle",
  context: cleared,
  states: {
    idle: {
      on: {
        START: { target: "building", actions: { type: "begin", params: ({ event }) => ({ saved: event.saved ?? null }) } },
      },
    },
    building: {
      on: {
        START: { target: "building", actions: { type: "begin", params: ({ event }) => ({ saved: event.saved ?? null }) } },
        SET: { actions: { type: "setFilter", params: ({ event }) => ({ filter: event.filter }) } },
        ASK: { target: "typing", actions: { type: "ask", params: ({ event }) => ({ field: event.field }) } },
        SAVE: { target: "naming", actions: "back" },
        CANCEL: { target: "idle", actions: "drop" },
      },
    },
    typing: {
      on: {
        START: { target: "building", actions: { type: "begin", params: ({ event }) => ({ saved: event.saved ?? null }) } },
        VALUE: { target: "building", actions: { type: "setFilter", params: ({ event }) => ({ filter: event.filter }) } },
        BAD_VALUE: { actions: { type: "refuse", params: { error: "bad_value" } } },
        ASK: { actions: { type: "ask", params: ({ event }) => ({ field: event.field }) } },
        SET: { target: "building", actions: { type: "setFilter", params: ({ event }) => ({ filter: event.filter }) } },
        CANCEL: { target: "building", actions: "back" },
      },
    },
    naming: {
      on: {
        START: { target: "building", actions: { type: "begin", params: ({ event }) => ({ saved: event.saved ?? null }) } },
        NAME: [
          { guard: { type: "isBlank", params: ({ event }) => ({ text: event.text }) }, actions: { type: "refuse", params: { error: "empty_name" } } },
          { guard: { type: "isTooLong", params: ({ event }) => ({ text: event.text }) }, actions: { type: "refuse", params: { error: "name_too_long" } } },
          { target: "saving", actions: { type: "keepName", params: ({ event }) => ({ text: event.text }) } },
        ],
        CANCEL: { target: "building", actions: "back" },
      },
    },
    saving: {
      entry: { type: "saveSegment", params: toSave },
      on: {
        SAVED: { target: "building", actions: { type: "saved", params: ({ event }) => ({ id: event.id }) } },
        SAVE_FAILED: { target: "naming", actions: { type: "refuse", params: { error: "save_failed" } } },
      },
    },
  },
});
