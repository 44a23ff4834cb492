import { dayOf } from "../../../actors/calendar.ts";
import type { Clock } from "../../../actors/customerRuntime.ts";
import { describeError, silentLogger, type Logger } from "../../../actors/log.port.ts";
import type { SessionStore } from "../../../actors/store.port.ts";
import { readStoredState } from "./storedState.ts";

export interface DailyReportOptions {
  /** Where the scheduler remembers which owners got which day's report, so a restart does not resend. */
  readonly state: SessionStore;
  readonly ownerIds: readonly number[];
  /** The local hour (0–23) in `timeZone` from which the day's report is due. */
  readonly hour: number;
  readonly timeZone: string;
  readonly clock: Clock;
  readonly send: (ownerId: number, day: string) => Promise<void>;
  readonly log?: Logger;
}

interface Progress {
  readonly day: string;
  readonly sent: readonly number[];
}

const stateKey = "owner:daily-report";

function localHour(at: number, timeZone: string): number {
  const hour = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", hourCycle: "h23" }).format(at);
  return Number(hour);
}

/**
 * Pushes the day's report to every owner once a day, at `hour` in `timeZone`. Which owners got
 * which day is kept in the store after each send, so a restart neither repeats a report nor misses
 * one (a process that was down at the hour catches up later the same day; a day it was down
 * entirely is skipped rather than sent late).
 */
export function createDailyReportScheduler(options: DailyReportOptions) {
  const log = options.log ?? silentLogger;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<Progress | null> | null = null;

  const readProgress = (): Promise<Progress | null> =>
    readStoredState(options.state, stateKey, ({ day, sent }) =>
      typeof day === "string" && Array.isArray(sent) ? { day, sent: sent.filter((id): id is number => typeof id === "number") } : null,
    );

  async function run(): Promise<Progress | null> {
    const now = options.clock.now();
    if (localHour(now, options.timeZone) < options.hour) return null;
    const day = dayOf(now, options.timeZone);
    const stored = await readProgress();
    let progress: Progress = stored?.day === day ? stored : { day, sent: [] };
    for (const ownerId of options.ownerIds) {
      if (progress.sent.includes(ownerId)) continue;
      try {
        await options.send(ownerId, day);
      } catch (error) {
        log.error("daily_report_failed", { ownerId, day, ...describeError(error) });
        continue;
      }
      progress = { day, sent: [...progress.sent, ownerId] };
      await options.state.writeSession(stateKey, JSON.stringify(progress));
      log.info("daily_report_sent", { ownerId, day });
    }
    return progress;
  }

  /** Sends what is due now; returns the day's progress, or null before the hour. One run at a time. */
  function tick(): Promise<Progress | null> {
    running ??= run().finally(() => {
      running = null;
    });
    return running;
  }

  /** Stops the timer and waits for a send in progress. */
  async function stop(): Promise<void> {
    if (timer) clearInterval(timer);
    timer = undefined;
    if (running) await running;
  }

  function start(everyMs = 60_000): void {
    if (timer) clearInterval(timer);
    timer = setInterval(() => void tick(), everyMs);
    timer.unref();
    void tick();
  }

  return { tick, start, stop };
}

export type DailyReportScheduler = ReturnType<typeof createDailyReportScheduler>;
