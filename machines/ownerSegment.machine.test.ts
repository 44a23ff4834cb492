import { describe, expect, it } from "vitest";
import { initialTransition, transition } from "xstate";
import { maxSegmentNameChars, ownerSegmentMachine } from "./ownerSegment.machine.ts";
import type { OwnerSegmentEvent } from "./ownerSegment.types.ts";

const run = (...events: OwnerSegmentEvent[]) => {
  let [snapshot, actions] = initialTransition(ownerSegmentMachine);
  for (const event of events) [snapshot, actions] = transition(ownerSegmentMachine, snapshot, event);
  return { snapshot, actions };
};

describe("the owner's segment builder", () => {
  it("builds a filter, asks for a typed value, and saves under a trimmed name through saveSegment", () => {
    const { snapshot, actions } = run(
      { type: "START" },
      { type: "SET", filter: { stages: ["cart"] } },
      { type: "ASK", field: "orders" },
      { type: "VALUE", filter: { stages: ["cart"], ordersCount: { min: 2 } } },
      { type: "SAVE" },
      { type: "NAME", text: "  Корзины  " },
    );
    expect(snapshot.value).toBe("saving");
    expect(actions.map((action) => [action.type, action.params])).toEqual([["saveSegment", { name: "Корзины", filter: { stages: ["cart"], ordersCount: { min: 2 } } }]]);
    const [saved] = transition(ownerSegmentMachine, snapshot, { type: "SAVED", id: 7 });
    expect(saved.value).toBe("building");
    expect(saved.context).toMatchObject({ savedId: 7, name: "Корзины", saving: null });
  });

  it("refuses a bad value, an empty name and a too-long one, staying where it is", () => {
    expect(run({ type: "START" }, { type: "ASK", field: "ltv" }, { type: "BAD_VALUE" }).snapshot.context.error).toBe("bad_value");
    const naming = run({ type: "START" }, { type: "SAVE" }, { type: "NAME", text: "   " }).snapshot;
    expect([naming.value, naming.context.error]).toEqual(["naming", "empty_name"]);
    const long = run({ type: "START" }, { type: "SAVE" }, { type: "NAME", text: "я".repeat(maxSegmentNameChars + 1) }).snapshot;
    expect([long.value, long.context.error]).toEqual(["naming", "name_too_long"]);
    const failed = run({ type: "START" }, { type: "SAVE" }, { type: "NAME", text: "x" }, { type: "SAVE_FAILED" }).snapshot;
    expect([failed.value, failed.context.error]).toEqual(["naming", "save_failed"]);
  });

  it("opens a saved segment, goes back one step with CANCEL, and ignores a filter change while idle", () => {
    const opened = run({ type: "START", saved: { id: 3, name: "VIP", filter: { tags: { any: ["vip"] } } } }, { type: "ASK", field: "lastSeen" }, { type: "CANCEL" }).snapshot;
    expect([opened.value, opened.context.savedId, opened.context.filter, opened.context.field]).toEqual(["building", 3, { tags: { any: ["vip"] } }, null]);
    const closed = run({ type: "START" }, { type: "CANCEL" }, { type: "SET", filter: { hasPhone: true } }).snapshot;
    expect([closed.value, closed.context.filter]).toEqual(["idle", {}]);
  });
});
