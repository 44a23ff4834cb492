import { dayBounds, dayOf } from "../../../actors/calendar.ts";
import type { Clock } from "../../../actors/customerRuntime.ts";
import { describeError, silentLogger, type Logger } from "../../../actors/log.port.ts";
import type { SessionStore } from "../../../actors/store.port.ts";
import { dayBefore } from "./dailyReport.ts";
import { readStoredState } from "./storedState.ts";
import { createTicker } from "./ticker.ts";

/** The owners who asked for the weekly export (📤 Экспорт → 📅 Каждый понедельник), kept in the store. */
const ownersKey = "owner:weekly-export:owners";
/** Which owners got which week's export, so a restart neither repeats one nor misses one. */
const progressKey = "owner:weekly-export";
/** Failed sends to one owner in one week before the scheduler gives up on that week for them. */
export const weeklyExportAttempts = 3;

/** The week an export goes out in: its Monday, and the whole week before it that it covers. */
export interface ExportWeek {
  /** The Monday (`YYYY-MM-DD` in TIME_ZONE) the export is due on. */
  readonly week: string;
  /** The previous Monday 00:00 to this Monday 00:00 in TIME_ZONE, as `[from, to)`. */
  readonly from: number;
  readonly to: number;
}

interface Progress {
  readonly week: string;
  readonly sent: readonly number[];
  /** Failed attempts this week per owner id. */
  readonly failures: Readonly<Record<string, number>>;
}

const ids = (value: unknown): number[] => (Array.isArray(value) ? value.filter((id): id is number => Number.isSafeInteger(id)) : []);

/**
 * The owners who asked for the weekly export, each with the Monday of the week they asked in: the
 * first export is the next Monday's, so turning it on on a Wednesday sends nothing until then.
 */
export async function weeklyExportOwners(state: SessionStore): Promise<ReadonlyMap<number, string>> {
  const stored = await readStoredState(state, ownersKey, ({ owners }) => (typeof owners === "object" && owners !== null ? owners : null));
  const owners = new Map<number, string>();
  for (const [id, week] of Object.entries(stored ?? {})) if (Number.isSafeInteger(Number(id)) && typeof week === "string") owners.set(Number(id), week);
  return owners;
}

/** Turns the weekly export on or off for one owner at `at`; returns the Monday of the first export, or null when off. */
export async function setWeeklyExport(state: SessionStore, ownerId: number, on: boolean, at: number, timeZone: string): Promise<string | null> {
  const owners = new Map(await weeklyExportOwners(state));
  const asked = exportWeekOf(at, timeZone).week;
  if (on) owners.set(ownerId, owners.get(ownerId) ?? asked);
  else owners.delete(ownerId);
  await state.writeSession(ownersKey, JSON.stringify({ owners: Object.fromEntries([...owners].sort(([a], [b]) => a - b)) }));
  const since = owners.get(ownerId);
  return since === undefined ? null : nextMonday(since, timeZone);
}

/** The Monday a week after `monday`. */
function nextMonday(monday: string, timeZone: string): string {
  return exportWeekOf(dayBounds(monday, timeZone).start + 8 * 86_400_000, timeZone).week;
}

const weekday = (day: string): number => new Date(`${day}T12:00:00Z`).getUTCDay();

/** The Monday on or before `at` in `timeZone`, and the week before it. */
export function exportWeekOf(at: number, timeZone: string): ExportWeek {
  let week = dayOf(at, timeZone);
  while (weekday(week) !== 1) week = dayBefore(week, timeZone);
  let previous = dayBefore(week, timeZone);
  while (weekday(previous) !== 1) previous = dayBefore(previous, timeZone);
  return { week, from: dayBounds(previous, timeZone).start, to: dayBounds(week, timeZone).start };
}

function localHour(at: number, timeZone: string): number {
  return Number(new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", hourCycle: "h23" }).format(at));
}

export interface WeeklyExportOptions {
  readonly state: SessionStore;
  /** The configured owners: an owner who asked for the export and was later removed from OWNER_IDS gets nothing. */
  readonly ownerIds: readonly number[];
  /** The local hour on Monday from which the export is due (the daily report's REPORT_HOUR). */
  readonly hour: number;
  readonly timeZone: string;
  readonly clock: Clock;
  /** Sends the export of `week` to one owner; a rejection is retried at the next tick, up to {@link weeklyExportAttempts} times a week. */
  readonly send: (ownerId: number, week: ExportWeek) => Promise<void>;
  readonly log?: Logger;
}

/**
 * Every Monday from `hour` in `timeZone`, the owners who asked for it get the leads and the past
 * week's orders as XLSX. Which owners got which week is kept in the store after each send, so a
 * restart neither repeats nor misses one; a process that was down on Monday catches up later the
 * same week. An owner whose sends keep failing (blocked the bot) is given up on for the week after
 * {@link weeklyExportAttempts} tries, with one log line each.
 */
export function createWeeklyExportScheduler(options: WeeklyExportOptions) {
  const log = options.log ?? silentLogger;

  const readProgress = (): Promise<Progress | null> =>
    readStoredState(options.state, progressKey, ({ week, sent, failures }) =>
      typeof week === "string" ? { week, sent: ids(sent), failures: typeof failures === "object" && failures !== null ? (failures as Record<string, number>) : {} } : null,
    );

  async function run(): Promise<Progress | null> {
    const now = options.clock.now();
    const due = exportWeekOf(now, options.timeZone);
    if (dayOf(now, options.timeZone) === due.week && localHour(now, options.timeZone) < options.hour) return null;
    const stored = await readProgress();
    let progress: Progress = stored?.week === due.week ? stored : { week: due.week, sent: [], failures: {} };
    const asked = await weeklyExportOwners(options.state);
    for (const ownerId of options.ownerIds) {
      const since = asked.get(ownerId);
      if (since === undefined || since >= due.week || progress.sent.includes(ownerId) || (progress.failures[ownerId] ?? 0) >= weeklyExportAttempts) continue;
      try {
        await options.send(ownerId, due);
        progress = { ...progress, sent: [...progress.sent, ownerId] };
        log.info("weekly_export_sent", { ownerId, week: due.week });
      } catch (error) {
        const failures = (progress.failures[ownerId] ?? 0) + 1;
        progress = { ...progress, failures: { ...progress.failures, [ownerId]: failures } };
        log.error("weekly_export_failed", { ownerId, week: due.week, attempt: failures, givenUp: failures >= weeklyExportAttempts, ...describeError(error) });
      }
      await options.state.writeSession(progressKey, JSON.stringify(progress));
    }
    return progress;
  }

  return createTicker(run, (error) => log.error("weekly_export_failed", describeError(error)));
}

export type WeeklyExportScheduler = ReturnType<typeof createWeeklyExportScheduler>;
