/**
 * A local stand-in for OpenAI's chat completions endpoint, so that tests drive the real `openai`
 * SDK over real HTTP (`new OpenAI({ baseURL })`) without reaching the internet.
 *
 * It answers the way api.openai.com does, as far as the OpenAI adapter can tell:
 * - `POST /v1/chat/completions` (non-streaming) → 200 with a `chat.completion` object: `id`,
 *   `object`, `created`, `model`, `choices[0].message { role, content, refusal }`, `finish_reason`,
 *   `usage` (tokens estimated at four characters each), and an `x-request-id` header.
 * - Without `Authorization: Bearer <the expected key>` → 401 `invalid_api_key`, whose message names the
 *   key masked (`sk-wron**************1234`) as the real one does, so a test can check that not even
 *   that reaches a log line.
 * - A body that is not JSON, or has no `model` or no `messages`, → 400 `invalid_request_error`;
 *   `stream: true` → 400 as well (this stand-in does not stream).
 * - Any other method or path → 404 `Invalid URL (GET /v1/models)` in OpenAI's error shape.
 *
 * Failures are injected before any check, as an outage or a proxy would: `failNext` answers with a
 * status (and `retry-after-ms`, so the SDK's backoff stays short), `hangNext` holds requests open.
 * Requests are recorded with the `Authorization` header left out (only whether it carried the key).
 */

import { Buffer } from "node:buffer";
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** The key the stand-in accepts unless told otherwise. */
export const standInApiKey = "sk-stand-in-0123456789abcdef";

/** One message of a request, with array content flattened to its text parts. */
export interface StandInMessage {
  readonly role: string;
  readonly content: string;
}

