/**
 * The vocabulary of the owner's AI summary of a client: the request, and what the AI made of it.
 * The summary needs no clock: the bot applies the AI's time limit and reports `timeout`.
 */

/** Why the AI gave no summary; the bot says so and offers to retry. */
export type AiSummaryError = "timeout" | "unavailable";

/** One summary in the owner's chat. Plain JSON and bounded: it lives in the owner's grammY session. */
export interface AiSummaryContext {
  /** The client summarised; null when idle. */
  readonly userId: number | null;
  /** The summary shown, cut to `maxSummaryChars`; null unless `shown`. */
  readonly text: string | null;
  /** Why the last request failed; null unless `failed`. */
  readonly error: AiSummaryError | null;
}

/** Everything the summary reacts to; an event the current state does not list is ignored. */
export type AiSummaryEvent =
  /** The owner asked for the summary of a client: a first one, a refresh, or another client's. */
  | { readonly type: "REQUEST"; readonly userId: number }
  /** The AI answered. */
  | { readonly type: "LOADED"; readonly text: string }
  /** The AI gave no answer; the bot maps any other failure to `unavailable`. */
  | { readonly type: "FAILED"; readonly reason: AiSummaryError }
  | { readonly type: "RETRY" }
  | { readonly type: "CLOSE" };

/**
 * The named actions of the summary flow and their params: declared in the machine's `setup`,
 * provided by the bot, run right after the step that names them.
 */
export interface AiSummaryActionParams {
  /** Ask the AI for the summary of the client; the bot answers `LOADED` with the text, or `FAILED` with why. */
  summarize: { readonly userId: number | null };
}
