import type { AnyStateMachine, EventFromLogic, EventObject, InputFrom, SnapshotFrom } from "xstate";
import { NotDurableError, type DurableActions } from "./durableMachine.ts";
import { createRecordingScope, type Executable } from "./recordingScope.ts";
import { createTargetlessStep } from "./targetlessStep.ts";
import type { TimerRow } from "./store.port.ts";

/** An action a step decided on, as data: what the runtime turns into rows of the step's unit of work. */
export type RecordedAction =
  /** A delayed event (an `after`, or `raise(…, { delay })`): a timer row due `delay` ms after the event. */
  | { readonly kind: "timer"; readonly sendId: string; readonly delay: number; readonly event: EventObject }
  /** XState's own cancel (a state with an `after` was left): the timer row goes. */
  | { readonly kind: "cancel"; readonly sendId: string }
  /** `emit(…)`: a fact appended to the actor's log after the event that caused it. */
  | { readonly kind: "emit"; readonly event: EventObject }
  /** A listed write: run against the store inside the unit. */
  | { readonly kind: "write"; readonly name: string; readonly params: unknown }
  /** A listed effect: a row in the outbox, delivered at least once after the commit. */
  | { readonly kind: "effect"; readonly name: string; readonly params: unknown };

export interface Step<S> {
  readonly snapshot: S;
  readonly actions: readonly RecordedAction[];
}


interface RaiseParams {
  readonly event: EventObject;
  readonly id?: unknown;
  readonly delay?: unknown;
}

function refuse(machineId: string, action: string, eventType: string): never {
  throw new NotDurableError(machineId, [{ state: "(on event)", problem: `ran "${action}" on the event "${eventType}", which the runtime cannot make durable` }]);
}

/** What the executor recorded, as rows-to-be; anything the lists do not name is refused. */
function classify(names: { readonly machineId: string; readonly writes: ReadonlySet<string>; readonly effects: ReadonlySet<string> }, executed: readonly Executable[], eventType: string): RecordedAction[] {
  const out: RecordedAction[] = [];
  for (const action of executed) {
    switch (action.type) {
      case "xstate.raise": {
        const { event, id, delay } = action.params as RaiseParams;
        if (typeof delay !== "number") break;
        if (typeof id !== "string") refuse(names.machineId, "a delayed raise without an id", eventType);
        // A delay computed from a missing field (an initial state's, say: its event has no `at`) is NaN: XState would fire it at once.
        if (!Number.isFinite(delay) || delay < 0) refuse(names.machineId, `a delay of ${delay} ms for ${id}`, eventType);
        out.push({ kind: "timer", sendId: id, delay, event });
        break;
      }
      case "xstate.cancel":
        out.push({ kind: "cancel", sendId: String((action.params as { sendId: unknown }).sendId) });
        break;
      case "xstate.emit":
        out.push({ kind: "emit", event: (action.params as { event: EventObject }).event });
        break;
      default:
        if (names.writes.has(action.type)) out.push({ kind: "write", name: action.type, params: action.params });
        else if (names.effects.has(action.type)) out.push({ kind: "effect", name: action.type, params: action.params });
        else refuse(names.machineId, action.type, eventType);
    }
  }
  return out;
}

/**
 * A machine as a pure, recording step function: (snapshot, event) → (snapshot, actions).
 *
 * XState's own `transition()` does this but builds a fresh actor scope per call (about 25 µs); a
 * customer runtime steps hundreds of thousands of events, so one scope is shared by every step, as
 * the inert scope did before (about 3 µs a step). Its `actionExecutor` records instead of executing:
 * `assign` never reaches it (it is the step itself), and every other action is classified here, or
 * refused with {@link NotDurableError} naming the machine, the action and the event.
 */
