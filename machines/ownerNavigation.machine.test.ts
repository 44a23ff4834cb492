import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { initialTransition, transition, type SnapshotFrom } from "xstate";
import { toDirectedGraph } from "xstate/graph";
import { ownerNavigationMachine } from "./ownerNavigation.machine.ts";
import type { OwnerNavigationEvent } from "./ownerNavigation.types.ts";
import { collectEdges } from "./testing/collectEdges.ts";
import { itRestoresEachState, persistedRoundTrip } from "./testing/rehydration.ts";

type Snapshot = SnapshotFrom<typeof ownerNavigationMachine>;

const start = (): Snapshot => initialTransition(ownerNavigationMachine)[0];
const send = (snapshot: Snapshot, ...events: OwnerNavigationEvent[]): Snapshot =>
  events.reduce((current, event) => transition(ownerNavigationMachine, current, event)[0], snapshot);

const back: OwnerNavigationEvent = { type: "BACK" };

/** Each screen reached by a tap from the menu, history by way of a card opened from the leads page. */
const reach = {
  menu: (): Snapshot => start(),
  crm: (): Snapshot => send(start(), { type: "CRM" }),
  funnel: (): Snapshot => send(start(), { type: "FUNNEL" }),
  leads: (): Snapshot => send(start(), { type: "LEADS", offset: 20 }),
  card: (): Snapshot => send(start(), { type: "LEADS", offset: 20 }, { type: "CARD", userId: 42, from: "leads" }),
  history: (): Snapshot => send(start(), { type: "LEADS", offset: 20 }, { type: "CARD", userId: 42, from: "leads" }, { type: "HISTORY", userId: 42, offset: 10 }),
  orders: (): Snapshot => send(start(), { type: "ORDERS" }),
  report: (): Snapshot => send(start(), { type: "REPORT", day: "2026-01-27" }),
};
const screens = Object.keys(reach) as Array<keyof typeof reach>;

const persisted = (snapshot: Snapshot): unknown => ownerNavigationMachine.getPersistedSnapshot(snapshot);

describe("ownerNavigation graph", () => {
  it("has exactly these transitions between screens", () => {
    expect(collectEdges(toDirectedGraph(ownerNavigationMachine)).sort()).toEqual(
      [
        "ownerNavigation --MENU--> menu",
        "ownerNavigation --CRM--> crm",
        "ownerNavigation --FUNNEL--> funnel",
        "ownerNavigation --ORDERS--> orders",
        "ownerNavigation --LEADS--> leads",
        "ownerNavigation --CARD--> card",
        "ownerNavigation --HISTORY--> history",
        "ownerNavigation --REPORT--> report",
        "crm --BACK--> menu",
        "funnel --BACK--> crm",
        "leads --BACK--> crm",
        "card --BACK--> leads",
        "card --BACK--> crm",
        "history --BACK--> card",
        "orders --BACK--> crm",
        "report --BACK--> crm",
      ].sort(),
    );
  });

  it("has no final screen: the owner can always go on", () => {
    expect(Object.values(ownerNavigationMachine.root.states).filter((node) => node.type === "final")).toEqual([]);
  });
});

