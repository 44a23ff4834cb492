import { describe, expect, it } from "vitest";
import { jsonOr, leadFromRow, orderFromRow } from "./storeRows.ts";

describe("the row mappers both SQL stores share", () => {
  it("reads a JSON column as SQLite's text and as pg's parsed JSONB alike", () => {
    expect(jsonOr<string[]>('["vip"]', [])).toEqual(["vip"]);
    expect(jsonOr<string[]>(["vip"], [])).toEqual(["vip"]);
  });

  it("reads text that does not parse, null and a blob as the fallback", () => {
    expect(jsonOr<string[]>("[vip", ["none"])).toEqual(["none"]);
    expect(jsonOr<string[]>(null, ["none"])).toEqual(["none"]);
    expect(jsonOr<string[]>(new Uint8Array([91, 93]), ["none"])).toEqual(["none"]);
  });

  it("maps a lead row with an unknown stage and language to the defaults", () => {
    const lead = leadFromRow({ user_id: 7, stage: "gone", language: "de", tags: "not json", orders_count: null, stage_entered_at: { new: 1 } });
    expect(lead).toMatchObject({ userId: 7, stage: "new", language: "ru", tags: [], ordersCount: 0, stageEnteredAt: { new: 1 }, phone: null });
  });

  it("maps an order row with an unknown status and payment to a just-placed order's", () => {
    const order = orderFromRow({ order_id: "o1", user_id: 7, status: "lost", payment: "gold", items: "[]", invoice: null, total: 12.5, currency: "RUB", at: 3 });
    expect(order).toMatchObject({ orderId: "o1", status: "placed", payment: "cash", items: [], invoice: null, total: 12.5, paidAt: null });
  });
});
