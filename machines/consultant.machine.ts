import { assign, setup } from "xstate";
import type { ConsultantContext, ConsultantEvent, ConsultantFailure, ConsultantInput, ConsultantNotice } from "./consultant.types.ts";

/**
 * Bump this whenever the machine's states or context change shape.
 * A stored consultant of another version is dropped, and the customer starts afresh.
 */
export const consultantVersion = 1;

/** The longest question sent to the AI, in characters (code points). */
export const maxQuestionChars = 1000;

/** The accepted questions still inside the window that ends at `at`: those less than `windowMs` old. */
function recentAsks(context: ConsultantContext, at: number): number[] {
  return context.askedAt.filter((askedAt) => at - askedAt < context.windowMs);
}

/**
 * The customer's "ask a consultant" mode: idle → listening ⇄ thinking.
 *
 * A question reaches the AI (and the machine enters `thinking`) only if it is not blank, not
 * longer than {@link maxQuestionChars}, and fewer than `maxQuestions` questions were accepted in
 * the `windowMs` before it. Otherwise the machine keeps listening and says why in `notice`.
 * A question that failed still counts against the limit: the AI was asked. Leaving and entering
 * again keeps the count, so it is no way around the limit. One question at a time: `ASK` while
 * `thinking` is ignored.
 *
 * @example
 * const [idle] = initialTransition(consultantMachine, { maxQuestions: 5, windowMs: 60 * 60_000 });
 * const [listening] = transition(consultantMachine, idle, { type: "ENTER" });
 * const [thinking] = transition(consultantMachine, listening, { type: "ASK", text: "Is it cotton?", at: Date.parse("2026-01-27T10:00:00Z") });
 * thinking.context.question; // "Is it cotton?": the bot asks the AI, then sends ANSWERED or FAILED
 */
export const consultantMachine = setup({
  types: {
    context: {} as ConsultantContext,
    events: {} as ConsultantEvent,
    input: {} as ConsultantInput,
  },
  actions: {
    accept: assign(({ context }, params: { text: string; at: number }) => ({
      askedAt: [...recentAsks(context, params.at), params.at],
      question: params.text.trim(),
      notice: null,
    })),
    refuse: assign((_, params: { notice: ConsultantNotice }) => ({ notice: params.notice })),
    settle: assign((_, params: { notice: ConsultantFailure | null }) => ({ question: null, notice: params.notice })),
  },
  guards: {
    isBlank: (_, params: { text: string }) => params.text.trim() === "",
    isTooLong: (_, params: { text: string }) => [...params.text.trim()].length > maxQuestionChars,
    isRateLimited: ({ context }, params: { at: number }) => recentAsks(context, params.at).length >= context.maxQuestions,
  },
}).createMachine({
  id: "consultant",
  initial: "idle",
  context: ({ input }) => ({
    maxQuestions: input.maxQuestions,
    windowMs: input.windowMs,
    askedAt: [],
    question: null,
    notice: null,
  }),
  states: {
    idle: {
      on: {
        ENTER: { target: "listening", actions: { type: "settle", params: { notice: null } } },
      },
    },
    listening: {
      on: {
        ASK: [
          {
            guard: { type: "isBlank", params: ({ event }) => ({ text: event.text }) },
            actions: { type: "refuse", params: { notice: "empty" } },
          },
          {
            guard: { type: "isTooLong", params: ({ event }) => ({ text: event.text }) },
            actions: { type: "refuse", params: { notice: "too_long" } },
          },
          {
            guard: { type: "isRateLimited", params: ({ event }) => ({ at: event.at }) },
            actions: { type: "refuse", params: { notice: "rate_limited" } },
          },
          { target: "thinking", actions: { type: "accept", params: ({ event }) => ({ text: event.text, at: event.at }) } },
        ],
        EXIT: { target: "idle", actions: { type: "settle", params: { notice: null } } },
      },
    },
    thinking: {
      on: {
        ANSWERED: { target: "listening", actions: { type: "settle", params: { notice: null } } },
        FAILED: { target: "listening", actions: { type: "settle", params: ({ event }) => ({ notice: event.reason }) } },
        EXIT: { target: "idle", actions: { type: "settle", params: { notice: null } } },
      },
    },
  },
});
