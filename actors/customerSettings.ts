import { consentStands, customerMachine, dormancyDelay, isIdleFor, maxRememberedAsks, recentAsks } from "../machines/customer.machine.ts";
import type { CustomerContext } from "../machines/customer.types.ts";
import { defaultCampaignSettings, fixedCampaignSettings, type CampaignSettingsSource } from "./campaignSettings.ts";

/** The shop's own timings and terms, which the customer machine's guards and delays need. */
export interface CustomerSettings {
  /** `CART_REMINDER_MINUTES`: how long a cart with items waits untouched before the one reminder. */
  readonly cartReminderMinutes: number;
  /** `DORMANT_DAYS`: how long without an act of the customer before they count as dormant. */
  readonly dormantDays: number;
  /** `TIME_ZONE`: where the quiet hours are read. */
  readonly timeZone: string;
  /** Local hours `[from, to)` in which no reminder is sent; `from > to` spans midnight (22 to 9). */
  readonly quietHours: { readonly from: number; readonly to: number };
  /** `CONSENT_VERSION`: reminders and the consultant need consent to exactly these terms. */
  readonly consentVersion: string;
  readonly consultant: { readonly maxQuestions: number; readonly windowMs: number; readonly timeoutMs: number };
}

export const defaultQuietHours = { from: 22, to: 9 } as const;

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
/**
 * A win-back firing more than this after the current delay from the start of the dormancy (a long
 * downtime, or a replay re-arming the timer of a dormancy months old) is skipped, not sent late. Long
 * enough that a pending timer still fires when the owner shortens the delay by up to this much.
 */
export const winBackGraceMs = 30 * day;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  /** The wall time read as if it were UTC: its difference from the instant is the zone's offset. */
  readonly asUtc: number;
}

function wallClockAt(at: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(at)) if (part.type !== "literal") parts[part.type] = Number(part.value);
  const { year = 1970, month = 1, day: date = 1, hour = 0, minute: minutes = 0, second = 0 } = parts;
  return { year, month, day: date, hour, asUtc: Date.UTC(year, month - 1, date, hour, minutes, second) };
}

const offsetAt = (at: number, timeZone: string): number => wallClockAt(at, timeZone).asUtc - Math.floor(at / 1000) * 1000;

/** The instant a wall time falls on in a zone, DST included (the offset in force at that wall time). */
function instantOf(year: number, month: number, date: number, hour: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, date, hour);
  const first = wall - offsetAt(wall, timeZone);
  return wall - offsetAt(first, timeZone);
}

/** Whether a local hour falls in `[from, to)`, a window that may span midnight. */
export function isQuietHour(hour: number, quiet: CustomerSettings["quietHours"]): boolean {
  return quiet.from > quiet.to ? hour >= quiet.from || hour < quiet.to : hour >= quiet.from && hour < quiet.to;
}

/** Whether an instant falls in the quiet hours of a zone. */
export function inQuietHoursAt(at: number, timeZone: string, quiet: CustomerSettings["quietHours"]): boolean {
  return isQuietHour(wallClockAt(at, timeZone).hour, quiet);
}

/**
 * How long from `at` until the quiet hours end (`to` o'clock local time), or 0 outside them. The
 * morning is found as a wall time, so a night with a DST change is an hour shorter or longer.
 */
export function msUntilQuietEnds(at: number, timeZone: string, quiet: CustomerSettings["quietHours"]): number {
  const wall = wallClockAt(at, timeZone);
  if (!isQuietHour(wall.hour, quiet)) return 0;
  const sameDay = wall.hour < quiet.to;
  return Math.max(0, instantOf(wall.year, wall.month, wall.day + (sameDay ? 0 : 1), quiet.to, timeZone) - at);
}

const hasConsentTo = (context: CustomerContext, version: string): boolean => consentStands(context) && context.consentVersion === version;

/** Who may get an automatic message: consent to the current terms, not blocked, not unsubscribed (an erasure voids the consent). */
const mayMessage = (context: CustomerContext, version: string): boolean => hasConsentTo(context, version) && context.blockedAt === null && context.unsubscribedAt === null;

/** Whether a win-back firing at `at` is still about the dormancy that armed it, and not days late. */
export function winBackIsFresh(context: CustomerContext, at: number, winBackMs: number): boolean {
  return context.dormantSince !== null && at - context.dormantSince <= winBackMs + winBackGraceMs;
}

