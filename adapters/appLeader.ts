/**
 * What runs once per deployment, and who runs it: with one process (SQLite, JSON) that process at
 * start-up; with several on PostgreSQL the leader, from the moment it takes the lock. Kept out of
 * app.ts, which composes everything else.
 */
import type { Deployment } from "../actors/deployment.port.ts";
import { describeError, type Logger } from "../actors/log.port.ts";
import type { CrmStore } from "../actors/store.port.ts";
import type { createActors } from "./appActors.ts";
import type { Served } from "./appServe.ts";
import type { AppConfig } from "./config.ts";
import type { SheetsMirror } from "./sheets/sheetsMirror.ts";
import { createDailyReportScheduler } from "./telegram/owner/dailyReport.ts";
import type { OwnerBot } from "./telegram/owner/ownerBot.ts";
import { createWeeklyExportScheduler } from "./telegram/owner/weeklyExport.ts";

/** The owner bot's own clocks: the morning report and Monday's export, each at REPORT_HOUR in TIME_ZONE. */
function startOwnerSchedules(config: AppConfig, store: CrmStore, owner: OwnerBot, log: Logger): { stop(): Promise<void> } {
  const common = { state: store, ownerIds: owner.ownerIds, hour: config.REPORT_HOUR, timeZone: config.TIME_ZONE, clock: { now: () => Date.now() }, log };
  const reports = createDailyReportScheduler({ ...common, send: (ownerId, day) => owner.sendDailyReport(ownerId, day) });
  const weekly = createWeeklyExportScheduler({ ...common, send: (ownerId, week) => owner.sendWeeklyExport(ownerId, week) });
  reports.start();
  weekly.start();
  return {
    async stop() {
      await reports.stop();
      await weekly.stop();
    },
  };
}

/** What runs once per deployment: the pollers, the owner's clocks, the Sheets mirror and the broadcasts. */
export interface LeaderParts {
  readonly served: Served;
  readonly owner: OwnerBot | undefined;
  readonly mirror: SheetsMirror | undefined;
  readonly actors: ReturnType<typeof createActors>;
}

/**
 * Starts the leader's parts: at start-up with one process; with several, when this process takes
 * the leadership (a follower until then serves the shop's webhook and fires timers and effects).
 * `stop` undoes what was started.
 */
export function leaderRole(config: AppConfig, store: CrmStore, log: Logger, parts: LeaderParts) {
  let schedules: { stop(): Promise<void> } | undefined;
  let stopped = false;
  return {
    async lead(alone: boolean): Promise<void> {
      if (stopped) return;
      if (!alone) log.info("leading", { polls: [...parts.served.servedBy].filter(([, way]) => way === "long polling").map(([bot]) => bot).join(", "), effect: "this process runs the owner's clocks, broadcasts and the Sheets mirror" });
      await parts.served.poll();
      if (stopped) return;
      schedules = parts.owner ? startOwnerSchedules(config, store, parts.owner, log) : undefined;
      parts.mirror?.start();
      if (!alone) await parts.actors.startBroadcasts();
    },
    async stop(): Promise<void> {
      stopped = true;
      await schedules?.stop();
    },
  };
}

/**
 * Several processes: this one becomes the leader when the lock is free. A leader that cannot start
 * its parts (a Bot API call failed) would hold the lock doing nothing: the promise resolves with the
 * reason, and npm start stops, freeing the lock for another process.
 */
export function contendForLeader(deployment: Deployment, leader: ReturnType<typeof leaderRole>, log: Logger): Promise<string> {
  return new Promise((resolve) => {
    deployment.contend(() => {
      leader.lead(false).catch((error: unknown) => {
        log.error("leading_failed", { ...describeError(error), effect: "npm start stops and exits 1, so that another process leads" });
        resolve("the leader's work could not start");
      });
    });
  });
}

/**
 * Starts the process's part of the deployment, after the actors are built: alone, the leader's
 * parts and then the actors; with several processes, the actors (timers and effects, no broadcasts),
 * then contending. Resolves to what ends the process: a poller's end, the deployment's link lost,
 * or a leadership that could not start.
 */
export async function startRoles(
  deployment: Deployment,
  leader: ReturnType<typeof leaderRole>,
  parts: { readonly actors: Pick<ReturnType<typeof createActors>, "start">; readonly served: Served; readonly log: Logger },
): Promise<{ readonly failed: Promise<string> }> {
  const { actors, served, log } = parts;
  if (deployment.kind === "single") {
    await leader.lead(true);
    await actors.start();
    return { failed: served.failed };
  }
  // Fires what fell due while the process was down and delivers what was pending; then contends.
  await actors.start({ broadcasts: false });
  const lost = deployment.lost.then((reason) => {
    log.error("deployment_lost", { reason, effect: "npm start stops and exits 1, so that its supervisor starts it again" });
    return reason;
  });
  return { failed: Promise.race([served.failed, lost, contendForLeader(deployment, leader, log)]) };
}
