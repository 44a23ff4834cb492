import type { CampaignEventReads } from "../../actors/campaignStats.port.ts";
import type { StoredEvent } from "../../actors/store.port.ts";

/**
 * The campaigns' reads (actors/campaignStats.port.ts) on the JSON store's in-memory log: a scan of
 * the log for a period's messages, as the rest of this store's daily figures are (it is meant for a
 * small shop), and each customer's own events for what they did after one.
 */
export function jsonCampaignStats(events: readonly StoredEvent[], eventsOf: (userId: number) => readonly StoredEvent[], ensureOpen: () => void): CampaignEventReads {
  return {
    async eventsOfTypes(types, range) {
      ensureOpen();
      const wanted = new Set<string>(types);
      return events.filter((event) => wanted.has(event.type) && event.at >= range.from && event.at < range.to).sort((a, b) => a.at - b.at || a.seq - b.seq);
    },
    async firstEventAfter(userId, afterSeq, type, until) {
      ensureOpen();
      return eventsOf(userId).find((event) => event.seq > afterSeq && event.type === type && event.at < until) ?? null;
    },
  };
}
