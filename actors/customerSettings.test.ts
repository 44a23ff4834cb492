import { describe, expect, it } from "vitest";
import { startLiveCustomer } from "../machines/testing/liveCustomer.ts";
import { inQuietHoursAt, msUntilQuietEnds, provideCustomerSettings, settingsProblems, type CustomerSettings } from "./customerSettings.ts";

const hour = 3_600_000;
const night = { from: 22, to: 9 };

const settings = (overrides: Partial<CustomerSettings> = {}): CustomerSettings => ({
  cartReminderMinutes: 120,
  dormantDays: 30,
  timeZone: "Europe/Berlin",
  quietHours: night,
  consentVersion: "v2",
  consultant: { maxQuestions: 2, windowMs: 10 * 60_000, timeoutMs: 30_000 },
  ...overrides,
});

describe("quiet hours in a time zone", () => {
  it.each([
    ["2026-03-02T18:59:00Z", false],
    ["2026-03-02T19:00:00Z", true],
    ["2026-03-02T23:30:00Z", true],
    ["2026-03-03T05:59:59Z", true],
    ["2026-03-03T06:00:00Z", false],
  ])("in Moscow (UTC+3), %s is quiet: %s", (instant, quiet) => {
    expect(inQuietHoursAt(Date.parse(instant), "Europe/Moscow", night)).toBe(quiet);
  });

  it("lasts until 09:00 local time, however the night is counted", () => {
    expect(msUntilQuietEnds(Date.parse("2026-03-02T20:00:00Z"), "Europe/Moscow", night)).toBe(10 * hour);
    expect(msUntilQuietEnds(Date.parse("2026-03-03T05:30:00Z"), "Europe/Moscow", night)).toBe(0.5 * hour);
    expect(msUntilQuietEnds(Date.parse("2026-03-03T06:00:00Z"), "Europe/Moscow", night)).toBe(0);
  });

  it("is an hour shorter on the night the clocks go forward, and an hour longer when they go back (Berlin)", () => {
    expect(msUntilQuietEnds(Date.parse("2026-03-28T22:00:00Z"), "Europe/Berlin", night)).toBe(9 * hour);
    expect(msUntilQuietEnds(Date.parse("2026-10-24T21:00:00Z"), "Europe/Berlin", night)).toBe(11 * hour);
    expect(msUntilQuietEnds(Date.parse("2026-03-29T06:30:00Z"), "Europe/Berlin", night)).toBe(0.5 * hour);
  });

  it("reads a window that does not span midnight", () => {
    const early = { from: 0, to: 7 };
    expect(inQuietHoursAt(Date.parse("2026-03-02T23:00:00Z"), "UTC", early)).toBe(false);
    expect(msUntilQuietEnds(Date.parse("2026-03-02T01:00:00Z"), "UTC", early)).toBe(6 * hour);
  });
});

