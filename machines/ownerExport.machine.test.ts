import { describe, expect, it } from "vitest";
import { initialTransition, transition } from "xstate";
import { exportPeriodOf, ownerExportMachine } from "./ownerExport.machine.ts";

describe("exportPeriodOf", () => {
  it("reads two days in ISO or Russian order with any separator, and one day alone", () => {
    expect(exportPeriodOf("2026-11-01 2026-11-30")).toEqual({ from: "2026-11-01", to: "2026-11-30" });
    expect(exportPeriodOf("01.11.2026 - 30.11.2026")).toEqual({ from: "2026-11-01", to: "2026-11-30" });
    expect(exportPeriodOf("1.11.2026 по 3.11.2026")).toEqual({ from: "2026-11-01", to: "2026-11-03" });
    expect(exportPeriodOf(" 2026-02-28 ")).toEqual({ from: "2026-02-28", to: "2026-02-28" });
  });

  it("refuses words, days that do not exist, a reversed period and one too long", () => {
    expect(exportPeriodOf("вчера")).toBe("unreadable");
    expect(exportPeriodOf("")).toBe("unreadable");
    expect(exportPeriodOf("2026-02-30 2026-03-01")).toBe("unreadable");
    expect(exportPeriodOf("2026-11-01 2026-11-02 2026-11-03")).toBe("unreadable");
    expect(exportPeriodOf("2026-11-01 и ещё 2026-11-02")).toBe("unreadable");
    expect(exportPeriodOf("30.11.2026 - 01.11.2026")).toBe("reversed");
    expect(exportPeriodOf("2000-01-01 2026-01-01")).toBe("too_long");
  });
});

describe("ownerExportMachine", () => {
  it("waits for a period, says why a text is refused, keeps the period read, and cancels", () => {
    const [idle] = initialTransition(ownerExportMachine);
    const [waiting] = transition(ownerExportMachine, idle, { type: "START" });
    expect(waiting.value).toBe("awaitingPeriod");
    const [refused] = transition(ownerExportMachine, waiting, { type: "TEXT", text: "30.11.2026 - 01.11.2026" });
    expect(refused.value).toBe("awaitingPeriod");
    expect(refused.context.error).toBe("reversed");
    const [chosen] = transition(ownerExportMachine, refused, { type: "TEXT", text: "01.11.2026 - 30.11.2026" });
    expect(chosen.value).toBe("chosen");
    expect(chosen.context).toEqual({ from: "2026-11-01", to: "2026-11-30", error: null });
    expect(transition(ownerExportMachine, chosen, { type: "TEXT", text: "2026-01-01" })[0].context.from).toBe("2026-11-01");
    const [cancelled] = transition(ownerExportMachine, chosen, { type: "CANCEL" });
    expect(cancelled.value).toBe("idle");
    expect(cancelled.context.from).toBeNull();
  });
});
