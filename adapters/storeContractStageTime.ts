import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { CrmStore, Lead } from "../actors/store.port.ts";
import type { Stage } from "../machines/customer.types.ts";
import { manualClock, type OpenStore } from "./storeContract.ts";
import { aLead } from "./storeContractQueues.ts";

const t0 = Date.parse("2026-03-02T07:00:00Z");
const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

function leadAt(userId: number, stage: Stage, stageEnteredAt: Lead["stageEnteredAt"]): Lead {
  return { ...aLead(userId), stage, stageEnteredAt };
}

async function save(store: CrmStore, leads: readonly Lead[]): Promise<void> {
  await store.transact((tx) => {
    for (const lead of leads) {
      const seq = tx.appendEvent({ userId: lead.userId, type: "start", payload: "{}", at: t0, key: `lead:${lead.userId}` });
      tx.saveActor({ lead, snapshot: "{}", machineVersion: 1, lastSeq: seq ?? 0, previousStage: null });
    }
  });
}

/** Time in stage (actors/stageTime.port.ts) against each store: the same stage dates, the same figures, kept as leads move and across a restart. */
export function stageTimeContract(name: string, openStore: OpenStore): void {
  describe(`store contract: ${name}: time in stage`, () => {
    const dirs: string[] = [];
    const open: CrmStore[] = [];
    afterEach(async () => {
      for (const store of open.splice(0)) await store.close();
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    });

    it("gives the median and p90 time in each stage, the time to the first order and the conversions within 7 and 30 days, as leads move and after a restart", async () => {
      const dir = mkdtempSync(join(tmpdir(), `crm-stage-time-${name}-`));
      dirs.push(dir);
      const store = await openStore(dir, { clock: manualClock(t0) });
      open.push(store);
      expect((await store.stageTimes()).firstOrder).toEqual({ count: 0, medianMs: null, p90Ms: null });

      const anna = leadAt(1, "customer", { new: t0, engaged: t0 + 10 * minute, cart: t0 + 3 * hour, customer: t0 + 2 * day });
      await save(store, [anna, leadAt(2, "customer", { new: t0, customer: t0 + 10 * day }), leadAt(3, "new", { new: t0 }), leadAt(4, "engaged", { new: t0, engaged: t0 + 40 * day })]);
      await save(store, [anna]);
      const figures = await store.stageTimes();
      // new: 10 min, 10 d, 40 d → the median halfway through (7 d, 10 d], the p90 at 0.7 of (30 d, 45 d].
      expect(figures.stages.new).toEqual({ count: 3, medianMs: 8.5 * day, p90Ms: 40.5 * day });
      expect(figures.stages.engaged).toEqual({ count: 1, medianMs: 3 * hour, p90Ms: 3.8 * hour });
      expect(figures.stages.cart).toEqual({ count: 1, medianMs: 1.5 * day, p90Ms: 1.9 * day });
      expect(figures.stages.checkout).toEqual({ count: 0, medianMs: null, p90Ms: null });
      expect(figures.firstOrder).toEqual({ count: 2, medianMs: 2 * day, p90Ms: 9.4 * day });
      expect({ leads: figures.leads, within7Days: figures.within7Days, within30Days: figures.within30Days }).toEqual({ leads: 4, within7Days: 1, within30Days: 2 });

      await save(store, [leadAt(3, "engaged", { new: t0, engaged: t0 + hour })]);
      const moved = await store.stageTimes();
      expect(moved.stages.new.count).toBe(4);
      expect(moved.stages.new.medianMs).toBe(hour);
      expect(moved.leads).toBe(4);

      await store.close();
      open.splice(open.indexOf(store), 1);
      const reopened = await openStore(dir, { clock: manualClock(t0) });
      open.push(reopened);
      expect(await reopened.stageTimes()).toEqual(moved);
    });
  });
}
