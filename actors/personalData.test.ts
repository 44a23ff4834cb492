import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { customerEventTypes, type CustomerEventInput } from "../machines/customer.types.ts";
import { startLiveCustomer } from "../machines/testing/liveCustomer.ts";
import { customerEventArb } from "./fixtures/customerEvents.ts";
import { redactEventPayload } from "./personalData.ts";

const personal = "Анна, +79991234567, ул. Ленина, 1";

describe("redactEventPayload", () => {
  it.each([
    ["delivery_given", { text: personal }],
    ["question_asked", { text: personal }],
    ["consultant_answered", { text: personal }],
    ["note_added", { text: personal }],
    ["contact_shared", { phone: personal }],
    ["search", { query: personal, results: 2 }],
    ["start", { source: "ads", username: personal, name: personal, language: "en" }],
    ["tags_changed", { added: [personal] }],
  ] as const)("leaves nothing the customer wrote in %s", (type, payload) => {
    expect(JSON.stringify(redactEventPayload(type, payload))).not.toContain("Ленина");
    expect(JSON.stringify(redactEventPayload(type, payload))).not.toContain("Анна");
  });

  it("keeps what an order bought and for how much", () => {
    const order = { orderId: "SO-1", total: 10, currency: "RUB", items: [{ productId: "p1", title: "Tea", price: 5, qty: 2 }] };
    expect(redactEventPayload("order_created", order)).toEqual(order);
  });

  it("knows every event type of the vocabulary", () => {
    for (const type of customerEventTypes) expect(redactEventPayload(type, {}), type).toBeTypeOf("object");
  });

  it("leaves a log whose replay gives the same stage, counts and stage dates (1,000 sequences)", () => {
    const at = Date.parse("2026-03-02T10:00:00Z");
    fc.assert(
      fc.property(fc.array(customerEventArb, { maxLength: 15 }), (events) => {
        const original = startLiveCustomer({ at });
        const redacted = startLiveCustomer({ at });
        for (const event of events) {
          const { type, seq, ...payload } = event;
          original.send(event);
          redacted.send({ ...redactEventPayload(type, payload), type, seq } as CustomerEventInput & { seq: number });
        }
        const [before, after] = [original.snapshot(), redacted.snapshot()];
        expect(after.value).toEqual(before.value);
        const kept = ({ ordersCount, lifetimeValue, stageEnteredAt, firstSeenAt, lastSeenAt, remindersSent, dormantSince }: typeof before.context) =>
          ({ ordersCount, lifetimeValue, stageEnteredAt, firstSeenAt, lastSeenAt, remindersSent, dormantSince });
        expect(kept(after.context)).toEqual(kept(before.context));
      }),
      { numRuns: 1_000 },
    );
  });
});