export function createDurableStepper<TMachine extends AnyStateMachine>(machine: TMachine, durable: DurableActions) {
  type Snapshot = SnapshotFrom<TMachine>;
  type Event = EventFromLogic<TMachine>;
  const names = { machineId: machine.id, writes: new Set(durable.writes), effects: new Set(durable.effects) };
  const recording = createRecordingScope();
  const { self } = recording;
  const scope = recording.scope as unknown as Parameters<TMachine["transition"]>[2];
  const targetless = createTargetlessStep(machine, { self, system: self.system });
  const noActions: readonly RecordedAction[] = [];

  function recorded(snapshot: Snapshot, eventType: string): Step<Snapshot> {
    const executed = recording.take();
    for (const child in (snapshot as { children: object }).children) refuse(machine.id, `a live child actor (${child})`, eventType);
    return { snapshot, actions: executed.length === 0 ? [] : classify(names, executed, eventType) };
  }

  return {
    machine,
    /** The initial snapshot and what its entry decided (timers of initial states). */
    initial(input: InputFrom<TMachine>): Step<Snapshot> {
      recording.take();
      return recorded(machine.getInitialSnapshot(scope, input) as Snapshot, "xstate.init");
    },
    step(snapshot: Snapshot, event: Event): Step<Snapshot> {
      const fast = targetless?.step(snapshot, event);
      if (fast) return { snapshot: fast, actions: noActions };
      recording.take();
      return recorded(machine.transition(snapshot, event, scope) as Snapshot, event.type);
    },
    /**
     * A snapshot back from its persisted JSON value, as `createActor(machine, { snapshot })` restores
     * it (history states included, which `resolveState` would forget). Throws on a value the machine
     * does not have.
     */
    restore(persisted: unknown): Snapshot {
      return machine.restoreSnapshot(persisted as Parameters<TMachine["restoreSnapshot"]>[0], scope) as Snapshot;
    },
    /**
     * The JSON that `createActor(machine, { snapshot })` accepts back: XState's own persisted shape,
     * without its walk of the context for actor references, which a durable machine never holds
     * (it spawns nothing: `assertDurable` and `recorded` refuse that).
     */
    persist(snapshot: Snapshot): string {
      const { _nodes, tags, machine: _machine, children: _children, context, can, hasTag, matches, getMeta, toJSON, ...json } = snapshot as unknown as PersistableSnapshot;
      return JSON.stringify({ ...json, context, children: {}, historyValue: historyIds(json.historyValue) });
    },
  };
}

/** A machine snapshot as XState builds it: its JSON values beside its live parts. */
interface PersistableSnapshot {
  readonly _nodes: unknown;
  readonly tags: unknown;
  readonly machine: unknown;
  readonly children: unknown;
  readonly context: unknown;
  readonly can: unknown;
  readonly hasTag: unknown;
  readonly matches: unknown;
  readonly getMeta: unknown;
  readonly toJSON: unknown;
  readonly historyValue: unknown;
  readonly [json: string]: unknown;
}

/** XState's serialised history: each history state's remembered nodes, by id. */
function historyIds(historyValue: unknown): Record<string, { readonly id: string }[]> {
  const result: Record<string, { readonly id: string }[]> = {};
  if (typeof historyValue !== "object" || historyValue === null) return result;
  for (const [key, nodes] of Object.entries(historyValue)) {
    if (Array.isArray(nodes)) result[key] = nodes.map((node: { readonly id: string }) => ({ id: node.id }));
  }
  return result;
}

export type DurableStepper<TMachine extends AnyStateMachine> = ReturnType<typeof createDurableStepper<TMachine>>;

/** The event a step is caused by, as the log knows it: when it happened, its row, its key. */
export interface Cause {
  readonly at: number;
  readonly seq: number;
}

/** The event of a timer row: the raised event without the runtime's stamps. */
function timerEventJson(event: EventObject): string {
  const { at: _at, seq: _seq, ...rest } = event as EventObject & { at?: unknown; seq?: unknown };
  return JSON.stringify(rest);
}

/** The timer row of a recorded delayed event: due `delay` after the arming event, keyed by it. */
export function timerRowOf(actor: string, cause: Cause, timer: { readonly sendId: string; readonly delay: number; readonly event: EventObject }): TimerRow {
  return {
    actor,
    sendId: timer.sendId,
    dueAt: cause.at + timer.delay,
    event: timerEventJson(timer.event),
    key: `t:${actor}:${cause.seq}:${timer.sendId}`,
  };
}

/** The sendId of a firing from its key `t:<actor>:<seq>:<sendId>`, or null if the key is not a firing of this actor. */
export function firedSendId(actor: string, key: string): string | null {
  const prefix = `t:${actor}:`;
  if (!key.startsWith(prefix)) return null;
  const rest = key.slice(prefix.length);
  const colon = rest.indexOf(":");
  return colon < 0 ? null : rest.slice(colon + 1);
}

/**
 * An actor's armed timers, folded from its steps in log order: what a replay writes back with
 * `replaceTimers`, so that timers recreated by a replay carry the keys they had and fire once.
 */
export function createTimerFold(actor: string) {
  const armed = new Map<string, TimerRow>();
  return {
    /** A firing removes its row before its step (which may arm the same sendId again). */
    fired(key: string): void {
      const sendId = firedSendId(actor, key);
      if (sendId !== null) armed.delete(sendId);
    },
    apply(cause: Cause, actions: readonly RecordedAction[]): void {
      for (const action of actions) {
        if (action.kind === "timer") armed.set(action.sendId, timerRowOf(actor, cause, action));
        else if (action.kind === "cancel") armed.delete(action.sendId);
      }
    },
    rows: (): TimerRow[] => [...armed.values()],
  };
}
