import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { initialTransition, transition, type SnapshotFrom } from "xstate";
import { toDirectedGraph } from "xstate/graph";
import { aiSummaryMachine, maxSummaryChars } from "./aiSummary.machine.ts";
import type { AiSummaryEvent } from "./aiSummary.types.ts";
import { collectEdges } from "./testing/collectEdges.ts";
import { itRestoresEachState, persistedRoundTrip } from "./testing/rehydration.ts";

type Snapshot = SnapshotFrom<typeof aiSummaryMachine>;

const start = (): Snapshot => initialTransition(aiSummaryMachine)[0];
const send = (snapshot: Snapshot, ...events: AiSummaryEvent[]): Snapshot =>
  events.reduce((current, event) => transition(aiSummaryMachine, current, event)[0], snapshot);

/** The named actions a step decides, with their params: what the bot's flow runner runs after it. */
const named = (snapshot: Snapshot, event: AiSummaryEvent) =>
  transition(aiSummaryMachine, snapshot, event)[1].filter((action) => !action.type.startsWith("xstate.")).map(({ type, params }) => ({ type, params }));

const request = (userId: number): AiSummaryEvent => ({ type: "REQUEST", userId });
const loaded = (text: string): AiSummaryEvent => ({ type: "LOADED", text });
const failedWith = (reason: "timeout" | "unavailable"): AiSummaryEvent => ({ type: "FAILED", reason });
const retry: AiSummaryEvent = { type: "RETRY" };
const close: AiSummaryEvent = { type: "CLOSE" };

const summary = "Stage: customer. 2 orders, 3 480 ₽. Asked about sizes twice; prefers delivery after 6 pm.";

/** Each state reached by its shortest path from the start. */
const reach = {
  idle: (): Snapshot => start(),
  loading: (): Snapshot => send(start(), request(42)),
  shown: (): Snapshot => send(start(), request(42), loaded(summary)),
  failed: (): Snapshot => send(start(), request(42), failedWith("timeout")),
};

const persisted = (snapshot: Snapshot): unknown => aiSummaryMachine.getPersistedSnapshot(snapshot);

describe("aiSummary graph", () => {
  it("has exactly these transitions between states", () => {
    expect(collectEdges(toDirectedGraph(aiSummaryMachine)).sort()).toEqual(
      [
        "idle --REQUEST--> loading",
        "loading --LOADED--> shown",
        "loading --FAILED--> failed",
        "shown --REQUEST--> loading",
        "shown --CLOSE--> idle",
        "failed --RETRY--> loading",
        "failed --REQUEST--> loading",
        "failed --CLOSE--> idle",
      ].sort(),
    );
  });

  it("leaves loading only for an answer or a failure", () => {
    const outOfLoading = collectEdges(toDirectedGraph(aiSummaryMachine)).filter((edge) => edge.startsWith("loading "));
    expect(outOfLoading.sort()).toEqual(["loading --FAILED--> failed", "loading --LOADED--> shown"]);
  });
});

