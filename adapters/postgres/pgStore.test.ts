import { storeContract } from "../storeContract.ts";
import { segmentsContract } from "../storeContractSegments.ts";
import { campaignStatsContract } from "../storeContractCampaigns.ts";
import { journeyContract } from "../storeContractJourney.ts";
import { stageTimeContract } from "../storeContractStageTime.ts";
import { chartReadsContract } from "../storeContractCharts.ts";
import { cohortContract } from "../storeContractCohorts.ts";
import { lifecycleContract } from "../storeContractLifecycle.ts";
import { freshDatabase } from "./testing/freshDatabase.ts";
import { openPostgresStore } from "./pgStore.ts";
import { rowTraceReader } from "./testing/rowTraces.ts";
import { afterAll } from "vitest";

/** Each contract's folder is one database: reopening a folder reopens its database, as a file would be. */
const databases = new Map<string, Promise<string>>();
const opened = new Map<string, string>();
const databaseOf = (dir: string): Promise<string> => {
  let url = databases.get(dir);
  if (!url) {
    url = freshDatabase("store").then((made) => {
      opened.set(dir, made);
      return made;
    });
    databases.set(dir, url);
  }
  return url;
};
/** An erasure leaves no live row holding the data: the contracts' file check, on the database. */
const rows = rowTraceReader((dir) => opened.get(dir));
afterAll(() => rows.close());
/**
 * Opened exclusively: the contract holds a store to one process at a time (a second opening is
 * refused), which on PostgreSQL is the `exclusive` option; several processes share a database without it.
 */
const open = async (dir: string, options: { readonly clock?: { now(): number }; readonly timeZone?: string } = {}) =>
  openPostgresStore({ url: await databaseOf(dir), exclusive: true, ...options });

/** The contract suites, unchanged, against the PostgreSQL store: add a suite here as its part lands. */
const suites = [segmentsContract, campaignStatsContract, journeyContract, stageTimeContract, chartReadsContract, cohortContract, lifecycleContract];
storeContract("postgres", open, rows.traces);
for (const suite of suites) suite("postgres", open);
