import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createCustomerRuntime } from "../../actors/customerRuntime.ts";
import type { CustomerMachine } from "../../actors/customerSnapshot.ts";
import { openJsonStore } from "../json/jsonStore.ts";
import { manualClock } from "../storeContract.ts";
import { rebuildJson } from "./jsonRebuild.ts";
import { newMachine, oldMachine, shopTraffic } from "./testing/funnelVariant.ts";
import { funnelViews } from "./testing/storeViews.ts";

const t0 = Date.parse("2026-03-02T07:00:00Z");
const traffic = shopTraffic(30);
const userIds = [...new Set(traffic.map(({ userId }) => userId))];

describe("npm run rebuild on the JSON store (offline)", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function feed(machine: CustomerMachine, machineVersion: number): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), "crm-rebuild-json-"));
    dirs.push(dir);
    const clock = manualClock(t0);
    const store = await openJsonStore({ dir, clock });
    const runtime = createCustomerRuntime({ store, clock, machine, machineVersion });
    for (const { userId, event } of traffic) await runtime.dispatch(userId, event);
    await runtime.close();
    await store.close();
    return dir;
  }

  async function viewsOf(dir: string) {
    const store = await openJsonStore({ dir });
    try {
      return await funnelViews(store, userIds, t0 - 86_400_000, 4);
    } finally {
      await store.close();
    }
  }

  it("after a change of the funnel, gives what a fresh replay gives, after a restart too, and a second run changes nothing", async () => {
    const rebuilt = await feed(oldMachine(), 1);
    const fresh = await feed(newMachine(), 2);
    const expected = await viewsOf(fresh);
    expect(await viewsOf(rebuilt)).not.toEqual(expected);
    const progress: number[] = [];
    const result = await rebuildJson({ dir: rebuilt, machine: () => newMachine(), machineVersion: 2, progress: (done) => progress.push(done) });
    expect(result).toMatchObject({ customers: 30, events: traffic.length, switched: 30 });
    expect(progress.at(-1)).toBe(30);
    expect(await viewsOf(rebuilt)).toEqual(expected);
    expect(await rebuildJson({ dir: rebuilt, machine: () => newMachine(), machineVersion: 2 })).toMatchObject({ switched: 0 });
  });
});
