import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createActor } from "xstate";
import { customerEffects, customerMachine, customerWrites } from "../machines/customer.machine.ts";
import type { CustomerEvent, CustomerEventInput } from "../machines/customer.types.ts";
import { createCustomerStepper, customerActor, replayCustomer } from "./customerStepper.ts";
import { createTimerFold, timerRowOf } from "./durableStep.ts";
import { customerEventArb, pauseArb } from "./fixtures/customerEvents.ts";
import { startLiveRecorder } from "./fixtures/liveRecorder.ts";
import type { StoredEvent } from "./store.port.ts";

const t0 = Date.parse("2026-03-02T08:00:00Z");
const normalise = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? {}));

describe("customer stepper", () => {
  it("steps, arms and fires exactly as a live XState actor does, snapshot for snapshot and action for action", () => {
    const stepper = createCustomerStepper();
    const stepArb = fc.tuple(pauseArb, fc.integer({ min: 1, max: 997 }), customerEventArb);
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 15 }), (steps) => {
        const fold = createTimerFold(customerActor(9));
        let seq = 0;
        let { snapshot } = stepper.initialOf(9);
        const named: { type: string; params: unknown }[] = [];
        const firings: string[] = [];
        /** Seqs of the stepper's firings, taken in order by the live actor's. */
        const firedSeqs: number[] = [];
        const step = (event: CustomerEvent | { type: `xstate.after.${string}`; at: number; seq: number }, key: string): void => {
          fold.fired(key);
          const result = stepper.step(snapshot, event);
          fold.apply(event, result.actions);
          for (const action of result.actions) if (action.kind === "write" || action.kind === "effect") named.push({ type: action.name, params: normalise(action.params) });
          snapshot = result.snapshot;
        };
        /** Fires the folded timers due by `until`, each at its due time, as the scheduler does. */
        const fireUntil = (until: number): void => {
          for (;;) {
            const due = fold.rows().sort((a, b) => a.dueAt - b.dueAt)[0];
            if (!due || due.dueAt > until) return;
            firings.push(JSON.parse(due.event).type);
            firedSeqs.push(++seq);
            step({ type: JSON.parse(due.event).type, at: due.dueAt, seq }, due.key);
          }
        };
        const live = startLiveRecorder(customerMachine, { at: t0, input: { userId: 9 }, names: [...customerWrites, ...customerEffects], seqOfFiring: () => firedSeqs.shift() ?? -1 });
        let at = t0;
        for (const [index, [pause, jitter, generated]] of steps.entries()) {
          at += pause + jitter;
          fireUntil(at);
          live.advanceTo(at);
          const event = { ...generated, ...(generated.type === "order_created" ? { orderId: `o${index}` } : {}), at, seq: ++seq } as CustomerEvent;
          step(event, `k${index}`);
          live.send(event);
          expect(snapshot.value).toEqual(live.snapshot().value);
          expect(snapshot.context).toEqual(live.snapshot().context);
        }
        expect(stepper.persist(snapshot)).toBe(JSON.stringify(live.actor.getPersistedSnapshot()));
        expect(firings).toEqual(live.firings.map((firing) => firing.type));
        expect(named).toEqual(live.actions.map(({ type, params }) => ({ type, params: normalise(params) })));
        live.stop();
      }),
      { numRuns: 5_000 },
    );
  });

  it("restores a snapshot with its history state, as a live actor does (a cancelled checkout returns to the reminded cart)", () => {
    const stepper = createCustomerStepper();
    let { snapshot } = stepper.initialOf(3);
    const events: CustomerEventInput[] = [
      { type: "consent_given", version: "v1" },
      { type: "add_to_cart", productId: "p1", qty: 2 },
      { type: "checkout_started" },
    ];
    events.forEach((event, index) => {
      snapshot = stepper.step(snapshot, { ...event, at: t0 + index, seq: index + 1 } as CustomerEvent).snapshot;
    });
    const restored = stepper.restore(JSON.parse(stepper.persist(snapshot)));
    const next = stepper.step(restored, { type: "checkout_cancelled", at: t0 + 10, seq: 10 });
    expect(next.snapshot.value.cart).toEqual({ filled: { shopping: "waiting" } });
    expect(next.actions.filter((action) => action.kind === "timer")).toHaveLength(1);
    const live = createActor(customerMachine, { snapshot: JSON.parse(stepper.persist(snapshot)), input: { userId: 3 } }).start();
    live.send({ type: "checkout_cancelled", at: t0 + 10, seq: 10 });
    expect(live.getSnapshot().value).toEqual(next.snapshot.value);
    live.stop();
  });

  it("replays a log to the same snapshot and the same armed timers, keyed by the events that armed them", () => {
    const stepper = createCustomerStepper();
    const log: StoredEvent[] = [
      { seq: 4, userId: 5, type: "consent_given", payload: { version: "v1" }, at: t0, key: "a" },
      { seq: 7, userId: 5, type: "add_to_cart", payload: { productId: "p1", qty: 1 }, at: t0 + 1_000, key: "b" },
    ];
    const replayed = replayCustomer(stepper, 5, log);
    expect(replayed.snapshot.value.cart).toEqual({ filled: { shopping: "waiting" } });
    const byId = new Map(replayed.timers.map((timer) => [timer.sendId.split(".")[2], timer]));
    expect(byId.get("cartReminder")).toMatchObject({ dueAt: t0 + 1_000 + 120 * 60_000, key: "t:customer:5:7:xstate.after.cartReminder.customer.cart.filled.shopping.waiting" });
    expect(byId.get("dormancy")).toMatchObject({ dueAt: t0 + 30 * 86_400_000, key: "t:customer:5:4:xstate.after.dormancy.customer.activity.active" });
    const reminder = byId.get("cartReminder");
    if (!reminder) throw new Error("no reminder armed");
    const fired: StoredEvent = { seq: 9, userId: 5, type: JSON.parse(reminder.event).type, payload: {}, at: reminder.dueAt, key: reminder.key };
    const after = replayCustomer(stepper, 5, [...log, fired]);
    expect(after.timers.map((timer) => timer.sendId)).toEqual(["xstate.after.dormancy.customer.activity.active", "xstate.after.secondReminder.customer.cart.filled.shopping.reminded"]);
    expect(after.snapshot.value.cart).toEqual({ filled: { shopping: "reminded" } });
  });

  it("computes a timer's due time from the arming event's time and keys it by the arming event's seq", () => {
    expect(timerRowOf("customer:1", { at: 1_000, seq: 12 }, { sendId: "s", delay: 500, event: { type: "x", at: 3, seq: 4 } as { type: string } })).toEqual({
      actor: "customer:1",
      sendId: "s",
      dueAt: 1_500,
      event: '{"type":"x"}',
      key: "t:customer:1:12:s",
    });
  });
});
