import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createActor, initialTransition, transition, type SnapshotFrom } from "xstate";
import { toDirectedGraph } from "xstate/graph";
import { consultantMachine, maxQuestionChars } from "./consultant.machine.ts";
import type { ConsultantEvent, ConsultantInput } from "./consultant.types.ts";
import { collectEdges } from "./testing/collectEdges.ts";

type Snapshot = SnapshotFrom<typeof consultantMachine>;

const minute = 60_000;
const limits: ConsultantInput = { maxQuestions: 3, windowMs: 10 * minute };

const start = (input: ConsultantInput = limits): Snapshot => initialTransition(consultantMachine, input)[0];
const send = (snapshot: Snapshot, ...events: ConsultantEvent[]): Snapshot =>
  events.reduce((current, event) => transition(consultantMachine, current, event)[0], snapshot);
const ask = (text: string, at: number): ConsultantEvent => ({ type: "ASK", text, at });
const answered: ConsultantEvent = { type: "ANSWERED" };

const listening = (): Snapshot => send(start(), { type: "ENTER" });
const thinking = (): Snapshot => send(listening(), ask("Is it cotton?", 1_000));

const persisted = (snapshot: Snapshot): unknown => consultantMachine.getPersistedSnapshot(snapshot);

describe("consultant graph", () => {
  it("has exactly these transitions between states", () => {
    expect(collectEdges(toDirectedGraph(consultantMachine)).sort()).toEqual(
      [
        "idle --ENTER--> listening",
        "listening --ASK--> thinking",
        "listening --EXIT--> idle",
        "thinking --ANSWERED--> listening",
        "thinking --FAILED--> listening",
        "thinking --EXIT--> idle",
      ].sort(),
    );
  });
});

describe("consultant paths", () => {
  it("starts idle with the limits and no questions", () => {
    const snapshot = start();
    expect(snapshot.value).toBe("idle");
    expect(snapshot.context).toEqual({ maxQuestions: 3, windowMs: 10 * minute, askedAt: [], question: null, notice: null });
  });

  it("listens after ENTER, and treats ENTER while listening as a no-op", () => {
    const first = listening();
    expect(first.value).toBe("listening");
    const refused = send(first, ask(" ", 5));
    const again = send(refused, { type: "ENTER" });
    expect(persisted(again)).toEqual(persisted(refused));
  });

  it("ignores ASK while idle", () => {
    expect(persisted(send(start(), ask("hello?", 1)))).toEqual(persisted(start()));
  });

  it("thinks about a trimmed question, and goes back to listening with no question once answered", () => {
    const asked = send(listening(), ask("  Is it cotton?\n", 1_000));
    expect(asked.value).toBe("thinking");
    expect(asked.context).toMatchObject({ question: "Is it cotton?", askedAt: [1_000], notice: null });
    const done = send(asked, answered);
    expect(done.value).toBe("listening");
    expect(done.context).toMatchObject({ question: null, askedAt: [1_000], notice: null });
  });

  it.each(["failed", "timeout"] as const)("goes back to listening with the notice %s when the AI gives no answer", (reason) => {
    const failed = send(thinking(), { type: "FAILED", reason });
    expect(failed.value).toBe("listening");
    expect(failed.context).toMatchObject({ question: null, notice: reason });
    const next = send(failed, ask("And in blue?", 2_000));
    expect(next.value).toBe("thinking");
    expect(next.context.notice).toBeNull();
  });

  it("stays listening with empty on a blank question, without counting it", () => {
    for (const text of ["", "   ", "\n\t"]) {
      const refused = send(listening(), ask(text, 10));
      expect(refused.value).toBe("listening");
      expect(refused.context).toMatchObject({ notice: "empty", question: null, askedAt: [] });
    }
  });

  it("stays listening with too_long over maxQuestionChars, and takes a question of exactly maxQuestionChars", () => {
    expect(maxQuestionChars).toBe(1000);
    const refused = send(listening(), ask("?".repeat(maxQuestionChars + 1), 10));
    expect(refused.value).toBe("listening");
    expect(refused.context).toMatchObject({ notice: "too_long", question: null, askedAt: [] });
    const longest = "ё".repeat(maxQuestionChars - 1) + "🧵";
    const accepted = send(refused, ask(` ${longest} `, 11));
    expect(accepted.value).toBe("thinking");
    expect(accepted.context).toMatchObject({ question: longest, notice: null });
  });

  it("stays listening with rate_limited once maxQuestions were asked within windowMs, and lets one through when the oldest expires", () => {
    const full = send(listening(), ask("a", 0), answered, ask("b", minute), answered, ask("c", 2 * minute), answered);
    expect(full.context.askedAt).toEqual([0, minute, 2 * minute]);
    const limited = send(full, ask("d", 10 * minute - 1));
    expect(limited.value).toBe("listening");
    expect(limited.context).toMatchObject({ notice: "rate_limited", question: null, askedAt: [0, minute, 2 * minute] });
    const through = send(limited, ask("e", 10 * minute));
    expect(through.value).toBe("thinking");
    expect(through.context).toMatchObject({ question: "e", notice: null, askedAt: [minute, 2 * minute, 10 * minute] });
  });

  it("keeps only the timestamps inside the window", () => {
    const old = send(listening(), ask("a", 0), answered, ask("b", 1), answered, ask("c", 2), answered);
    const later = send(old, ask("d", 10 * minute + 1));
    expect(later.context.askedAt).toEqual([2, 10 * minute + 1]);
    const muchLater = send(send(later, answered), ask("e", 30 * minute));
    expect(muchLater.context.askedAt).toEqual([30 * minute]);
  });

  it("counts a failed question against the limit", () => {
    const failed: ConsultantEvent = { type: "FAILED", reason: "timeout" };
    const spent = send(listening(), ask("a", 0), failed, ask("a", 1), failed, ask("a", 2), failed);
    expect(send(spent, ask("a", 3)).context.notice).toBe("rate_limited");
  });

  it("keeps the limit across EXIT and ENTER", () => {
    const spent = send(listening(), ask("a", 0), answered, ask("b", 1), answered, ask("c", 2), { type: "EXIT" });
    expect(spent.value).toBe("idle");
    expect(spent.context.question).toBeNull();
    const back = send(spent, { type: "ENTER" }, ask("d", 3));
    expect(back.value).toBe("listening");
    expect(back.context.notice).toBe("rate_limited");
  });

  it("clears a notice on ENTER", () => {
    const left = send(listening(), ask("", 1), { type: "EXIT" });
    expect(send(left, { type: "ENTER" }).context.notice).toBeNull();
  });

  it("exits to idle from listening and from thinking", () => {
    expect(send(listening(), { type: "EXIT" }).value).toBe("idle");
    const left = send(thinking(), { type: "EXIT" });
    expect(left.value).toBe("idle");
    expect(left.context.question).toBeNull();
  });

  it("ignores a second question while thinking, and a late answer after EXIT", () => {
    const busy = thinking();
    expect(persisted(send(busy, ask("and another?", 1_001)))).toEqual(persisted(busy));
    const left = send(busy, { type: "EXIT" });
    expect(persisted(send(left, answered))).toEqual(persisted(left));
    expect(persisted(send(left, { type: "FAILED", reason: "failed" }))).toEqual(persisted(left));
  });
});

