import { centsOf, lifecycleKind, lifecycleSeries, lifetimeValueBucket, lifetimeValueStats, weekOf, type LifetimeValueRow, type WeekCounts } from "../../actors/lifecycle.ts";
import type { LifecycleReads } from "../../actors/lifecycle.port.ts";
import type { Lead, StoredEvent } from "../../actors/store.port.ts";
import { customerActs } from "../../machines/customer.types.ts";

const acts: ReadonlySet<string> = new Set<string>(customerActs);

function add<K>(map: Map<K, { customers: number; cents: number }>, key: K, cents: number): void {
  const row = map.get(key) ?? { customers: 0, cents: 0 };
  map.set(key, { customers: row.customers + 1, cents: row.cents + cents });
}

/**
 * The lifecycle and lifetime-value reads (actors/lifecycle.port.ts) on the JSON store, which keeps
 * everything in memory for small shops: the log's customer acts folded in order, each moving the
 * customer's last seen as their lead's `lastSeenAt` moves (so a week counts as SQLite's triggers
 * count it), and the leads' lifetime values.
 */
export function jsonLifecycle(parts: {
  readonly events: () => readonly StoredEvent[];
  readonly leads: () => readonly Lead[];
  /** TIME_ZONE's UTC offset when the store opened. */
  readonly offsetMs: number;
  readonly ensureOpen: () => void;
}): LifecycleReads {
  return {
    async lifecycle(query) {
      parts.ensureOpen();
      const lastSeen = new Map<number, number>();
      const counts = new Map<number, Record<keyof WeekCounts, number>>();
      for (const event of parts.events()) {
        if (!acts.has(event.type)) continue;
        const before = lastSeen.get(event.userId);
        const seen = Math.max(before ?? event.at, event.at);
        lastSeen.set(event.userId, seen);
        const week = weekOf(seen, parts.offsetMs);
        const kind = lifecycleKind(week, before === undefined ? null : weekOf(before, parts.offsetMs));
        if (kind === null) continue;
        const row = counts.get(week) ?? { new: 0, returning: 0, reactivated: 0 };
        row[kind] += 1;
        counts.set(week, row);
      }
      return lifecycleSeries(counts, query, parts.offsetMs);
    },
    async lifetimeValues() {
      parts.ensureOpen();
      const buckets = new Map<number, { customers: number; cents: number }>();
      const sources = new Map<string | null, { customers: number; cents: number }>();
      for (const lead of parts.leads()) {
        if (lead.ordersCount <= 0) continue;
        const cents = centsOf(lead.lifetimeValue);
        add(buckets, lifetimeValueBucket(lead.lifetimeValue), cents);
        add(sources, lead.source, cents);
      }
      const rows = <K>(map: ReadonlyMap<K, { customers: number; cents: number }>): LifetimeValueRow<K>[] => [...map].map(([key, row]) => ({ key, ...row }));
      return lifetimeValueStats(rows(buckets), rows(sources));
    },
  };
}
