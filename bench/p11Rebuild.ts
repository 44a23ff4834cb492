import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCustomerRuntime } from "../actors/customerRuntime.ts";
import { rebuildSqlite } from "../adapters/rebuild/sqliteRebuild.ts";
import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { customerMachine, customerMachineVersion } from "../machines/customer.machine.ts";
import { round, type Figure } from "./figures.ts";
import { shopMix } from "./shopMix.ts";

const customers = 5_000;
const events = 100_000;
/** Dispatches in flight at once, as P1 runs them. */
const concurrency = 2_000;


/**
 * P11_rebuild: `npm run rebuild`'s events/s ÷ `dispatch`'s events/s, in the same run, on the same
 * customers and events. The dispatch side writes the history as the previous machine version
 * (every customer then differs, so the rebuild switches every one: its worst case); the rebuild
 * side is the whole command's work, replay into the shadow file and the switch, on the same file.
 */
export async function p11Rebuild(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), "crm-bench-p11-rebuild-"));
  const path = join(dir, "crm.sqlite");
  try {
    const planned = shopMix({ events, customers, seed: 11 });
    const store = openSqliteStore({ path, machineVersion: customerMachineVersion - 1 });
    const runtime = createCustomerRuntime({ store, maxActive: 2_000, machineVersion: customerMachineVersion - 1 });
    const t0 = performance.now();
    for (let i = 0; i < planned.length; i += concurrency) {
      await Promise.all(planned.slice(i, i + concurrency).map(({ userId, input }) => runtime.dispatch(userId, input)));
    }
    const dispatchSeconds = (performance.now() - t0) / 1000;
    await runtime.close();
    await store.close();

    let replayedAt = 0;
    const t1 = performance.now();
    const result = await rebuildSqlite({ path, machine: customerMachine, machineVersion: customerMachineVersion, hooks: { beforeSwitch: () => void (replayedAt = performance.now()) } });
    const t2 = performance.now();
    const rebuildSeconds = (t2 - t1) / 1000;
    const dispatchRate = events / dispatchSeconds;
    const rebuildRate = result.events / rebuildSeconds;
    return [
      {
        id: "P11_rebuild",
        what: `npm run rebuild events/s ÷ dispatch events/s, the same ${customers.toLocaleString("en")} customers and ${events.toLocaleString("en")} events, every customer switched`,
        value: round(rebuildRate / dispatchRate),
        unit: "ratio",
        bar: ">= 2",
        detail: `rebuild ${Math.round(rebuildRate).toLocaleString("en")} ev/s (replay ${round((replayedAt - t1) / 1000)} s, switch of ${result.switched.toLocaleString("en")} customers ${round((t2 - replayedAt) / 1000)} s) vs dispatch ${Math.round(dispatchRate).toLocaleString("en")} ev/s`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
