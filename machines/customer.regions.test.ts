import { describe, expect, it } from "vitest";
import { startLiveCustomer, type LiveCustomer } from "./testing/liveCustomer.ts";

const t0 = Date.parse("2026-03-02T10:00:00Z");
const minute = 60_000;
const day = 24 * 60 * minute;

function consentedCustomer(language: "ru" | "en" = "en"): LiveCustomer {
  const live = startLiveCustomer({ at: t0 });
  live.send({ type: "start", language });
  live.send({ type: "consent_given", version: "v1" });
  return live;
}

describe("cart region: the abandoned-cart reminder", () => {
  it("sends one reminder 120 minutes after the last change, with the cart's lines, in the customer's language", () => {
    const live = consentedCustomer("en");
    live.send({ type: "add_to_cart", productId: "p1", qty: 2 });
    live.advanceTo(t0 + 120 * minute - 1);
    expect(live.named("sendCartReminder")).toEqual([]);
    live.advanceTo(t0 + 120 * minute);
    expect(live.named("sendCartReminder")).toEqual([{ lines: [{ productId: "p1", qty: 2 }], language: "en" }]);
    expect(live.snapshot().value.cart).toEqual({ filled: { shopping: "reminded" } });
    expect([...live.timers().keys()].sort()).toEqual(["xstate.after.dormancy.customer.activity.active", "xstate.after.secondReminder.customer.cart.filled.shopping.reminded"]);
  });

  it("counts the wait from the last addition", () => {
    const live = consentedCustomer();
    live.send({ type: "add_to_cart", productId: "p1", qty: 1 });
    live.send({ type: "add_to_cart", productId: "p2", qty: 1, at: t0 + 60 * minute });
    live.advanceTo(t0 + 179 * minute);
    expect(live.named("sendCartReminder")).toEqual([]);
    live.advanceTo(t0 + 180 * minute);
    expect(live.named("sendCartReminder")).toHaveLength(1);
  });

  it.each([
    ["checkout", { type: "checkout_started" }],
    ["an order", { type: "order_created", orderId: "SO-1", total: 10, currency: "RUB" }],
    ["emptying the cart", { type: "cart_item_removed", productId: "p1" }],
    ["the bot finding nothing left", { type: "cart_adjusted", lines: [] }],
    ["/forget", { type: "data_erased" }],
  ] as const)("is cancelled by %s", (_, event) => {
    const live = consentedCustomer();
    live.send({ type: "add_to_cart", productId: "p1", qty: 1 });
    live.send({ ...event, at: t0 + 30 * minute });
    expect([...live.timers().keys()].filter((id) => id.includes("cartReminder"))).toEqual([]);
    expect(live.named("xstate.cancel")).toContainEqual({ sendId: "xstate.after.cartReminder.customer.cart.filled.shopping.waiting" });
    live.advanceBy(10 * day);
    expect(live.named("sendCartReminder")).toEqual([]);
  });

  it.each([
    ["without consent", (live: LiveCustomer) => live.send({ type: "consent_revoked" })],
    ["to a customer who blocked the bot", (live: LiveCustomer) => live.send({ type: "blocked" })],
  ])("is skipped %s", (_, setUp) => {
    const live = consentedCustomer();
    live.send({ type: "add_to_cart", productId: "p1", qty: 1 });
    setUp(live);
    live.advanceBy(10 * day);
    expect(live.named("sendCartReminder")).toEqual([]);
    expect(live.snapshot().value.cart).toEqual({ filled: { shopping: "skipped" } });
  });

  it("never sends a second reminder for the same cart, even after a cancelled checkout; a new cart gets its own", () => {
    const live = consentedCustomer();
    live.send({ type: "add_to_cart", productId: "p1", qty: 1 });
    live.advanceBy(120 * minute);
    live.send({ type: "checkout_started" });
    live.send({ type: "checkout_cancelled" });
    live.send({ type: "add_to_cart", productId: "p2", qty: 1 });
    expect(live.snapshot().value.cart).toEqual({ filled: { shopping: "reminded" } });
    live.advanceBy(10 * day);
    expect(live.named("sendCartReminder")).toHaveLength(1);
    live.send({ type: "order_created", orderId: "SO-1", total: 10, currency: "RUB" });
    live.send({ type: "add_to_cart", productId: "p3", qty: 1 });
    live.advanceBy(120 * minute);
    expect(live.named("sendCartReminder")).toHaveLength(2);
  });

  it("waits again from a cancelled checkout when no reminder was sent yet", () => {
    const live = consentedCustomer();
    live.send({ type: "add_to_cart", productId: "p1", qty: 1 });
    live.send({ type: "checkout_started", at: t0 + 30 * minute });
    live.send({ type: "checkout_cancelled", at: t0 + 60 * minute });
    expect(live.snapshot().value.cart).toEqual({ filled: { shopping: "waiting" } });
    live.advanceTo(t0 + 179 * minute);
    expect(live.named("sendCartReminder")).toEqual([]);
    live.advanceTo(t0 + 180 * minute);
    expect(live.named("sendCartReminder")).toHaveLength(1);
  });

  it("keeps the lines within the limits: 99 of a product at most, a decrease to zero empties the cart", () => {
    const live = consentedCustomer();
    live.send({ type: "add_to_cart", productId: "p1", qty: 90 });
    live.send({ type: "add_to_cart", productId: "p1", qty: 90 });
    expect(live.snapshot().context.cart).toEqual({ rev: 2, lines: [{ productId: "p1", qty: 99 }] });
    live.send({ type: "cart_adjusted", lines: [{ productId: "p1", qty: 1 }] });
    live.send({ type: "cart_item_decreased", productId: "p1" });
    expect(live.snapshot().value.cart).toBe("empty");
    expect(live.snapshot().context.cart).toEqual({ rev: 4, lines: [] });
  });
});

