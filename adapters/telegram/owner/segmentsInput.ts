import { dayBounds, dayOf } from "../../../actors/calendar.ts";
import { segmentFilterProblem, segmentListLimit } from "../../../actors/segmentFilter.ts";
import type { Range, SegmentFilter } from "../../../actors/segments.port.ts";
import { stages, type Stage } from "../../../machines/customer.types.ts";
import type { SegmentField } from "../../../machines/ownerSegment.types.ts";
import type { SegmentFlag } from "./segmentsScreens.ts";

/** The filter's key each typed field sets. */
export const fieldKey = { orders: "ordersCount", ltv: "lifetimeValue", firstSeen: "firstSeen", lastSeen: "lastSeen", sources: "sources" } as const satisfies Record<SegmentField, keyof SegmentFilter>;

const number = /^\d{1,12}(?:[.,]\d{1,2})?$/;
const readNumber = (text: string): number | undefined => (text === "" ? undefined : Number(text.replace(",", ".")));

/**
 * A typed range: `2-5`, `1000-` (from), `-3` (up to) or `4` (exactly). Whole numbers only for
 * counts. Null for anything else, for an empty `-`, and for a minimum above the maximum.
 */
export function readRange(text: string, whole: boolean): Range | null {
  const parts = text.trim().replace(/\s+/g, "").split(/[-–—]/);
  if (parts.length > 2 || parts.some((part) => part !== "" && (!number.test(part) || (whole && !/^\d+$/.test(part))))) return null;
  const [from = "", to = from] = parts;
  const min = readNumber(from);
  const max = readNumber(parts.length === 1 ? from : to);
  if (min === undefined && max === undefined) return null;
  if (min !== undefined && max !== undefined && min > max) return null;
  return { ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) };
}

const datePattern = /^\d{4}-\d{2}-\d{2}$/;

function dayStart(day: string, timeZone: string): { start: number; end: number } | null {
  if (!datePattern.test(day)) return null;
  try {
    const bounds = dayBounds(day, timeZone);
    return dayOf(bounds.start, timeZone) === day ? bounds : null;
  } catch {
    return null;
  }
}

/**
 * Typed dates in the shop's zone: `2026-01-01..2026-03-31` (both days whole), `2026-01-01..` (since),
 * `..2026-03-31` (until), or one day. Null for anything else, or an end before the start.
 */
export function readDates(text: string, timeZone: string): Range | null {
  const trimmed = text.trim();
  const [from = "", to = from, ...rest] = trimmed.includes("..") ? trimmed.split("..").map((part) => part.trim()) : [trimmed];
  if (rest.length > 0 || (from === "" && to === "")) return null;
  const start = from === "" ? null : dayStart(from, timeZone);
  const end = to === "" ? null : dayStart(to, timeZone);
  if ((from !== "" && start === null) || (to !== "" && end === null)) return null;
  const range: Range = { ...(start ? { min: start.start } : {}), ...(end ? { max: end.end - 1 } : {}) };
  return range.min !== undefined && range.max !== undefined && range.min > range.max ? null : range;
}

/** Typed deep-link sources, separated by commas or spaces: Telegram's start payload alphabet, at most 64 each. */
export function readSources(text: string): string[] | null {
  const sources = [...new Set(text.split(/[\s,]+/).filter((part) => part !== ""))];
  if (sources.length === 0 || sources.length > segmentListLimit) return null;
  return sources.every((source) => /^[A-Za-z0-9_-]{1,64}$/.test(source)) ? sources : null;
}

/** The filter without empty lists or conditions left out, as the session and the stores keep it. */
export function tidy(filter: SegmentFilter): SegmentFilter {
  const tags = Object.fromEntries(Object.entries(filter.tags ?? {}).filter(([, list]) => Array.isArray(list) && list.length > 0));
  const rest = Object.fromEntries(Object.entries({ ...filter, tags: Object.keys(tags).length > 0 ? tags : undefined }).filter(([, value]) => value !== undefined && !(Array.isArray(value) && value.length === 0)));
  return rest as SegmentFilter;
}

/** The filter with a typed value set, or null when it cannot be read (the store's own check included). */
export function withTyped(filter: SegmentFilter, field: SegmentField, text: string, timeZone: string): SegmentFilter | null {
  const value =
    field === "orders" ? readRange(text, true) : field === "ltv" ? readRange(text, false) : field === "sources" ? readSources(text) : readDates(text, timeZone);
  if (value === null) return null;
  const next = tidy({ ...filter, [fieldKey[field]]: value });
  return segmentFilterProblem(next) === null ? next : null;
}

export const withoutField = (filter: SegmentFilter, field: SegmentField): SegmentFilter => tidy({ ...filter, [fieldKey[field]]: undefined });

export function toggledStage(filter: SegmentFilter, stage: Stage): SegmentFilter {
  const now = new Set(filter.stages ?? []);
  if (now.has(stage)) now.delete(stage);
  else now.add(stage);
  return tidy({ ...filter, stages: stages.filter((s) => now.has(s)) });
}

/** A tag cycled: off → any of → all of → none of → off; a tag is in one list at a time. */
export function cycledTag(filter: SegmentFilter, tag: string): SegmentFilter {
  const modes = ["any", "all", "none"] as const;
  const current = modes.findIndex((mode) => filter.tags?.[mode]?.includes(tag));
  const next = current === modes.length - 1 ? null : modes[current + 1];
  const tags = Object.fromEntries(modes.map((mode) => [mode, [...(filter.tags?.[mode] ?? []).filter((t) => t !== tag), ...(mode === next ? [tag] : [])]]));
  return tidy({ ...filter, tags });
}

/** A yes/no cycled: off → yes → no → off (activity: off → active → dormant → off). */
export function cycledFlag(filter: SegmentFilter, flag: SegmentFlag): SegmentFilter {
  if (flag === "activity") return tidy({ ...filter, activity: filter.activity === undefined ? "active" : filter.activity === "active" ? "dormant" : undefined });
  const value = filter[flag];
  return tidy({ ...filter, [flag]: value === undefined ? true : value ? false : undefined });
}

/** First (0) or last (1) seen within the last `days` days, from now. */
export const withinDays = (filter: SegmentFilter, which: 0 | 1, days: number, now: number): SegmentFilter =>
  tidy({ ...filter, [which === 0 ? "firstSeen" : "lastSeen"]: { min: now - days * 86_400_000 } });
