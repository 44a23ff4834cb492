import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCustomerRuntime, type DispatchInput } from "../actors/customerRuntime.ts";
import { rebuildSqlite } from "../adapters/rebuild/sqliteRebuild.ts";
import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { customerMachine, customerMachineVersion } from "../machines/customer.machine.ts";
import type { CustomerEventInput } from "../machines/customer.types.ts";
import { random, round, type Figure } from "./figures.ts";

const customers = 5_000;
const events = 100_000;
/** Dispatches in flight at once, as P1 runs them. */
const concurrency = 2_000;
const start = Date.parse("2026-01-01T00:00:00Z");

/** P1's mix of events (mostly browsing, some carts, checkouts and orders), over fewer customers. */
function plan(): { userId: number; input: DispatchInput }[] {
  const next = random(11);
  const planned: { userId: number; input: DispatchInput }[] = [];
  for (let i = 0; i < events; i++) {
    const userId = 1 + Math.floor(next() * customers);
    const r = next();
    const event: CustomerEventInput =
      r < 0.05 ? { type: "start", source: "ads" }
      : r < 0.3 ? { type: "catalog_view" }
      : r < 0.6 ? { type: "product_view", productId: `p${Math.floor(next() * 200)}` }
      : r < 0.75 ? { type: "search", query: "зелёный чай" }
      : r < 0.9 ? { type: "add_to_cart", productId: `p${Math.floor(next() * 200)}`, qty: 1 }
      : r < 0.97 ? { type: "checkout_started" }
      : { type: "order_created", orderId: `A-${i}`, total: 990, currency: "RUB" };
    planned.push({ userId, input: { ...event, key: `tg:${i}:${event.type}`, at: start + i * 1_000 } });
  }
  return planned;
}

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
    const planned = plan();
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