/** Every problem with a set of settings, as one line each; none means they are usable. */
export function settingsProblems(settings: CustomerSettings): string[] {
  const problems: string[] = [];
  const positive = (name: string, value: number): void => {
    if (!Number.isFinite(value) || value <= 0) problems.push(`${name} must be a positive number, got ${value}`);
  };
  positive("cartReminderMinutes", settings.cartReminderMinutes);
  positive("dormantDays", settings.dormantDays);
  positive("consultant.windowMs", settings.consultant.windowMs);
  positive("consultant.timeoutMs", settings.consultant.timeoutMs);
  const { maxQuestions } = settings.consultant;
  if (!Number.isInteger(maxQuestions) || maxQuestions < 1 || maxQuestions > maxRememberedAsks) {
    problems.push(`consultant.maxQuestions must be a whole number from 1 to ${maxRememberedAsks}, got ${maxQuestions}`);
  }
  const { from, to } = settings.quietHours;
  const isHour = (hour: number): boolean => Number.isInteger(hour) && hour >= 0 && hour <= 23;
  if (!isHour(from) || !isHour(to) || from === to) problems.push(`quietHours must be two different hours from 0 to 23, got ${from} to ${to}`);
  try {
    formatterFor(settings.timeZone);
  } catch {
    problems.push(`timeZone must be an IANA time zone, got "${settings.timeZone}"`);
  }
  return problems;
}

/**
 * The customer machine with the shop's settings: what the composition hands the runtime. The
 * guards and delays are the machine's own names, given their real implementations here, where
 * the time zone and the terms are known.
 *
 * The campaigns (`campaigns`, the owner's settings kept in the store) are read at the moment a
 * step needs them: a delay when its timer is armed, on/off when it fires. Without them the first
 * reminder waits `cartReminderMinutes` and the second reminder and the win-back are off.
 *
 * @throws RangeError naming every unusable setting.
 * @example
 * const machine = provideCustomerSettings({ cartReminderMinutes: 120, dormantDays: 30, timeZone: "Europe/Moscow",
 *   quietHours: { from: 22, to: 9 }, consentVersion: "2026-01", consultant: { maxQuestions: 20, windowMs: 3_600_000, timeoutMs: 60_000 } });
 */
export function provideCustomerSettings(settings: CustomerSettings, campaigns?: CampaignSettingsSource) {
  const problems = settingsProblems(settings);
  if (problems.length > 0) throw new RangeError(`customer settings: ${problems.join("; ")}`);
  const { timeZone, quietHours, consentVersion, consultant } = settings;
  const dormantMs = settings.dormantDays * day;
  const source = campaigns ?? fixedCampaignSettings(defaultCampaignSettings({ cartReminderMinutes: settings.cartReminderMinutes, winBackDays: 14 }));
  const winBackMs = (): number => source.current().winBack.days * day;
  // Fixed settings give fixed delays (a number shows as such in Stately Studio); the owner's are read at each arming.
  const fixed = campaigns === undefined ? source.current() : null;
  return customerMachine.provide({
    guards: {
      inQuietHours: ({ event }) => inQuietHoursAt(event.at, timeZone, quietHours),
      mayRemind: ({ context }) => mayMessage(context, consentVersion),
      maySecondRemind: ({ context }) => source.current().secondReminder.enabled && mayMessage(context, consentVersion),
      mayWinBack: ({ context, event }) => source.current().winBack.enabled && mayMessage(context, consentVersion) && winBackIsFresh(context, event.at, winBackMs()),
      hasCurrentConsent: ({ context }) => hasConsentTo(context, consentVersion),
      isRateLimited: ({ context, event }) => recentAsks(context.consultant.askedAt, event.at, consultant.windowMs).length >= consultant.maxQuestions,
      idleLongEnough: ({ context, event }) => isIdleFor(context, event.at, dormantMs),
    },
    delays: {
      cartReminder: fixed ? fixed.cartReminderMinutes * minute : () => source.current().cartReminderMinutes * minute,
      secondReminder: fixed ? fixed.secondReminder.hours * hour : () => source.current().secondReminder.hours * hour,
      winBack: fixed ? fixed.winBack.days * day : () => winBackMs(),
      untilMorning: ({ event }) => msUntilQuietEnds(event.at, timeZone, quietHours),
      consultantTimeout: consultant.timeoutMs,
      dormancy: ({ context, event }) => dormancyDelay(context, event.at, dormantMs),
    },
  });
}

export type CustomerMachine = ReturnType<typeof provideCustomerSettings>;
