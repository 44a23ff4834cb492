import { foldCohorts } from "../../actors/cohorts.ts";
import type { CohortReads } from "../../actors/cohorts.port.ts";
import type { Lead, StoredOrder } from "../../actors/store.port.ts";

/**
 * The cohort reads (actors/cohorts.port.ts) on the JSON store, which keeps everything in memory
 * for small shops: one pass over the leads and one over the orders, by the rules of the SQLite
 * projection's triggers (actors/cohorts.ts `foldCohorts`).
 */
export function jsonCohorts(parts: {
  readonly leads: () => readonly Lead[];
  readonly orders: () => readonly StoredOrder[];
  readonly hasActor: (orderId: string) => boolean;
  readonly ensureOpen: () => void;
}): CohortReads {
  return {
    async cohorts(query) {
      parts.ensureOpen();
      return foldCohorts(parts.leads(), parts.orders(), parts.hasActor, query);
    },
  };
}
