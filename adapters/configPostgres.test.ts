import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

const token = "7002:AAH-config-test-token-not-real_1234";
const problemsOf = (env: Record<string, string>): readonly string[] => {
  const loaded = loadConfig({ SHOP_BOT_TOKEN: token, ...env });
  return loaded.ok ? [] : loaded.problems;
};

describe("CLAIM_LEASE_SECONDS (several processes on PostgreSQL)", () => {
  it("leases claims for 5 minutes by default, and takes a lease longer than an effect's longest attempt", () => {
    const loaded = loadConfig({ SHOP_BOT_TOKEN: token });
    expect(loaded.ok && loaded.config.CLAIM_LEASE_SECONDS).toBe(300);
    const custom = loadConfig({ SHOP_BOT_TOKEN: token, AI_TIMEOUT_SECONDS: "5", CLAIM_LEASE_SECONDS: "36" });
    expect(custom.ok && custom.config.CLAIM_LEASE_SECONDS).toBe(36);
  });

  it.each([
    [{ CLAIM_LEASE_SECONDS: "60" }, "60"],
    [{ CLAIM_LEASE_SECONDS: "35", AI_TIMEOUT_SECONDS: "5" }, "35"],
    [{ CLAIM_LEASE_SECONDS: "0" }, "0"],
  ])("refuses a lease an effect's attempt could outlast (%o) in one line naming it", (env, shown) => {
    // An attempt may take AI_TIMEOUT_SECONDS + 30 s: a shorter lease would let a second process deliver the same effect meanwhile.
    expect(problemsOf(env)).toEqual([`CLAIM_LEASE_SECONDS: expected a whole number of seconds (more than AI_TIMEOUT_SECONDS + 30) a process's claim on a due timer or effect keeps the other processes off it (STORE=postgres); a process that dies leaves its claims to the others after it, got ${shown}`]);
  });

  it("refuses a lease that is not a whole number", () => {
    expect(problemsOf({ CLAIM_LEASE_SECONDS: "soon" })).toEqual([expect.stringMatching(/^CLAIM_LEASE_SECONDS: expected a whole number of seconds/)]);
  });
});
