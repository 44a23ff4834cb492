import { createActor, SimulatedClock, type EventObject, type SnapshotFrom } from "xstate";
import { customerMachine } from "../customer.machine.ts";
import type { CustomerEvent, CustomerEventInput } from "../customer.types.ts";

/** One action the live actor executed, as XState's inspection reports it: its name and resolved params. */
export interface ExecutedAction {
  readonly type: string;
  readonly params: unknown;
  /** The simulated time it ran at. */
  readonly at: number;
}

type CustomerMachineLike = typeof customerMachine;

interface Relay {
  _relay(source: unknown, target: unknown, event: EventObject): void;
}

const isRelay = (system: unknown): system is Relay => typeof system === "object" && system !== null && "_relay" in system && typeof system._relay === "function";

const delayedRaise = (params: unknown): { id: string; delay: number } | null => {
  if (typeof params !== "object" || params === null || !("delay" in params) || !("id" in params)) return null;
  return typeof params.delay === "number" && typeof params.id === "string" ? { id: params.id, delay: params.delay } : null;
};

const cancelledId = (params: unknown): string | null =>
  typeof params === "object" && params !== null && "sendId" in params && typeof params.sendId === "string" ? params.sendId : null;

/**
 * A live XState actor of the customer machine on a `SimulatedClock`, stamped as the runtime stamps
 * events: every event it receives, XState's own timer firings included, gets `at` (the simulated
 * time) and `seq` (1, 2, …) unless it has them. It records every executed action (named effects
 * and writes, `xstate.raise`, `xstate.cancel`, `xstate.emit`…), every emitted event, and the due
 * time of every pending timer, so that a test can move the clock from one due time to the next.
 *
 * @example
 * const live = startLiveCustomer({ at: Date.parse("2026-03-02T10:00:00Z") });
 * live.send({ type: "add_to_cart", productId: "tea", qty: 1 });
 * live.advanceBy(120 * 60_000);
 * live.named("sendCartReminder"); // [{ lines: [{ productId: "tea", qty: 1 }], language: "ru" }] with consent
 */
export function startLiveCustomer(options: { readonly machine?: CustomerMachineLike; readonly at?: number; readonly userId?: number; readonly snapshot?: SnapshotFrom<CustomerMachineLike> } = {}) {
  const machine = options.machine ?? customerMachine;
  const clock = new SimulatedClock();
  clock.set(options.at ?? 0);
  const actions: ExecutedAction[] = [];
  const emitted: EventObject[] = [];
  const timers = new Map<string, number>();
  let seq = 0;
  const actor = createActor(machine, {
    clock,
    input: { userId: options.userId ?? 1 },
    ...(options.snapshot ? { snapshot: options.snapshot } : {}),
    inspect: (inspection) => {
      if (inspection.type !== "@xstate.action") return;
      const { type, params } = inspection.action;
      actions.push({ type, params, at: clock.now() });
      const raised = type === "xstate.raise" ? delayedRaise(params) : null;
      if (raised) timers.set(raised.id, clock.now() + raised.delay);
      const cancelled = type === "xstate.cancel" ? cancelledId(params) : null;
      if (cancelled) timers.delete(cancelled);
    },
  });
  if (!isRelay(actor.system)) throw new Error("XState's system has no _relay: the live harness cannot stamp timer events");
  const relay = actor.system._relay.bind(actor.system);
  actor.system._relay = (source, target, event) => {
    if (event.type.startsWith("xstate.after.")) timers.delete(event.type);
    relay(source, target, Object.assign({}, event, { at: "at" in event ? event.at : clock.now(), seq: "seq" in event ? event.seq : ++seq }));
  };
  actor.on("*", (event) => emitted.push(event));
  actor.start();

  /** Moves the clock to `at`, stopping at each due time on the way so that each timer fires on time. */
  const advanceTo = (at: number): void => {
    if (at < clock.now()) throw new Error(`time travel: ${new Date(at).toISOString()} is before ${new Date(clock.now()).toISOString()}`);
    for (;;) {
      const next = Math.min(...timers.values());
      if (!(next <= at)) break;
      clock.set(Math.max(next, clock.now()));
      const stuck = [...timers.entries()].filter(([, due]) => due <= next);
      if (stuck.length > 0) throw new Error(`timers did not fire at their due time: ${stuck.map(([id]) => id).join(", ")}`);
    }
    clock.set(at);
  };

  return {
    actor,
    clock,
    actions,
    emitted,
    /** Pending timers by XState's send id, with their due times. */
    timers: (): ReadonlyMap<string, number> => new Map(timers),
    now: (): number => clock.now(),
    /** Sends an event at its `at` (moving the clock there first, timers firing on the way), or now; `seq` is the next one unless given. */
    send(event: CustomerEventInput & { readonly seq?: number }): void {
      if (event.at !== undefined) advanceTo(event.at);
      seq = Math.max(seq, event.seq ?? seq + 1);
      actor.send({ ...event, at: clock.now(), seq: event.seq ?? seq } as CustomerEvent);
    },
    advanceTo,
    advanceBy: (ms: number): void => advanceTo(clock.now() + ms),
    /** The params of every executed action of this name, in order. */
    named: (type: string): unknown[] => actions.filter((action) => action.type === type).map((action) => action.params),
    /** How many timers were armed with this delay name (`xstate.raise` with a delay, counted by its id). */
    armed: (delay: string): number => actions.filter((action) => action.type === "xstate.raise" && delayedRaise(action.params)?.id.startsWith(`xstate.after.${delay}.`)).length,
    snapshot: () => actor.getSnapshot(),
  };
}

export type LiveCustomer = ReturnType<typeof startLiveCustomer>;
