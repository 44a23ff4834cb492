import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { manualClock } from "../adapters/storeContract.ts";
import { customerEffects } from "../machines/customer.machine.ts";
import type { CustomerEffectParams } from "../machines/customer.types.ts";
import { createCustomerRuntime, type Clock, type EffectReply } from "./customerRuntime.ts";
import { createEffectWorker, MissingEffectHandlerError, unknownOutcome, type EffectWorkerOptions } from "./effectWorker.ts";
import type { EffectHandlers, EffectOutcome, EffectRequest } from "./effects.port.ts";
import type { LogFields, Logger } from "./log.port.ts";
import type { StoredEffect } from "./store.port.ts";

const t0 = Date.parse("2026-03-02T10:00:00Z");

/** A logger that keeps its lines, to count them. */
function recordingLogger() {
  const lines: { level: string; event: string; fields: LogFields }[] = [];
  const at = (level: string) => (event: string, fields: LogFields = {}) => void lines.push({ level, event, fields });
  const log: Logger = { info: at("info"), warn: at("warn"), error: at("error") };
  return { log, lines, named: (event: string) => lines.filter((line) => line.event === event) };
}

type Handler = (request: EffectRequest, signal: AbortSignal) => Promise<EffectOutcome>;
const done: Handler = async () => ({ outcome: "done" });

/** A handler for every customer effect, each answering `done` unless given. */
function registry(overrides: Partial<Record<keyof CustomerEffectParams, Handler>> = {}): EffectHandlers<CustomerEffectParams> {
  return Object.fromEntries(customerEffects.map((type) => [type, overrides[type] ?? done])) as unknown as EffectHandlers<CustomerEffectParams>;
}

