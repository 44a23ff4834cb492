import { describe, expect, it } from "vitest";
import { loadConfig, paymentMethodsOf } from "./config.ts";

const token = "7002:AAH-config-test-token-not-real_1234";
const problemsOf = (env: Record<string, string>): readonly string[] => {
  const loaded = loadConfig({ SHOP_BOT_TOKEN: token, ...env });
  return loaded.ok ? [] : loaded.problems;
};

describe("payment settings", () => {
  it("takes cash alone by default, and any subset of stars, provider and cash in a fixed order", () => {
    const loaded = loadConfig({ SHOP_BOT_TOKEN: token });
    expect(loaded.ok && paymentMethodsOf(loaded.config)).toEqual(["cash"]);
    expect(paymentMethodsOf({ PAYMENTS: " cash, STARS " })).toEqual(["stars", "cash"]);
    expect(paymentMethodsOf({ PAYMENTS: "stars,bitcoin" })).toBeNull();
    expect(paymentMethodsOf({ PAYMENTS: " , " })).toBeNull();
  });

  it("refuses a method that cannot work: a provider without its token, Stars without a price", () => {
    const problems = problemsOf({ PAYMENTS: "stars,provider" });
    expect(problems.some((line) => line.startsWith("PAYMENT_PROVIDER_TOKEN:") && line.includes("PAYMENTS includes provider"))).toBe(true);
    expect(problems.some((line) => line.startsWith("STAR_PRICE:") && line.includes("PAYMENTS includes stars"))).toBe(true);
    expect(problemsOf({ PAYMENTS: "stars", STAR_PRICE: "1.8" })).toEqual([]);
    expect(problemsOf({ PAYMENTS: "provider", PAYMENT_PROVIDER_TOKEN: "284685063:TEST:not-a-real-provider-token" })).toEqual([]);
  });

  it("names a bad value with the setting, and never prints the provider token", () => {
    expect(problemsOf({ PAYMENTS: "bitcoin" })).toEqual([expect.stringMatching(/^PAYMENTS: expected .*, got "bitcoin"$/)]);
    expect(problemsOf({ PAYMENTS: "stars", STAR_PRICE: "-1" })).toEqual([expect.stringMatching(/^STAR_PRICE: expected .*, got -1$/)]);
    expect(problemsOf({ ORDER_PAYMENT_MINUTES: "0", ORDER_FEEDBACK_HOURS: "-2" })).toHaveLength(2);
    const secret = "284685063:TEST:secret-provider-token-value";
    expect(problemsOf({ PAYMENTS: "bitcoin", PAYMENT_PROVIDER_TOKEN: secret }).join("\n")).not.toContain(secret);
  });
});