describe("checkout region", () => {
  it("names the order from the seq of checkout_started, and walks phone → delivery → confirming with edits", () => {
    const live = consentedCustomer();
    live.send({ type: "add_to_cart", productId: "p1", qty: 1 });
    live.send({ type: "checkout_started", seq: 1000 });
    expect(live.snapshot().context.checkout).toEqual({ orderId: "SO-RS", delivery: null });
    live.send({ type: "delivery_given", text: "too early" });
    expect(live.snapshot().value.checkout).toBe("phone");
    live.send({ type: "contact_shared", phone: "+79991234567" });
    live.send({ type: "delivery_given", text: "ул. Ленина, 1" });
    expect(live.snapshot().value.checkout).toBe("confirming");
    live.send({ type: "checkout_edited", field: "delivery" });
    expect(live.snapshot().value.checkout).toBe("delivery");
    live.send({ type: "delivery_given", text: "ул. Мира, 2" });
    live.send({ type: "checkout_edited", field: "phone" });
    expect(live.snapshot().value.checkout).toBe("phone");
    expect(live.snapshot().context.checkout).toEqual({ orderId: "SO-RS", delivery: "ул. Мира, 2" });
  });

  it("writes the order and notifies the owners on order_created, with the checkout's phone and delivery, then clears the checkout and the cart", () => {
    const live = consentedCustomer();
    live.send({ type: "add_to_cart", productId: "p1", qty: 2 });
    live.send({ type: "checkout_started", seq: 77 });
    live.send({ type: "contact_shared", phone: "+79991234567" });
    live.send({ type: "delivery_given", text: "ул. Ленина, 1" });
    const items = [{ productId: "p1", title: "Tea", price: 5, qty: 2 }];
    live.send({ type: "order_created", orderId: "SO-25", total: 10, currency: "RUB", items });
    expect(live.named("recordOrder")).toEqual([
      { orderId: "SO-25", items, total: 10, currency: "RUB", phone: "+79991234567", delivery: "ул. Ленина, 1", payment: null, invoice: null, language: live.snapshot().context.language },
    ]);
    expect(live.named("notifyOwnersOfOrder")).toEqual([{ orderId: "SO-25" }]);
    const { value, context } = live.snapshot();
    expect([value.checkout, value.cart, value.funnel]).toEqual(["idle", "empty", "customer"]);
    expect([context.checkout, context.cart.lines, context.lastOrderId]).toEqual([null, [], "SO-25"]);
  });

  it("records an order that came without a checkout, as older logs have them", () => {
    const live = consentedCustomer();
    live.send({ type: "order_created", orderId: "A-1", total: 990, currency: "RUB" });
    expect(live.named("recordOrder")).toEqual([{ orderId: "A-1", items: [], total: 990, currency: "RUB", phone: null, delivery: null, payment: null, invoice: null, language: "en" }]);
  });

  it("hands recordOrder the payment method, the invoice and the customer's language, for the order's own actor", () => {
    const live = consentedCustomer();
    const items = [{ productId: "p1", title: "Tea", price: 5, qty: 2 }];
    live.send({ type: "order_created", orderId: "A-2", total: 10, currency: "RUB", items, payment: "stars", invoice: { currency: "XTR", amount: 6 } });
    expect(live.named("recordOrder")).toMatchObject([{ orderId: "A-2", payment: "stars", invoice: { currency: "XTR", amount: 6 }, language: "en" }]);
  });

  it("is dropped by checkout_cancelled and by /forget", () => {
    const live = consentedCustomer();
    live.send({ type: "checkout_started" });
    live.send({ type: "checkout_cancelled" });
    expect([live.snapshot().value.checkout, live.snapshot().context.checkout]).toEqual(["idle", null]);
    live.send({ type: "checkout_started" });
    live.send({ type: "contact_shared", phone: "+79991234567" });
    live.send({ type: "data_erased" });
    expect([live.snapshot().value.checkout, live.snapshot().context.checkout, live.snapshot().context.phone]).toEqual(["idle", null, null]);
  });
});

