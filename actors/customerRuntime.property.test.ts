import fc from "fast-check";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { manualClock } from "../adapters/storeContract.ts";
import { customerEffects, customerMachine, customerWrites } from "../machines/customer.machine.ts";
import type { CustomerEventInput } from "../machines/customer.types.ts";
import { createCustomerRuntime, type CustomerRuntime, type CustomerTransition } from "./customerRuntime.ts";
import { createCustomerStepper, customerActor } from "./customerStepper.ts";
import { customerEventArb, pauseArb } from "./fixtures/customerEvents.ts";
import { startLiveRecorder } from "./fixtures/liveRecorder.ts";
import type { CrmStore } from "./store.port.ts";
import { createTimerScheduler, type TimerScheduler } from "./timerScheduler.ts";

const t0 = Date.parse("2026-03-02T08:00:00Z");
/** A pause, plus a few odd milliseconds so that two timers never fall due at the same instant. */
const stepArb = fc.tuple(pauseArb, fc.integer({ min: 1, max: 997 }), customerEventArb);
const normalise = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? {}));

describe("customer runtime against a live XState actor", () => {
  let dir: string;
  let store: CrmStore;
  let runtime: CustomerRuntime;
  let scheduler: TimerScheduler;
  const clock = manualClock(t0);
  const seen: CustomerTransition[] = [];
  const stepper = createCustomerStepper();

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "crm-property-"));
    store = openSqliteStore({ path: join(dir, "crm.sqlite"), clock });
    // maxActive 0: every event activates its customer from the stored snapshot, so persistence is in the loop.
    runtime = createCustomerRuntime({ store, clock, maxActive: 0, observe: (transition) => seen.push(transition) });
    scheduler = createTimerScheduler({ queues: store, fire: (row, at) => runtime.fireTimer(row, at), clock });
  });
  afterAll(async () => {
    await runtime.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Fires, in due order and each at its due time, every timer due by `until`. */
  async function runtimeAdvanceTo(until: number): Promise<void> {
    for (;;) {
      const next = store.nextTimerDue();
      if (next === null || next > until) break;
      clock.set(next);
      await scheduler.fireDue(next);
    }
    clock.set(until);
  }

  let userId = 0;
  it("steps, arms, cancels and fires as a live actor on a SimulatedClock does, and queues the same writes and effects", { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { maxLength: 12 }), fc.tuple(pauseArb, fc.integer({ min: 1, max: 997 })), async (steps, [lastPause, lastJitter]) => {
        userId++;
        seen.length = 0;
        /** The runtime's firings not yet matched by the live actor's: the live actor takes their seqs. */
        const unmatched: { type: string; seq: number }[] = [];
        const runtimeFirings: { type: string; at: number }[] = [];
        const named: { type: string; params: unknown }[] = [];
        const live = startLiveRecorder(customerMachine, {
          at: t0,
          input: { userId },
          names: [...customerWrites, ...customerEffects],
          seqOfFiring: (type) => (unmatched[0]?.type === type ? (unmatched.shift()?.seq ?? -1) : -1),
        });
        const collect = (): void => {
          for (const { event, actions } of seen.splice(0)) {
            if (event.type.startsWith("xstate.after.")) {
              unmatched.push({ type: event.type, seq: event.seq });
              runtimeFirings.push({ type: event.type, at: event.at });
            }
            for (const action of actions) if (action.kind === "write" || action.kind === "effect") named.push({ type: action.name, params: normalise(action.params) });
          }
        };
        /** Both sides move to `at`: the runtime's scheduler first, then the live clock, which must fire the same timers. */
        const advanceBoth = async (to: number): Promise<void> => {
          await runtimeAdvanceTo(to);
          collect();
          live.advanceTo(to);
          expect(unmatched, "the live actor fired what the runtime fired").toEqual([]);
        };
        let at = t0;
        clock.set(t0);
        for (const [index, [pause, jitter, generated]] of steps.entries()) {
          at += pause + jitter;
          await advanceBoth(at);
          const { seq: _seq, ...fields } = generated;
          const event = (fields.type === "order_created" ? { ...fields, orderId: `${userId}-${index}` } : fields) as CustomerEventInput;
          const result = await runtime.dispatch(userId, { ...event, at, key: `p:${userId}:${index}` });
          collect();
          live.send({ ...event, at, seq: result.seq });
          expect(result.snapshot.value).toEqual(live.snapshot().value);
          expect(result.snapshot.context).toEqual(live.snapshot().context);
          expect(stepper.persist(result.snapshot)).toBe(JSON.stringify(live.actor.getPersistedSnapshot()));
        }
        await advanceBoth(at + lastPause + lastJitter);
        expect(runtimeFirings).toEqual(live.firings.map(({ type, at: firedAt }) => ({ type, at: firedAt })));
        expect(named).toEqual(live.actions.map(({ type, params }) => ({ type, params: normalise(params) })));
        const emitted = (await store.events(userId, { types: ["dormant", "reactivated"] })).map((row) => ({ type: row.type, at: row.at }));
        expect(emitted).toEqual(live.emitted);
        const pending = store.timersOf(customerActor(userId)).map((timer) => timer.dueAt);
        expect(pending.length === 0 ? null : Math.min(...pending)).toBe(live.nextDue());
        live.stop();
        await store.transact((tx) => tx.replaceTimers(customerActor(userId), []));
      }),
      { numRuns: 2_000 },
    );
  });
});