describe("the customer machine with the shop's settings", () => {
  it("holds a reminder that falls due at night until 09:00, across the spring DST change", () => {
    const machine = provideCustomerSettings(settings());
    const live = startLiveCustomer({ machine, at: Date.parse("2026-03-28T20:00:00Z") });
    live.send({ type: "consent_given", version: "v2" });
    live.send({ type: "add_to_cart", productId: "p1", qty: 1, at: Date.parse("2026-03-28T20:30:00Z") });
    live.advanceTo(Date.parse("2026-03-28T22:30:00Z"));
    expect(live.snapshot().value.cart).toEqual({ filled: { shopping: "quiet" } });
    live.advanceTo(Date.parse("2026-03-29T06:59:59Z"));
    expect(live.named("sendCartReminder")).toEqual([]);
    live.advanceTo(Date.parse("2026-03-29T12:00:00Z"));
    expect(live.actions.filter((action) => action.type === "sendCartReminder").map((action) => new Date(action.at).toISOString())).toEqual(["2026-03-29T07:00:00.000Z"]);
  });

  it("sends a reminder due in the day at once, after the configured minutes", () => {
    const live = startLiveCustomer({ machine: provideCustomerSettings(settings({ cartReminderMinutes: 15 })), at: Date.parse("2026-03-02T09:00:00Z") });
    live.send({ type: "consent_given", version: "v2" });
    live.send({ type: "add_to_cart", productId: "p1", qty: 1 });
    live.advanceBy(15 * 60_000);
    expect(live.named("sendCartReminder")).toHaveLength(1);
  });

  it("restarts the wait when the customer changes the cart during the quiet hours", () => {
    const live = startLiveCustomer({ machine: provideCustomerSettings(settings()), at: Date.parse("2026-03-02T19:00:00Z") });
    live.send({ type: "consent_given", version: "v2" });
    live.send({ type: "add_to_cart", productId: "p1", qty: 1 });
    live.send({ type: "add_to_cart", productId: "p2", qty: 1, at: Date.parse("2026-03-02T21:30:00Z") });
    expect(live.snapshot().value.cart).toEqual({ filled: { shopping: "waiting" } });
  });

  it("neither reminds nor lets the consultant in on consent to other terms than the current ones", () => {
    const live = startLiveCustomer({ machine: provideCustomerSettings(settings()), at: Date.parse("2026-03-02T09:00:00Z") });
    live.send({ type: "consent_given", version: "v1" });
    live.send({ type: "add_to_cart", productId: "p1", qty: 1 });
    live.send({ type: "consultant_entered" });
    live.advanceBy(3 * hour);
    expect(live.named("sendCartReminder")).toEqual([]);
    expect(live.snapshot().value).toMatchObject({ cart: { filled: { shopping: "skipped" } }, consultant: "off" });
    live.send({ type: "consent_given", version: "v2" });
    live.send({ type: "consultant_entered" });
    expect(live.snapshot().value.consultant).toBe("listening");
  });

  it("applies the configured rate limit, consultant timeout and dormancy period", () => {
    const live = startLiveCustomer({ machine: provideCustomerSettings(settings({ dormantDays: 7 })), at: Date.parse("2026-03-02T09:00:00Z") });
    live.send({ type: "consent_given", version: "v2" });
    live.send({ type: "consultant_entered" });
    live.send({ type: "question_asked", text: "One?" });
    live.advanceBy(30_000);
    expect(live.named("sendConsultantFailure")).toEqual([{ reason: "timeout", language: "ru" }]);
    live.send({ type: "question_asked", text: "Two?" });
    live.send({ type: "consultant_answered", text: "Yes." });
    live.send({ type: "question_asked", text: "Three?" });
    expect(live.named("askConsultant")).toHaveLength(2);
    live.advanceTo(Date.parse("2026-03-09T09:00:30Z") - 1);
    expect(live.snapshot().value.activity).toBe("active");
    live.advanceBy(1);
    expect(live.snapshot().value.activity).toEqual({ dormant: "waiting" });
  });
});

describe("settings problems", () => {
  it("accepts the defaults", () => {
    expect(settingsProblems(settings())).toEqual([]);
  });

  it("names every unusable setting at once, and provideCustomerSettings refuses them", () => {
    const bad = settings({
      cartReminderMinutes: 0,
      dormantDays: Number.NaN,
      timeZone: "Mars/Olympus",
      quietHours: { from: 9, to: 9 },
      consultant: { maxQuestions: 51, windowMs: -1, timeoutMs: 0 },
    });
    expect(settingsProblems(bad)).toEqual([
      "cartReminderMinutes must be a positive number, got 0",
      "dormantDays must be a positive number, got NaN",
      "consultant.windowMs must be a positive number, got -1",
      "consultant.timeoutMs must be a positive number, got 0",
      "consultant.maxQuestions must be a whole number from 1 to 50, got 51",
      "quietHours must be two different hours from 0 to 23, got 9 to 9",
      'timeZone must be an IANA time zone, got "Mars/Olympus"',
    ]);
    expect(() => provideCustomerSettings(bad)).toThrow(/^customer settings: cartReminderMinutes .*Mars\/Olympus/);
    expect(settingsProblems(settings({ quietHours: { from: 22, to: 24 } }))).toEqual(["quietHours must be two different hours from 0 to 23, got 22 to 24"]);
  });
});
