import type { CrmStore, Lead, StoredOrder } from "../../actors/store.port.ts";
import { queuesAny, type LogLine, type mirrorOutbox, type MirrorQueued } from "./jsonLogFormat.ts";

/**
 * Appends a line of mirror changes or effect attempts after every unit already committing, then
 * applies it; `change` reads the outboxes as they are by then, and its null line writes nothing.
 */
export type MirrorLine = <R>(change: () => { readonly line: Pick<LogLine, "q" | "c" | "r"> | null; readonly result: R }) => Promise<R>;

/** What the outboxes' writes outside units need of the JSON store. */
export interface JsonMirrorParts {
  readonly mirrorLine: MirrorLine;
  readonly outbox: ReturnType<typeof mirrorOutbox>;
  /** Whether an effect is still queued: an attempt on one delivered or erased meanwhile writes nothing. */
  hasEffect(key: string): boolean;
  leads(): Lead[];
  orders(): StoredOrder[];
  now(): number;
  ensureOpen(): void;
}

/** The Sheets mirror's outbox and the effect worker's attempts on the JSON store: each change a log line of its own. */
export function jsonMirrorMethods(parts: JsonMirrorParts): Pick<CrmStore, "recordEffectAttempt" | "pendingMirror" | "completeMirror" | "enqueueAllForMirror" | "pendingMirrorCount"> {
  const { mirrorLine, outbox, ensureOpen } = parts;
  return {
    recordEffectAttempt(key, attempt) {
      if (attempt.status !== "pending" && attempt.status !== "failed") return Promise.reject(new Error(`an effect's status is pending or failed, not ${String(attempt.status)}`));
      // An effect delivered (or erased) meanwhile is gone: recording an attempt on it writes nothing.
      return mirrorLine(() => ({
        line: parts.hasEffect(key) ? { r: [[key, attempt.attempts, attempt.nextAt, attempt.status, attempt.lastError]] } : null,
        result: undefined,
      }));
    },

    async pendingMirror(kind, limit) {
      ensureOpen();
      return outbox.pending(kind, limit);
    },

    completeMirror(items) {
      return mirrorLine(() => {
        const done = outbox.stillPending(items);
        return { line: done.lead.length > 0 || done.order.length > 0 ? { c: done } : null, result: undefined };
      });
    },

    enqueueAllForMirror() {
      return mirrorLine(() => {
        const byFirstSeen = parts.leads().sort((a, b) => (a.firstSeenAt ?? 0) - (b.firstSeenAt ?? 0) || a.userId - b.userId);
        const byTime = parts.orders().sort((a, b) => a.at - b.at);
        const q: MirrorQueued = { at: parts.now(), lead: byFirstSeen.map((lead) => String(lead.userId)), order: byTime.map((order) => order.orderId) };
        return { line: queuesAny(q) ? { q } : null, result: q.lead.length + q.order.length };
      });
    },

    async pendingMirrorCount() {
      ensureOpen();
      return { leads: outbox.items.lead.size, orders: outbox.items.order.size };
    },
  };
}
