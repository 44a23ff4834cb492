import { describe, expect, it } from "vitest";
import { createDurableStepper } from "../actors/durableStep.ts";
import { broadcastEffects, broadcastMachine, broadcastStateOf, broadcastWrites } from "./broadcast.machine.ts";
import type { BroadcastEvent, BroadcastPayloads } from "./broadcast.types.ts";

const stepper = createDurableStepper(broadcastMachine, { writes: broadcastWrites, effects: broadcastEffects });
const t0 = Date.parse("2026-03-01T09:00:00Z");
const definition = { by: 7, message: { text: "Hi" }, segment: {} };

type Input = { [K in keyof BroadcastPayloads]: { readonly type: K } & BroadcastPayloads[K] }[keyof BroadcastPayloads] | { readonly type: `xstate.after.${string}` };

function run(inputs: readonly Input[]) {
  let { snapshot } = stepper.initial({ id: "B0000000001" });
  const actions = [];
  let seq = 0;
  for (const input of inputs) {
    const event = { ...input, at: t0 + seq * 1_000, seq: ++seq } as BroadcastEvent;
    const step = stepper.step(snapshot, event);
    snapshot = step.snapshot;
    actions.push(...step.actions);
  }
  return { snapshot, state: broadcastStateOf(snapshot.value), actions };
}

describe("the broadcast machine", () => {
  it("starting now is due at once and arms no timer; starting later arms one timer at the set time", () => {
    const now = run([{ type: "broadcast_created", ...definition, startAt: t0 }]);
    expect(now.snapshot.matches({ scheduled: "due" })).toBe(true);
    expect(now.actions).toEqual([]);
    const later = run([{ type: "broadcast_created", ...definition, startAt: t0 + 3_600_000 }]);
    expect(later.snapshot.matches({ scheduled: "waiting" })).toBe(true);
    expect(later.actions).toMatchObject([{ kind: "timer", delay: 3_600_000 }]);
  });

  it("goes scheduled → sending ⇄ paused → finished, keeping the total, a 429's hold and the in-flight window of crashes", () => {
    const created = { type: "broadcast_created", ...definition, startAt: t0 + 60_000 } as const;
    const timer = { type: `xstate.after.startDelay.broadcast.scheduled.waiting` } as const;
    const flow = run([created, timer, { type: "started", total: 3 }, { type: "rate_limited", until: t0 + 9_000 }, { type: "recovered", inFlight: 2 }, { type: "paused", by: 7 }, { type: "recovered", inFlight: 1 }, { type: "resumed", by: 7 }]);
    expect(flow.state).toBe("sending");
    expect(flow.snapshot.context).toMatchObject({ total: 3, inFlightAtCrashes: 3, pausedUntil: null, startedAt: t0 + 2_000 });
    const ended = run([created, timer, { type: "started", total: 3 }, { type: "all_sent" }]);
    expect(ended.state).toBe("finished");
    expect(ended.snapshot.context.endedAt).toBe(t0 + 3_000);
  });

  it("finishes at once when the segment had no one left at its start", () => {
    expect(run([{ type: "broadcast_created", ...definition, startAt: t0 }, { type: "started", total: 0 }]).state).toBe("finished");
  });

  it("is cancelled from scheduled (cancelling its timer), sending or paused, and takes nothing after it ends", () => {
    const scheduled = run([{ type: "broadcast_created", ...definition, startAt: t0 + 60_000 }, { type: "cancel_requested", by: 7 }]);
    expect(scheduled.state).toBe("cancelled");
    expect(scheduled.actions.map((action) => action.kind)).toEqual(["timer", "cancel"]);
    const paused = run([{ type: "broadcast_created", ...definition, startAt: t0 }, { type: "started", total: 2 }, { type: "paused", by: 7 }, { type: "cancel_requested", by: 7 }]);
    expect(paused.state).toBe("cancelled");
    for (const after of [{ type: "resumed", by: 7 }, { type: "started", total: 1 }, { type: "all_sent" }] as const) {
      expect(paused.snapshot.can({ ...after, at: t0, seq: 99 } as BroadcastEvent)).toBe(false);
    }
  });

  it("takes no start before it is due, no pause while scheduled and no resume while sending", () => {
    const waiting = run([{ type: "broadcast_created", ...definition, startAt: t0 + 60_000 }]).snapshot;
    expect(waiting.can({ type: "started", total: 1, at: t0, seq: 2 })).toBe(false);
    expect(waiting.can({ type: "paused", by: 7, at: t0, seq: 2 })).toBe(false);
    const sending = run([{ type: "broadcast_created", ...definition, startAt: t0 }, { type: "started", total: 1 }]).snapshot;
    expect(sending.can({ type: "resumed", by: 7, at: t0, seq: 3 })).toBe(false);
  });
});
