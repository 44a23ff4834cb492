import type { SnapshotFrom } from "xstate";
import { broadcastEffects, broadcastMachine, broadcastMachineVersion, broadcastStateOf, broadcastWrites, type BroadcastMachine } from "../machines/broadcast.machine.ts";
import type { BroadcastEvent, BroadcastState, BroadcastTimerEvent } from "../machines/broadcast.types.ts";
import type { ActorLogReads, StoredActorEvent } from "./actorLog.port.ts";
import { assertDurable } from "./durableMachine.ts";
import { createDurableStepper, createTimerFold, timerRowOf, type RecordedAction } from "./durableStep.ts";
import type { ActorStore, StoreTx, TimerRow } from "./store.port.ts";

/** A broadcast as its machine holds it. */
export type BroadcastSnapshot = SnapshotFrom<BroadcastMachine>;

const actorPrefix = "broadcast:";

/** A broadcast's actor address: its log, state and timer are kept under it. */
export const broadcastActor = (id: string): string => `${actorPrefix}${id}`;

/** The broadcast id of a `broadcast:<id>` actor, or null for any other actor. */
export function broadcastIdOf(actor: string): string | null {
  return actor.startsWith(actorPrefix) && actor.length > actorPrefix.length ? actor.slice(actorPrefix.length) : null;
}

/** An event before the log gives it its seq: its type, its time and its fields. */
export type UnsequencedBroadcastEvent = { readonly type: string; readonly at: number } & Readonly<Record<string, unknown>>;

/** How one event for a broadcast ended. */
export type BroadcastStepOutcome =
  | { readonly kind: "applied"; readonly snapshot: BroadcastSnapshot }
  /** The broadcast does not take the event where it is: nothing written. */
  | { readonly kind: "refused"; readonly snapshot: BroadcastSnapshot }
  /** The key is already in the log: nothing written. */
  | { readonly kind: "duplicate"; readonly snapshot: BroadcastSnapshot }
  | { readonly kind: "unknown" }
  /** A timer row that is no longer the same arming. */
  | { readonly kind: "stale" };

interface Cell {
  snapshot: BroadcastSnapshot;
  lastSeq: number;
}

export interface BroadcastLogOptions {
  readonly store: Pick<ActorStore, "transact"> & ActorLogReads;
  readonly machine?: BroadcastMachine;
  /** Told of the due time of every timer a commit arms (the timer scheduler's `armed`). */
  readonly onTimerArmed?: (dueAt: number) => void;
}

/** The broadcast's state name: `scheduled` for both of its inner states. */
export const stateOf = (snapshot: BroadcastSnapshot): BroadcastState | null => broadcastStateOf(snapshot.value);

/** Whether a scheduled broadcast's time has come (its timer fired, or it was to start at once). */
export const isDue = (snapshot: BroadcastSnapshot): boolean => snapshot.matches({ scheduled: "due" });

/**
 * The broadcast actors' log: each move of a broadcast (created, started, paused, resumed, cancelled,
 * rate limited, recovered, finished) is one event stepped through the broadcast machine and committed
 * with its snapshot and its timer rows in one unit of the store, as an order's are. Units are few (a
 * broadcast moves a handful of times), so they are committed one after another on a chain of their
 * own, never through the customers' group commit.
 */
