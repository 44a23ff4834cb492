import { describe, expect, it } from "vitest";
import { reconcileTimers, rebuiltDiffers, type RebuiltCustomer } from "./rebuild.ts";
import type { TimerRow } from "./store.port.ts";

const timer = (sendId: string, dueAt: number, seq = 1): TimerRow => ({ actor: "customer:7", sendId, dueAt, event: `{"type":"${sendId}"}`, key: `t:customer:7:${seq}:${sendId}` });

describe("reconciling an actor's timers with the ones its rebuilt log leaves armed", () => {
  it("removes the ones the new definition no longer sets, puts new and moved ones, and leaves identical ones alone", () => {
    const stored = [timer("reminder", 100), timer("dormancy", 500), timer("winBack", 900)];
    const wanted = [timer("reminder", 100), timer("dormancy", 400), timer("consultant", 50, 3)];
    expect(reconcileTimers(stored, wanted)).toEqual({ remove: ["winBack"], put: [timer("dormancy", 400), timer("consultant", 50, 3)] });
  });

  it("puts a timer armed by another event again (its key names the arming event)", () => {
    expect(reconcileTimers([timer("reminder", 100, 1)], [timer("reminder", 100, 2)]).put).toEqual([timer("reminder", 100, 2)]);
  });

  it("finds nothing to change when the stored state is the rebuilt one, and a difference in any part of it", () => {
    const rebuilt: RebuiltCustomer = { write: { lead: {} as RebuiltCustomer["write"]["lead"], snapshot: "{}", machineVersion: 2, lastSeq: 4, previousStage: null }, timers: [timer("reminder", 100)] };
    const same = { machineVersion: 2, snapshot: "{}", timers: [timer("reminder", 100)] };
    expect(rebuiltDiffers(rebuilt, same)).toBe(false);
    expect(rebuiltDiffers(rebuilt, { ...same, machineVersion: 1 })).toBe(true);
    expect(rebuiltDiffers(rebuilt, { ...same, snapshot: "{ }" })).toBe(true);
    expect(rebuiltDiffers(rebuilt, { ...same, timers: [] })).toBe(true);
    expect(rebuiltDiffers(rebuilt, { ...same, timers: [timer("reminder", 100), timer("winBack", 9)] })).toBe(true);
  });
});
