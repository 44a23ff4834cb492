import { storeContract } from "../storeContract.ts";
import { segmentsContract } from "../storeContractSegments.ts";
import { campaignStatsContract } from "../storeContractCampaigns.ts";
import { journeyContract } from "../storeContractJourney.ts";
import { stageTimeContract } from "../storeContractStageTime.ts";
import { chartReadsContract } from "../storeContractCharts.ts";
import { cohortContract } from "../storeContractCohorts.ts";
import { lifecycleContract } from "../storeContractLifecycle.ts";
import { openJsonStore } from "./jsonStore.ts";

storeContract("json", (dir, options) => openJsonStore({ dir, checkpointEvery: 5, ...options }));
segmentsContract("json", (dir, options) => openJsonStore({ dir, checkpointEvery: 5, ...options }));
campaignStatsContract("json", (dir, options) => openJsonStore({ dir, checkpointEvery: 5, ...options }));
journeyContract("json", (dir, options) => openJsonStore({ dir, checkpointEvery: 5, ...options }));
stageTimeContract("json", (dir, options) => openJsonStore({ dir, checkpointEvery: 5, ...options }));
chartReadsContract("json", (dir, options) => openJsonStore({ dir, checkpointEvery: 5, ...options }));
cohortContract("json", (dir, options) => openJsonStore({ dir, checkpointEvery: 5, ...options }));
lifecycleContract("json", (dir, options) => openJsonStore({ dir, checkpointEvery: 5, ...options }));
