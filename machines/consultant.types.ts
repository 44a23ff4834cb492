/**
 * The vocabulary of the "ask a consultant" mode: the customer's questions and what the AI made of
 * them. Time arrives with `ASK` as `at` (epoch ms); the rate limit reads no clock of its own.
 */

/** What the bot should tell the customer about their last question; null when all went well. */
export type ConsultantNotice = "rate_limited" | "too_long" | "empty" | "failed" | "timeout";

/** Why the AI gave no answer. */
export type ConsultantFailure = Extract<ConsultantNotice, "failed" | "timeout">;

/** One customer's consultant mode. Plain JSON and bounded: it lives in a grammY session. */
export interface ConsultantContext {
  /** At most this many questions reach the AI within any `windowMs`. */
  readonly maxQuestions: number;
  readonly windowMs: number;
  /**
   * When recent questions were accepted, oldest first. Each accepted question drops those that fell
   * out of its window, so this never holds more than `maxQuestions`.
   */
  readonly askedAt: readonly number[];
  /** The question the AI is answering, trimmed; null unless `thinking`. */
  readonly question: string | null;
  readonly notice: ConsultantNotice | null;
}

export interface ConsultantInput {
  readonly maxQuestions: number;
  readonly windowMs: number;
}

/** Everything the consultant reacts to; an event the current state does not list is ignored. */
export type ConsultantEvent =
  /** The customer opened the consultant. */
  | { readonly type: "ENTER" }
  /** The customer sent a question at `at` (epoch ms, not decreasing from one question to the next). */
  | { readonly type: "ASK"; readonly text: string; readonly at: number }
  /** The AI answered and the bot sent the answer. */
  | { readonly type: "ANSWERED" }
  | { readonly type: "FAILED"; readonly reason: ConsultantFailure }
  /** The customer left the consultant. */
  | { readonly type: "EXIT" };
