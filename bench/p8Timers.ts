import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCustomerRuntime, type CustomerRuntime, type DispatchInput } from "../actors/customerRuntime.ts";
import { createTimerScheduler } from "../actors/timerScheduler.ts";
import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { best, perSecond, round, type Figure } from "./figures.ts";
import { copyOf } from "./syntheticCrm.ts";

const minute = 60_000;
const hour = 60 * minute;
/** A Monday morning: nothing about it is special to the default machine, which has no quiet hours. */
const t0 = Date.parse("2026-03-02T07:00:00Z");
const fireCustomers = 100_000;
/** The scheduler's own batch (its default): each batch of firings is one group commit. */
const batch = 500;
const fixedClock = (at: number) => ({ now: () => at });

async function waves(runtime: CustomerRuntime, count: number, size: number, input: (userId: number) => DispatchInput): Promise<void> {
  for (let first = 1; first <= count; first += size) {
    const wave: Promise<unknown>[] = [];
    for (let userId = first; userId < Math.min(first + size, count + 1); userId++) wave.push(runtime.dispatch(userId, input(userId)));
    await Promise.all(wave);
  }
}

/** 100,000 customers, each of whom put a product in the cart at t0 (+ its id in ms): a cart reminder due 2 h later, and a dormancy timer due in 30 days. */
async function armedCustomers(path: string): Promise<void> {
  const store = openSqliteStore({ path });
  const runtime = createCustomerRuntime({ store, clock: fixedClock(t0) });
  await waves(runtime, fireCustomers, 1_000, (userId) => ({ type: "add_to_cart", productId: `p${userId % 300}`, qty: 1, key: `p8:cart:${userId}`, at: t0 + userId }));
  const armed = store.timersCount();
  await runtime.close();
  await store.close();
  if (armed !== 2 * fireCustomers) throw new Error(`P8_fire: expected ${2 * fireCustomers} armed timers, found ${armed}`);
}

/** Events per second: one `product_view` to each customer, in their order, in waves of the scheduler's batch. */
async function dispatchRate(path: string): Promise<number> {
  const store = openSqliteStore({ path });
  const runtime = createCustomerRuntime({ store, clock: fixedClock(t0 + hour) });
  const started = performance.now();
  await waves(runtime, fireCustomers, batch, (userId) => ({ type: "product_view", productId: `p${userId % 300}`, key: `p8:view:${userId}`, at: t0 + hour + userId }));
  const seconds = (performance.now() - started) / 1000;
  await runtime.close();
  await store.close();
  return fireCustomers / seconds;
}

/** Events per second: the scheduler firing every due cart reminder (one per customer), read from the store in due order. */
async function fireRate(path: string): Promise<number> {
  const store = openSqliteStore({ path });
  const now = t0 + 3 * hour;
  const runtime = createCustomerRuntime({ store, clock: fixedClock(now) });
  const scheduler = createTimerScheduler({ queues: store, fire: (row, at) => runtime.fireTimer(row, at), clock: fixedClock(now), batchSize: batch });
  const started = performance.now();
  await scheduler.fireDue(now);
  const seconds = (performance.now() - started) / 1000;
  const { fired, stale, failed } = scheduler.stats();
  const left = store.dueTimers(now, 1).length;
  await runtime.close();
  await store.close();
  if (fired !== fireCustomers || stale + failed > 0 || left > 0) throw new Error(`P8_fire: fired ${fired}, stale ${stale}, failed ${failed}, ${left} still due`);
  return fired / seconds;
}

/** P8_fire: firing 100,000 due timers through the scheduler and the runtime, as a ratio to dispatching as many events. */
export async function p8Fire(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), "crm-bench-p8-fire-"));
  const fire: number[] = [];
  const dispatch: number[] = [];
  try {
    const armed = join(dir, "armed.sqlite");
    await armedCustomers(armed);
    for (let round = 0; round < 3; round++) {
      dispatch.push(await dispatchRate(copyOf(armed, join(dir, `dispatch-${round}.sqlite`))));
      fire.push(await fireRate(copyOf(armed, join(dir, `fire-${round}.sqlite`))));
      rmSync(join(dir, `dispatch-${round}.sqlite`), { force: true });
      rmSync(join(dir, `fire-${round}.sqlite`), { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    {
      id: "P8_fire",
      what: "firing 100k due timers, events/s ÷ dispatch events/s",
      value: round(best(fire) / best(dispatch)),
      unit: "ratio",
      bar: ">= 0.5",
      detail:
        `fire ${perSecond(best(fire))} ev/s: the scheduler reads the due cart reminders ${batch} at a time in due order and fires each (the row checked and deleted, the timer event appended and stepped, the lead saved); ` +
        `dispatch ${perSecond(best(dispatch))} ev/s: a product_view to each of the same customers (appended, stepped, lead saved), ${batch} in flight. ` +
        `SQLite, ${fireCustomers.toLocaleString("en")} customers cold in a fresh copy of the same file, ${fireCustomers.toLocaleString("en")} more timers pending, default group commit; best of 3`,
    },
  ];
}

const scanDue = 100;
const scanLimit = batch;
const scanPeriodMs = 1_000;

/** A store holding `pending` armed timers, inserted in due order, one a second from t0; the first `scanDue` are due at `t0 + scanDue - 1` s. */
async function pendingTimers(path: string, pending: number): Promise<ReturnType<typeof openSqliteStore>> {
  const store = openSqliteStore({ path });
  const chunk = 50_000;
  for (let first = 1; first <= pending; first += chunk) {
    await store.transact((tx) => {
      for (let userId = first; userId < Math.min(first + chunk, pending + 1); userId++) {
        const sendId = "xstate.after.dormancy.customer.activity.active";
        tx.setTimer({ actor: `customer:${userId}`, sendId, dueAt: t0 + (userId - 1) * 1_000, event: JSON.stringify({ type: sendId }), key: `t:customer:${userId}:${userId}:${sendId}` });
      }
    });
  }
  return store;
}

/** Look-ups per second of what is due, for `scanPeriodMs`. */
function lookupsPerSecond(store: ReturnType<typeof openSqliteStore>): number {
  const now = t0 + (scanDue - 1) * 1_000;
  if (store.dueTimers(now, scanLimit).length !== scanDue) throw new Error("P8_scan: the due set is not what was armed");
  let calls = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < scanPeriodMs) {
    for (let i = 0; i < 100; i++) store.dueTimers(now, scanLimit);
    calls += 100;
    elapsed = performance.now() - started;
  }
  return calls / (elapsed / 1000);
}

/** P8_scan: finding what is due must not slow down as more timers wait. */
export async function p8Scan(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), "crm-bench-p8-scan-"));
  const small: number[] = [];
  const large: number[] = [];
  try {
    const few = await pendingTimers(join(dir, "100k.sqlite"), 100_000);
    const many = await pendingTimers(join(dir, "1m.sqlite"), 1_000_000);
    try {
      for (let round = 0; round < 3; round++) {
        small.push(lookupsPerSecond(few));
        large.push(lookupsPerSecond(many));
      }
    } finally {
      await few.close();
      await many.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    {
      id: "P8_scan",
      what: "due-timer look-ups/s with 1M timers pending ÷ with 100k",
      value: round(best(large) / best(small)),
      unit: "ratio",
      bar: ">= 0.8",
      detail: `store.dueTimers(now, ${scanLimit}) on SQLite, ${scanDue} timers due in both: ${perSecond(best(large))}/s with 1,000,000 pending vs ${perSecond(best(small))}/s with 100,000 (best of 3 runs of ${scanPeriodMs / 1000} s)`,
    },
  ];
}
