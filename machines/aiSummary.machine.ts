import { assign, setup } from "xstate";
import type { AiSummaryActionParams, AiSummaryContext, AiSummaryError, AiSummaryEvent } from "./aiSummary.types.ts";

/**
 * Bump this whenever the machine's states or context change shape.
 * A stored summary of another version is dropped, and the owner asks again.
 */
export const aiSummaryVersion = 1;

/** The longest summary kept, in characters (code points), so a session stays small. */
export const maxSummaryChars = 3000;

/** The first `maxSummaryChars` code points of `text`, never half of a surrogate pair. */
const cut = (text: string): string => (text.length <= maxSummaryChars ? text : [...text].slice(0, maxSummaryChars).join(""));

/** The client `loading` asks about, as the transition into it set. */
const clientToSummarize = ({ context }: { readonly context: AiSummaryContext }): AiSummaryActionParams["summarize"] => ({ userId: context.userId });

/**
 * The owner's AI summary of one client: idle → loading → shown or failed.
 *
 * Entering `loading` names the action `summarize`, which the bot provides (it asks the AI and
 * answers `LOADED` or `FAILED`); nothing else asks. `loading` takes no `REQUEST`, so a second tap
 * does not ask twice. From `shown` a `REQUEST` refreshes the summary
 * or asks for another client's; from `failed`, `RETRY` asks again for the same client and
 * `REQUEST` for any. `CLOSE` leaves it from `shown` or `failed`.
 *
 * @example
 * const [idle] = initialTransition(aiSummaryMachine);
 * const [loading] = transition(aiSummaryMachine, idle, { type: "REQUEST", userId: 42 });
 * // `summarize` asks the AI about client 42, and the bot sends LOADED or FAILED
 * const [failed] = transition(aiSummaryMachine, loading, { type: "FAILED", reason: "timeout" });
 * transition(aiSummaryMachine, failed, { type: "RETRY" })[0].value; // "loading"
 */
export const aiSummaryMachine = setup({
  types: {
    context: {} as AiSummaryContext,
    events: {} as AiSummaryEvent,
  },
  actions: {
    /** Declared for its name and params; the bot's implementation runs it (adapters/telegram/flowState.ts). */
    summarize: (_: unknown, _params: AiSummaryActionParams["summarize"]) => {},
    request: assign((_, params: { userId: number }) => ({ userId: params.userId, text: null, error: null })),
    retry: assign({ text: null, error: null }),
    show: assign((_, params: { text: string }) => ({ text: cut(params.text), error: null })),
    fail: assign((_, params: { error: AiSummaryError }) => ({ text: null, error: params.error })),
    close: assign({ userId: null, text: null, error: null }),
  },
}).createMachine({
  id: "aiSummary",
  initial: "idle",
  context: { userId: null, text: null, error: null },
  states: {
    idle: {
      on: {
        REQUEST: { target: "loading", actions: { type: "request", params: ({ event }) => ({ userId: event.userId }) } },
      },
    },
    loading: {
      entry: { type: "summarize", params: clientToSummarize },
      on: {
        LOADED: { target: "shown", actions: { type: "show", params: ({ event }) => ({ text: event.text }) } },
        FAILED: { target: "failed", actions: { type: "fail", params: ({ event }) => ({ error: event.reason }) } },
      },
    },
    shown: {
      on: {
        REQUEST: { target: "loading", actions: { type: "request", params: ({ event }) => ({ userId: event.userId }) } },
        CLOSE: { target: "idle", actions: "close" },
      },
    },
    failed: {
      on: {
        RETRY: { target: "loading", actions: "retry" },
        REQUEST: { target: "loading", actions: { type: "request", params: ({ event }) => ({ userId: event.userId }) } },
        CLOSE: { target: "idle", actions: "close" },
      },
    },
  },
});
