import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

const base = { SHOP_BOT_TOKEN: "123456:AAsecretTokenValue_abcdefghijklmnopqrstu" };

describe("BROADCAST_PER_SECOND", () => {
  it("is 25 by default, and takes 1 to 30", () => {
    const config = loadConfig(base);
    expect(config.ok && config.config.BROADCAST_PER_SECOND).toBe(25);
    for (const value of ["1", "30"]) {
      const set = loadConfig({ ...base, BROADCAST_PER_SECOND: value });
      expect(set.ok && set.config.BROADCAST_PER_SECOND).toBe(Number(value));
    }
  });

  it("is refused at start-up above 30, below 1 or not a whole number, in one line naming it", () => {
    for (const value of ["31", "0", "-5", "2.5", "fast"]) {
      const result = loadConfig({ ...base, BROADCAST_PER_SECOND: value });
      expect(result.ok, value).toBe(false);
      const problems = result.ok ? [] : result.problems;
      expect(problems.filter((line) => line.startsWith("BROADCAST_PER_SECOND: expected")), value).toHaveLength(1);
      expect(problems.join("\n")).not.toContain("AAsecretTokenValue");
    }
  });
});
