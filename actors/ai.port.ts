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

/** Everything the owner's client summary draws on: the chat, and what the CRM knows besides. */
export interface SummaryInput {
  readonly language: AiLanguage;
  /** The zone the owner reads dates in (`TIME_ZONE`): the prompt gives every time in it, so the summary's dates match the card's. */
  readonly timeZone: string;
  /** The conversation, oldest first, already cut to a character budget. */
  readonly chat: readonly { readonly role: "customer" | "shop"; readonly text: string; readonly at: number }[];
  readonly stage: string;
  /** Each stage reached, with when (ISO), in order. */
  readonly stageHistory: readonly { readonly stage: string; readonly at: string }[];
  readonly ordersCount: number;
  readonly lifetimeValue: number;
  readonly currency: string;
  readonly orders: readonly { readonly orderId: string; readonly total: number; readonly at: string; readonly items: string }[];
  readonly notes: readonly string[];
  readonly tags: readonly string[];
}

export interface AiPort {
  /** Answers a customer's question about the shop. Rejects with {@link AiUnavailable}; honours `signal`. */
  consult(input: ConsultInput, signal: AbortSignal): Promise<string>;
  /** A short, structured summary of one client for the owner, in the owner's language. */
  summarize(input: SummaryInput, signal: AbortSignal): Promise<string>;
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