/** The part of a chat completions request body a test asserts on; every other field is in `raw`. */
export interface ChatCompletionsBody {
  readonly model: string;
  readonly messages: readonly StandInMessage[];
  readonly temperature: number | undefined;
  /** `max_completion_tokens`, or the deprecated `max_tokens` when that was sent instead. */
  readonly maxTokens: number | undefined;
  /** The parsed JSON as sent. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** One request the stand-in received, in arrival order. */
export interface ChatCompletionsRequest {
  readonly method: string;
  readonly path: string;
  /** The status answered, or null while held open (or when the client went away first). */
  readonly status: number | null;
  /** The body, or null when it was not a well-formed chat completions request. */
  readonly body: ChatCompletionsBody | null;
  /** Lower-cased header names; `authorization` is never kept. */
  readonly headers: Readonly<Record<string, string>>;
  /** Whether `Authorization` was `Bearer <the expected key>`. */
  readonly hadKey: boolean;
}

/** What the model "says": a text, or null for a completion with no content (a content filter). */
export type StandInReply = string | null | ((body: ChatCompletionsBody) => string | null);

/** Options for {@link startChatCompletionsStandIn}. */
export interface ChatCompletionsStandInOptions {
  /** The only key accepted (default {@link standInApiKey}). */
  readonly apiKey?: string;
  /** The first reply (default: `Stand-in answer to: <the last user message>`). */
  readonly reply?: StandInReply;
  /** The `retry-after-ms` header sent with injected failures (default 10; null sends none). */
  readonly retryAfterMs?: number | null;
  /** Where `created` comes from (default: the system clock), in milliseconds. */
  readonly now?: () => number;
}

/** A running stand-in. See {@link startChatCompletionsStandIn}. */
export interface ChatCompletionsStandIn {
  /** Pass as `new OpenAI({ baseURL })`, e.g. `http://127.0.0.1:40123/v1`. */
  readonly baseURL: string;
  /** Every request, in arrival order, including refused, failed and held ones (retries too). */
  readonly requests: ReadonlyArray<ChatCompletionsRequest>;
  /** What the following completions contain. */
  setReply(reply: StandInReply): void;
  /**
   * Answers the next `times` requests (default 1; `Infinity` until told otherwise; 0 clears) with
   * `status` and `body` (default: OpenAI's error object for that status), before any other check.
   */
  failNext(status: number, times?: number, body?: string | object): void;
  /** Holds the next `times` requests (default 1) for `ms` before answering them as usual. */
  hangNext(ms: number, times?: number): void;
  /** Stops the server and drops open connections, held requests included. */
  close(): Promise<void>;
}

type Recorded = { -readonly [K in keyof ChatCompletionsRequest]: ChatCompletionsRequest[K] };

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const errorAnswer = (status: number, message: string, type: string, code: string | null = null, param: string | null = null): Answer => ({
  status,
  body: JSON.stringify({ error: { message, type, param, code } }),
});

/** OpenAI's error object for an injected status, worded as the real API words it. */
function injectedError(status: number): object {
  if (status === 429) return { error: { message: "Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20ms.", type: "requests", param: null, code: "rate_limit_exceeded" } };
  if (status === 503) return { error: { message: "The engine is currently overloaded, please try again later.", type: "server_error", param: null, code: null } };
  if (status >= 500) return { error: { message: "The server had an error while processing your request. Sorry about that!", type: "server_error", param: null, code: null } };
  return { error: { message: `Injected ${status}.`, type: "invalid_request_error", param: null, code: null } };
}

/** How the real API shows a wrong key: its start and its last four characters. */
function maskKey(key: string): string {
  if (key.length <= 8) return "*".repeat(key.length);
  return `${key.slice(0, 4)}${"*".repeat(key.length - 8)}${key.slice(-4)}`;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function textOf(content: unknown): string | undefined {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return undefined;
  return content.map((part) => (isRecord(part) && typeof part["text"] === "string" ? part["text"] : "")).join("");
}

/** The request body as a test reads it, or a 400 in OpenAI's words. */
function parseBody(text: string): ChatCompletionsBody | Answer {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return errorAnswer(400, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)", "invalid_request_error");
  }
  if (!isRecord(raw)) return errorAnswer(400, "Invalid type for request body: expected an object.", "invalid_request_error");
  const model = raw["model"];
  if (typeof model !== "string" || model === "") return errorAnswer(400, "you must provide a model parameter", "invalid_request_error");
  const sent = raw["messages"];
  if (!Array.isArray(sent) || sent.length === 0) return errorAnswer(400, "Missing required parameter: 'messages'.", "invalid_request_error", "missing_required_parameter", "messages");
  const messages: StandInMessage[] = [];
  for (const message of sent) {
    const content = isRecord(message) ? textOf(message["content"]) : undefined;
    if (!isRecord(message) || typeof message["role"] !== "string" || content === undefined) {
      return errorAnswer(400, `Invalid value for 'messages[${messages.length}]'.`, "invalid_request_error", "invalid_value", `messages[${messages.length}]`);
    }
    messages.push({ role: message["role"], content });
  }
  if (raw["stream"] === true) return errorAnswer(400, "The stand-in does not stream; send stream: false.", "invalid_request_error", null, "stream");
  const temperature = raw["temperature"];
  const maxTokens = raw["max_completion_tokens"] ?? raw["max_tokens"];
  return {
    model,
    messages,
    temperature: typeof temperature === "number" ? temperature : undefined,
    maxTokens: typeof maxTokens === "number" ? maxTokens : undefined,
    raw,
  };
}

const tokensOf = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

const defaultReply = (body: ChatCompletionsBody): string => {
  const question = body.messages.findLast((message) => message.role === "user")?.content ?? "";
  return `Stand-in answer to: ${question.slice(0, 200)}`;
};

/** Starts a stand-in on 127.0.0.1 at a free port. */
export async function startChatCompletionsStandIn(options: ChatCompletionsStandInOptions = {}): Promise<ChatCompletionsStandIn> {
  const expectedKey = options.apiKey ?? standInApiKey;
  const retryAfterMs = options.retryAfterMs === undefined ? 10 : options.retryAfterMs;
  const now = options.now ?? Date.now;
  const requests: Recorded[] = [];
  let reply: StandInReply = options.reply ?? defaultReply;
  let failure: { status: number; body: string; remaining: number } | undefined;
  let hang: { ms: number; remaining: number } | undefined;
  const held = new Set<NodeJS.Timeout>();

  function complete(body: ChatCompletionsBody): Answer {
    const content = typeof reply === "function" ? reply(body) : reply;
    const promptTokens = body.messages.reduce((sum, message) => sum + tokensOf(message.content), 0);
    const completionTokens = content === null ? 0 : tokensOf(content);
    const completion = {
      id: `chatcmpl-${randomBytes(15).toString("base64url")}`,
      object: "chat.completion",
      created: Math.floor(now() / 1000),
      model: body.model,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content, refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: content === null ? "content_filter" : "stop",
        },
      ],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      },
      service_tier: "default",
      system_fingerprint: "fp_standin",
    };
    return { status: 200, body: JSON.stringify(completion), headers: { "openai-processing-ms": "1" } };
  }

  function answer(method: string, path: string, authorization: string | undefined, text: string, record: Recorded): Answer {
    if (failure !== undefined && failure.remaining > 0) {
      failure.remaining -= 1;
      return { status: failure.status, body: failure.body, headers: retryAfterMs === null ? {} : { "retry-after-ms": String(retryAfterMs) } };
    }
    if (method !== "POST" || path !== "/v1/chat/completions") return errorAnswer(404, `Invalid URL (${method} ${path})`, "invalid_request_error");
    if (authorization !== `Bearer ${expectedKey}`) {
      const given = authorization?.startsWith("Bearer ") ? authorization.slice("Bearer ".length) : "";
      return given === ""
        ? errorAnswer(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", "invalid_request_error")
        : errorAnswer(401, `Incorrect API key provided: ${maskKey(given)}. You can find your API key at https://platform.openai.com/account/api-keys.`, "invalid_request_error", "invalid_api_key");
    }
    const body = parseBody(text);
    if ("status" in body) return body;
    record.body = body;
    return complete(body);
  }

  function send(res: ServerResponse, record: Recorded, reply: Answer): void {
    if (res.destroyed) return;
    record.status = reply.status;
    res
      .writeHead(reply.status, { "content-type": "application/json", "x-request-id": `req_${randomBytes(16).toString("hex")}`, ...reply.headers })
      .end(reply.body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const method = req.method ?? "GET";
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const authorization = req.headers.authorization;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (name !== "authorization" && value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
    }
    const record: Recorded = { method, path, status: null, body: null, headers, hadKey: authorization === `Bearer ${expectedKey}` };
    requests.push(record);
    const reply = answer(method, path, authorization, Buffer.concat(chunks).toString("utf8"), record);
    if (hang === undefined || hang.remaining <= 0) {
      send(res, record, reply);
      return;
    }
    hang.remaining -= 1;
    const timer = setTimeout(() => {
      held.delete(timer);
      send(res, record, reply);
    }, hang.ms);
    held.add(timer);
    res.on("close", () => {
      clearTimeout(timer);
      held.delete(timer);
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify(injectedError(500)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    setReply(next) {
      reply = next;
    },
    failNext(status, times = 1, body = injectedError(status)) {
      failure = { status, body: typeof body === "string" ? body : JSON.stringify(body), remaining: times };
    },
    hangNext(ms, times = 1) {
      hang = { ms, remaining: times };
    },
    close() {
      for (const timer of held) clearTimeout(timer);
      held.clear();
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
