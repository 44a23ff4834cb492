import type { BroadcastCustomers } from "./broadcastDelivery.port.ts";
import type { CustomerRuntime } from "./customerRuntime.ts";

/**
 * What a broadcast tells customers, as events of their actors: `blocked` (a fact on the lead, shown
 * on the card and counted in the funnel) and `broadcast_received` (the card's journey), each keyed
 * by the broadcast and the customer so a resend after a crash records it once.
 */
export function broadcastCustomersOf(runtime: Pick<CustomerRuntime, "dispatch">): BroadcastCustomers {
  return {
    received: async (userId, broadcastId, key) => {
      await runtime.dispatch(userId, { type: "broadcast_received", broadcastId, key });
    },
    blocked: async (userId, key) => {
      await runtime.dispatch(userId, { type: "blocked", key });
    },
  };
}
