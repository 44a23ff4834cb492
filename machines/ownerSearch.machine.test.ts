import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { initialTransition, transition, type SnapshotFrom } from "xstate";
import { toDirectedGraph } from "xstate/graph";
import { maxQueryChars, ownerSearchMachine } from "./ownerSearch.machine.ts";
import type { OwnerSearchEvent } from "./ownerSearch.types.ts";
import { collectEdges } from "./testing/collectEdges.ts";
import { itRestoresEachState, persistedRoundTrip } from "./testing/rehydration.ts";

type Snapshot = SnapshotFrom<typeof ownerSearchMachine>;

const start = (): Snapshot => initialTransition(ownerSearchMachine)[0];
const send = (snapshot: Snapshot, ...events: OwnerSearchEvent[]): Snapshot =>
  events.reduce((current, event) => transition(ownerSearchMachine, current, event)[0], snapshot);

const begin: OwnerSearchEvent = { type: "START" };
const query = (text: string): OwnerSearchEvent => ({ type: "QUERY", text });
const found = (count: number): OwnerSearchEvent => ({ type: "FOUND", count });
const cancel: OwnerSearchEvent = { type: "CANCEL" };

/** Each state reached by its shortest path from the start. */
const reach = {
  idle: (): Snapshot => start(),
  awaitingQuery: (): Snapshot => send(start(), begin),
  searching: (): Snapshot => send(start(), begin, query("  smirnov ")),
  results: (): Snapshot => send(start(), begin, query("  smirnov "), found(23)),
};

const persisted = (snapshot: Snapshot): unknown => ownerSearchMachine.getPersistedSnapshot(snapshot);

describe("ownerSearch graph", () => {
  it("has exactly these transitions between states", () => {
    expect(collectEdges(toDirectedGraph(ownerSearchMachine)).sort()).toEqual(
      [
        "idle --START--> awaitingQuery",
        "awaitingQuery --QUERY--> searching",
        "awaitingQuery --CANCEL--> idle",
        "searching --FOUND--> results",
        "searching --FOUND--> awaitingQuery",
        "searching --CANCEL--> idle",
        "results --START--> awaitingQuery",
        "results --CANCEL--> idle",
      ].sort(),
    );
  });

  it("enters searching only from awaitingQuery, on QUERY", () => {
    const intoSearching = collectEdges(toDirectedGraph(ownerSearchMachine)).filter((edge) => edge.endsWith("--> searching"));
    expect(intoSearching).toEqual(["awaitingQuery --QUERY--> searching"]);
  });
});

describe("ownerSearch paths", () => {
  it("starts idle with nothing searched", () => {
    const snapshot = start();
    expect(snapshot.value).toBe("idle");
    expect(snapshot.context).toEqual({ query: null, offset: 0, total: 0, error: null, notice: null });
  });

  it("walks idle → awaitingQuery → searching → results with the trimmed query and the count", () => {
    const awaiting = send(start(), begin);
    expect(awaiting.value).toBe("awaitingQuery");
    const searching = send(awaiting, query("\n smirnov 740\t"));
    expect(searching.value).toBe("searching");
    expect(searching.context).toEqual({ query: "smirnov 740", offset: 0, total: 0, error: null, notice: null });
    const results = send(searching, found(23));
    expect(results.value).toBe("results");
    expect(results.context).toEqual({ query: "smirnov 740", offset: 0, total: 23, error: null, notice: null });
  });

  it("refuses a blank query with empty", () => {
    for (const text of ["", "   ", "\n\t "]) {
      const refused = send(reach.awaitingQuery(), query(text));
      expect(refused.value).toBe("awaitingQuery");
      expect(refused.context).toMatchObject({ query: null, error: "empty" });
    }
  });

  it("refuses a query over maxQueryChars with too_long, and takes one of exactly maxQueryChars", () => {
    expect(maxQueryChars).toBe(200);
    const refused = send(reach.awaitingQuery(), query("a".repeat(maxQueryChars + 1)));
    expect(refused.value).toBe("awaitingQuery");
    expect(refused.context).toMatchObject({ query: null, error: "too_long" });
    const longest = "я".repeat(maxQueryChars - 1) + "🔍";
    const accepted = send(refused, query(`  ${longest}  `));
    expect(accepted.value).toBe("searching");
    expect(accepted.context).toMatchObject({ query: longest, error: null });
  });

  it("returns to awaitingQuery with no_results and the query kept when nothing is found, and clears both on the next query", () => {
    const none = send(reach.searching(), found(0));
    expect(none.value).toBe("awaitingQuery");
    expect(none.context).toEqual({ query: "smirnov", offset: 0, total: 0, error: null, notice: "no_results" });
    const again = send(none, query("ivanov"));
    expect(again.value).toBe("searching");
    expect(again.context).toEqual({ query: "ivanov", offset: 0, total: 0, error: null, notice: null });
  });

  it("replaces a no_results notice by the refusal of a blank query", () => {
    const refused = send(reach.searching(), found(0), query(" "));
    expect(refused.context).toMatchObject({ error: "empty", notice: null });
  });

  it.each([-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY])("treats a count of %s as no results", (count) => {
    const none = send(reach.searching(), found(count));
    expect(none.value).toBe("awaitingQuery");
    expect(none.context).toMatchObject({ total: 0, notice: "no_results" });
  });

  it("turns pages of the results and stays there", () => {
    const page = send(reach.results(), { type: "PAGE", offset: 10 });
    expect(page.value).toBe("results");
    expect(page.context).toMatchObject({ query: "smirnov", offset: 10, total: 23 });
    expect(send(page, { type: "PAGE", offset: 0 }).context.offset).toBe(0);
  });

  it.each([-10, -1, 2.5, Number.NaN, Number.NEGATIVE_INFINITY, -0])("shows the first page for the offset %s", (offset) => {
    const page = send(reach.results(), { type: "PAGE", offset: 20 }, { type: "PAGE", offset });
    expect(page.value).toBe("results");
    expect(Object.is(page.context.offset, 0)).toBe(true);
  });

  it("starts a new search from the results, forgetting the last one", () => {
    const fresh = send(reach.results(), { type: "PAGE", offset: 10 }, begin);
    expect(fresh.value).toBe("awaitingQuery");
    expect(fresh.context).toEqual({ query: null, offset: 0, total: 0, error: null, notice: null });
    expect(send(fresh, query("petrov"), found(2)).context).toMatchObject({ query: "petrov", total: 2, offset: 0 });
  });

  it.each(["awaitingQuery", "searching", "results"] as const)("cancels from %s to idle, clearing the query", (state) => {
    const cancelled = send(reach[state](), cancel);
    expect(cancelled.value).toBe("idle");
    expect(cancelled.context).toEqual({ query: null, offset: 0, total: 0, error: null, notice: null });
  });

  it("clears an old error when a search starts again after a cancel", () => {
    const restarted = send(reach.awaitingQuery(), query(""), cancel, begin);
    expect(restarted.value).toBe("awaitingQuery");
    expect(restarted.context.error).toBeNull();
  });

  it("ignores events that do not belong to the current state", () => {
    const cases: Array<[keyof typeof reach, OwnerSearchEvent]> = [
      ["idle", query("smirnov")],
      ["idle", found(3)],
      ["idle", { type: "PAGE", offset: 10 }],
      ["idle", cancel],
      ["awaitingQuery", begin],
      ["awaitingQuery", found(3)],
      ["awaitingQuery", { type: "PAGE", offset: 10 }],
      ["searching", begin],
      ["searching", query("ivanov")],
      ["searching", { type: "PAGE", offset: 10 }],
      ["results", query("ivanov")],
      ["results", found(99)],
    ];
    for (const [state, event] of cases) {
      const before = reach[state]();
      expect(before.can(event), `${state} can ${event.type}`).toBe(false);
      expect(persisted(send(before, event)), `${state} + ${event.type}`).toEqual(persisted(before));
    }
  });
});

