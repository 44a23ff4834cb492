import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { initialTransition, transition, type SnapshotFrom } from "xstate";
import { toDirectedGraph } from "xstate/graph";
import { normalizeTag, ownerTagsMachine, tagPattern } from "./ownerTags.machine.ts";
import type { OwnerTagsEvent } from "./ownerTags.types.ts";
import { collectEdges } from "./testing/collectEdges.ts";
import { itRestoresEachState, persistedRoundTrip } from "./testing/rehydration.ts";

type Snapshot = SnapshotFrom<typeof ownerTagsMachine>;

const start = (): Snapshot => initialTransition(ownerTagsMachine)[0];
const send = (snapshot: Snapshot, ...events: OwnerTagsEvent[]): Snapshot =>
  events.reduce((current, event) => transition(ownerTagsMachine, current, event)[0], snapshot);

/** The named actions a step decides, with their params: what the bot's flow runner runs after it. */
const named = (snapshot: Snapshot, event: OwnerTagsEvent) =>
  transition(ownerTagsMachine, snapshot, event)[1].filter((action) => !action.type.startsWith("xstate.")).map(({ type, params }) => ({ type, params }));
const toggle = (userId: number, text: string): OwnerTagsEvent => ({ type: "TOGGLE", userId, tag: text });

const open = (userId: number): OwnerTagsEvent => ({ type: "OPEN", userId });
const addNew: OwnerTagsEvent = { type: "ADD_NEW" };
const tag = (text: string): OwnerTagsEvent => ({ type: "TAG", text });
const cancel: OwnerTagsEvent = { type: "CANCEL" };
const close: OwnerTagsEvent = { type: "CLOSE" };

/** Each state reached by its shortest path from the start. */
const reach = {
  idle: (): Snapshot => start(),
  choosing: (): Snapshot => send(start(), open(42)),
  awaitingTag: (): Snapshot => send(start(), open(42), addNew),
};

const persisted = (snapshot: Snapshot): unknown => ownerTagsMachine.getPersistedSnapshot(snapshot);

describe("normalizeTag", () => {
  it.each([
    ["vip", "vip"],
    ["  VIP ", "vip"],
    ["Опт", "опт"],
    ["ОПТ_2026", "опт_2026"],
    ["wholesale-eu", "wholesale-eu"],
    ["ЁЛКА", "ёлка"],
    ["и\u0306од", "йод"],
    ["Straße", "straße"],
    ["日本", "日本"],
    ["٣", "٣"],
    ["_", "_"],
    ["a".repeat(32), "a".repeat(32)],
    ["Я".repeat(32), "я".repeat(32)],
  ])("takes %j as %j", (text, expected) => {
    expect(normalizeTag(text)).toBe(expected);
  });

  it.each([
    ["", "empty"],
    ["   ", "blank"],
    ["two words", "a space inside"],
    ["#vip", "a hash"],
    ["vip!", "punctuation"],
    ["a.b", "a dot"],
    ["🔥", "an emoji"],
    ["vip🔥", "a letter and an emoji"],
    ["a".repeat(33), "33 characters"],
    ["line\nbreak", "a line break inside"],
    ["zero\u200Bwidth", "a zero-width space inside"],
    ["e\u0301\u0301", "a letter with two accents, not one character when composed"],
  ])("refuses %j (%s)", (text) => {
    expect(normalizeTag(text)).toBeNull();
  });

  it("returns null or a tag matching the stored pattern, for any text", () => {
    expect(tagPattern.source).toBe("^[\\p{L}\\p{N}_-]{1,32}$");
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: "grapheme", maxLength: 40 }), fc.string({ unit: "binary", maxLength: 40 }), fc.stringMatching(/^\s?[\p{L}\p{N}_\- ]{0,34}\s?$/u)),
        (text) => {
          const normalized = normalizeTag(text);
          if (normalized !== null) expect(normalized).toMatch(/^[\p{L}\p{N}_-]{1,32}$/u);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it("is idempotent, and its tags come through the runtime's own trim and lower case unchanged", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "grapheme", maxLength: 20 }), fc.stringMatching(/^[\p{L}\p{N}_-]{1,32}$/u)), (text) => {
        const normalized = normalizeTag(text);
        if (normalized === null) return;
        expect(normalizeTag(normalized)).toBe(normalized);
        expect(normalized.trim().toLocaleLowerCase()).toBe(normalized);
      }),
      { numRuns: 20_000 },
    );
  });

  it("finds a tag in any mix of cases and surrounding whitespace", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-zа-яё0-9_-]{1,32}$/), fc.array(fc.boolean(), { minLength: 32, maxLength: 32 }), fc.constantFrom("", " ", "\t", "\n "), (word, upper, pad) => {
        const mixed = [...word].map((letter, index) => (upper[index] ? letter.toLocaleUpperCase() : letter)).join("");
        expect(normalizeTag(`${pad}${mixed}${pad}`)).toBe(word);
      }),
      { numRuns: 5_000 },
    );
  });
});

describe("ownerTags graph", () => {
  it("has exactly these transitions between states", () => {
    expect(collectEdges(toDirectedGraph(ownerTagsMachine)).sort()).toEqual(
      [
        "idle --OPEN--> choosing",
        "choosing --ADD_NEW--> awaitingTag",
        "choosing --CLOSE--> idle",
        "awaitingTag --TAG--> choosing",
        "awaitingTag --CANCEL--> choosing",
        "awaitingTag --OPEN--> choosing",
        "awaitingTag --CLOSE--> idle",
        "ownerTags --TOGGLE--> choosing",
      ].sort(),
    );
  });
});

