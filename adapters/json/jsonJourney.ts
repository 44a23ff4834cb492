import type { JourneyReads } from "../../actors/journey.port.ts";
import type { StoredEvent } from "../../actors/store.port.ts";

/** The first index in a seq-ordered log whose seq is above `seq`. */
function firstAbove(log: readonly StoredEvent[], seq: number): number {
  let low = 0;
  let high = log.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((log[mid]?.seq ?? 0) > seq) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** The journey's keyset pages (actors/journey.port.ts) on the JSON store: a binary search of the customer's own log, kept in seq order. */
export function jsonJourney(eventsOf: (userId: number) => readonly StoredEvent[], ensureOpen: () => void): JourneyReads {
  return {
    async eventsBySeq(userId, cursor, limit) {
      ensureOpen();
      const log = eventsOf(userId);
      const size = Math.max(0, Math.floor(limit));
      if ("before" in cursor) {
        const end = firstAbove(log, cursor.before - 1);
        return log.slice(Math.max(0, end - size), end);
      }
      const start = firstAbove(log, cursor.after);
      return log.slice(start, start + size);
    },
  };
}
