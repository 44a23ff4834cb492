import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AiUnavailable, type ConsultInput, type SummaryInput } from "../../actors/ai.port.ts";
import type { LogFields, Logger } from "../../actors/log.port.ts";
import { createOpenAiPort, type OpenAiPortOptions } from "./openaiAi.ts";
import { summaryPromptBudget } from "./prompts.ts";
import { standInApiKey, startChatCompletionsStandIn, type ChatCompletionsBody, type ChatCompletionsStandIn } from "./testing/chatCompletionsStandIn.ts";

const catalog = "Coffee\n- Ethiopia Yirgacheffe 250 g: 890 RUB, in stock 12\n- Colombia Supremo 250 g: 790 RUB\nTea\n- Sencha 100 g: 450 RUB";
const question: ConsultInput = { question: "Which coffee is the lightest?", catalog, language: "ru" };

const day = (n: number): number => Date.UTC(2026, 4, n, 9, 30);

const summary: SummaryInput = {
  language: "en",
  timeZone: "UTC",
  chat: [
    { role: "customer", text: "Hi! Do you have decaf?", at: day(1) },
    { role: "shop", text: "We have Colombia Supremo, 790 RUB.", at: day(1) + 60_000 },
    { role: "customer", text: "The Ethiopia was great, thanks!", at: day(9) },
  ],
  stage: "repeat",
  stageHistory: [
    { stage: "new", at: new Date(day(1)).toISOString() },
    { stage: "customer", at: new Date(day(2)).toISOString() },
    { stage: "repeat", at: new Date(day(8)).toISOString() },
  ],
  ordersCount: 2,
  lifetimeValue: 2570,
  currency: "RUB",
  orders: [
    { orderId: "SO-7KQ2", total: 1780, at: new Date(day(8)).toISOString(), items: "Ethiopia Yirgacheffe 250 g × 2" },
    { orderId: "SO-3MX9", total: 790, at: new Date(day(2)).toISOString(), items: "Colombia Supremo 250 g × 1" },
  ],
  notes: ["Prefers delivery after 18:00", "Asked for a wholesale price list"],
  tags: ["vip", "wholesale"],
};

interface LogLine {
  readonly level: "info" | "warn" | "error";
  readonly event: string;
  readonly fields: LogFields | undefined;
}

function recordingLogger(): Logger & { readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (event, fields) => lines.push({ level: "info", event, fields }),
    warn: (event, fields) => lines.push({ level: "warn", event, fields }),
    error: (event, fields) => lines.push({ level: "error", event, fields }),
  };
}

let standIn: ChatCompletionsStandIn;
let log: ReturnType<typeof recordingLogger>;

beforeEach(async () => {
  standIn = await startChatCompletionsStandIn();
  log = recordingLogger();
});

afterEach(async () => {
  await standIn.close();
});

const openSignal = (): AbortSignal => new AbortController().signal;

function portFor(options: Partial<OpenAiPortOptions> = {}) {
  return createOpenAiPort({ apiKey: standInApiKey, baseURL: standIn.baseURL, timeoutMs: 2_000, maxRetries: 1, log, ...options });
}

/** The body of the one completed request, or a failure naming what arrived instead. */
function onlyBody(): ChatCompletionsBody {
  expect(standIn.requests).toHaveLength(1);
  const body = standIn.requests[0]?.body;
  if (!body) throw new Error(`no chat completions body: ${JSON.stringify(standIn.requests)}`);
  return body;
}

const systemOf = (body: ChatCompletionsBody): string => body.messages.find((message) => message.role === "system")?.content ?? "";
const userOf = (body: ChatCompletionsBody): string => body.messages.find((message) => message.role === "user")?.content ?? "";

/** The reason a call failed with, failing the test when it did not fail as an {@link AiUnavailable}. */
async function failureOf(call: Promise<string>): Promise<AiUnavailable> {
  const outcome = await call.then(
    (text) => new Error(`expected a failure, got the answer ${JSON.stringify(text)}`),
    (error: unknown) => error,
  );
  if (!(outcome instanceof AiUnavailable)) throw outcome;
  return outcome;
}

