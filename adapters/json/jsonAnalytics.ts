import type { CampaignEventReads } from "../../actors/campaignStats.port.ts";
import type { ChartReads } from "../../actors/chartReads.port.ts";
import type { CohortReads } from "../../actors/cohorts.port.ts";
import type { JourneyReads } from "../../actors/journey.port.ts";
import { zoneOffsetMs } from "../../actors/lifecycle.ts";
import type { LifecycleReads } from "../../actors/lifecycle.port.ts";
import { contributionsOf, stageTimeStats } from "../../actors/stageTime.ts";
import type { StageTimeReads } from "../../actors/stageTime.port.ts";
import type { Lead, StoredEvent, StoredOrder } from "../../actors/store.port.ts";
import { jsonCampaignStats } from "./jsonCampaignStats.ts";
import { jsonCharts } from "./jsonCharts.ts";
import { jsonCohorts } from "./jsonCohorts.ts";
import { jsonJourney } from "./jsonJourney.ts";
import { jsonLifecycle } from "./jsonLifecycle.ts";
import { stageMovesIn } from "./jsonLeadReads.ts";

/** What the JSON store's analytics read of what it holds in memory. */
export interface JsonAnalyticsParts {
  readonly events: readonly StoredEvent[];
  eventsOf(userId: number): readonly StoredEvent[];
  leads(): Lead[];
  lead(userId: number): Lead | undefined;
  orders(): StoredOrder[];
  /** Whether the order has an actor (an order placed before orders were actors has none). */
  hasActor(orderId: string): boolean;
  /** TIME_ZONE, whose UTC offset now files the weekly lifecycle's weeks. */
  readonly timeZone: string;
  now(): number;
  ensureOpen(): void;
}

/**
 * The JSON store's analytics (campaign stats, time in stage, journey, cohorts, charts, lifecycle),
 * each a scan of what it holds in memory, which suits the small shop it is meant for.
 */
export function jsonAnalytics(parts: JsonAnalyticsParts): CampaignEventReads & StageTimeReads & JourneyReads & CohortReads & ChartReads & LifecycleReads {
  const { events, eventsOf, leads, orders, hasActor, ensureOpen } = parts;
  return {
    ...jsonCampaignStats(events, eventsOf, ensureOpen),
    async stageTimes() {
      ensureOpen();
      return stageTimeStats(leads().flatMap((lead) => contributionsOf(lead.stageEnteredAt).map(([metric, bucket]) => ({ metric, bucket, n: 1 }))));
    },
    ...jsonJourney(eventsOf, ensureOpen),
    ...jsonCohorts({ leads, orders, hasActor, ensureOpen }),
    ...jsonCharts({
      orders,
      sourceOf: (userId) => parts.lead(userId)?.source ?? null,
      stageMoves: (from, to) => stageMovesIn(leads(), from, to),
      hasActor,
      ensureOpen,
    }),
    ...jsonLifecycle({ events: () => events, leads, offsetMs: zoneOffsetMs(parts.timeZone, parts.now()), ensureOpen }),
  };
}

