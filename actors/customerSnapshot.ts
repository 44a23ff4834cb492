import type { SnapshotFrom } from "xstate";
import type { customerMachine } from "../machines/customer.machine.ts";
import { leadFactsOf, stages, type Stage } from "../machines/customer.types.ts";
import type { Lead } from "./store.port.ts";

export type CustomerSnapshot = SnapshotFrom<typeof customerMachine>;

/** The machine as the runtime takes it: the customer machine, or the same machine with the shop's settings provided. */
export type CustomerMachine = typeof customerMachine;

/** The customer's funnel stage: the `funnel` region of the parallel machine. */
export function stageOf(snapshot: CustomerSnapshot): Stage {
  return snapshot.value.funnel;
}

/** The lead read model of a snapshot: the facts an owner reads, and the stage (never the cart or the consultant's internals). */
export function leadOf(snapshot: CustomerSnapshot): Lead {
  return { ...leadFactsOf(snapshot.context), stage: stageOf(snapshot) };
}

/**
 * A stored snapshot of this customer, restored as a live actor would restore it (history states
 * included), or undefined when it cannot be trusted (not JSON, not active, another customer's, a
 * state the machine does not have): the runtime replays the log instead.
 */
export function restoreSnapshot(restore: (persisted: unknown) => CustomerSnapshot, userId: number, json: string): CustomerSnapshot | undefined {
  try {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const { value, context, status, children } = parsed as { value?: { funnel?: unknown }; context?: { userId?: unknown }; status?: unknown; children?: unknown };
    if (status !== "active" || typeof value !== "object" || value === null || typeof children !== "object" || children === null) return undefined;
    if (!(stages as readonly unknown[]).includes(value.funnel) || context?.userId !== userId) return undefined;
    return restore(parsed);
  } catch {
    return undefined;
  }
}
