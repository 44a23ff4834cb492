import { assign, setup } from "xstate";
import type { OwnerSearchContext, OwnerSearchError, OwnerSearchEvent } from "./ownerSearch.types.ts";

/**
 * Bump this whenever the machine's states or context change shape.
 * A stored search of another version is dropped, and the owner starts the search afresh.
 */
export const ownerSearchVersion = 1;

/** The longest query taken, in characters (code points), so a session stays small. */
export const maxQueryChars = 200;

const charCount = (text: string): number => [...text].length;

/** A page offset as the bot can use it: a non-negative integer, or 0 for anything else. */
const offsetOf = (offset: number): number => (Number.isSafeInteger(offset) && offset > 0 ? offset : 0);

const cleared: OwnerSearchContext = { query: null, offset: 0, total: 0, error: null, notice: null };

/**
 * The owner's search for a client: idle → awaitingQuery → searching → results.
 *
 * The bot runs the query when the search enters `searching`, and reports back with `FOUND`.
 * A search without results returns to `awaitingQuery` with the notice `no_results` and keeps the
 * query, so the bot can say what found nothing. A refused query stays where it is and says why in
 * `error`. `START` on the results begins a new search; `CANCEL` leaves it from anywhere but idle.
 *
 * @example
 * const [idle] = initialTransition(ownerSearchMachine);
 * const [awaiting] = transition(ownerSearchMachine, idle, { type: "START" });
 * const [searching] = transition(ownerSearchMachine, awaiting, { type: "QUERY", text: " smirnov " });
 * searching.context.query; // "smirnov": the bot searches, then sends FOUND with the count
 * const [results] = transition(ownerSearchMachine, searching, { type: "FOUND", count: 23 });
 * transition(ownerSearchMachine, results, { type: "PAGE", offset: 10 })[0].context.offset; // 10
 */
export const ownerSearchMachine = setup({
  types: {
    context: {} as OwnerSearchContext,
    events: {} as OwnerSearchEvent,
  },
  actions: {
    reset: assign(cleared),
    search: assign((_, params: { text: string }) => ({ query: params.text.trim(), offset: 0, total: 0, error: null, notice: null })),
    refuse: assign((_, params: { error: OwnerSearchError }) => ({ error: params.error, notice: null })),
    showResults: assign((_, params: { count: number }) => ({ offset: 0, total: params.count })),
    showNoResults: assign({ offset: 0, total: 0, notice: "no_results" }),
    turnPage: assign((_, params: { offset: number }) => ({ offset: offsetOf(params.offset) })),
  },
  guards: {
    isBlank: (_, params: { text: string }) => params.text.trim() === "",
    isTooLong: (_, params: { text: string }) => charCount(params.text.trim()) > maxQueryChars,
    hasResults: (_, params: { count: number }) => Number.isSafeInteger(params.count) && params.count > 0,
  },
}).createMachine({
  id: "ownerSearch",
  initial: "idle",
  context: cleared,
  states: {
    idle: {
      on: {
        START: { target: "awaitingQuery", actions: "reset" },
      },
    },
    awaitingQuery: {
      on: {
        QUERY: [
          {
            guard: { type: "isBlank", params: ({ event }) => ({ text: event.text }) },
            actions: { type: "refuse", params: { error: "empty" } },
          },
          {
            guard: { type: "isTooLong", params: ({ event }) => ({ text: event.text }) },
            actions: { type: "refuse", params: { error: "too_long" } },
          },
          { target: "searching", actions: { type: "search", params: ({ event }) => ({ text: event.text }) } },
        ],
        CANCEL: { target: "idle", actions: "reset" },
      },
    },
    searching: {
      on: {
        FOUND: [
          {
            guard: { type: "hasResults", params: ({ event }) => ({ count: event.count }) },
            target: "results",
            actions: { type: "showResults", params: ({ event }) => ({ count: event.count }) },
          },
          { target: "awaitingQuery", actions: "showNoResults" },
        ],
        CANCEL: { target: "idle", actions: "reset" },
      },
    },
    results: {
      on: {
        PAGE: { actions: { type: "turnPage", params: ({ event }) => ({ offset: event.offset }) } },
        START: { target: "awaitingQuery", actions: "reset" },
        CANCEL: { target: "idle", actions: "reset" },
      },
    },
  },
});
