import { dayBounds } from "../../actors/calendar.ts";
import { funnelFromCounts } from "../../actors/funnelStats.ts";
import { pageBounds, pageOf } from "../../actors/paging.ts";
import { leadSearchText, parseSearchQuery } from "../../actors/searchQuery.ts";
import type { CrmStore, CustomerLogReads, Lead, Page, PageRequest, StoredActor, StoredEvent, StoredMessage } from "../../actors/store.port.ts";
import { stages, type CustomerEventType, type Stage } from "../../machines/customer.types.ts";
import type { ActorRecord } from "./jsonLogFormat.ts";

/**
 * A key's stem, through its second colon (`shop:5:` of `shop:5:search#0`), or null: the keys of one
 * update share it, so "did this update apply anything" is one set lookup, not a scan of the log.
 */
export function stemOf(key: string): string | null {
  const second = key.indexOf(":", key.indexOf(":") + 1);
  return key.indexOf(":") < 0 || second < 0 ? null : key.slice(0, second + 1);
}

function page<T>(all: readonly T[], request: PageRequest | undefined): Page<T> {
  const { offset, limit } = pageBounds(request);
  return pageOf(all.slice(offset, offset + limit + 1), offset, limit);
}

const byRecent = (a: Lead, b: Lead): number => (b.lastSeenAt ?? 0) - (a.lastSeenAt ?? 0) || b.userId - a.userId;

/**
 * How many of these leads entered each stage within `[start, end)`, read from their stage dates.
 * A scan of every lead, as the rest of this store's daily stats are: it is meant for a small shop.
 */
export function stageMovesIn(leads: readonly Lead[], start: number, end: number): Partial<Record<Stage, number>> {
  const counts: Partial<Record<Stage, number>> = {};
  for (const lead of leads) {
    for (const stage of stages) {
      const entered = lead.stageEnteredAt[stage];
      if (typeof entered === "number" && entered >= start && entered < end) counts[stage] = (counts[stage] ?? 0) + 1;
    }
  }
  const inOrder: Partial<Record<Stage, number>> = {};
  for (const stage of stages) if (counts[stage] !== undefined) inOrder[stage] = counts[stage];
  return inOrder;
}

/** What the JSON store holds in memory of the customers' log and leads, as its reads see it (committed units only). */
export interface JsonLeadState {
  readonly events: readonly StoredEvent[];
  readonly eventsByUser: ReadonlyMap<number, readonly StoredEvent[]>;
  readonly eventsByKey: ReadonlyMap<string, StoredEvent>;
  readonly keyStems: ReadonlySet<string>;
  readonly messagesByUser: ReadonlyMap<number, readonly StoredMessage[]>;
  readonly actors: ReadonlyMap<number, ActorRecord>;
  leads(): Lead[];
}

/**
 * The JSON store's reads of events, messages and leads: scans of what it holds in memory, which
 * suit the small shop it is meant for. The state is read at each call, so it sees every commit.
 */
