import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { initialTransition, transition, type SnapshotFrom } from "xstate";
import { toDirectedGraph } from "xstate/graph";
import { maxOrderInputChars, ownerOrderInputMachine } from "./ownerOrderInput.machine.ts";
import type { OrderInputAction, OwnerOrderInputEvent } from "./ownerOrderInput.types.ts";
import { collectEdges } from "./testing/collectEdges.ts";
import { itRestoresEachState } from "./testing/rehydration.ts";

type Snapshot = SnapshotFrom<typeof ownerOrderInputMachine>;

const start = (): Snapshot => initialTransition(ownerOrderInputMachine)[0];
const send = (snapshot: Snapshot, ...events: OwnerOrderInputEvent[]): Snapshot =>
  events.reduce((current, event) => transition(ownerOrderInputMachine, current, event)[0], snapshot);
const named = (snapshot: Snapshot, event: OwnerOrderInputEvent) =>
  transition(ownerOrderInputMachine, snapshot, event)[1].filter((action) => !action.type.startsWith("xstate.")).map(({ type, params }) => ({ type, params }));

const returnTo = { list: 2, offset: 8 };
const open = (action: OrderInputAction, orderId = "SO-2F"): OwnerOrderInputEvent => ({ type: "START", orderId, action, returnTo });
const text = (value: string): OwnerOrderInputEvent => ({ type: "TEXT", text: value });
const skip: OwnerOrderInputEvent = { type: "SKIP" };
const cancel: OwnerOrderInputEvent = { type: "CANCEL" };
const failed: OwnerOrderInputEvent = { type: "FAILED" };
const sent = (outcome: "applied" | "refused" | "duplicate" | "unknown_order" = "applied"): OwnerOrderInputEvent => ({ type: "SENT", outcome });

const reach = {
  idle: (): Snapshot => send(start(), open("ship"), skip, sent()),
  awaitingText: (): Snapshot => send(start(), open("cancel")),
  sending: (): Snapshot => send(start(), open("cancel"), text("  Нет в наличии ")),
};

describe("ownerOrderInput graph", () => {
  it("has exactly these transitions between states", () => {
    expect(collectEdges(toDirectedGraph(ownerOrderInputMachine)).sort()).toEqual(
      [
        "idle --START--> awaitingText",
        "awaitingText --TEXT--> sending",
        "awaitingText --SKIP--> sending",
        "awaitingText --CANCEL--> idle",
        "sending --SENT--> idle",
        "sending --FAILED--> awaitingText",
      ].sort(),
    );
  });
});

describe("ownerOrderInput paths", () => {
  it("asks the reason of a cancel, sends it trimmed once, and remembers how the order took it", () => {
    const waiting = send(start(), open("cancel"));
    expect(waiting.value).toBe("awaitingText");
    expect(waiting.context).toEqual({ orderId: "SO-2F", action: "cancel", returnTo, text: null, error: null, last: null });
    expect(named(waiting, text("  Нет в наличии "))).toEqual([{ type: "sendOrderMove", params: { orderId: "SO-2F", action: "cancel", text: "Нет в наличии" } }]);
    const done = send(waiting, text("  Нет в наличии "), sent("refused"));
    expect(done.value).toBe("idle");
    expect(done.context).toEqual({ orderId: null, action: null, returnTo: null, text: null, error: null, last: { orderId: "SO-2F", action: "cancel", outcome: "refused" } });
  });

  it("ships or refunds without words on SKIP, but a cancel cannot skip its reason", () => {
    expect(named(send(start(), open("ship")), skip)).toEqual([{ type: "sendOrderMove", params: { orderId: "SO-2F", action: "ship", text: null } }]);
    expect(named(send(start(), open("refund")), skip)).toEqual([{ type: "sendOrderMove", params: { orderId: "SO-2F", action: "refund", text: null } }]);
    const cancelling = send(start(), open("cancel"));
    expect(cancelling.can(skip)).toBe(false);
    expect(send(cancelling, skip).value).toBe("awaitingText");
  });

  it("refuses blank words and words over the limit, and takes words of exactly the limit", () => {
    for (const value of ["", "  ", "\n\t"]) expect(send(reach.awaitingText(), text(value)).context).toMatchObject({ error: "empty", text: null });
    expect(maxOrderInputChars).toBe(300);
    expect(send(reach.awaitingText(), text("a".repeat(maxOrderInputChars + 1))).context).toMatchObject({ error: "too_long" });
    const longest = "я".repeat(maxOrderInputChars - 1) + "📦";
    const taken = send(reach.awaitingText(), text(` ${longest} `));
    expect(taken.value).toBe("sending");
    expect(taken.context.text).toBe(longest);
  });

  it("keeps the words after a failed send, and sends them again", () => {
    const retry = send(reach.sending(), failed);
    expect(retry.value).toBe("awaitingText");
    expect(retry.context).toMatchObject({ orderId: "SO-2F", action: "cancel", text: "Нет в наличии", error: "failed" });
    expect(named(retry, text("Нет в наличии"))).toHaveLength(1);
  });

  it("switches to another order and move on START while waiting; cancel keeps the last move sent", () => {
    const switched = send(reach.idle(), open("cancel", "SO-3A"), text("x"), failed, open("ship", "SO-9Z"));
    expect(switched.context).toMatchObject({ orderId: "SO-9Z", action: "ship", text: null, error: null });
    const cancelled = send(switched, cancel);
    expect(cancelled.value).toBe("idle");
    expect(cancelled.context.last).toEqual({ orderId: "SO-2F", action: "ship", outcome: "applied" });
  });

  it("takes nothing but SENT or FAILED while a move is in flight, and nothing but START when idle", () => {
    for (const event of [text("again"), skip, cancel, open("ship", "SO-3A")]) expect(reach.sending().can(event)).toBe(false);
    for (const event of [text("x"), skip, cancel, sent(), failed]) expect(reach.idle().can(event)).toBe(false);
  });
});

describe("ownerOrderInput properties", () => {
  const event: fc.Arbitrary<OwnerOrderInputEvent> = fc.oneof(
    fc.constantFrom<OwnerOrderInputEvent>(skip, cancel, failed, sent(), sent("refused"), text(" "), text("ok")),
    fc.constantFrom<OrderInputAction>("ship", "cancel", "refund").map((action) => open(action)),
    fc.string({ maxLength: 6 }).map(text),
  );

  it("sends only trimmed, non-blank words of at most the limit, or none for a skippable move, never for a cancel", () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), (events) => {
        let snapshot = start();
        for (const next of events) {
          const actions = named(snapshot, next);
          snapshot = send(snapshot, next);
          for (const action of actions) {
            const { text: words, action: move } = action.params as { text: string | null; action: OrderInputAction };
            if (words === null) expect(move).not.toBe("cancel");
            else {
              expect(words).toBe(words.trim());
              expect(words.length).toBeGreaterThan(0);
              expect([...words].length).toBeLessThanOrEqual(maxOrderInputChars);
            }
          }
        }
      }),
      { numRuns: 3_000 },
    );
  });
});

describe("rehydration", () => {
  itRestoresEachState(ownerOrderInputMachine, reach);
});
