import type { CustomerEventType } from "../machines/customer.types.ts";
import type { StoredEvent } from "./store.port.ts";

/**
 * What the campaigns' figures (issue 13) read from the event log: the campaign messages of a period,
 * and what each customer did after one. Two indexed reads, so the funnel screen and the daily report
 * stay cheap on a large log: a walk of the (type, time) index for the messages, and for each one a
 * walk of that customer's own log from the message on. actors/campaignStats.ts turns them into figures.
 */
export interface CampaignEventReads {
  /** Events of these types with `from <= at < to`, oldest first. */
  eventsOfTypes(types: readonly CustomerEventType[], range: { readonly from: number; readonly to: number }): Promise<readonly StoredEvent[]>;
  /** The customer's first event of `type` after the event `afterSeq` and before `until` (epoch ms, exclusive), or null. */
  firstEventAfter(userId: number, afterSeq: number, type: CustomerEventType, until: number): Promise<StoredEvent | null>;
}