export function jsonLeadReads(state: JsonLeadState): CustomerLogReads {
  const { events, eventsByUser, eventsByKey, keyStems, messagesByUser, actors, leads } = state;

  /** Customers at each stage now, and of them the dormant ones: counted from the leads, so exact by construction. */
  const funnelCounts = (): { current: Partial<Record<Stage, number>>; dormant: Partial<Record<Stage, number>> } => {
    const current: Partial<Record<Stage, number>> = {};
    const dormant: Partial<Record<Stage, number>> = {};
    for (const { lead } of actors.values()) {
      current[lead.stage] = (current[lead.stage] ?? 0) + 1;
      if (lead.dormantSince !== null) dormant[lead.stage] = (dormant[lead.stage] ?? 0) + 1;
    }
    return { current, dormant };
  };

  const searchable = (lead: Lead): string[] => leadSearchText(lead).split(" ");

  const ordersIn = (from: number, to: number): StoredEvent[] =>
    events.filter((event) => event.type === "order_created" && event.at >= from && event.at < to);
  const totalOf = (event: StoredEvent): number => Number(event.payload["total"] ?? 0);

  return {
    async hasEventKeyPrefix(prefix) {
      if (stemOf(prefix) === prefix) return keyStems.has(prefix);
      for (const key of eventsByKey.keys()) if (key.startsWith(prefix)) return true;
      return false;
    },

    async events(userId, filter = {}) {
      const types = filter.types && filter.types.length > 0 ? new Set<CustomerEventType>(filter.types) : undefined;
      const matching = (eventsByUser.get(userId) ?? []).filter(
        (event) =>
          (!types || types.has(event.type)) &&
          (filter.since === undefined || event.at >= filter.since) &&
          (filter.until === undefined || event.at < filter.until),
      );
      return filter.limit === undefined ? matching : matching.slice(Math.max(0, matching.length - filter.limit));
    },

    async stage(userId) {
      return actors.get(userId)?.lead.stage ?? null;
    },

    async ordersCount(userId) {
      return actors.get(userId)?.lead.ordersCount ?? 0;
    },

    async seen(userId) {
      const lead = actors.get(userId)?.lead;
      return lead ? { firstSeenAt: lead.firstSeenAt, lastSeenAt: lead.lastSeenAt } : null;
    },

    async dailyStats(day, timeZone) {
      const { start, end } = dayBounds(day, timeZone);
      const eventsByType: Partial<Record<CustomerEventType, number>> = {};
      for (const event of events) {
        if (event.at >= start && event.at < end) eventsByType[event.type] = (eventsByType[event.type] ?? 0) + 1;
      }
      const orders = ordersIn(start, end);
      const all = leads();
      const newLeads = all.filter((lead) => lead.firstSeenAt !== null && lead.firstSeenAt >= start && lead.firstSeenAt < end).length;
      const revenue = Math.round(orders.reduce((sum, event) => sum + totalOf(event), 0) * 100) / 100;
      return { day, timeZone, newLeads, eventsByType, orders: orders.length, revenue, stageMoves: stageMovesIn(all, start, end) };
    },

    async messages(userId, filter = {}) {
      const matching = (messagesByUser.get(userId) ?? []).filter((message) => !filter.direction || message.direction === filter.direction);
      return filter.limit === undefined ? matching : matching.slice(Math.max(0, matching.length - filter.limit));
    },

    async messagesCount(userId, filter = {}) {
      return (messagesByUser.get(userId) ?? []).filter((message) => !filter.direction || message.direction === filter.direction).length;
    },

    async hasConsent(userId) {
      return (actors.get(userId)?.lead.consentAt ?? null) !== null;
    },

    async funnel() {
      const { current, dormant } = funnelCounts();
      return funnelFromCounts(current, dormant);
    },

    async recentLeads(request) {
      return page(leads().sort(byRecent), request);
    },

    async search(query, request) {
      const { userId, terms } = parseSearchQuery(query);
      const exact = userId === null ? undefined : actors.get(userId)?.lead;
      const matches =
        terms.length === 0
          ? []
          : leads()
              .filter((lead) => lead.userId !== exact?.userId)
              .filter((lead) => {
                const words = searchable(lead);
                return terms.every((term) => words.some((word) => word.startsWith(term)));
              })
              .sort(byRecent);
      return page(exact ? [exact, ...matches] : matches, request);
    },

    async lead(userId) {
      return actors.get(userId)?.lead ?? null;
    },
  };
}

/** The customers' actors as the runtime loads them: each lead record with its snapshot, and the log it was built from. */
export function jsonActorReads(
  eventsByUser: ReadonlyMap<number, readonly StoredEvent[]>,
  actors: ReadonlyMap<number, ActorRecord>,
): Pick<CrmStore, "loadActor" | "loadEvents" | "staleActors"> {
  return {
    loadActor(userId: number): StoredActor | undefined {
      const record = actors.get(userId);
      if (!record) return undefined;
      return {
        userId,
        stage: record.lead.stage,
        snapshot: record.snapshot,
        machineVersion: record.machineVersion,
        lastSeq: record.lastSeq,
        logSeq: eventsByUser.get(userId)?.at(-1)?.seq ?? 0,
      };
    },

    loadEvents(userId: number): readonly StoredEvent[] {
      return [...(eventsByUser.get(userId) ?? [])];
    },

    staleActors(): readonly number[] {
      const stale: number[] = [];
      for (const [userId, own] of eventsByUser) {
        if ((actors.get(userId)?.lastSeq ?? 0) < (own.at(-1)?.seq ?? 0)) stale.push(userId);
      }
      return stale;
    },
  };
}
