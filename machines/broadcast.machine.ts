import { assign, setup } from "xstate";
import type { BroadcastContext, BroadcastEvent, BroadcastInput, BroadcastState, BroadcastTimerEvent } from "./broadcast.types.ts";

/**
 * Bump this whenever the machine's states or context change shape.
 * A stored snapshot of another version is not trusted: the runtime replays the broadcast's log instead.
 */
export const broadcastMachineVersion = 1;

/** The broadcast machine names no effect and no write: its sends are the sender's, paced outside any step. */
export const broadcastEffects = [] as const;
export const broadcastWrites = [] as const;

type AnyBroadcastEvent = BroadcastEvent | BroadcastTimerEvent;

/** A broadcast before its first event. */
export const initialBroadcastContext = (input: BroadcastInput): BroadcastContext => ({
  id: input.id,
  by: 0,
  createdAt: 0,
  startAt: 0,
  startedAt: null,
  endedAt: null,
  total: 0,
  pausedUntil: null,
  inFlightAtCrashes: 0,
  message: {},
  segment: {},
});

const broadcastSetup = setup({
  types: {
    context: {} as BroadcastContext,
    events: {} as AnyBroadcastEvent,
    input: {} as BroadcastInput,
  },
  actions: {
    create: assign(({ event }) =>
      event.type === "broadcast_created" ? { by: event.by, createdAt: event.at, startAt: event.startAt, message: event.message, segment: event.segment } : {},
    ),
    start: assign(({ event }) => (event.type === "started" ? { startedAt: event.at, total: event.total } : {})),
    end: assign(({ event }) => ({ endedAt: event.at, pausedUntil: null })),
    limit: assign(({ event }) => (event.type === "rate_limited" ? { pausedUntil: event.until } : {})),
    unlimit: assign({ pausedUntil: null }),
    recover: assign(({ context, event }) => (event.type === "recovered" ? { inFlightAtCrashes: context.inFlightAtCrashes + event.inFlight } : {})),
  },
  guards: {
    startsLater: ({ event }) => event.type === "broadcast_created" && event.startAt > event.at,
    hasNoRecipients: ({ event }) => event.type === "started" && event.total === 0,
  },
  delays: {
    startDelay: ({ context, event }) => Math.max(0, context.startAt - event.at),
  },
});

const cancel = { target: "#broadcast.cancelled", actions: "end" } as const;

/**
 * One broadcast (docs/broadcasts.md): created by the owner to start now or at a set time (a
 * durable `after`); `started` once its recipients are snapshotted from the segment; paused and
 * resumed by the owner; held back by a 429 without leaving `sending`; `finished` when every
 * recipient has an outcome, or `cancelled` before that. The per-recipient states are rows of their
 * own, committed by the sender as it goes; this log keeps the broadcast's moves.
 */
export const broadcastMachine = broadcastSetup.createMachine({
  id: "broadcast",
  initial: "new",
  context: ({ input }) => initialBroadcastContext(input),
  states: {
    new: {
      on: {
        broadcast_created: [
          { guard: "startsLater", target: "scheduled.waiting", actions: "create" },
          { target: "scheduled.due", actions: "create" },
        ],
      },
    },
    scheduled: {
      initial: "waiting",
      states: {
        waiting: { after: { startDelay: { target: "due" } } },
        due: {
          on: {
            started: [
              { guard: "hasNoRecipients", target: "#broadcast.finished", actions: ["start", "end"] },
              { target: "#broadcast.sending", actions: "start" },
            ],
          },
        },
      },
      on: { cancel_requested: cancel },
    },
    sending: {
      on: {
        paused: { target: "paused", actions: "unlimit" },
        rate_limited: { actions: "limit" },
        recovered: { actions: "recover" },
        all_sent: { target: "finished", actions: "end" },
        cancel_requested: cancel,
      },
    },
    paused: {
      on: {
        resumed: { target: "sending" },
        recovered: { actions: "recover" },
        cancel_requested: cancel,
      },
    },
    finished: {},
    cancelled: {},
  },
});

export type BroadcastMachine = typeof broadcastMachine;

/** The top-level state of a snapshot's value. */
export function broadcastStateOf(value: unknown): BroadcastState | null {
  const top = typeof value === "string" ? value : typeof value === "object" && value !== null ? Object.keys(value)[0] : undefined;
  return top === "new" || top === "scheduled" || top === "sending" || top === "paused" || top === "finished" || top === "cancelled" ? top : null;
}