describe("ownerSearch properties", () => {
  const event: fc.Arbitrary<OwnerSearchEvent> = fc.oneof(
    fc.constantFrom<OwnerSearchEvent>(begin, cancel, query("smirnov"), found(0), found(40)),
    fc.string({ maxLength: 8 }).map(query),
    fc.oneof(fc.integer({ min: -100, max: 100 }), fc.double()).map(found),
    fc.oneof(fc.integer(), fc.double(), fc.constant(-0)).map((offset): OwnerSearchEvent => ({ type: "PAGE", offset })),
  );

  it("never holds a negative or fractional offset or total, whatever is typed or tapped", () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), (events) => {
        let snapshot = start();
        for (const next of events) {
          snapshot = send(snapshot, next);
          const { offset, total } = snapshot.context;
          expect(Number.isSafeInteger(offset) && offset >= 0 && !Object.is(offset, -0), `offset ${offset}`).toBe(true);
          expect(Number.isSafeInteger(total) && total >= 0, `total ${total}`).toBe(true);
        }
      }),
      { numRuns: 5_000 },
    );
  });

  it("has a non-blank query of at most maxQueryChars whenever it is searching or showing results", () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), (events) => {
        let snapshot = start();
        for (const next of events) {
          snapshot = send(snapshot, next);
          if (snapshot.matches("searching") || snapshot.matches("results")) {
            const text = snapshot.context.query ?? "";
            expect(text.trim()).toBe(text);
            expect(text.length).toBeGreaterThan(0);
            expect([...text].length).toBeLessThanOrEqual(maxQueryChars);
          }
          if (snapshot.matches("results")) expect(snapshot.context.total).toBeGreaterThan(0);
          if (snapshot.matches("idle")) expect(snapshot.context.query).toBeNull();
        }
      }),
      { numRuns: 3_000 },
    );
  });
});

describe("rehydration", () => {
  const { store, restore } = persistedRoundTrip(ownerSearchMachine);

  itRestoresEachState(ownerSearchMachine, reach);

  it("keeps the longest query within a small session", () => {
    expect(Buffer.byteLength(store(send(reach.awaitingQuery(), query("😀".repeat(maxQueryChars)))))).toBeLessThan(2_000);
  });

  it("continues a restored searching to the results and pages through them", () => {
    const restored = restore(store(reach.searching()));
    restored.send(found(31));
    expect(restored.getSnapshot().value).toBe("results");
    restored.send({ type: "PAGE", offset: 30 });
    expect(restored.getSnapshot().context).toEqual({ query: "smirnov", offset: 30, total: 31, error: null, notice: null });
    restored.stop();
  });
});
