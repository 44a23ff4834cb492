import { describe, expect, it } from "vitest";
import { startLiveCustomer, type LiveCustomer } from "../machines/testing/liveCustomer.ts";
import { campaignDelayOf } from "../machines/ownerCampaign.machine.ts";
import { campaignTextProblem, defaultCampaignSettings, maxCampaignTextChars, parseCampaignSettings, type CampaignSettings } from "./campaignSettings.ts";
import { provideCustomerSettings, type CustomerSettings } from "./customerSettings.ts";

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
/** Monday 2026-03-02 10:00 in Moscow. */
const t0 = Date.parse("2026-03-02T07:00:00Z");

const shop: CustomerSettings = {
  cartReminderMinutes: 120,
  dormantDays: 30,
  timeZone: "Europe/Moscow",
  quietHours: { from: 22, to: 9 },
  consentVersion: "v1",
  consultant: { maxQuestions: 20, windowMs: hour, timeoutMs: minute },
};

const defaults = defaultCampaignSettings({ cartReminderMinutes: 120, winBackDays: 14 });
const winBackOn: CampaignSettings = { ...defaults, winBack: { ...defaults.winBack, enabled: true, text: "We miss you" } };
const secondOn: CampaignSettings = { ...defaults, secondReminder: { enabled: true, text: "Still there?", hours: 24 } };

/** A mutable source, as the owner bot's `save` makes one: the machine reads it at each step. */
function settable(initial: CampaignSettings) {
  let settings = initial;
  return { current: () => settings, set: (next: CampaignSettings) => (settings = next) };
}

function customer(campaigns: { current(): CampaignSettings }, at = t0): LiveCustomer {
  const live = startLiveCustomer({ machine: provideCustomerSettings(shop, campaigns), at });
  live.send({ type: "start", language: "en" });
  live.send({ type: "consent_given", version: "v1" });
  return live;
}

