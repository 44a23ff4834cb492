import type { CustomerRuntime, CustomerSnapshot, DispatchResult } from "../../actors/customerRuntime.ts";
import type { CustomerMachine } from "../../actors/customerSnapshot.ts";
import type { CustomerEventInput } from "../../machines/customer.types.ts";

/** What a customer's inspector actor needs of the runtime: to dispatch into it, and to read a customer not seen yet. */
export type CustomerPort = Pick<CustomerRuntime, "dispatch" | "snapshotOf">;

/** The id of a customer's actor in the inspector; stable, so one filter finds it across runs. */
export const customerActorId = (userId: number): string => `customer-${userId}`;

/** Someone watching one customer's actor, as an XState observer is. */
type SnapshotObserver = ((snapshot: CustomerSnapshot) => void) | { readonly next?: (snapshot: CustomerSnapshot) => void };

/**
 * A customer as the inspector sees it, and as a developer pokes it: an actor reference whose
 * `send` dispatches into the runtime (the event is durable, stepped and committed like any
 * other), and whose `getSnapshot` is the customer's snapshot after their last committed event.
 * The runtime stays the only thing that steps customers; this is its handle, not a second copy.
 */
export interface InspectedCustomer {
  readonly userId: number;
  /** `customer-501`: the inspector's session id. */
  readonly sessionId: string;
  /** `customer 501`: the name in the inspector's list. */
  readonly id: string;
  /** What the inspector draws: the runtime's machine's own config (as provided with the shop's settings), named for this customer. */
  readonly logic: { readonly config: CustomerMachine["config"] };
  /**
   * Dispatches the event into the runtime with a key of its own (`inspect:<run>:<n>`), as XState's
   * `send` does: it returns at once. What the runtime refuses (an unknown type, an emitted fact) is
   * handed to the bridge's `onSendFailed`; `dispatch` is the same with its result.
   */
  send(event: CustomerEventInput): void;
  /** `send`, resolving with the runtime's result once the event is durable. */
  dispatch(event: CustomerEventInput): Promise<DispatchResult>;
  /** The customer's snapshot after their last committed event. */
  getSnapshot(): CustomerSnapshot;
  /** Told of each snapshot after this one; XState's observer shapes. */
  subscribe(observer: SnapshotObserver): { unsubscribe(): void };
}

/** What the bridge holds for each inspected customer: the actor, and how to move its snapshot on. */
export interface CustomerHandle {
  readonly actor: InspectedCustomer;
  /** A committed transition: the snapshot after it, passed on to subscribers. */
  update(snapshot: CustomerSnapshot): void;
}

export interface InspectedCustomerOptions {
  readonly userId: number;
  readonly machine: CustomerMachine;
  readonly snapshot: CustomerSnapshot;
  /** The runtime to dispatch into; null until the bridge is connected, when `send` fails with a clear reason. */
  readonly runtime: () => CustomerPort | null;
  /** The next unique key for a dispatched event. */
  readonly nextKey: () => string;
  readonly onSendFailed: (userId: number, event: CustomerEventInput, error: unknown) => void;
  /** Tracks a send in flight, so `settled()` can wait for it. */
  readonly track: (pending: Promise<unknown>) => void;
}

/** Builds one customer's actor handle; see {@link InspectedCustomer}. */
export function createInspectedCustomer(options: InspectedCustomerOptions): CustomerHandle {
  const { userId } = options;
  const name = `customer ${userId}`;
  const config = { ...options.machine.config, id: name };
  const observers = new Set<SnapshotObserver>();
  let snapshot = options.snapshot;

  const dispatch = async (event: CustomerEventInput): Promise<DispatchResult> => {
    const runtime = options.runtime();
    if (!runtime) throw new Error("the inspector is not connected to the customer runtime");
    const { key: _key, seq: _seq, ...fields } = event as CustomerEventInput & { key?: unknown; seq?: unknown };
    return runtime.dispatch(userId, { ...fields, key: options.nextKey() } as Parameters<CustomerPort["dispatch"]>[1]);
  };

  const actor: InspectedCustomer = {
    userId,
    sessionId: customerActorId(userId),
    id: name,
    logic: { config },
    send(event) {
      const pending = dispatch(event).catch((error: unknown) => options.onSendFailed(userId, event, error));
      options.track(pending);
    },
    dispatch,
    getSnapshot: () => snapshot,
    subscribe(observer) {
      observers.add(observer);
      return { unsubscribe: () => void observers.delete(observer) };
    },
  };

  return {
    actor,
    update(next) {
      snapshot = next;
      for (const observer of observers) {
        try {
          if (typeof observer === "function") observer(next);
          else observer.next?.(next);
        } catch {
          // An observer only looks.
        }
      }
    },
  };
}
