import { describe, expect, it } from "vitest";
import type { StoredEvent, StoredOrder } from "../../../actors/store.port.ts";
import { aLead } from "../../storeContractQueues.ts";
import { journeyScreen } from "./journeyScreen.ts";
import { ownerI18n, viewIn } from "./ownerContext.ts";

const view = viewIn(ownerI18n(), "ru", "Europe/Moscow");
const t0 = Date.parse("2026-11-23T10:00:00Z");

function anOrder(n: number): StoredOrder {
  const at = t0 + n * 60_000;
  return {
    orderId: `SO-${n}`,
    userId: 7,
    items: [],
    total: 100,
    currency: "RUB",
    phone: null,
    delivery: null,
    at,
    status: "delivered",
    payment: "stars",
    invoice: null,
    paidAt: at + 1,
    shippedAt: at + 2,
    deliveredAt: at + 3,
    cancelledAt: null,
    refundedAt: null,
    tracking: null,
    cancelReason: null,
    chargeId: null,
    rating: null,
  };
}

const anEvent = (seq: number, type: StoredEvent["type"], payload: Record<string, unknown> = {}): StoredEvent => ({ seq, userId: 7, type, payload, at: t0 + seq, key: `k${seq}` });

describe("the journey page as a message", () => {
  it("stops short of Telegram's 4,096 characters with … when a page's order moves would not fit", () => {
    const orders = new Map(Array.from({ length: 60 }, (_, n) => anOrder(n)).map((order) => [order.orderId, order]));
    const screen = journeyScreen(view, { lead: aLead(7), events: [anEvent(1, "start")], orders, after: Number.NEGATIVE_INFINITY, through: Number.POSITIVE_INFINITY, hasOlder: false, hasNewer: false, currency: "RUB" });
    expect(screen.text.length).toBeLessThanOrEqual(3_800);
    expect(screen.text.endsWith("\n…")).toBe(true);
    expect(screen.text).toContain("💳 заказ SO-0 оплачен");
  });

  it("names an event type it has no words for by its type, and reads a payload of the wrong shape as no details", () => {
    const events = [
      anEvent(1, "coupon_used" as StoredEvent["type"]),
      anEvent(2, "note_added", { text: 42 }),
      anEvent(3, "tags_changed", { added: "vip", removed: [1, "x<y"] }),
      anEvent(4, "xstate.after.cartReminder.customer.activity" as StoredEvent["type"]),
    ];
    const screen = journeyScreen(view, { lead: aLead(7), events, orders: new Map(), after: Number.NEGATIVE_INFINITY, through: Number.POSITIVE_INFINITY, hasOlder: false, hasNewer: false, currency: "RUB" });
    const lines = screen.text.split("\n").filter((line) => line.startsWith("<i>23.11.2026"));
    expect(lines[0]).toMatch(/ • coupon_used$/);
    expect(lines[1]).toMatch(/ 📝 заметка$/);
    expect(lines[2]).toMatch(/ 🏷 теги: −#x&lt;y$/);
    expect(lines[3]).toMatch(/ ⏱ сработал таймер$/);
  });
});
