import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { initialTransition, transition, type SnapshotFrom } from "xstate";
import { toDirectedGraph } from "xstate/graph";
import { checkoutMachine, maxDeliveryChars, normalizePhone } from "./checkout.machine.ts";
import type { CheckoutEvent } from "./checkout.types.ts";
import { collectEdges } from "./testing/collectEdges.ts";
import { itRestoresEachState, persistedRoundTrip } from "./testing/rehydration.ts";

type Snapshot = SnapshotFrom<typeof checkoutMachine>;

const start = (): Snapshot => initialTransition(checkoutMachine, { orderId: "A-1042" })[0];
const send = (snapshot: Snapshot, ...events: CheckoutEvent[]): Snapshot =>
  events.reduce((current, event) => transition(checkoutMachine, current, event)[0], snapshot);

const typedPhone: CheckoutEvent = { type: "PHONE_TYPED", text: "+7 999 123-45-67" };
const typedDelivery: CheckoutEvent = { type: "DELIVERY", text: "  Moscow, Tverskaya 1, flat 2  " };

/** Each state reached by its shortest path from the start. */
const reach = {
  phone: (): Snapshot => start(),
  delivery: (): Snapshot => send(start(), typedPhone),
  confirming: (): Snapshot => send(start(), typedPhone, typedDelivery),
  placing: (): Snapshot => send(start(), typedPhone, typedDelivery, { type: "CONFIRM" }),
  placed: (): Snapshot => send(start(), typedPhone, typedDelivery, { type: "CONFIRM" }, { type: "ORDER_PLACED" }),
  cancelled: (): Snapshot => send(start(), { type: "CANCEL" }),
};

const persisted = (snapshot: Snapshot): unknown => checkoutMachine.getPersistedSnapshot(snapshot);

describe("normalizePhone", () => {
  it.each([
    ["8 (999) 123-45-67", "+89991234567"],
    ["+7 999 123 45 67", "+79991234567"],
    ["79991234567", "+79991234567"],
    ["+79991234567", "+79991234567"],
    ["  +7.999.123.45.67\n", "+79991234567"],
    ["\u200B+7\u2060 999 123\u200D45 67\uFEFF", "+79991234567"],
    ["+7\u00A0999\u00A0123\u201145\u201167", "+79991234567"],
    ["(+44) 20 7946 0958", "+442079460958"],
    ["1234567890", "+1234567890"],
    ["123456789012345", "+123456789012345"],
  ])("accepts %j as %s", (text, expected) => {
    expect(normalizePhone(text)).toBe(expected);
  });

  it.each([
    ["", "empty"],
    ["   ", "blank"],
    ["\u200B\u200C\u200D\u2060\uFEFF", "only zero-width characters"],
    ["+", "a lone plus"],
    ["123456789", "9 digits"],
    ["1234567890123456", "16 digits"],
    ["++79991234567", "two pluses"],
    ["7+9991234567", "a plus inside"],
    ["79991234567+", "a trailing plus"],
    ["8 999 CALL-ME", "letters"],
    ["+7 999 123 45 6x", "a letter among digits"],
    ["📞 +79991234567", "an emoji"],
    ["+7999123\u200A4567📱", "an emoji at the end"],
    ["٧٩٩٩١٢٣٤٥٦٧", "Arabic-Indic digits"],
    ["+7 999 123 45 67 ext 5", "an extension"],
    ["7".repeat(10_000), "10,000 digits"],
    ["+7 (999) ".repeat(1_000), "10,000 characters of repeated formatting"],
  ])("rejects %j (%s)", (text) => {
    expect(normalizePhone(text)).toBeNull();
  });

  it("returns null or a plus and 10 to 15 digits, for any text", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "grapheme", maxLength: 40 }), fc.stringMatching(/^[+\d ()\-.]{0,30}$/)), (text) => {
        const phone = normalizePhone(text);
        if (phone !== null) expect(phone).toMatch(/^\+\d{10,15}$/);
      }),
      { numRuns: 20_000 },
    );
  });

  it("is unchanged by formatting noise and surrounding whitespace around a valid number", () => {
    const noise = fc.array(fc.constantFrom(" ", "-", ".", "(", ")", "\u00A0", "\u200B", "\u2013"), { maxLength: 2 });
    const digit = fc.constantFrom(..."0123456789");
    const edge = fc.array(fc.constantFrom(" ", "\t", "\n", "\u200B", "\uFEFF", "\u2060"), { maxLength: 3 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(fc.array(digit, { minLength: 10, maxLength: 15 }), fc.array(noise, { minLength: 16, maxLength: 16 }), fc.boolean(), edge, edge, (digits, gaps, plus, before, after) => {
        const formatted = digits.map((d, index) => `${gaps[index]?.join("") ?? ""}${d}`).join("");
        const text = `${before}${plus ? "+" : ""}${formatted}${after}`;
        expect(normalizePhone(text)).toBe(`+${digits.join("")}`);
      }),
      { numRuns: 20_000 },
    );
  });

  it("is idempotent: a stored phone normalises to itself", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+?[\d ()\-.]{10,30}$/), (text) => {
        const phone = normalizePhone(text);
        if (phone !== null) expect(normalizePhone(phone)).toBe(phone);
      }),
      { numRuns: 5_000 },
    );
  });

  it("rejects any text with a letter in it", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+?\d{10,15}$/), fc.nat(), fc.constantFrom(..."abcxyzабвЖ"), (valid, at, letter) => {
        const cut = at % (valid.length + 1);
        expect(normalizePhone(valid.slice(0, cut) + letter + valid.slice(cut))).toBeNull();
      }),
    );
  });
});

