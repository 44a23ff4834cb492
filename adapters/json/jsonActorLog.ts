/**
 * The JSON store's log and states of actors other than customers (order actors): held in memory,
 * rebuilt at open from the `x` and `y` parts of `events.jsonl`'s lines, and changed, once a line is
 * on disk, by the same steps. An order has a handful of steps in its life, so its states go in the
 * log itself rather than in a journal of their own: a unit's events and state land in one line.
 */
import type { ActorLogReads, ActorLogTx, ActorStateWrite, StoredActorEvent } from "../../actors/actorLog.port.ts";
import { redactOrderJson } from "../../actors/personalData.ts";
import { redactActorEvent, type LogLine } from "./jsonLogFormat.ts";

/** What one unit has staged: its events in order, by key, and the last state it saved of each actor. */
export interface ActorLogUnit {
  readonly events: StoredActorEvent[];
  readonly byKey: Map<string, StoredActorEvent>;
  readonly states: Map<string, ActorStateWrite>;
  /** Actors the unit's `/forget` redacted: their events stored before it read redacted in the unit, as they will be once it commits. */
  readonly erased: Set<string>;
}

function parsePayload(text: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("an actor event's payload is a JSON object");
  return value as Record<string, unknown>;
}

/** Rewrites, in place, the events of `actors` among `events`, and their entries in `byKey`. */
function redactEvents(events: StoredActorEvent[], byKey: Map<string, StoredActorEvent>, actors: ReadonlySet<string>): void {
  events.forEach((event, i) => {
    if (!actors.has(event.actor)) return;
    const redacted = redactActorEvent(event);
    events[i] = redacted;
    byKey.set(redacted.key, redacted);
  });
}

function redactStates(states: Map<string, ActorStateWrite>, actors: ReadonlySet<string>): void {
  for (const [actor, state] of states) if (actors.has(actor)) states.set(actor, { ...state, snapshot: redactOrderJson(state.snapshot) });
}

export function jsonActorLog() {
  const byActor = new Map<string, StoredActorEvent[]>();
  const byKey = new Map<string, StoredActorEvent>();
  const states = new Map<string, ActorStateWrite>();
  /** Units whose work is done and whose line is not yet on disk: a unit sees their events as done. */
  const inFlight = new Set<ActorLogUnit>();
  let nextSeq = 1;

  const remember = (event: StoredActorEvent): void => {
    byKey.set(event.key, event);
    const own = byActor.get(event.actor);
    if (own) own.push(event);
    else byActor.set(event.actor, [event]);
    nextSeq = Math.max(nextSeq, event.seq + 1);
  };

  function priorEvent(key: string): StoredActorEvent | undefined {
    for (const unit of [...inFlight].reverse()) {
      const staged = unit.byKey.get(key);
      if (staged) return staged;
    }
    return byKey.get(key);
  }

  /** The writes of a new unit. A seq given to a unit that then fails is not given again: a gap, never a repeat. */
  function stage(): { readonly unit: ActorLogUnit; readonly writes: ActorLogTx } {
    const unit: ActorLogUnit = { events: [], byKey: new Map(), states: new Map(), erased: new Set() };
    const writes: ActorLogTx = {
      appendActorEvent(event) {
        if (unit.byKey.has(event.key) || priorEvent(event.key)) return null;
        const stored: StoredActorEvent = { seq: nextSeq, actor: event.actor, type: event.type, payload: parsePayload(event.payload), at: event.at, key: event.key };
        nextSeq += 1;
        unit.events.push(stored);
        unit.byKey.set(stored.key, stored);
        return stored.seq;
      },
      actorEventByKey(key) {
        const own = unit.byKey.get(key);
        if (own) return own;
        const prior = priorEvent(key);
        return prior && unit.erased.has(prior.actor) ? redactActorEvent(prior) : prior;
      },
      saveActorState(actor, state) {
        unit.states.set(actor, { snapshot: state.snapshot, machineVersion: state.machineVersion, lastSeq: state.lastSeq });
      },
    };
    return { unit, writes };
  }

  /** The unit's `x` and `y`; empty when it wrote no actor event or state. */
  function lineParts(unit: ActorLogUnit): Pick<LogLine, "x" | "y"> {
    return {
      ...(unit.events.length > 0 ? { x: unit.events } : {}),
      ...(unit.states.size > 0 ? { y: [...unit.states].map(([actor, state]) => ({ actor, ...state })) } : {}),
    };
  }

  /** Applies a line's actor events and states: at open in log order, and after each line is on disk. */
  function apply(line: Pick<LogLine, "x" | "y">): void {
    line.x?.forEach(remember);
    for (const { actor, snapshot, machineVersion, lastSeq } of line.y ?? []) states.set(actor, { snapshot, machineVersion, lastSeq });
  }

  const loadActorEvents = (actor: string): StoredActorEvent[] => [...(byActor.get(actor) ?? [])];

  const reads: ActorLogReads = {
    loadActorState(actor) {
      const state = states.get(actor);
      return state && { actor, ...state, logSeq: byActor.get(actor)?.at(-1)?.seq ?? 0 };
    },
    loadActorEvents,
    actorEvents: async (actor) => loadActorEvents(actor),
  };

  return {
    reads,
    stage,
    lineParts,
    apply,
    /** `/forget` over what is committed: these actors' events and states lose the customer's contact details. */
    redactCommitted(actors: ReadonlySet<string>): void {
      for (const actor of actors) redactEvents(byActor.get(actor) ?? [], byKey, actors);
      redactStates(states, actors);
    },
    /** The same over what a unit has staged so far. */
    redactStaged(unit: ActorLogUnit, actors: ReadonlySet<string>): void {
      for (const actor of actors) unit.erased.add(actor);
      redactEvents(unit.events, unit.byKey, actors);
      redactStates(unit.states, actors);
    },
    begin: (unit: ActorLogUnit): void => void inFlight.add(unit),
    end: (unit: ActorLogUnit): void => void inFlight.delete(unit),
  };
}