describe("consult", () => {
  it("sends the model, a system prompt with the catalog and the language, the question, and returns the answer", async () => {
    standIn.setReply("Эфиопия Иргачеффе — самая светлая обжарка, 890 ₽.");
    const answer = await portFor().consult(question, openSignal());

    expect(answer).toBe("Эфиопия Иргачеффе — самая светлая обжарка, 890 ₽.");
    const body = onlyBody();
    expect(body.model).toBe("gpt-4o-mini");
    expect(body.messages.map((message) => message.role)).toEqual(["system", "user"]);
    expect(systemOf(body)).toContain(catalog);
    expect(systemOf(body)).toContain("Answer in Russian.");
    expect(systemOf(body)).toMatch(/ONLY from the catalog/);
    expect(systemOf(body)).toMatch(/not about the shop's products, ordering or delivery, politely decline/);
    expect(systemOf(body)).toMatch(/Never invent a product, a price/);
    expect(userOf(body)).toBe(question.question);
    expect(body.maxTokens).toBeLessThanOrEqual(400);
    expect(body.temperature).toBeLessThanOrEqual(0.3);
    expect(standIn.requests[0]?.hadKey).toBe(true);
  });

  it("asks for English for an English-speaking customer, on the model it was given", async () => {
    await portFor({ model: "gpt-4.1-nano" }).consult({ ...question, language: "en" }, openSignal());

    const body = onlyBody();
    expect(body.model).toBe("gpt-4.1-nano");
    expect(systemOf(body)).toContain("Answer in English.");
    expect(systemOf(body)).not.toContain("Answer in Russian.");
  });

  it("fails as unavailable on an empty completion, and on one with no content at all", async () => {
    const ai = portFor();
    standIn.setReply("  \n ");
    expect((await failureOf(ai.consult(question, openSignal()))).reason).toBe("unavailable");
    standIn.setReply(null);
    expect((await failureOf(ai.consult(question, openSignal()))).reason).toBe("unavailable");
  });
});

describe("summarize", () => {
  it("sends the chat, orders, lifetime value, stage history, notes and tags, and returns the summary", async () => {
    standIn.setReply("• A repeat customer since 8 May.");
    const text = await portFor().summarize(summary, openSignal());

    expect(text).toBe("• A repeat customer since 8 May.");
    const body = onlyBody();
    const user = userOf(body);
    for (const turn of summary.chat) expect(user).toContain(`${turn.role}: ${turn.text}`);
    expect(user.indexOf("decaf")).toBeLessThan(user.indexOf("was great"));
    for (const order of summary.orders) expect(user).toContain(`${order.orderId}, ${order.at.slice(0, 10)} 09:30, ${order.total} RUB: ${order.items}`);
    expect(user).toContain("Orders: 2; lifetime value: 2570 RUB");
    expect(user).toContain("Stage now: repeat");
    expect(user).toContain("Stage history: new 2026-05-01 09:30; customer 2026-05-02 09:30; repeat 2026-05-08 09:30");
    for (const note of summary.notes) expect(user).toContain(`- ${note}`);
    expect(user).toContain("Tags: vip, wholesale");
    expect(user).not.toContain("left out");

    const system = systemOf(body);
    expect(system).toContain("Answer in English.");
    expect(system).toMatch(/no Markdown/);
    expect(system).toMatch(/4 to 6 lines/);
    expect(system).toMatch(/next step/);
  });

  it("keeps the whole prompt within the budget by cutting the chat from its oldest end", async () => {
    const chat = Array.from({ length: 400 }, (_, index) => ({
      role: index % 2 === 0 ? ("customer" as const) : ("shop" as const),
      text: `message #${index} ${"x".repeat(300)}`,
      at: day(1) + index * 60_000,
    }));
    await portFor().summarize({ ...summary, language: "ru", chat }, openSignal());

    const body = onlyBody();
    const user = userOf(body);
    expect(systemOf(body).length + user.length).toBeLessThanOrEqual(summaryPromptBudget);
    expect(systemOf(body).length + user.length).toBeGreaterThan(summaryPromptBudget - 400);
    expect(user).toContain("message #399 ");
    expect(user).not.toContain("message #0 ");
    const kept = user.match(/message #\d+ /g) ?? [];
    expect(user).toContain(`(${400 - kept.length} earlier messages left out)`);
    expect(user).toContain("Tags: vip, wholesale");
    expect(user).toContain("SO-7KQ2");
    expect(systemOf(body)).toContain("Answer in Russian.");
  });

  it("keeps the beginning of a newest message too long to fit whole", async () => {
    const chat = [
      { role: "customer" as const, text: "an older message", at: day(1) },
      { role: "customer" as const, text: `the start ${"y".repeat(30_000)}`, at: day(2) },
    ];
    await portFor().summarize({ ...summary, chat }, openSignal());

    const body = onlyBody();
    expect(systemOf(body).length + userOf(body).length).toBeLessThanOrEqual(summaryPromptBudget);
    expect(userOf(body)).toContain("customer: the start yyy");
    expect(userOf(body)).toContain("(1 earlier messages left out)");
  });
});

describe("failures", () => {
  it("succeeds when a 500 is followed by an answer, through the SDK's retry", async () => {
    standIn.failNext(500);
    expect(await portFor().consult(question, openSignal())).toContain("Which coffee is the lightest?");
    expect(standIn.requests.map((request) => request.status)).toEqual([500, 200]);
    expect(standIn.requests[1]?.headers["x-stainless-retry-count"]).toBe("1");
  });

  it("fails as unavailable when every attempt gets a 500", async () => {
    standIn.failNext(500, Infinity);
    const error = await failureOf(portFor({ maxRetries: 2 }).consult(question, openSignal()));
    expect(error.reason).toBe("unavailable");
    expect(error.message).toMatch(/500/);
    expect(standIn.requests.map((request) => request.status)).toEqual([500, 500, 500]);
  });

  it("retries a 429 and then fails as unavailable", async () => {
    standIn.failNext(429, Infinity);
    const error = await failureOf(portFor().summarize(summary, openSignal()));
    expect(error.reason).toBe("unavailable");
    expect(error.message).toMatch(/429 rate_limit_exceeded/);
    expect(standIn.requests.map((request) => request.status)).toEqual([429, 429]);
  });

  it("fails as unavailable when OpenAI cannot be reached", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const error = await failureOf(portFor({ baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 }).consult(question, openSignal()));
    expect(error.reason).toBe("unavailable");
  });

  it("fails as rejected on a wrong key without retrying, logs it once, and never shows the key", async () => {
    const wrongKey = "sk-proj-Wr0ngKeyForTheStandIn9876zyxw";
    const ai = portFor({ apiKey: wrongKey });
    const first = await failureOf(ai.consult(question, openSignal()));
    const second = await failureOf(ai.summarize(summary, openSignal()));

    expect([first.reason, second.reason]).toEqual(["rejected", "rejected"]);
    expect(first.message).toMatch(/\(401 invalid_api_key\): Incorrect API key provided: sk-\[redacted\]\./);
    expect(standIn.requests.map((request) => [request.status, request.hadKey])).toEqual([[401, false], [401, false]]);
    expect(log.lines.filter((line) => line.level === "warn" && line.event === "ai_rejected")).toHaveLength(1);
    expect(log.lines[0]?.fields).toMatchObject({ status: 401, code: "invalid_api_key", model: "gpt-4o-mini" });

    // The stand-in, like the real API, names the key masked: `sk-p****...zyxw`.
    const shown = [inspect(first), inspect(second), String(first), JSON.stringify(log.lines)].join("\n");
    expect(shown).not.toContain(wrongKey);
    expect(shown).not.toContain("zyxw");
  });

  it("redacts the key even when a proxy echoes it whole", async () => {
    standIn.failNext(403, 1, { error: { message: `Key ${standInApiKey} is blocked here (Bearer ${standInApiKey})`, type: "access_denied", param: null, code: null } });
    const error = await failureOf(portFor().consult(question, openSignal()));

    expect(error.reason).toBe("rejected");
    expect(error.message).toBe("OpenAI refused the request (403 access_denied): Key [redacted] is blocked here (Bearer [redacted]");
    expect(inspect(error)).not.toContain(standInApiKey);
    expect(JSON.stringify(log.lines)).not.toContain(standInApiKey);
  });

  it("fails as rejected on an unknown model, saying so", async () => {
    standIn.failNext(404, 1, { error: { message: "The model `gpt-nope` does not exist or you do not have access to it.", type: "invalid_request_error", param: null, code: "model_not_found" } });
    const error = await failureOf(portFor({ model: "gpt-nope" }).consult(question, openSignal()));

    expect(error.reason).toBe("rejected");
    expect(error.message).toMatch(/\(404 model_not_found\): The model `gpt-nope` does not exist/);
    expect(standIn.requests).toHaveLength(1);
  });

  it("fails as timeout when OpenAI hangs past timeoutMs, within a bounded time", async () => {
    standIn.hangNext(10_000, 2);
    const started = performance.now();
    const error = await failureOf(portFor({ timeoutMs: 300, maxRetries: 1 }).consult(question, openSignal()));
    const elapsed = performance.now() - started;

    expect(error.reason).toBe("timeout");
    expect(elapsed).toBeGreaterThanOrEqual(550);
    expect(elapsed).toBeLessThan(2_500);
    expect(standIn.requests).toHaveLength(2);
  });

  it("retries an attempt that timed out, and succeeds when the next one answers", async () => {
    standIn.hangNext(10_000, 1);
    expect(await portFor({ timeoutMs: 300, maxRetries: 1 }).consult(question, openSignal())).toContain("lightest");
    expect(standIn.requests.map((request) => request.status)).toEqual([null, 200]);
  });

  it("fails as timeout at once on a signal already aborted, sending nothing", async () => {
    const error = await failureOf(portFor().consult(question, AbortSignal.abort()));
    expect(error.reason).toBe("timeout");
    expect(standIn.requests).toHaveLength(0);
  });

  it("fails as timeout when the caller's signal aborts mid-request, long before the SDK's timeout", async () => {
    standIn.hangNext(10_000);
    const started = performance.now();
    const error = await failureOf(portFor({ timeoutMs: 10_000 }).summarize(summary, AbortSignal.timeout(150)));

    expect(error.reason).toBe("timeout");
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(standIn.requests).toHaveLength(1);
  });
});

describe("the chat completions stand-in", () => {
  it("refuses a missing key and unknown paths in OpenAI's error shape, and records no key", async () => {
    const noKey = await fetch(`${standIn.baseURL}/chat/completions`, { method: "POST", body: "{}" });
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ error: { type: "invalid_request_error", message: expect.stringContaining("provide an API key") } });

    const models = await fetch(`${standIn.baseURL}/models`, { headers: { authorization: `Bearer ${standInApiKey}` } });
    expect(models.status).toBe(404);
    expect(await models.json()).toEqual({ error: { message: "Invalid URL (GET /v1/models)", type: "invalid_request_error", param: null, code: null } });

    expect(standIn.requests.map((request) => [request.status, request.hadKey])).toEqual([[401, false], [404, true]]);
    expect(JSON.stringify(standIn.requests)).not.toContain(standInApiKey);
  });

  it("answers with a realistic chat.completion", async () => {
    const response = await fetch(`${standIn.baseURL}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${standInApiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello" }] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toMatch(/^req_/);
    expect(await response.json()).toMatchObject({
      id: expect.stringMatching(/^chatcmpl-/),
      object: "chat.completion",
      created: expect.any(Number),
      model: "gpt-4o-mini",
      choices: [{ index: 0, message: { role: "assistant", content: "Stand-in answer to: Hello" }, finish_reason: "stop" }],
      usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number), total_tokens: expect.any(Number) },
    });
  });
});