describe("checkout graph", () => {
  it("has exactly these transitions between states", () => {
    expect(collectEdges(toDirectedGraph(checkoutMachine)).sort()).toEqual(
      [
        "phone --PHONE_TYPED--> delivery",
        "phone --CONTACT_SHARED--> delivery",
        "phone --CANCEL--> cancelled",
        "delivery --DELIVERY--> confirming",
        "delivery --EDIT_PHONE--> phone",
        "delivery --CANCEL--> cancelled",
        "confirming --CONFIRM--> placing",
        "confirming --EDIT_PHONE--> phone",
        "confirming --EDIT_DELIVERY--> delivery",
        "confirming --CANCEL--> cancelled",
        "placing --ORDER_PLACED--> placed",
        "placing --ORDER_FAILED--> confirming",
      ].sort(),
    );
  });

  it("enters placing only from confirming, on CONFIRM", () => {
    const intoPlacing = collectEdges(toDirectedGraph(checkoutMachine)).filter((edge) => edge.endsWith("--> placing"));
    expect(intoPlacing).toEqual(["confirming --CONFIRM--> placing"]);
  });

  it("ends in placed or cancelled and nowhere else", () => {
    const finals = Object.values(checkoutMachine.root.states).filter((node) => node.type === "final").map((node) => node.key);
    expect(finals.sort()).toEqual(["cancelled", "placed"]);
  });
});