describe("effect worker", () => {
  const dirs: string[] = [];
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function open(dir: string, clock: Clock, handlers: object, options: Partial<EffectWorkerOptions> = {}) {
    const store = openSqliteStore({ path: join(dir, "crm.sqlite"), clock });
    const runtime = createCustomerRuntime({ store, clock });
    const { log, named } = recordingLogger();
    const worker = createEffectWorker({
      queues: store,
      complete: (effect, reply) => runtime.completeEffect(effect, reply as EffectReply | undefined),
      handlers,
      required: runtime.effectTypes,
      clock,
      random: () => 0.5,
      log,
      ...options,
    });
    runtime.listen({ effectsQueued: worker.wake });
    let open = true;
    const close = async (): Promise<void> => {
      if (!open) return;
      open = false;
      await worker.stop({ abort: true });
      await runtime.close();
      await store.close();
    };
    closers.push(close);
    return { store, runtime, worker, named, close };
  }

  function setup(handlers: object = registry(), options: Partial<EffectWorkerOptions> = {}) {
    const dir = mkdtempSync(join(tmpdir(), "crm-effects-"));
    dirs.push(dir);
    const clock = manualClock(t0);
    return { dir, clock, ...open(dir, clock, handlers, options) };
  }

  async function askQuestion(runtime: ReturnType<typeof setup>["runtime"], userId: number, text = "Is it cotton?"): Promise<number> {
    await runtime.dispatch(userId, { type: "consent_given", version: "v1", key: `${userId}:consent` });
    await runtime.dispatch(userId, { type: "consultant_entered", key: `${userId}:enter` });
    return (await runtime.dispatch(userId, { type: "question_asked", text, key: `${userId}:ask` })).seq;
  }

  it("delivers an effect once with its key, actor, params and attempt, and removes its row", async () => {
    const calls: EffectRequest[] = [];
    const { runtime, worker, store, named } = setup(registry({ notifyOwnersOfOrder: async (request) => (calls.push(request), { outcome: "done" }) }));
    const placed = await runtime.dispatch(1, { type: "order_created", orderId: "SO-1", total: 10, currency: "RUB", key: "o" });
    await worker.drain();
    await worker.drain();
    expect(calls).toEqual([{ key: `e:customer:1:${placed.seq}:0`, actor: "customer:1", type: "notifyOwnersOfOrder", params: { orderId: "SO-1" }, attempt: 1 }]);
    expect(store.effectsOf("customer:1")).toEqual([]);
    expect(named("effect_done").map((line) => line.fields["key"])).toEqual([`e:customer:1:${placed.seq}:0`]);
    expect(worker.stats()).toMatchObject({ delivered: 1, retried: 0, redeliveredUnknownOutcome: 0 });
  });

  it("retries a handler that throws after 1 s, then 2 s, and delivers when it succeeds", async () => {
    let calls = 0;
    const flaky: Handler = async () => {
      calls++;
      if (calls < 3) throw new Error("ECONNRESET");
      return { outcome: "done" };
    };
    const { runtime, worker, store, clock } = setup(registry({ notifyOwnersOfOrder: flaky }));
    await runtime.dispatch(1, { type: "order_created", orderId: "SO-1", total: 10, currency: "RUB", key: "o" });
    await worker.drain();
    expect(store.effectsOf("customer:1")).toMatchObject([{ attempts: 1, nextAt: t0 + 1_000, status: "pending", lastError: "Error: ECONNRESET" }]);
    clock.advance(999);
    await worker.drain();
    expect(calls).toBe(1);
    clock.advance(1);
    await worker.drain();
    expect(store.effectsOf("customer:1")).toMatchObject([{ attempts: 2, nextAt: t0 + 3_000 }]);
    clock.advance(2_000);
    await worker.drain();
    expect(calls).toBe(3);
    expect(store.effectsOf("customer:1")).toEqual([]);
  });

  it("backs off exponentially up to 5 minutes, with jitter", async () => {
    const nextAts: number[] = [];
    for (const jitter of [0, 0.5]) {
      const { runtime, worker, store, clock } = setup(registry({ notifyOwnersOfOrder: async () => ({ outcome: "retry", reason: "busy" }) }), { random: () => jitter, maxAttempts: 12 });
      await runtime.dispatch(1, { type: "order_created", orderId: "SO-1", total: 10, currency: "RUB", key: "o" });
      for (let attempt = 1; attempt <= 11; attempt++) {
        await worker.drain();
        const [row] = store.effectsOf("customer:1");
        nextAts.push((row?.nextAt ?? 0) - clock.now());
        clock.set(row?.nextAt ?? 0);
      }
    }
    expect(nextAts.slice(0, 11)).toEqual([800, 1_600, 3_200, 6_400, 12_800, 25_600, 51_200, 102_400, 204_800, 240_000, 240_000]);
    expect(nextAts.slice(11)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000]);
  });

  it("marks an effect failed after maxAttempts, with one log line and one call of onFailed", async () => {
    const failed: Array<[string, string]> = [];
    const { runtime, worker, store, clock, named } = setup(registry({ notifyOwnersOfOrder: async () => ({ outcome: "retry", reason: "Telegram said 500" }) }), {
      maxAttempts: 3,
      onFailed: (effect, reason) => failed.push([effect.type, reason]),
    });
    await runtime.dispatch(1, { type: "order_created", orderId: "SO-1", total: 10, currency: "RUB", key: "o" });
    for (let round = 0; round < 5; round++) {
      await worker.drain();
      clock.advance(10 * 60_000);
    }
    expect(store.effectsOf("customer:1")).toMatchObject([{ attempts: 3, status: "failed", lastError: "Telegram said 500" }]);
    expect(failed).toEqual([["notifyOwnersOfOrder", "Telegram said 500"]]);
    expect(named("effect_failed")).toHaveLength(1);
    expect(store.effectsCount()).toEqual({ pending: 0, failed: 1 });
  });

  it("applies a reply exactly once even when the handler ran twice (the process died between the handler and the completion)", async () => {
    const { dir, clock, runtime, store, close } = setup(registry({ askConsultant: async () => new Promise<EffectOutcome>(() => {}) }));
    const asked = await askQuestion(runtime, 1);
    const key = `e:customer:1:${asked}:0`;
    const answered: string[] = [];
    let ran!: () => void;
    const handlerRan = new Promise<void>((resolve) => (ran = resolve));
    const answer = async (request: EffectRequest): Promise<EffectOutcome> => (answered.push(request.key), ran(), { outcome: "done", reply: { type: "consultant_answered", text: "Yes, cotton." } });
    // The first process: the handler answers, and the process dies before the completion commits.
    const dying = createEffectWorker({ queues: store, complete: () => new Promise(() => {}), handlers: registry({ askConsultant: answer }), required: runtime.effectTypes, clock });
    void dying.drain();
    await handlerRan;
    expect(store.effectsOf("customer:1")).toMatchObject([{ key, attempts: 1, lastError: unknownOutcome }]);
    const [stuck] = store.effectsOf("customer:1");
    await close();
    // The next process redelivers it: the handler runs a second time, and the reply is applied once.
    const again = open(dir, clock, registry({ askConsultant: answer }));
    await again.worker.drain();
    expect(answered).toEqual([key, key]);
    expect(again.worker.stats()).toMatchObject({ redeliveredUnknownOutcome: 1 });
    expect(again.named("effect_redelivered_unknown_outcome").map((line) => line.fields["key"])).toEqual([key]);
    if (!stuck) throw new Error("no effect row");
    expect(await again.runtime.completeEffect(stuck, { type: "consultant_answered", text: "Yes, cotton." })).toEqual({ replied: false });
    const events = await again.store.events(1);
    expect(events.filter((event) => event.type === "consultant_answered").map((event) => event.key)).toEqual([`${key}:done`]);
    expect((await again.store.messages(1)).map((message) => message.text)).toEqual(["Is it cotton?", "Yes, cotton."]);
    expect(again.named("effect_done").map((line) => line.fields["type"])).toEqual(["askConsultant", "sendConsultantAnswer"]);
  });

  it("drops an effect that cannot succeed: removed without a reply, the reason logged", async () => {
    const { runtime, worker, store, named } = setup(registry({ askConsultant: async () => ({ outcome: "drop", reason: "403: the bot was blocked" }) }));
    await askQuestion(runtime, 1);
    await worker.drain();
    expect(store.effectsOf("customer:1")).toEqual([]);
    expect(named("effect_dropped").map((line) => line.fields["reason"])).toEqual(["403: the bot was blocked"]);
    expect((await store.events(1)).map((event) => event.type)).not.toContain("consultant_answered");
    expect(worker.stats()).toMatchObject({ dropped: 1, delivered: 0 });
  });

  it("delivers one actor's effects one at a time in the order they were queued, and different actors' side by side", async () => {
    const trace: string[] = [];
    let open = 0;
    let mostOpen = 0;
    const slow: Handler = async (request) => {
      open++;
      mostOpen = Math.max(mostOpen, open);
      trace.push(`start ${request.actor} ${String((request.params as { orderId: string }).orderId)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      trace.push(`end ${request.actor} ${String((request.params as { orderId: string }).orderId)}`);
      open--;
      return { outcome: "done" };
    };
    const { runtime, worker } = setup(registry({ notifyOwnersOfOrder: slow }));
    await Promise.all([
      runtime.dispatch(1, { type: "order_created", orderId: "A1", total: 1, currency: "RUB", key: "a1" }),
      runtime.dispatch(1, { type: "order_created", orderId: "A2", total: 1, currency: "RUB", key: "a2" }),
      runtime.dispatch(2, { type: "order_created", orderId: "B1", total: 1, currency: "RUB", key: "b1" }),
    ]);
    await worker.drain();
    const ofActor = (actor: string) => trace.filter((line) => line.includes(actor));
    expect(ofActor("customer:1")).toEqual(["start customer:1 A1", "end customer:1 A1", "start customer:1 A2", "end customer:1 A2"]);
    expect(mostOpen).toBe(2);
  });

  it("refuses at start-up a registry without a handler for an effect the machine uses", () => {
    const { store, runtime } = setup();
    const { askConsultant: _ask, ...partial } = registry();
    expect(() => createEffectWorker({ queues: store, complete: async () => {}, handlers: partial, required: runtime.effectTypes, clock: manualClock(t0) })).toThrow(MissingEffectHandlerError);
    expect(() => createEffectWorker({ queues: store, complete: async () => {}, handlers: partial, required: runtime.effectTypes, clock: manualClock(t0) })).toThrow(
      "no handler is registered for the effect askConsultant that the machine uses",
    );
  });

  it("waits as long as the outside world asks (a retry's afterMs), and retries a handler that answers nothing", async () => {
    let calls = 0;
    const handler: Handler = async () => {
      calls++;
      if (calls === 1) return { outcome: "retry", reason: "429", afterMs: 30_000 };
      if (calls === 2) return undefined as unknown as EffectOutcome;
      return { outcome: "done" };
    };
    const { runtime, worker, store, clock } = setup(registry({ notifyOwnersOfOrder: handler }));
    await runtime.dispatch(1, { type: "order_created", orderId: "SO-1", total: 10, currency: "RUB", key: "o" });
    await worker.drain();
    expect(store.effectsOf("customer:1")).toMatchObject([{ nextAt: t0 + 30_000, lastError: "429" }]);
    clock.advance(30_000);
    await worker.drain();
    expect(store.effectsOf("customer:1")).toMatchObject([{ attempts: 2, lastError: "the handler answered no outcome" }]);
    clock.advance(2_000);
    await worker.drain();
    expect(calls).toBe(3);
    expect(store.effectsOf("customer:1")).toEqual([]);
  });

  it("does not apply an answer that arrives after the customer erased their data", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const { runtime, worker, store } = setup(registry({ askConsultant: async () => (started(), await gate, { outcome: "done", reply: { type: "consultant_answered", text: "Lenina 5 is close" } }) }));
    await askQuestion(runtime, 1, "Deliver to Lenina 5?");
    const delivering = worker.drain();
    await running;
    await runtime.forget(1, "forget");
    release();
    await delivering;
    expect((await store.events(1)).map((event) => event.type)).not.toContain("consultant_answered");
    expect(await store.messages(1)).toEqual([]);
  });

  it("is woken by the commits that queue effects once started, with no drain", { timeout: 10_000 }, async () => {
    const delivered: StoredEffect["key"][] = [];
    const { runtime, worker } = setup(registry({ notifyOwnersOfOrder: async (request) => (delivered.push(request.key), { outcome: "done" }) }));
    worker.start();
    await runtime.dispatch(1, { type: "order_created", orderId: "SO-1", total: 10, currency: "RUB", key: "o" });
    for (let waited = 0; delivered.length === 0 && waited < 5_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(delivered).toHaveLength(1);
  });
});
