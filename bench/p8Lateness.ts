import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCustomerActors } from "../actors/customerActors.ts";
import { provideCustomerSettings } from "../actors/customerSettings.ts";
import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { deliverAtOnce } from "./deliverAtOnce.ts";
import { percentile, perSecond, random, round, type Figure } from "./figures.ts";

/** How long timers keep being armed, and the load keeps coming. */
const windowMs = 5_000;
/** The cart reminder's delay: each armed timer falls due this long after its add_to_cart, so due times spread over the window. */
const reminderMs = 2_000;
const tickMs = 10;
/** Per tick: browsing events to known customers (the load), and carts of new customers (the timers). */
const viewsPerTick = 30;
const cartsPerTick = 4;
const knownCustomers = 10_000;


/** Quiet hours that do not include this hour in UTC, so that a reminder due now is sent now, whenever the bench runs. */
function quietHoursAway(): { from: number; to: number } {
  const hour = new Date().getUTCHours();
  return { from: (hour + 3) % 24, to: (hour + 4) % 24 };
}

/** Runs the load on a real clock; resolves with the scheduler's lateness samples and what was dispatched. */
async function underLoad(path: string): Promise<{ lateness: readonly number[]; armed: number; dispatched: number; seconds: number }> {
  const store = openSqliteStore({ path });
  const machine = provideCustomerSettings({
    cartReminderMinutes: reminderMs / 60_000,
    dormantDays: 30,
    timeZone: "UTC",
    quietHours: quietHoursAway(),
    consentVersion: "v1",
    consultant: { maxQuestions: 20, windowMs: 3_600_000, timeoutMs: 60_000 },
  });
  const actors = createCustomerActors({ store, machine, handlers: deliverAtOnce });
  await actors.start();
  const next = random(8);
  const inFlight: Promise<unknown>[] = [];
  let armed = 0;
  let dispatched = 0;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      for (let i = 0; i < viewsPerTick; i++) {
        const userId = 1 + Math.floor(next() * knownCustomers);
        inFlight.push(actors.runtime.dispatch(userId, { type: "product_view", productId: `p${dispatched % 300}`, key: `p8late:view:${dispatched++}` }));
      }
      for (let i = 0; i < cartsPerTick; i++) {
        const userId = 1_000_000 + armed++;
        inFlight.push(actors.runtime.dispatch(userId, { type: "add_to_cart", productId: `p${armed % 300}`, qty: 1, key: `p8late:cart:${userId}` }));
      }
      if (performance.now() - started >= windowMs) {
        clearInterval(tick);
        resolve();
      }
    }, tickMs);
  });
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  const deadline = performance.now() + reminderMs + 10_000;
  while (actors.timers.stats().fired < armed && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const { lateness } = actors.timers.stats();
  await actors.stop();
  await store.close();
  return { lateness, armed, dispatched: dispatched + armed, seconds };
}

/** P8_late_ms: how late a timer fires while the runtime is busy, on the real clock. */
export async function p8Late(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), "crm-bench-p8-late-"));
  try {
    const run = await underLoad(join(dir, "crm.sqlite"));
    if (run.lateness.length < run.armed) throw new Error(`P8_late_ms: ${run.lateness.length} of ${run.armed} timers fired`);
    return [
      {
        id: "P8_late_ms",
        what: "p99 lateness of a timer while running (real clock)",
        value: round(percentile(run.lateness, 0.99), 0),
        unit: "ms",
        bar: "<= 1000",
        detail:
          `${run.armed.toLocaleString("en")} cart reminders armed by live add_to_carts over ${windowMs / 1000} s, each due ${reminderMs / 1000} s later, fired by the scheduler on SQLite ` +
          `while ${perSecond(run.dispatched / run.seconds)} ev/s were dispatched; lateness = commit of the firing − due time: p50 ${round(percentile(run.lateness, 0.5), 0)} ms, max ${round(Math.max(...run.lateness), 0)} ms`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