describe("consultant region", () => {
  function listening(): LiveCustomer {
    const live = consentedCustomer("en");
    live.send({ type: "consultant_entered" });
    expect(live.snapshot().value.consultant).toBe("listening");
    return live;
  }

  it("is not entered without consent to the terms", () => {
    const live = startLiveCustomer({ at: t0 });
    live.send({ type: "consultant_entered" });
    expect(live.snapshot().value.consultant).toBe("off");
  });

  it("asks the AI, logs the question and the answer, and sends the answer", () => {
    const live = listening();
    live.send({ type: "question_asked", text: "Is it cotton?" });
    expect(live.snapshot().value.consultant).toBe("thinking");
    expect(live.named("askConsultant")).toEqual([{ question: "Is it cotton?", language: "en" }]);
    live.send({ type: "question_asked", text: "Hello?" });
    expect(live.named("askConsultant")).toHaveLength(1);
    live.send({ type: "consultant_answered", text: "Yes, all of it." });
    expect(live.named("logMessage")).toEqual([
      { direction: "in", type: "text", text: "Is it cotton?" },
      { direction: "out", type: "ai_response", text: "Yes, all of it." },
    ]);
    expect(live.named("sendConsultantAnswer")).toEqual([{ text: "Yes, all of it.", language: "en" }]);
    expect(live.snapshot().value.consultant).toBe("listening");
  });

  it("says the AI failed, and times out after a minute, ignoring an answer that comes later", () => {
    const live = listening();
    live.send({ type: "question_asked", text: "One?" });
    live.send({ type: "consultant_failed", reason: "failed" });
    live.send({ type: "question_asked", text: "Two?" });
    live.advanceBy(60_000 - 1);
    expect(live.snapshot().value.consultant).toBe("thinking");
    live.advanceBy(1);
    expect(live.named("sendConsultantFailure")).toEqual([
      { reason: "failed", language: "en" },
      { reason: "timeout", language: "en" },
    ]);
    live.send({ type: "consultant_answered", text: "late" });
    expect(live.named("sendConsultantAnswer")).toEqual([]);
  });

  it("refuses the 21st question within an hour, and takes it once the first has left the window", () => {
    const live = listening();
    for (let asked = 0; asked < 20; asked++) {
      live.send({ type: "question_asked", text: `Q${asked}` });
      live.send({ type: "consultant_answered", text: "A" });
    }
    live.send({ type: "question_asked", text: "one too many" });
    expect(live.snapshot().value.consultant).toBe("listening");
    expect(live.named("askConsultant")).toHaveLength(20);
    live.advanceTo(t0 + 60 * minute);
    live.send({ type: "question_asked", text: "later" });
    expect(live.named("askConsultant")).toHaveLength(21);
  });

  it.each([["consultant_left"], ["consent_revoked"], ["data_erased"]] as const)("turns off on %s, even while thinking", (type) => {
    const live = listening();
    live.send({ type: "question_asked", text: "Is it cotton?" });
    live.send({ type });
    expect(live.snapshot().value.consultant).toBe("off");
    live.advanceBy(10 * minute);
    expect(live.named("sendConsultantFailure")).toEqual([]);
  });
});