describe("aiSummary paths", () => {
  it("starts idle with no client and no summary", () => {
    const snapshot = start();
    expect(snapshot.value).toBe("idle");
    expect(snapshot.context).toEqual({ userId: null, text: null, error: null });
  });

  it("walks idle → loading → shown and keeps the summary", () => {
    const loading = send(start(), request(42));
    expect(loading.value).toBe("loading");
    expect(loading.context).toEqual({ userId: 42, text: null, error: null });
    const shown = send(loading, loaded(summary));
    expect(shown.value).toBe("shown");
    expect(shown.context).toEqual({ userId: 42, text: summary, error: null });
  });

  it("cuts a summary to maxSummaryChars code points, never splitting a character", () => {
    expect(maxSummaryChars).toBe(3000);
    const exact = "я".repeat(maxSummaryChars - 1) + "🙂";
    expect(send(reach.loading(), loaded(exact)).context.text).toBe(exact);
    const long = "😀".repeat(maxSummaryChars + 500);
    const text = send(reach.loading(), loaded(long)).context.text ?? "";
    expect([...text].length).toBe(maxSummaryChars);
    expect(text).toBe("😀".repeat(maxSummaryChars));
    expect(send(reach.loading(), loaded("a".repeat(maxSummaryChars + 1))).context.text).toBe("a".repeat(maxSummaryChars));
  });

  it.each(["timeout", "unavailable"] as const)("goes to failed with %s, and RETRY asks again for the same client", (reason) => {
    const failed = send(reach.loading(), failedWith(reason));
    expect(failed.value).toBe("failed");
    expect(failed.context).toEqual({ userId: 42, text: null, error: reason });
    const again = send(failed, retry);
    expect(again.value).toBe("loading");
    expect(again.context).toEqual({ userId: 42, text: null, error: null });
    expect(send(again, loaded(summary)).context).toEqual({ userId: 42, text: summary, error: null });
  });

  it("refreshes a shown summary on REQUEST, dropping the old text", () => {
    const refreshing = send(reach.shown(), request(42));
    expect(refreshing.value).toBe("loading");
    expect(refreshing.context).toEqual({ userId: 42, text: null, error: null });
  });

  it.each(["shown", "failed"] as const)("asks for another client's summary on REQUEST from %s", (state) => {
    const other = send(reach[state](), request(7));
    expect(other.value).toBe("loading");
    expect(other.context).toEqual({ userId: 7, text: null, error: null });
  });

  it.each(["shown", "failed"] as const)("closes from %s to idle, dropping everything", (state) => {
    const closed = send(reach[state](), close);
    expect(closed.value).toBe("idle");
    expect(closed.context).toEqual({ userId: null, text: null, error: null });
  });

  it("names summarize for the client on entering loading, by REQUEST or by RETRY, and nothing on the answer", () => {
    expect(named(start(), request(42))).toEqual([{ type: "summarize", params: { userId: 42 } }]);
    expect(named(reach.failed(), retry)).toEqual([{ type: "summarize", params: { userId: 42 } }]);
    expect(named(reach.shown(), request(7))).toEqual([{ type: "summarize", params: { userId: 7 } }]);
    expect(named(reach.loading(), loaded(summary))).toEqual([]);
    expect(named(reach.loading(), failedWith("timeout"))).toEqual([]);
  });

  it("ignores REQUEST while loading, for the same client or another", () => {
    const loading = reach.loading();
    for (const event of [request(42), request(7)]) {
      expect(loading.can(event)).toBe(false);
      expect(persisted(send(loading, event))).toEqual(persisted(loading));
    }
  });

  it("ignores events that do not belong to the current state", () => {
    const cases: Array<[keyof typeof reach, AiSummaryEvent]> = [
      ["idle", loaded(summary)],
      ["idle", failedWith("timeout")],
      ["idle", retry],
      ["idle", close],
      ["loading", retry],
      ["loading", close],
      ["shown", loaded("another")],
      ["shown", failedWith("unavailable")],
      ["shown", retry],
      ["failed", loaded(summary)],
      ["failed", failedWith("unavailable")],
    ];
    for (const [state, event] of cases) {
      const before = reach[state]();
      expect(before.can(event), `${state} can ${event.type}`).toBe(false);
      expect(persisted(send(before, event)), `${state} + ${event.type}`).toEqual(persisted(before));
    }
  });

  it("asks the AI once per REQUEST or RETRY that is taken, and keeps text and error apart, whatever arrives", () => {
    const event: fc.Arbitrary<AiSummaryEvent> = fc.oneof(
      fc.constantFrom<AiSummaryEvent>(retry, close, failedWith("timeout"), failedWith("unavailable")),
      fc.integer({ min: 1, max: 3 }).map(request),
      fc.string({ maxLength: 10 }).map(loaded),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), (events) => {
        let snapshot = start();
        for (const next of events) {
          const before = snapshot;
          snapshot = send(snapshot, next);
          const asked = !before.matches("loading") && snapshot.matches("loading");
          expect(asked).toBe((next.type === "REQUEST" || next.type === "RETRY") && before.can(next));
          expect(named(before, next)).toEqual(asked ? [{ type: "summarize", params: { userId: snapshot.context.userId } }] : []);
          expect(snapshot.context.text !== null).toBe(snapshot.matches("shown"));
          expect(snapshot.context.error !== null).toBe(snapshot.matches("failed"));
          expect(snapshot.context.userId === null).toBe(snapshot.matches("idle"));
        }
      }),
      { numRuns: 3_000 },
    );
  });
});

describe("rehydration", () => {
  const { store, restore } = persistedRoundTrip(aiSummaryMachine);

  itRestoresEachState(aiSummaryMachine, reach);

  it("continues a restored loading: a second REQUEST is still ignored, the answer is shown", () => {
    const restored = restore(store(reach.loading()));
    restored.send(request(7));
    expect(restored.getSnapshot().value).toBe("loading");
    restored.send(loaded(summary));
    expect(restored.getSnapshot().value).toBe("shown");
    expect(restored.getSnapshot().context).toEqual({ userId: 42, text: summary, error: null });
    restored.stop();
  });

  it("continues a restored failed through RETRY to the summary", () => {
    const restored = restore(store(reach.failed()));
    restored.send(retry);
    restored.send(loaded(summary));
    expect(restored.getSnapshot().value).toBe("shown");
    expect(restored.getSnapshot().context).toEqual({ userId: 42, text: summary, error: null });
    restored.stop();
  });

  it("keeps the longest summary within 12 KiB of a 16 KiB session, even in four-byte characters", () => {
    const stored = store(send(reach.loading(), loaded("😀".repeat(maxSummaryChars * 2))));
    expect(Buffer.byteLength(stored)).toBeLessThan(12 * 1024 + 200);
    const restored = restore(stored);
    expect([...(restored.getSnapshot().context.text ?? "")].length).toBe(maxSummaryChars);
    restored.stop();
  });
});
