import { dayBounds, dayOf } from "../../../actors/calendar.ts";
import type { Clock } from "../../../actors/customerRuntime.ts";
import { describeError, silentLogger, type Logger } from "../../../actors/log.port.ts";
import type { SessionStore } from "../../../actors/store.port.ts";
import { readStoredState } from "./storedState.ts";
import { createTicker } from "./ticker.ts";

export interface DailyReportOptions {
  /** Where the scheduler remembers which owners got which day's report, so a restart does not resend. */
  readonly state: SessionStore;
  readonly ownerIds: readonly number[];
  /** The local hour (0–23) in `timeZone` from which the push (of the day before) is due. */
  readonly hour: number;
  readonly timeZone: string;
  readonly clock: Clock;
  /** Sends the report of `day`, a whole day that has ended (yesterday, as the push goes out). */
  readonly send: (ownerId: number, day: string) => Promise<void>;
  readonly log?: Logger;
}

/** One day's push: `day` is the day it goes out on, `report` the day it reports (the day before). */
export interface PushProgress {
  readonly day: string;
  readonly report: string;
  readonly sent: readonly number[];
}

/** The calendar day before `day` in `timeZone`. */
export const dayBefore = (day: string, timeZone: string): string => dayOf(dayBounds(day, timeZone).start - 1, timeZone);

const stateKey = "owner:daily-report";

function localHour(at: number, timeZone: string): number {
  const hour = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", hourCycle: "h23" }).format(at);
  return Number(hour);
}

/**
 * Pushes yesterday's report, the whole day, to every owner once a day at `hour` in `timeZone`: a
 * morning push of today would cover only the night. Today so far is on demand in the bot. Which
 * owners got which day's push is kept in the store after each send, so a restart neither repeats a
 * push nor misses one (a process that was down at the hour catches up later the same day; a day it
 * was down entirely is skipped rather than sent late).
 */
export function createDailyReportScheduler(options: DailyReportOptions) {
  const log = options.log ?? silentLogger;

  // Kept by the day the push goes out on, as it always was, so a push made before an upgrade counts.
  const readProgress = (): Promise<{ day: string; sent: readonly number[] } | null> =>
    readStoredState(options.state, stateKey, ({ day, sent }) =>
      typeof day === "string" && Array.isArray(sent) ? { day, sent: sent.filter((id): id is number => typeof id === "number") } : null,
    );

  async function run(): Promise<PushProgress | null> {
    const now = options.clock.now();
    if (localHour(now, options.timeZone) < options.hour) return null;
    const day = dayOf(now, options.timeZone);
    const report = dayBefore(day, options.timeZone);
    const stored = await readProgress();
    let progress: PushProgress = { day, report, sent: stored?.day === day ? stored.sent : [] };
    for (const ownerId of options.ownerIds) {
      if (progress.sent.includes(ownerId)) continue;
      try {
        await options.send(ownerId, report);
      } catch (error) {
        log.error("daily_report_failed", { ownerId, day: report, ...describeError(error) });
        continue;
      }
      progress = { ...progress, sent: [...progress.sent, ownerId] };
      await options.state.writeSession(stateKey, JSON.stringify(progress));
      log.info("daily_report_sent", { ownerId, day: report, pushedOn: day });
    }
    return progress;
  }

  return createTicker(run, (error) => log.error("daily_report_failed", describeError(error)));
}

export type DailyReportScheduler = ReturnType<typeof createDailyReportScheduler>;