describe("checkout paths", () => {
  it("starts at phone with the order id and nothing else", () => {
    const snapshot = start();
    expect(snapshot.value).toBe("phone");
    expect(snapshot.context).toEqual({ orderId: "A-1042", phone: null, delivery: null, error: null });
  });

  it("walks phone → delivery → confirming → placing → placed and keeps what was typed", () => {
    const delivery = send(start(), typedPhone);
    expect(delivery.value).toBe("delivery");
    expect(delivery.context.phone).toBe("+79991234567");
    const confirming = send(delivery, typedDelivery);
    expect(confirming.value).toBe("confirming");
    expect(confirming.context.delivery).toBe("Moscow, Tverskaya 1, flat 2");
    const placing = send(confirming, { type: "CONFIRM" });
    expect(placing.value).toBe("placing");
    const placed = send(placing, { type: "ORDER_PLACED" });
    expect(placed.value).toBe("placed");
    expect(placed.status).toBe("done");
    expect(placed.context).toEqual({ orderId: "A-1042", phone: "+79991234567", delivery: "Moscow, Tverskaya 1, flat 2", error: null });
  });

  it("stays at phone with invalid_phone on a typed non-number, and clears the error on a valid one", () => {
    const refused = send(start(), { type: "PHONE_TYPED", text: "tomorrow" });
    expect(refused.value).toBe("phone");
    expect(refused.context).toMatchObject({ phone: null, error: "invalid_phone" });
    const accepted = send(refused, { type: "PHONE_TYPED", text: "8 (999) 123-45-67" });
    expect(accepted.value).toBe("delivery");
    expect(accepted.context).toMatchObject({ phone: "+89991234567", error: null });
  });

  it("takes a shared Telegram contact with or without the plus", () => {
    expect(send(start(), { type: "CONTACT_SHARED", phone: "79991234567" }).context.phone).toBe("+79991234567");
    expect(send(start(), { type: "CONTACT_SHARED", phone: "+79991234567" }).context.phone).toBe("+79991234567");
    const refused = send(start(), { type: "CONTACT_SHARED", phone: "12345" });
    expect(refused.value).toBe("phone");
    expect(refused.context.error).toBe("invalid_phone");
  });

  it("refuses a blank delivery with delivery_empty", () => {
    for (const text of ["", "   ", "\n\t "]) {
      const refused = send(reach.delivery(), { type: "DELIVERY", text });
      expect(refused.value).toBe("delivery");
      expect(refused.context).toMatchObject({ delivery: null, error: "delivery_empty" });
    }
  });

  it("refuses a delivery over maxDeliveryChars with delivery_too_long, and takes one of exactly maxDeliveryChars", () => {
    expect(maxDeliveryChars).toBe(500);
    const refused = send(reach.delivery(), { type: "DELIVERY", text: "a".repeat(maxDeliveryChars + 1) });
    expect(refused.value).toBe("delivery");
    expect(refused.context).toMatchObject({ delivery: null, error: "delivery_too_long" });
    const longest = "я".repeat(maxDeliveryChars - 1) + "🏠";
    const accepted = send(refused, { type: "DELIVERY", text: `  ${longest}  ` });
    expect(accepted.value).toBe("confirming");
    expect(accepted.context).toMatchObject({ delivery: longest, error: null });
  });

  it("returns to confirming with order_failed when the order fails, and clears it on the next CONFIRM", () => {
    const failed = send(reach.placing(), { type: "ORDER_FAILED" });
    expect(failed.value).toBe("confirming");
    expect(failed.context.error).toBe("order_failed");
    const retried = send(failed, { type: "CONFIRM" });
    expect(retried.value).toBe("placing");
    expect(retried.context.error).toBeNull();
    expect(send(retried, { type: "ORDER_PLACED" }).value).toBe("placed");
  });

  it("goes back to phone on EDIT_PHONE from delivery and from confirming, keeping the delivery typed so far", () => {
    expect(send(reach.delivery(), { type: "EDIT_PHONE" }).value).toBe("phone");
    const edited = send(reach.confirming(), { type: "EDIT_PHONE" });
    expect(edited.value).toBe("phone");
    expect(edited.context.delivery).toBe("Moscow, Tverskaya 1, flat 2");
    const retyped = send(edited, { type: "PHONE_TYPED", text: "+44 20 7946 0958" });
    expect(retyped.value).toBe("delivery");
    expect(retyped.context.phone).toBe("+442079460958");
  });

  it("goes back to delivery on EDIT_DELIVERY from confirming, and clears an order_failed error", () => {
    const edited = send(reach.placing(), { type: "ORDER_FAILED" }, { type: "EDIT_DELIVERY" });
    expect(edited.value).toBe("delivery");
    expect(edited.context.error).toBeNull();
    const retyped = send(edited, { type: "DELIVERY", text: "pickup" });
    expect(retyped.value).toBe("confirming");
    expect(retyped.context.delivery).toBe("pickup");
  });

  it.each(["phone", "delivery", "confirming"] as const)("cancels from %s", (state) => {
    const cancelled = send(reach[state](), { type: "CANCEL" });
    expect(cancelled.value).toBe("cancelled");
    expect(cancelled.status).toBe("done");
  });

  it.each(["placing", "placed", "cancelled"] as const)("does not cancel from %s", (state) => {
    const before = reach[state]();
    expect(before.can({ type: "CANCEL" })).toBe(false);
    const after = send(before, { type: "CANCEL" });
    expect(after.value).toBe(state);
    expect(persisted(after)).toEqual(persisted(before));
  });

  it("ignores events that do not belong to the current step", () => {
    const cases: Array<[keyof typeof reach, CheckoutEvent]> = [
      ["phone", { type: "DELIVERY", text: "somewhere" }],
      ["phone", { type: "CONFIRM" }],
      ["phone", { type: "EDIT_DELIVERY" }],
      ["delivery", { type: "PHONE_TYPED", text: "+79990000000" }],
      ["delivery", { type: "CONFIRM" }],
      ["confirming", { type: "DELIVERY", text: "elsewhere" }],
      ["confirming", { type: "ORDER_PLACED" }],
      ["placing", { type: "EDIT_PHONE" }],
      ["placing", { type: "EDIT_DELIVERY" }],
      ["placed", { type: "ORDER_FAILED" }],
      ["cancelled", { type: "PHONE_TYPED", text: "+79990000000" }],
    ];
    for (const [state, event] of cases) {
      const before = reach[state]();
      expect(persisted(send(before, event)), `${state} + ${event.type}`).toEqual(persisted(before));
    }
  });
});

