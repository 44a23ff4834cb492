/**
 * The AI port on OpenAI's chat completions, through the official `openai` SDK. The SDK retries
 * 408/409/429/5xx, connection failures and timeouts itself (`maxRetries`, honouring `retry-after`);
 * this adapter turns whatever is left into an {@link AiUnavailable} the bots can explain, and
 * keeps the API key out of every error message and log line.
 */

import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { AiUnavailable, type AiFailure, type AiPort } from "../../actors/ai.port.ts";
import { silentLogger, type Logger } from "../../actors/log.port.ts";
import { consultPrompt, summaryPrompt, type Prompt } from "./prompts.ts";

/** Options for {@link createOpenAiPort}. */
export interface OpenAiPortOptions {
  readonly apiKey: string;
  /** Default `gpt-4o-mini`: cheap and quick enough for a chat consultant. */
  readonly model?: string;
  /** Another OpenAI-compatible server, or a local stand-in in tests (default: OpenAI's). */
  readonly baseURL?: string;
  /**
   * How long one attempt may take (default 30,000 ms). The SDK retries a timed-out attempt, so a
   * call can last up to `(maxRetries + 1) × timeoutMs` plus backoff; the caller's signal bounds it.
   */
  readonly timeoutMs?: number;
  /** Retries after the first attempt (default 2). */
  readonly maxRetries?: number;
  /** Where a refused request (a bad key, an unknown model) is reported, once per kind. */
  readonly log?: Logger;
}

/** Short answers keep a customer's wait and the bill small. */
const consultMaxTokens = 400;
const summaryMaxTokens = 500;
/** Low, so that answers stay close to the catalog and the CRM data. */
const temperature = 0.2;

/** Statuses that mean "this request will never work as configured", not "try later". */
const isRefusal = (status: number): boolean => status >= 400 && status < 500 && status !== 408 && status !== 409 && status !== 429;

/**
 * Removes the key, and anything shaped like an OpenAI key or a bearer token (the real API echoes
 * a wrong key masked, e.g. `sk-proj-****abcd`), from text that may reach a log or a chat.
 */
function redact(text: string, apiKey: string): string {
  const withoutKey = apiKey.length > 0 ? text.split(apiKey).join("[redacted]") : text;
  return withoutKey
    .replace(/\bsk-[\w*.-]*[\w*]/g, "sk-[redacted]")
    .replace(/\bBearer\s+\S+/gi, "Bearer [redacted]")
    .slice(0, 300);
}

/**
 * Builds the AI port on OpenAI.
 *
 * @example
 * const ai = createOpenAiPort({ apiKey: Redacted.value(config.OPENAI_API_KEY), log });
 * const answer = await ai.consult({ question, catalog, language: "ru" }, AbortSignal.timeout(30_000));
 */
export function createOpenAiPort(options: OpenAiPortOptions): AiPort {
  const { apiKey } = options;
  if (apiKey.trim() === "") throw new Error("createOpenAiPort: the API key is empty");
  const model = options.model ?? "gpt-4o-mini";
  const timeoutMs = options.timeoutMs ?? 30_000;
  const log = options.log ?? silentLogger;
  const client = new OpenAI({
    apiKey,
    // Without an explicit one, the SDK would read OPENAI_BASE_URL from the environment.
    baseURL: options.baseURL ?? "https://api.openai.com/v1",
    timeout: timeoutMs,
    maxRetries: options.maxRetries ?? 2,
    // The SDK's own logs (OPENAI_LOG=debug) would print prompts, which hold customers' messages.
    logLevel: "off",
  });
  const reported = new Set<string>();

  function failure(reason: AiFailure, message: string): AiUnavailable {
    return new AiUnavailable(reason, redact(message, apiKey));
  }

  function toAiUnavailable(error: unknown, signal: AbortSignal): AiUnavailable {
    if (error instanceof APIUserAbortError || signal.aborted) return failure("timeout", "the AI request was cancelled or ran out of time");
    if (error instanceof APIConnectionTimeoutError) return failure("timeout", `OpenAI did not answer within ${timeoutMs} ms`);
    if (error instanceof APIConnectionError) return failure("unavailable", "OpenAI could not be reached");
    if (error instanceof APIError && typeof error.status === "number") {
      const code = error.code ?? error.type ?? "no code";
      if (isRefusal(error.status)) {
        const kind = `${error.status} ${code}`;
        if (!reported.has(kind)) {
          reported.add(kind);
          log.warn("ai_rejected", { status: error.status, code, model, hint: "check the API key and the model" });
        }
        // The SDK's message starts with the status, which the message already gives.
        const said = error.message.replace(new RegExp(`^${error.status}\\s*`), "");
        return failure("rejected", `OpenAI refused the request (${error.status} ${code}): ${said}`);
      }
      return failure("unavailable", `OpenAI is unavailable (${error.status} ${code})`);
    }
    return failure("unavailable", `the OpenAI call failed: ${error instanceof Error ? error.name : typeof error}`);
  }

  async function complete(prompt: Prompt, maxTokens: number, signal: AbortSignal): Promise<string> {
    let content: string | null | undefined;
    try {
      const completion = await client.chat.completions.create(
        {
          model,
          messages: [
            { role: "system", content: prompt.system },
            { role: "user", content: prompt.user },
          ],
          max_completion_tokens: maxTokens,
          temperature,
        },
        { signal },
      );
      content = completion.choices[0]?.message.content;
    } catch (error) {
      throw toAiUnavailable(error, signal);
    }
    const text = content?.trim() ?? "";
    if (text === "") throw new AiUnavailable("unavailable", "OpenAI returned an empty completion");
    return text;
  }

  return {
    consult: (input, signal) => complete(consultPrompt(input), consultMaxTokens, signal),
    summarize: (input, signal) => complete(summaryPrompt(input), summaryMaxTokens, signal),
  };
}
