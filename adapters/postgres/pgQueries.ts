import type { Pool } from "pg";
import type { BroadcastStore } from "../../actors/broadcastStore.port.ts";
import type { CampaignEventReads } from "../../actors/campaignStats.port.ts";
import type { CatalogReads } from "../../actors/catalogStore.port.ts";
import type { ChartReads } from "../../actors/chartReads.port.ts";
import type { CohortReads } from "../../actors/cohorts.port.ts";
import type { LifecycleReads } from "../../actors/lifecycle.port.ts";
import type { JourneyReads } from "../../actors/journey.port.ts";
import type { SegmentStore } from "../../actors/segments.port.ts";
import type { StageTimeReads } from "../../actors/stageTime.port.ts";
import type { CrmQueries } from "../../actors/store.port.ts";
import { pgBroadcasts } from "./pgBroadcastReads.ts";
import { pgCatalogReads, type PgSyncQuery } from "./pgCatalogReads.ts";
import { pgChartReads, pgStageTimeReads } from "./pgChartReads.ts";
import { pgCohortReads, pgLifecycleReads } from "./pgCohortReads.ts";
import { pgCampaignReads, pgJourneyReads } from "./pgJourneyReads.ts";
import { pgLeadReads } from "./pgLeadReads.ts";
import { pgOrderReads } from "./pgOrderReads.ts";
import { pgSegmentReads } from "./pgSegmentReads.ts";

export interface PgQueriesOptions {
  /**
   * Runs a statement synchronously (the store's bridge): for the few reads the port has
   * synchronous (the catalog's rows, a broadcast's recipients between sends).
   */
  readonly query: PgSyncQuery;
  /** How many of the most recently seen leads a search walks before it sorts the index's matches (default 2,000; pgLeadReads.ts). */
  readonly searchWalk?: number;
}

/** Every read of `CrmStore` that is not the hot path's, and the broadcasts' rows: what the PostgreSQL store spreads in. */
export type PgQueries = CrmQueries &
  JourneyReads &
  CampaignEventReads &
  ChartReads &
  StageTimeReads &
  CohortReads &
  LifecycleReads &
  SegmentStore &
  Omit<CatalogReads, "catalogVersion"> & { readonly broadcasts: BroadcastStore };

/**
 * The PostgreSQL store's read side: each query of the SQLite store (adapters/sqlite/*.ts) as one
 * statement on the pool, answering the same; the store contracts hold them to it
 * (adapters/postgres/pgReads.test.ts). Reads see committed units only, from whichever process.
 */
export function pgQueries(pool: Pool, options: PgQueriesOptions): PgQueries {
  return {
    ...pgLeadReads(pool, options.searchWalk === undefined ? {} : { searchWalk: options.searchWalk }),
    ...pgOrderReads(pool),
    ...pgJourneyReads(pool),
    ...pgCampaignReads(pool),
    ...pgChartReads(pool),
    ...pgStageTimeReads(pool),
    ...pgCohortReads(pool),
    ...pgLifecycleReads(pool),
    ...pgSegmentReads(pool),
    ...pgCatalogReads(pool, options.query),
    broadcasts: pgBroadcasts(pool, options.query),
  };
}
