import { describe, expect, it } from "vitest";
import { campaignDefaultsOf, loadConfig } from "./config.ts";

const token = "7002:AAH-config-test-token-not-real_1234";
const problemsOf = (env: Record<string, string>): readonly string[] => {
  const loaded = loadConfig({ SHOP_BOT_TOKEN: token, ...env });
  return loaded.ok ? [] : loaded.problems;
};

describe("campaign settings from the environment", () => {
  it("waits 14 days for the win-back by default, and keeps both new campaigns off until the owner writes their texts", () => {
    const loaded = loadConfig({ SHOP_BOT_TOKEN: token, CART_REMINDER_MINUTES: "90" });
    if (!loaded.ok) throw new Error(loaded.problems.join("; "));
    expect(campaignDefaultsOf(loaded.config)).toEqual({
      cartReminderMinutes: 90,
      secondReminder: { enabled: false, text: "", hours: 24 },
      winBack: { enabled: false, text: "", days: 14, catalogButton: true },
    });
    const custom = loadConfig({ SHOP_BOT_TOKEN: token, WINBACK_DELAY_DAYS: "21" });
    expect(custom.ok && campaignDefaultsOf(custom.config).winBack.days).toBe(21);
  });

  it.each(["0", "366", "-3", "two", "1.5"])("refuses WINBACK_DELAY_DAYS=%s in one line naming it", (value) => {
    expect(problemsOf({ WINBACK_DELAY_DAYS: value })).toEqual([expect.stringMatching(/^WINBACK_DELAY_DAYS: expected a whole number of days \(1–365\)/)]);
  });
});
