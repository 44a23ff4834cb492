import type { AnyMachineSnapshot, AnyStateMachine, EventObject } from "xstate";

/**
 * The common case of a step, taken without XState's macrostep: an event whose only transition in
 * the current configuration is one unguarded, targetless transition whose actions are all
 * `assign`s (a customer browsing the catalog: the facts region records it, no region moves).
 *
 * XState's own step for such an event exits nothing, enters nothing, records no action and only
 * assigns the context; this does exactly that, in about a tenth of the time of a parallel
 * machine's macrostep. Any other event (a guard, a target, an action that is not an assign, two
 * regions reacting) returns null, and the caller takes XState's own step. The property tests that
 * compare the runtime with a live actor (actors/customerRuntime.property.test.ts,
 * actors/customerStepper.test.ts) cover both paths.
 */

type StateNode = AnyStateMachine["root"];
type Transition = NonNullable<ReturnType<StateNode["transitions"]["get"]>>[number];

/** An assign action as `assign(...)` creates it: the function XState resolves by its `assignment`. */
interface AssignAction {
  readonly type: "xstate.assign";
  readonly assignment: ((args: object, params: unknown) => object) | Readonly<Record<string, unknown>>;
}

/** One assign of the plan, with its params as the transition gives them (a value, or a function of context and event). */
interface PlannedAssign {
  readonly action: AssignAction;
  readonly params: unknown;
}

const isAssign = (value: unknown): value is AssignAction =>
  typeof value === "function" && (value as { type?: unknown }).type === "xstate.assign" && "assignment" in value;

/** Whether the machine could ever take this path: no eventless transitions and no wildcard descriptors anywhere. */
function eligible(machine: AnyStateMachine): boolean {
  const nodes: StateNode[] = [machine.root];
  for (let node = nodes.pop(); node; node = nodes.pop()) {
    if (node.always && node.always.length > 0) return false;
    for (const descriptor of node.transitions.keys()) if (descriptor.includes("*")) return false;
    nodes.push(...(Object.values(node.states) as StateNode[]));
  }
  return true;
}

/**
 * The transitions an atomic state offers for `type` without evaluating anything: its own, or its
 * nearest ancestor's within its region. A handler on a parallel node or above it is taken by XState
 * only when no region reacts, which this path does not model: "unsupported" sends it to XState.
 */
function candidateOf(atomic: StateNode, type: string): Transition[] | undefined | "unsupported" {
  let node: StateNode | undefined = atomic;
  for (; node && node.type !== "parallel"; node = node.parent) {
    const transitions = node.transitions.get(type);
    if (transitions && transitions.length > 0) return transitions;
  }
  for (; node; node = node.parent) if ((node.transitions.get(type)?.length ?? 0) > 0) return "unsupported";
  return undefined;
}

/** The assigns of a transition, or null when one of its actions is anything else. */
function assignsOf(machine: AnyStateMachine, transition: Transition): PlannedAssign[] | null {
  const implementations = machine.implementations.actions as Readonly<Record<string, unknown>>;
  const planned: PlannedAssign[] = [];
  for (const action of transition.actions as readonly unknown[]) {
    if (isAssign(action)) {
      planned.push({ action, params: undefined });
      continue;
    }
    const named = typeof action === "string" ? { type: action, params: undefined } : (action as { type?: unknown; params?: unknown } | null);
    const implementation = named && typeof named.type === "string" ? implementations[named.type] : undefined;
    if (!isAssign(implementation)) return null;
    planned.push({ action: implementation, params: named?.params });
  }
  return planned;
}

/** The plan for `type` in a configuration: the assigns of its one transition, or null when XState must step. */
function planOf(machine: AnyStateMachine, nodes: readonly StateNode[], type: string): PlannedAssign[] | null {
  let only: Transition | undefined;
  for (const node of nodes) {
    if (node.type !== "atomic") continue;
    const candidates = candidateOf(node, type);
    if (candidates === "unsupported") return null;
    if (!candidates) continue;
    const [transition] = candidates;
    if (candidates.length !== 1 || !transition || transition.guard || (transition.target && transition.target.length > 0) || transition.reenter) return null;
    if (only && only !== transition) return null;
    only = transition;
  }
  return only ? assignsOf(machine, only) : null;
}

/**
 * A fast path for `machine`, or null when the machine has eventless or wildcard transitions.
 * `step(snapshot, event)` returns the next snapshot, or null when XState must take the step.
 */
export function createTargetlessStep(machine: AnyStateMachine, scope: { readonly self: unknown; readonly system: unknown }) {
  if (!eligible(machine)) return null;
  const plans = new WeakMap<readonly StateNode[], Map<string, PlannedAssign[] | null>>();
  const refuseSpawn = (): never => {
    throw new Error("a durable machine cannot spawn");
  };
  return {
    step<S extends AnyMachineSnapshot>(snapshot: S, event: EventObject): S | null {
      if (snapshot.status !== "active") return null;
      const nodes = (snapshot as unknown as { _nodes: readonly StateNode[] })._nodes;
      let byType = plans.get(nodes);
      if (!byType) {
        byType = new Map();
        plans.set(nodes, byType);
      }
      let plan = byType.get(event.type);
      if (plan === undefined) {
        plan = planOf(machine, nodes, event.type);
        byType.set(event.type, plan);
      }
      if (plan === null) return null;
      let context = snapshot.context as object;
      for (const { action, params } of plan) {
        const resolved = typeof params === "function" ? (params as (args: object) => unknown)({ context, event }) : params;
        const args = { context, event, spawn: refuseSpawn, self: scope.self, system: scope.system };
        const { assignment } = action;
        let partial: Record<string, unknown>;
        if (typeof assignment === "function") partial = assignment(args, resolved) as Record<string, unknown>;
        else {
          partial = {};
          for (const key of Object.keys(assignment)) {
            const value = assignment[key];
            partial[key] = typeof value === "function" ? (value as (a: object, p: unknown) => unknown)(args, resolved) : value;
          }
        }
        context = Object.assign({}, context, partial);
      }
      return { ...snapshot, context } as S;
    },
  };
}
