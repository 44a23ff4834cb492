import { storeContract } from "../storeContract.ts";
import { segmentsContract } from "../storeContractSegments.ts";
import { campaignStatsContract } from "../storeContractCampaigns.ts";
import { journeyContract } from "../storeContractJourney.ts";
import { stageTimeContract } from "../storeContractStageTime.ts";
import { chartReadsContract } from "../storeContractCharts.ts";
import { cohortContract } from "../storeContractCohorts.ts";
import { lifecycleContract } from "../storeContractLifecycle.ts";
import { freshDatabase } from "./testing/freshDatabase.ts";
import { openReadsOverSqlite } from "./pgReadsFixture.ts";

/**
 * The read contracts against PostgreSQL's read side (pgQueries.ts), with SQLite's writes copied in
 * after every unit (pgReadsFixture.ts): every read these suites make is answered by PostgreSQL.
 */
const open = (dir: string, options: { readonly clock?: { now(): number }; readonly timeZone?: string } = {}) => openReadsOverSqlite(dir, { ...options, freshDatabase: () => freshDatabase("reads") });

storeContract("postgres reads", open);
segmentsContract("postgres reads", open);
campaignStatsContract("postgres reads", open);
journeyContract("postgres reads", open);
stageTimeContract("postgres reads", open);
chartReadsContract("postgres reads", open);
cohortContract("postgres reads", open);
lifecycleContract("postgres reads", open);