describe("exactly one order", () => {
  it("changes nothing on a second CONFIRM while placing, or after placed", () => {
    const placing = reach.placing();
    expect(placing.can({ type: "CONFIRM" })).toBe(false);
    const again = send(placing, { type: "CONFIRM" });
    expect(again.value).toBe("placing");
    expect(persisted(again)).toEqual(persisted(placing));
    const placed = send(again, { type: "ORDER_PLACED" });
    expect(placed.can({ type: "CONFIRM" })).toBe(false);
    const late = send(placed, { type: "CONFIRM" }, { type: "CONFIRM" });
    expect(late.value).toBe("placed");
    expect(persisted(late)).toEqual(persisted(placed));
  });

  it("enters placing at most once per failed attempt and never after placed, whatever the customer taps", () => {
    const event: fc.Arbitrary<CheckoutEvent> = fc.oneof(
      fc.constantFrom<CheckoutEvent>(
        { type: "CONFIRM" },
        { type: "ORDER_PLACED" },
        { type: "ORDER_FAILED" },
        { type: "EDIT_PHONE" },
        { type: "EDIT_DELIVERY" },
        { type: "CANCEL" },
        typedPhone,
        typedDelivery,
      ),
      fc.string({ maxLength: 12 }).map((text): CheckoutEvent => ({ type: "PHONE_TYPED", text })),
      fc.string({ maxLength: 12 }).map((text): CheckoutEvent => ({ type: "DELIVERY", text })),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), (events) => {
        let snapshot = start();
        let orders = 0;
        let failures = 0;
        for (const next of events) {
          const before = snapshot.value;
          snapshot = send(snapshot, next);
          if (before !== "placing" && snapshot.value === "placing") orders++;
          if (before === "placing" && snapshot.value === "confirming") failures++;
          expect(orders).toBeLessThanOrEqual(failures + 1);
          if (before === "placed" || before === "cancelled") expect(snapshot.value).toBe(before);
        }
      }),
      { numRuns: 5_000 },
    );
  });
});

describe("rehydration", () => {
  const { store, restore } = persistedRoundTrip(checkoutMachine, { orderId: "B-0000" });

  itRestoresEachState(checkoutMachine, reach, { orderId: "B-0000" });

  it("continues from a restored confirming to placed", () => {
    const restored = restore(store(reach.confirming()));
    restored.send({ type: "CONFIRM" });
    expect(restored.getSnapshot().value).toBe("placing");
    restored.send({ type: "ORDER_PLACED" });
    expect(restored.getSnapshot().value).toBe("placed");
    expect(restored.getSnapshot().status).toBe("done");
    expect(restored.getSnapshot().context).toEqual({ orderId: "A-1042", phone: "+79991234567", delivery: "Moscow, Tverskaya 1, flat 2", error: null });
  });

  it("continues from a restored placing: a CONFIRM is still ignored, a failure returns to confirming with the error", () => {
    const restored = restore(store(reach.placing()));
    restored.send({ type: "CONFIRM" });
    expect(restored.getSnapshot().value).toBe("placing");
    restored.send({ type: "ORDER_FAILED" });
    expect(restored.getSnapshot().value).toBe("confirming");
    expect(restored.getSnapshot().context.error).toBe("order_failed");
    restored.stop();
  });
});