export function createBroadcastLog(options: BroadcastLogOptions) {
  const machine = options.machine ?? broadcastMachine;
  assertDurable(machine, { writes: broadcastWrites, effects: broadcastEffects });
  const stepper = createDurableStepper(machine, { writes: broadcastWrites, effects: broadcastEffects });
  const { store } = options;
  const cells = new Map<string, Cell>();
  let chain: Promise<unknown> = Promise.resolve();

  const eventOf = (row: StoredActorEvent): BroadcastEvent | BroadcastTimerEvent => ({ ...row.payload, type: row.type, at: row.at, seq: row.seq }) as BroadcastEvent | BroadcastTimerEvent;

  function replay(id: string, log: readonly StoredActorEvent[]): { cell: Cell; timers: TimerRow[] } {
    const fold = createTimerFold(broadcastActor(id));
    let snapshot = stepper.initial({ id }).snapshot;
    for (const row of log) {
      fold.fired(row.key);
      const step = stepper.step(snapshot, eventOf(row));
      fold.apply(row, step.actions);
      snapshot = step.snapshot;
    }
    return { cell: { snapshot, lastSeq: log.at(-1)?.seq ?? 0 }, timers: fold.rows() };
  }

  function restore(id: string, json: string): BroadcastSnapshot | undefined {
    try {
      const parsed = JSON.parse(json) as { status?: unknown; context?: { id?: unknown } };
      if (parsed.status !== "active" || parsed.context?.id !== id) return undefined;
      const snapshot = stepper.restore(parsed);
      return stateOf(snapshot) === null ? undefined : snapshot;
    } catch {
      return undefined;
    }
  }

  /** The broadcast as committed (a replay when its snapshot cannot be trusted, with the timers to write back), or null when it has no log. */
  function read(id: string): { cell: Cell; timers: TimerRow[] | null } | null {
    const cached = cells.get(id);
    if (cached) return { cell: { ...cached }, timers: null };
    const stored = store.loadActorState(broadcastActor(id));
    const fresh = stored && stored.machineVersion === broadcastMachineVersion && stored.lastSeq >= stored.logSeq ? restore(id, stored.snapshot) : undefined;
    if (fresh && stored) return { cell: { snapshot: fresh, lastSeq: stored.lastSeq }, timers: null };
    const log = store.loadActorEvents(broadcastActor(id));
    if (log.length === 0) return null;
    return replay(id, log);
  }

  function applyActions(tx: StoreTx, id: string, cause: { at: number; seq: number }, actions: readonly RecordedAction[], armed: number[]): void {
    for (const action of actions) {
      if (action.kind === "timer") {
        const row = timerRowOf(broadcastActor(id), cause, action);
        tx.setTimer(row);
        armed.push(row.dueAt);
      } else if (action.kind === "cancel") tx.cancelTimer(broadcastActor(id), action.sendId);
    }
  }

  /** One unit: the event (unless its key is known, or the broadcast does not take it), its step, its timers and the snapshot. */
  function unit(tx: StoreTx, id: string, key: string, event: UnsequencedBroadcastEvent, fired: TimerRow | undefined, armed: number[]): { outcome: BroadcastStepOutcome; cell: Cell | null } {
    const found = read(id);
    const isCreation = event.type === "broadcast_created";
    if (!found && !isCreation) return { outcome: { kind: "unknown" }, cell: null };
    const cell = found?.cell ?? { snapshot: stepper.initial({ id }).snapshot, lastSeq: 0 };
    if (found?.timers) tx.replaceTimers(broadcastActor(id), found.timers);
    if (fired && tx.timerOf(fired.actor, fired.sendId)?.key !== fired.key) return { outcome: { kind: "stale" }, cell: found?.timers ? cell : null };
    if (tx.actorEventByKey(key)) return { outcome: { kind: "duplicate", snapshot: cell.snapshot }, cell: null };
    if (!cell.snapshot.can({ ...event, seq: cell.lastSeq + 1 } as BroadcastEvent)) return { outcome: { kind: "refused", snapshot: cell.snapshot }, cell: found?.timers ? cell : null };
    const { type, at, ...fields } = event;
    const seq = tx.appendActorEvent({ actor: broadcastActor(id), type, payload: JSON.stringify(fields), at, key });
    if (seq === null) return { outcome: { kind: "duplicate", snapshot: cell.snapshot }, cell: null };
    if (fired) tx.cancelTimer(fired.actor, fired.sendId);
    const step = stepper.step(cell.snapshot, { ...event, seq } as BroadcastEvent);
    applyActions(tx, id, { at, seq }, step.actions, armed);
    const next = { snapshot: step.snapshot, lastSeq: seq };
    return { outcome: { kind: "applied", snapshot: step.snapshot }, cell: next };
  }

  /** Commits one event for a broadcast (one at a time); the live cell changes only once the unit is durable. */
  function apply(id: string, key: string, event: UnsequencedBroadcastEvent, fired?: TimerRow): Promise<BroadcastStepOutcome> {
    const run = chain.then(async () => {
      const armed: number[] = [];
      let changed: Cell | null = null;
      const outcome = await store.transact((tx) => {
        const result = unit(tx, id, key, event, fired, armed);
        changed = result.cell;
        if (result.cell) tx.saveActorState(broadcastActor(id), { snapshot: stepper.persist(result.cell.snapshot), machineVersion: broadcastMachineVersion, lastSeq: result.cell.lastSeq });
        else if (fired && result.outcome.kind !== "applied" && !read(id)) tx.cancelTimer(fired.actor, fired.sendId);
        return result.outcome;
      });
      if (changed) cells.set(id, changed);
      for (const dueAt of armed) options.onTimerArmed?.(dueAt);
      return outcome;
    });
    chain = run.catch(() => undefined);
    return run;
  }

  return {
    apply,
    /** The broadcast's committed snapshot, or null when it has no log. */
    snapshot: (id: string): BroadcastSnapshot | null => read(id)?.cell.snapshot ?? null,
    /** Resolves once every unit queued so far is committed or failed. */
    settled: (): Promise<void> => chain.then(() => undefined),
  };
}

export type BroadcastLog = ReturnType<typeof createBroadcastLog>;