describe("rate limit property", () => {
  type Step = { kind: "ask"; after: number; text: string } | { kind: "event"; event: ConsultantEvent };
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant("ask" as const), after: fc.nat({ max: 3_000 }), text: fc.constantFrom("q", "where?", " ", "") }) },
    {
      weight: 4,
      arbitrary: fc
        .constantFrom<ConsultantEvent>({ type: "ANSWERED" }, { type: "ANSWERED" }, { type: "FAILED", reason: "failed" }, { type: "FAILED", reason: "timeout" }, { type: "EXIT" }, { type: "ENTER" })
        .map((event) => ({ kind: "event" as const, event })),
    },
  );
  const input = fc.record({ maxQuestions: fc.integer({ min: 1, max: 4 }), windowMs: fc.integer({ min: 1, max: 10_000 }) });

  it("never lets more than maxQuestions ASKs reach thinking within any window, and refuses only when the window is full", () => {
    fc.assert(
      fc.property(input, fc.array(step, { maxLength: 60 }), (limit, steps) => {
        let snapshot = send(start(limit), { type: "ENTER" });
        let now = 0;
        const accepted: number[] = [];
        for (const next of steps) {
          if (next.kind === "event") {
            snapshot = send(snapshot, next.event);
            continue;
          }
          now += next.after;
          const before = snapshot;
          snapshot = send(snapshot, ask(next.text, now));
          const inWindow = accepted.filter((at) => now - at < limit.windowMs).length;
          if (before.value === "listening" && snapshot.value === "thinking") {
            accepted.push(now);
            expect(inWindow).toBeLessThan(limit.maxQuestions);
          } else if (snapshot.context.notice === "rate_limited" && before.value === "listening") {
            expect(inWindow).toBe(limit.maxQuestions);
          }
          expect(snapshot.context.askedAt.length).toBeLessThanOrEqual(limit.maxQuestions);
        }
        for (const from of accepted) {
          expect(accepted.filter((at) => at >= from && at - from < limit.windowMs).length).toBeLessThanOrEqual(limit.maxQuestions);
        }
      }),
      { numRuns: 5_000 },
    );
  });
});

describe("rehydration", () => {
  /** What the grammY session keeps: the persisted snapshot as JSON text. */
  const store = (snapshot: Snapshot): string => JSON.stringify(consultantMachine.getPersistedSnapshot(snapshot));
  /** The input is there for the types only: a restored actor takes its context, limits included, from the snapshot. */
  const restore = (stored: string) =>
    createActor(consultantMachine, { snapshot: JSON.parse(stored) as Snapshot, input: { maxQuestions: 100, windowMs: 1 } }).start();

  it.each([
    ["idle", (): Snapshot => send(listening(), ask("a", 1), answered, { type: "EXIT" })],
    ["listening", (): Snapshot => send(listening(), ask("a", 1), { type: "FAILED", reason: "timeout" })],
    ["thinking", thinking],
  ] as const)("restores %s from a JSON round-trip of the persisted snapshot", (state, reach) => {
    const stored = store(reach());
    expect(stored.length).toBeLessThan(1_000);
    const restored = restore(stored);
    expect(restored.getSnapshot().value).toBe(state);
    expect(restored.getSnapshot().context).toEqual(reach().context);
    restored.stop();
  });

  it("continues a restored thinking to an answer, and keeps counting toward the limit", () => {
    const restored = restore(store(send(listening(), ask("a", 0), answered, ask("b", 1), answered, ask("c", 2))));
    restored.send(answered);
    expect(restored.getSnapshot().value).toBe("listening");
    restored.send(ask("d", 3));
    expect(restored.getSnapshot().value).toBe("listening");
    expect(restored.getSnapshot().context.notice).toBe("rate_limited");
    restored.stop();
  });
});