describe("ownerTags paths", () => {
  it("starts idle with no client", () => {
    const snapshot = start();
    expect(snapshot.value).toBe("idle");
    expect(snapshot.context).toEqual({ userId: null, added: null, error: null });
  });

  it("walks idle → choosing → awaitingTag → choosing with the new tag normalised", () => {
    const choosing = send(start(), open(42));
    expect(choosing.value).toBe("choosing");
    expect(choosing.context).toEqual({ userId: 42, added: null, error: null });
    const typing = send(choosing, addNew);
    expect(typing.value).toBe("awaitingTag");
    const added = send(typing, tag("  Wholesale "));
    expect(added.value).toBe("choosing");
    expect(added.context).toEqual({ userId: 42, added: "wholesale", error: null });
  });

  it("stays in awaitingTag with invalid on a tag that does not normalise, and clears it on a valid one", () => {
    for (const text of ["", "two words", "#vip", "a".repeat(33)]) {
      const refused = send(reach.awaitingTag(), tag(text));
      expect(refused.value).toBe("awaitingTag");
      expect(refused.context).toEqual({ userId: 42, added: null, error: "invalid" });
    }
    const accepted = send(reach.awaitingTag(), tag("#vip"), tag("VIP"));
    expect(accepted.value).toBe("choosing");
    expect(accepted.context).toEqual({ userId: 42, added: "vip", error: null });
  });

  it("forgets the last added tag when the owner adds another, so a tag is recorded once", () => {
    const second = send(reach.awaitingTag(), tag("vip"), addNew);
    expect(second.value).toBe("awaitingTag");
    expect(second.context.added).toBeNull();
    expect(send(second, tag("opt")).context.added).toBe("opt");
  });

  it("names addTag with the client and the normalised tag when a typed tag is taken, and nothing for a refused one", () => {
    expect(named(reach.awaitingTag(), tag(" Wholesale "))).toEqual([{ type: "addTag", params: { userId: 42, tag: "wholesale" } }]);
    expect(named(reach.awaitingTag(), tag("two words"))).toEqual([]);
    expect(named(reach.choosing(), addNew)).toEqual([]);
  });

  it("names toggleTag on a tap from any state, opening that client's menu; a tap on something that is not a tag changes nothing", () => {
    for (const [state, reached] of Object.entries(reach)) {
      expect(named(reached(), toggle(7, "VIP")), state).toEqual([{ type: "toggleTag", params: { userId: 7, tag: "vip" } }]);
      const after = send(reached(), toggle(7, "VIP"));
      expect(after.value, state).toBe("choosing");
      expect(after.context, state).toEqual({ userId: 7, added: null, error: null });
      expect(named(reached(), toggle(7, "not a tag")), state).toEqual([]);
      expect(send(reached(), toggle(7, "not a tag")).value, state).toBe(reached().value);
    }
  });

  it("goes back to choosing on CANCEL, clearing the error", () => {
    const back = send(reach.awaitingTag(), tag("!"), cancel);
    expect(back.value).toBe("choosing");
    expect(back.context).toEqual({ userId: 42, added: null, error: null });
  });

  it.each(["choosing", "awaitingTag"] as const)("closes from %s to idle, dropping the client", (state) => {
    const closed = send(reach[state](), close);
    expect(closed.value).toBe("idle");
    expect(closed.context).toEqual({ userId: null, added: null, error: null });
  });

  it.each(["choosing", "awaitingTag"] as const)("switches to another client on OPEN from %s", (state) => {
    const switched = send(reach[state](), open(7));
    expect(switched.value).toBe("choosing");
    expect(switched.context).toEqual({ userId: 7, added: null, error: null });
  });

  it("ignores events that do not belong to the current state", () => {
    const cases: Array<[keyof typeof reach, OwnerTagsEvent]> = [
      ["idle", addNew],
      ["idle", tag("vip")],
      ["idle", cancel],
      ["idle", close],
      ["choosing", tag("vip")],
      ["choosing", cancel],
      ["awaitingTag", addNew],
    ];
    for (const [state, event] of cases) {
      const before = reach[state]();
      expect(before.can(event), `${state} can ${event.type}`).toBe(false);
      expect(persisted(send(before, event)), `${state} + ${event.type}`).toEqual(persisted(before));
    }
  });

  it("holds a tag in added only when it matches the stored pattern, whatever is typed", () => {
    const event: fc.Arbitrary<OwnerTagsEvent> = fc.oneof(
      fc.constantFrom<OwnerTagsEvent>(addNew, cancel, close, open(1), open(2)),
      fc.string({ unit: "grapheme", maxLength: 36 }).map(tag),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 25 }), (events) => {
        let snapshot = start();
        for (const next of events) {
          snapshot = send(snapshot, next);
          if (snapshot.context.added !== null) {
            expect(snapshot.matches("choosing")).toBe(true);
            expect(snapshot.context.added).toMatch(tagPattern);
          }
          expect(snapshot.context.userId === null).toBe(snapshot.matches("idle"));
        }
      }),
      { numRuns: 3_000 },
    );
  });
});

describe("rehydration", () => {
  const { store, restore } = persistedRoundTrip(ownerTagsMachine);

  itRestoresEachState(ownerTagsMachine, reach);

  it("continues a restored awaitingTag past a refusal to the added tag", () => {
    const restored = restore(store(send(reach.awaitingTag(), tag("no way"))));
    expect(restored.getSnapshot().context.error).toBe("invalid");
    restored.send(tag("ПОСТОЯННЫЙ"));
    expect(restored.getSnapshot().value).toBe("choosing");
    expect(restored.getSnapshot().context).toEqual({ userId: 42, added: "постоянный", error: null });
    restored.stop();
  });
});
