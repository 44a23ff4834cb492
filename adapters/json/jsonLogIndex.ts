import type { StoredEvent, StoredMessage } from "../../actors/store.port.ts";
import { stemOf } from "./jsonLeadReads.ts";
import { redactEvent } from "./jsonLogFormat.ts";

/** The JSON store's committed customer log in memory, indexed for its queries, with the next seq and message id to give out. */
export interface JsonLogIndex {
  readonly events: StoredEvent[];
  readonly eventsByUser: Map<number, StoredEvent[]>;
  readonly eventsByKey: Map<string, StoredEvent>;
  /** The stems of every key (jsonLeadReads.ts `stemOf`): "did this update apply anything" is one look-up. */
  readonly keyStems: Set<string>;
  readonly messagesByUser: Map<number, StoredMessage[]>;
  /** Above every seq given out so far, by an event or by a lead record (which may be ahead of the log). */
  nextSeq: number;
  nextMessageId: number;
  remember(event: StoredEvent): void;
  rememberMessage(message: StoredMessage): void;
  /** Applies a committed erasure: the customer's messages go, their events are redacted in place. */
  forget(userId: number): void;
}

/** An empty index, filled from the log at open and by each committed unit. */
export function jsonLogIndex(): JsonLogIndex {
  const events: StoredEvent[] = [];
  const eventsByUser = new Map<number, StoredEvent[]>();
  const eventsByKey = new Map<string, StoredEvent>();
  const keyStems = new Set<string>();
  const messagesByUser = new Map<number, StoredMessage[]>();
  const index: JsonLogIndex = {
    events,
    eventsByUser,
    eventsByKey,
    keyStems,
    messagesByUser,
    nextSeq: 1,
    nextMessageId: 1,
    remember(event) {
      events.push(event);
      eventsByKey.set(event.key, event);
      const stem = stemOf(event.key);
      if (stem !== null) keyStems.add(stem);
      const own = eventsByUser.get(event.userId);
      if (own) own.push(event);
      else eventsByUser.set(event.userId, [event]);
      index.nextSeq = Math.max(index.nextSeq, event.seq + 1);
    },
    rememberMessage(message) {
      const own = messagesByUser.get(message.userId);
      if (own) own.push(message);
      else messagesByUser.set(message.userId, [message]);
      index.nextMessageId = Math.max(index.nextMessageId, message.id + 1);
    },
    forget(userId) {
      messagesByUser.delete(userId);
      const redacted = new Map((eventsByUser.get(userId) ?? []).map((event) => [event.seq, redactEvent(event)] as const));
      if (redacted.size > 0) eventsByUser.set(userId, [...redacted.values()]);
      for (const event of redacted.values()) eventsByKey.set(event.key, event);
      events.forEach((event, i) => {
        const replacement = redacted.get(event.seq);
        if (replacement) events[i] = replacement;
      });
    },
  };
  return index;
}