describe("activity region: dormancy", () => {
  it("stays unseen until the customer acts: owner notes and outgoing messages do not count", () => {
    const live = startLiveCustomer({ at: t0 });
    live.send({ type: "note_added", text: "called" });
    live.send({ type: "message_out", messageType: "text", chars: 5 });
    live.advanceBy(60 * day);
    expect(live.snapshot().value.activity).toBe("unseen");
    expect(live.timers().size).toBe(0);
  });

  it("turns dormant 30 days after the last act, not before, and emits dormant once", () => {
    const live = startLiveCustomer({ at: t0 });
    live.send({ type: "start" });
    live.advanceTo(t0 + 30 * day - 1);
    expect(live.snapshot().value.activity).toBe("active");
    live.advanceTo(t0 + 30 * day);
    expect(live.snapshot().value.activity).toEqual({ dormant: "waiting" });
    expect(live.snapshot().context.dormantSince).toBe(t0 + 30 * day);
    live.advanceBy(365 * day);
    expect(live.emitted).toEqual([{ type: "dormant" }]);
    expect(live.snapshot().value.funnel).toBe("new");
  });

  it("arms one timer per period for a customer who acts every day, not one per act", () => {
    const live = startLiveCustomer({ at: t0 });
    for (let date = 0; date < 60; date++) live.send({ type: "catalog_view", at: t0 + date * day });
    // Armed on day 0; fired and re-armed on days 30 and 59, each time just before that day's act.
    expect(live.armed("dormancy")).toBe(3);
    live.advanceTo(t0 + 59 * day + 30 * day - 1);
    expect(live.snapshot().value.activity).toBe("active");
    live.advanceBy(1);
    expect(live.snapshot().value.activity).toEqual({ dormant: "waiting" });
    expect(live.armed("dormancy")).toBe(4);
  });

  it("reactivates on the next act, emitting reactivated, and counts the next period from it", () => {
    const live = startLiveCustomer({ at: t0 });
    live.send({ type: "add_to_cart", productId: "p1", qty: 1 });
    live.advanceBy(40 * day);
    live.send({ type: "note_added", text: "still there?" });
    expect(live.snapshot().value.activity).toEqual({ dormant: "waiting" });
    live.send({ type: "product_view", productId: "p1" });
    expect(live.snapshot().value.activity).toBe("active");
    expect(live.snapshot().context.dormantSince).toBeNull();
    expect(live.emitted).toEqual([{ type: "dormant" }, { type: "reactivated" }]);
    expect(live.snapshot().value.funnel).toBe("cart");
    expect(live.timers().get("xstate.after.dormancy.customer.activity.active")).toBe(t0 + 70 * day);
  });
});
