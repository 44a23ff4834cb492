import { describe, expect, it } from "vitest";
import { runDemoTraffic } from "./demoTraffic.ts";
import { startDemoWorld } from "./demoWorld.ts";

describe("the demo's product photos", () => {
  it("uploads each sample picture the day shows once, then sends it by its file_id", async () => {
    const world = await startDemoWorld({ start: Date.parse("2026-11-23T06:00:00Z") });
    try {
      await runDemoTraffic(world, { customers: 50 });
      const photoCalls = world.telegram.calls.filter((call) => call.method === "sendPhoto" || call.method === "editMessageMedia");
      const uploads = photoCalls.filter((call) => call.files.length > 0).map((call) => call.files[0]?.filename);
      expect(uploads.length).toBeGreaterThanOrEqual(3);
      expect(new Set(uploads).size).toBe(uploads.length);
      expect(uploads.every((name) => name?.endsWith(".png"))).toBe(true);
      expect(photoCalls.filter((call) => call.files.length === 0 && call.ok === true).length).toBeGreaterThan(uploads.length);
      expect(photoCalls.every((call) => call.ok === true)).toBe(true);
      expect(world.problems).toEqual([]);
    } finally {
      await world.close();
    }
  });
});
