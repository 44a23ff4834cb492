/**
 * The AI port: what the bots need from a language model, and nothing about which one.
 * The OpenAI adapter implements it; tests use a local stand-in. Without one configured, the AI
 * features are hidden and nothing else changes.
 */

export type AiLanguage = "ru" | "en";

export interface ConsultInput {
  readonly question: string;
  /** The catalog as compact text: the consultant answers from it and nothing else. */
  readonly catalog: string;
  readonly language: AiLanguage;
}

export interface AiPort {
  /** Answers a customer's question about the shop. Rejects with {@link AiUnavailable}; honours `signal`. */
  consult(input: ConsultInput, signal: AbortSignal): Promise<string>;
}

export type AiFailure = "timeout" | "unavailable" | "rejected";

/** Why the AI gave no answer, as a value the bots turn into a clear message. Never carries a secret. */
export class AiUnavailable extends Error {
  readonly _tag = "AiUnavailable";
  override readonly name = "AiUnavailable";
  readonly reason: AiFailure;

  constructor(reason: AiFailure, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** The failure of any AI call, as the reason a customer is told about. */
export function aiFailureOf(error: unknown): AiFailure {
  if (error instanceof AiUnavailable) return error.reason;
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return "timeout";
  return "unavailable";
}