describe("ownerNavigation paths", () => {
  it("starts at the menu with nothing chosen", () => {
    const snapshot = start();
    expect(snapshot.value).toBe("menu");
    expect(snapshot.context).toEqual({ leadsOffset: 0, userId: null, historyOffset: 0, day: null, cardFrom: null });
  });

  const taps: Array<[OwnerNavigationEvent, keyof typeof reach]> = [
    [{ type: "MENU" }, "menu"],
    [{ type: "CRM" }, "crm"],
    [{ type: "FUNNEL" }, "funnel"],
    [{ type: "ORDERS" }, "orders"],
    [{ type: "LEADS", offset: 5 }, "leads"],
    [{ type: "CARD", userId: 7, from: "notification" }, "card"],
    [{ type: "HISTORY", userId: 7, offset: 0 }, "history"],
    [{ type: "REPORT", day: "2026-03-01" }, "report"],
  ];

  it.each(screens)("takes every screen's tap from %s", (from) => {
    for (const [event, to] of taps) {
      expect(send(reach[from](), event).value, `${from} + ${event.type}`).toBe(to);
    }
  });

  it.each([
    ["crm", "menu"],
    ["funnel", "crm"],
    ["leads", "crm"],
    ["orders", "crm"],
    ["report", "crm"],
    ["history", "card"],
    ["card", "leads"],
  ] as const)("goes back from %s to %s", (from, to) => {
    expect(send(reach[from](), back).value).toBe(to);
  });

  it("stays at the menu on BACK, changing nothing", () => {
    const menu = send(reach.card(), { type: "MENU" });
    expect(persisted(send(menu, back))).toEqual(persisted(menu));
  });

  it("returns from a card to the leads page it was opened from, at the same offset", () => {
    const card = send(start(), { type: "LEADS", offset: 40 }, { type: "CARD", userId: 42, from: "leads" });
    expect(card.context).toMatchObject({ userId: 42, cardFrom: "leads", leadsOffset: 40 });
    const leads = send(card, back);
    expect(leads.value).toBe("leads");
    expect(leads.context.leadsOffset).toBe(40);
  });

  it.each(["search", "notification"] as const)("returns from a card opened from %s to the CRM", (from) => {
    const card = send(reach.leads(), { type: "CARD", userId: 42, from });
    expect(card.context.cardFrom).toBe(from);
    expect(send(card, back).value).toBe("crm");
  });

  it("returns from history to the card of the same client, and from there to where the card came from", () => {
    const card = send(reach.history(), back);
    expect(card.value).toBe("card");
    expect(card.context).toMatchObject({ userId: 42, cardFrom: "leads" });
    expect(send(card, back).value).toBe("leads");
  });

  it("moves to another client on HISTORY for them, and then returns to their card and on to the CRM", () => {
    const history = send(reach.card(), { type: "HISTORY", userId: 99, offset: 30 });
    expect(history.value).toBe("history");
    expect(history.context).toMatchObject({ userId: 99, historyOffset: 30, cardFrom: null, leadsOffset: 20 });
    const card = send(history, back);
    expect(card.value).toBe("card");
    expect(card.context.userId).toBe(99);
    expect(send(card, back).value).toBe("crm");
  });

  it("pages through a client's history keeping how the card was opened", () => {
    const next = send(reach.history(), { type: "HISTORY", userId: 42, offset: 20 });
    expect(next.context).toMatchObject({ userId: 42, historyOffset: 20, cardFrom: "leads" });
  });

  it.each([-1, -20, 2.5, 0.1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 60, -0])("shows the first page for the offset %s", (offset) => {
    const leads = send(reach.leads(), { type: "LEADS", offset });
    expect(leads.value).toBe("leads");
    expect(Object.is(leads.context.leadsOffset, 0)).toBe(true);
    const history = send(reach.card(), { type: "HISTORY", userId: 42, offset });
    expect(history.value).toBe("history");
    expect(Object.is(history.context.historyOffset, 0)).toBe(true);
  });

  it.each(["2026-01-27", "2028-02-29", "2000-02-29", "2026-12-31"])("opens the report of %s", (day) => {
    const report = send(reach.card(), { type: "REPORT", day });
    expect(report.value).toBe("report");
    expect(report.context.day).toBe(day);
  });

  it.each([
    ["", "empty"],
    ["2026-1-27", "a one-digit month"],
    ["27.01.2026", "another format"],
    ["2026-01-27T00:00:00Z", "a timestamp"],
    [" 2026-01-27", "a leading space"],
    ["2026-01-27\n", "a trailing newline"],
    ["2026-13-01", "month 13"],
    ["2026-00-10", "month 0"],
    ["2026-01-00", "day 0"],
    ["2026-02-29", "29 February of a common year"],
    ["1900-02-29", "29 February of a century"],
    ["2026-04-31", "31 April"],
    ["٢٠٢٦-٠١-٢٧", "Arabic-Indic digits"],
  ])("ignores a report for %j (%s)", (day) => {
    for (const screen of screens) {
      const before = reach[screen]();
      expect(before.can({ type: "REPORT", day })).toBe(false);
      expect(persisted(send(before, { type: "REPORT", day })), `${screen}`).toEqual(persisted(before));
    }
  });
});

const eventArbitrary: fc.Arbitrary<OwnerNavigationEvent> = fc.oneof(
  fc.constantFrom<OwnerNavigationEvent>({ type: "MENU" }, { type: "CRM" }, { type: "FUNNEL" }, { type: "ORDERS" }, back),
  fc.oneof(fc.integer({ min: -5, max: 100 }), fc.double()).map((offset): OwnerNavigationEvent => ({ type: "LEADS", offset })),
  fc
    .tuple(fc.integer({ min: 1, max: 5 }), fc.constantFrom("leads" as const, "search" as const, "notification" as const))
    .map(([userId, from]): OwnerNavigationEvent => ({ type: "CARD", userId, from })),
  fc
    .tuple(fc.integer({ min: 1, max: 5 }), fc.oneof(fc.integer({ min: -5, max: 100 }), fc.double()))
    .map(([userId, offset]): OwnerNavigationEvent => ({ type: "HISTORY", userId, offset })),
  fc.oneof(fc.constant("2026-01-27"), fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/), fc.string({ maxLength: 12 })).map((day): OwnerNavigationEvent => ({ type: "REPORT", day })),
);

describe("ownerNavigation properties", () => {
  it("reaches the menu within four BACKs from wherever the owner is", () => {
    fc.assert(
      fc.property(fc.array(eventArbitrary, { maxLength: 25 }), (events) => {
        let snapshot = send(start(), ...events);
        let steps = 0;
        while (snapshot.value !== "menu") {
          expect(steps, `stuck at ${String(snapshot.value)}`).toBeLessThan(4);
          snapshot = send(snapshot, back);
          steps++;
        }
      }),
      { numRuns: 5_000 },
    );
  });

  it("keeps offsets non-negative integers and the day a real YYYY-MM-DD, whatever is tapped", () => {
    fc.assert(
      fc.property(fc.array(eventArbitrary, { maxLength: 25 }), (events) => {
        let snapshot = start();
        for (const event of events) {
          snapshot = send(snapshot, event);
          const { leadsOffset, historyOffset, day } = snapshot.context;
          for (const offset of [leadsOffset, historyOffset]) {
            expect(Number.isSafeInteger(offset) && offset >= 0 && !Object.is(offset, -0)).toBe(true);
          }
          if (day !== null) expect(day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        }
      }),
      { numRuns: 3_000 },
    );
  });
});

describe("rehydration", () => {
  const { store, restore } = persistedRoundTrip(ownerNavigationMachine);

  itRestoresEachState(ownerNavigationMachine, reach);

  it("continues a restored history back to the leads page it started from, and on to the menu", () => {
    const restored = restore(store(reach.history()));
    const seen: unknown[] = [];
    for (let step = 0; step < 4; step++) {
      restored.send(back);
      seen.push(restored.getSnapshot().value);
    }
    expect(seen).toEqual(["card", "leads", "crm", "menu"]);
    expect(restored.getSnapshot().context).toEqual({ leadsOffset: 20, userId: 42, historyOffset: 10, day: null, cardFrom: "leads" });
    restored.stop();
  });
});
