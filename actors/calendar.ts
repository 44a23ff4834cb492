/** Calendar days in a configured IANA time zone, without a date library: Intl knows the offsets. */

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function wallClock(at: number, timeZone: string): { year: number; month: number; day: number; utcOfWall: number } {
  const parts: Record<string, number> = {};
  for (const part of partsFormatter(timeZone).formatToParts(at)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  return { year, month, day, utcOfWall: Date.UTC(year, month - 1, day, hour, minute, second) };
}

/** The zone's offset from UTC at an instant, in ms (Moscow: +3 h). */
function offsetAt(at: number, timeZone: string): number {
  return wallClock(at, timeZone).utcOfWall - Math.floor(at / 1000) * 1000;
}

function midnight(year: number, month: number, day: number, timeZone: string): number {
  const guess = Date.UTC(year, month - 1, day);
  const first = guess - offsetAt(guess, timeZone);
  const second = guess - offsetAt(first, timeZone);
  return second;
}

const dayPattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `[start, end)` in epoch ms of a calendar day (`YYYY-MM-DD`) in a time zone. Throws on a malformed day or zone. */
export function dayBounds(day: string, timeZone: string): { start: number; end: number } {
  const match = dayPattern.exec(day);
  if (!match) throw new RangeError(`expected a day as YYYY-MM-DD, got ${JSON.stringify(day)}`);
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return { start: midnight(year, month, date, timeZone), end: midnight(year, month, date + 1, timeZone) };
}

/** The calendar day (`YYYY-MM-DD`) an instant falls on in a time zone. */
export function dayOf(at: number, timeZone: string): string {
  const { year, month, day } = wallClock(at, timeZone);
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}
