import { describe, expect, it } from "vitest";
import type { SummaryInput } from "../../actors/ai.port.ts";
import { summaryPrompt } from "./prompts.ts";

/** 00:03 on 24 November in Moscow, still 23 November in UTC. */
const justAfterMidnight = Date.parse("2026-11-23T21:03:00Z");

const input: SummaryInput = {
  language: "ru",
  timeZone: "Europe/Moscow",
  chat: [{ role: "customer", text: "Какой кофе для турки?", at: justAfterMidnight + 60_000 }],
  stage: "customer",
  stageHistory: [
    { stage: "new", at: new Date(justAfterMidnight).toISOString() },
    { stage: "customer", at: new Date(justAfterMidnight + 5 * 60_000).toISOString() },
  ],
  ordersCount: 1,
  lifetimeValue: 890,
  currency: "RUB",
  orders: [{ orderId: "SO-1", total: 890, at: new Date(justAfterMidnight + 5 * 60_000).toISOString(), items: "Эфиопия × 1" }],
  notes: [],
  tags: [],
};

describe("the client summary prompt", () => {
  it("gives every time in the shop's time zone, the zone the owner's card shows, and says so", () => {
    const { system, user } = summaryPrompt(input);
    expect(user).toContain("Stage history: new 2026-11-24 00:03; customer 2026-11-24 00:08");
    expect(user).toContain("- SO-1, 2026-11-24 00:08, 890 RUB: Эфиопия × 1");
    expect(user).toContain("2026-11-24 00:04 customer: Какой кофе для турки?");
    expect(user).not.toContain("2026-11-23");
    expect(system).toContain("Times in the data are local time in Europe/Moscow");
    expect(system).not.toContain("UTC");
  });

  it("keeps a time it cannot read as it is", () => {
    const { user } = summaryPrompt({ ...input, stageHistory: [{ stage: "new", at: "unknown" }] });
    expect(user).toContain("Stage history: new unknown");
  });
});