describe("the win-back", () => {
  it("is sent once per dormancy, WINBACK_DELAY_DAYS after the customer turned dormant, and again after the next dormancy", () => {
    const live = customer(settable(winBackOn));
    live.advanceTo(t0 + 30 * day);
    expect(live.snapshot().value.activity).toEqual({ dormant: "waiting" });
    live.advanceTo(t0 + 44 * day - 1);
    expect(live.named("sendWinBack")).toEqual([]);
    live.advanceTo(t0 + 44 * day);
    expect(live.named("sendWinBack")).toEqual([{ language: "en" }]);
    expect(live.snapshot().value.activity).toEqual({ dormant: "wonBack" });
    live.advanceBy(200 * day);
    expect(live.named("sendWinBack")).toHaveLength(1);
    live.send({ type: "catalog_view" });
    expect(live.emitted.map((event) => event.type)).toEqual(["dormant", "reactivated"]);
    live.advanceBy(44 * day);
    expect(live.named("sendWinBack")).toHaveLength(2);
  });

  it("is off until the owner turns it on with a text: the dormancy passes with nothing sent", () => {
    const live = customer(settable(defaults));
    live.advanceTo(t0 + 60 * day);
    expect(live.named("sendWinBack")).toEqual([]);
    expect(live.snapshot().value.activity).toEqual({ dormant: "skipped" });
  });

  it.each([
    ["unsubscribed", (live: LiveCustomer) => live.send({ type: "unsubscribed" })],
    ["blocked the bot", (live: LiveCustomer) => live.send({ type: "blocked" })],
    ["revoked consent", (live: LiveCustomer) => live.send({ type: "consent_revoked" })],
    ["erased their data", (live: LiveCustomer) => live.send({ type: "data_erased" })],
  ])("is not sent to a customer who %s", (_, setUp) => {
    const live = customer(settable(winBackOn));
    setUp(live);
    live.advanceBy(60 * day);
    expect(live.named("sendWinBack")).toEqual([]);
  });

  it("reaches a customer who subscribed again before it fell due", () => {
    const live = customer(settable(winBackOn));
    live.send({ type: "unsubscribed" });
    live.send({ type: "subscribed", at: t0 + 35 * day });
    expect(live.snapshot().context.unsubscribedAt).toBeNull();
    live.advanceTo(t0 + 44 * day);
    expect(live.named("sendWinBack")).toHaveLength(1);
  });

  it("falling due at night, waits for 09:00 in TIME_ZONE", () => {
    // Last seen at 23:00 Moscow: dormant, and due, at 23:00 too.
    const live = customer(settable(winBackOn), Date.parse("2026-03-02T20:00:00Z"));
    live.advanceTo(Date.parse("2026-03-02T20:00:00Z") + 44 * day);
    expect(live.named("sendWinBack")).toEqual([]);
    expect(live.snapshot().value.activity).toEqual({ dormant: "quiet" });
    live.advanceTo(Date.parse("2026-04-16T05:59:59Z"));
    expect(live.named("sendWinBack")).toEqual([]);
    live.advanceTo(Date.parse("2026-04-16T06:00:00Z"));
    expect(live.named("sendWinBack")).toHaveLength(1);
  });

  it("keeps a pending timer's due time when the owner changes the delay, sends nothing when the owner turned it off, and uses a new delay from the next arming", () => {
    const campaigns = settable(winBackOn);
    const live = customer(campaigns);
    live.advanceTo(t0 + 30 * day);
    campaigns.set({ ...winBackOn, winBack: { ...winBackOn.winBack, days: 3 } });
    live.advanceTo(t0 + 43 * day);
    expect(live.named("sendWinBack")).toEqual([]);
    live.advanceTo(t0 + 44 * day);
    expect(live.named("sendWinBack")).toHaveLength(1);

    live.send({ type: "start" });
    live.advanceBy(33 * day);
    expect(live.named("sendWinBack")).toHaveLength(2);

    live.send({ type: "start" });
    campaigns.set({ ...campaigns.current(), winBack: { ...campaigns.current().winBack, enabled: false } });
    live.advanceBy(40 * day);
    expect(live.named("sendWinBack")).toHaveLength(2);
  });

  it("is skipped, not sent late, when it fires more than 30 days after it was due (a long downtime, a replayed old dormancy)", () => {
    const live = customer(settable(winBackOn));
    live.advanceTo(t0 + 30 * day);
    // The customer's state as a replay rebuilt it: dormant since long ago, the timer overdue.
    const machine = provideCustomerSettings(shop, settable(winBackOn));
    const late = startLiveCustomer({ machine, at: t0 + 75 * day, snapshot: live.snapshot() });
    late.actor.send({ type: "xstate.after.winBack.customer.activity.dormant.waiting", at: t0 + 75 * day, seq: 99 } as never);
    expect(late.named("sendWinBack")).toEqual([]);
    expect(late.snapshot().value.activity).toEqual({ dormant: "skipped" });
  });
});

describe("the second cart reminder", () => {
  const fill = (live: LiveCustomer) => live.send({ type: "add_to_cart", productId: "p1", qty: 1 });

  it("is off by default: the first reminder comes, the second never does", () => {
    const live = customer(settable(defaults));
    fill(live);
    live.advanceBy(10 * day);
    expect(live.named("sendCartReminder")).toHaveLength(1);
    expect(live.named("sendSecondReminder")).toEqual([]);
  });

  it("when on, comes once, its own delay after the first reminder", () => {
    const live = customer(settable(secondOn));
    fill(live);
    live.advanceBy(2 * hour);
    expect(live.named("sendCartReminder")).toHaveLength(1);
    live.advanceBy(24 * hour - 1);
    expect(live.named("sendSecondReminder")).toEqual([]);
    live.advanceBy(1);
    expect(live.named("sendSecondReminder")).toEqual([{ language: "en" }]);
    expect(live.snapshot().value.cart).toEqual({ filled: { shopping: "remindedTwice" } });
    live.send({ type: "checkout_started" });
    live.send({ type: "checkout_cancelled" });
    live.advanceBy(10 * day);
    expect(live.named("sendSecondReminder")).toHaveLength(1);
  });

  it("waits for the morning, and is not sent to a customer who unsubscribed meanwhile or emptied the cart", () => {
    const night = customer(settable(secondOn), Date.parse("2026-03-02T17:00:00Z"));
    fill(night);
    // The first at 22:00 Moscow waits for 09:00; the second, due at 09:00 the day after, is sent then.
    night.advanceTo(Date.parse("2026-03-03T06:00:00Z"));
    expect(night.named("sendCartReminder")).toHaveLength(1);
    night.advanceTo(Date.parse("2026-03-04T06:00:00Z"));
    expect(night.named("sendSecondReminder")).toHaveLength(1);

    const unsubscribed = customer(settable(secondOn));
    fill(unsubscribed);
    unsubscribed.advanceBy(3 * hour);
    unsubscribed.send({ type: "unsubscribed" });
    unsubscribed.advanceBy(2 * day);
    expect(unsubscribed.named("sendSecondReminder")).toEqual([]);

    const emptied = customer(settable(secondOn));
    fill(emptied);
    emptied.advanceBy(3 * hour);
    emptied.send({ type: "cart_item_removed", productId: "p1" });
    emptied.advanceBy(2 * day);
    expect(emptied.named("sendSecondReminder")).toEqual([]);
  });

  it("the first reminder follows the owner's delay for carts filled after the change, and skips an unsubscribed customer", () => {
    const campaigns = settable(defaults);
    const live = customer(campaigns);
    campaigns.set({ ...defaults, cartReminderMinutes: 30 });
    fill(live);
    live.advanceBy(30 * minute);
    expect(live.named("sendCartReminder")).toHaveLength(1);

    const quiet = customer(settable(defaults));
    quiet.send({ type: "unsubscribed" });
    fill(quiet);
    quiet.advanceBy(day);
    expect(quiet.named("sendCartReminder")).toEqual([]);
  });
});

describe("unsubscribing", () => {
  it("is a fact that neither wakes a dormant customer nor counts as being seen", () => {
    const live = customer(settable(defaults));
    live.advanceTo(t0 + 31 * day);
    live.send({ type: "unsubscribed" });
    expect(live.snapshot().context).toMatchObject({ unsubscribedAt: t0 + 31 * day, lastSeenAt: t0, dormantSince: t0 + 30 * day });
    live.send({ type: "unsubscribed", at: t0 + 32 * day });
    expect(live.snapshot().context.unsubscribedAt).toBe(t0 + 31 * day);
    live.send({ type: "subscribed" });
    expect(live.snapshot().context.unsubscribedAt).toBeNull();
    expect(live.emitted.map((event) => event.type)).toEqual(["dormant"]);
  });
});

describe("campaign settings as stored", () => {
  it("reads what the owner saved, and keeps the defaults for anything missing, malformed or out of bounds", () => {
    expect(parseCampaignSettings(JSON.stringify(winBackOn), defaults)).toEqual(winBackOn);
    expect(parseCampaignSettings(undefined, defaults)).toEqual(defaults);
    expect(parseCampaignSettings("{not json", defaults)).toEqual(defaults);
    expect(parseCampaignSettings("[]", defaults)).toEqual(defaults);
    const bad = { cartReminderMinutes: 0, secondReminder: { enabled: true, text: " ", hours: -1 }, winBack: { enabled: true, text: "x".repeat(maxCampaignTextChars + 1), days: 1e9, catalogButton: "no" } };
    expect(parseCampaignSettings(JSON.stringify(bad), defaults)).toEqual(defaults);
  });

  it("refuses an empty or oversized text and a delay out of bounds", () => {
    expect(campaignTextProblem("")).toBe("empty");
    expect(campaignTextProblem("  \n ")).toBe("empty");
    expect(campaignTextProblem("x".repeat(maxCampaignTextChars + 1))).toBe("too_long");
    expect(campaignTextProblem("x".repeat(maxCampaignTextChars))).toBeNull();
    expect(["0", "366", "-3", "2.5", "abc", "", "1e3"].map((value) => campaignDelayOf("winBackDays", value))).toEqual([null, null, null, null, null, null, null]);
    expect(["1", " 14 ", "365"].map((value) => campaignDelayOf("winBackDays", value))).toEqual([1, 14, 365]);
    expect(campaignDelayOf("winBackText", "14")).toBeNull();
  });
});
