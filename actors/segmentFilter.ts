import { stages } from "../machines/customer.types.ts";
import type { Lead } from "./store.port.ts";
import type { Range, SegmentContext, SegmentFilter } from "./segments.port.ts";

/** The most values one list of a filter may hold: an owner picks a handful, and a stored filter stays small. */
export const segmentListLimit = 50;
/** The longest tag or source a filter may name (a tag is typed by an owner; a source is a deep-link payload of at most 64). */
export const segmentValueLimit = 64;
/** The longest name of a saved segment. */
export const segmentNameLimit = 64;

/**
 * A filter the stores refuse, with what is wrong in one line an owner can read. Both stores throw it
 * before touching their data, so a forged or corrupt filter never becomes a query.
 */
export class SegmentFilterError extends Error {
  override readonly name = "SegmentFilterError";
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function rangeProblem(label: string, value: unknown): string | null {
  if (value === undefined) return null;
  if (!isRecord(value)) return `${label}: a range is { min?, max? }`;
  for (const key of Object.keys(value)) if (key !== "min" && key !== "max") return `${label}: unknown bound "${key}"`;
  const { min, max } = value;
  for (const [bound, n] of [["min", min], ["max", max]] as const) {
    if (n === undefined) continue;
    if (typeof n !== "number" || !Number.isFinite(n)) return `${label}: ${bound} is not a finite number`;
    if (n < 0) return `${label}: ${bound} is negative (${n})`;
  }
  if (typeof min === "number" && typeof max === "number" && min > max) return `${label}: min ${min} is above max ${max}`;
  return null;
}

function listProblem(label: string, value: unknown, allowed?: readonly string[]): string | null {
  if (value === undefined) return null;
  if (!Array.isArray(value)) return `${label}: a list is expected`;
  if (value.length > segmentListLimit) return `${label}: at most ${segmentListLimit} values`;
  for (const item of value) {
    if (typeof item !== "string" || item.trim() === "") return `${label}: every value is a non-empty text`;
    if (item.length > segmentValueLimit) return `${label}: a value is longer than ${segmentValueLimit} characters`;
    if (allowed && !allowed.includes(item)) return `${label}: unknown value "${item}"`;
  }
  return null;
}

const keys = ["stages", "tags", "activity", "sources", "ordersCount", "lifetimeValue", "firstSeen", "lastSeen", "hasPhone", "consented", "blocked", "unsubscribed"] as const;

/** What is wrong with a filter, or null when the stores can run it. Unknown keys are refused too: a typo never widens a segment. */
export function segmentFilterProblem(filter: unknown): string | null {
  if (!isRecord(filter)) return "a segment filter is an object";
  for (const key of Object.keys(filter)) if (!(keys as readonly string[]).includes(key)) return `unknown condition "${key}"`;
  const problems = [
    listProblem("stages", filter["stages"], stages),
    filter["tags"] !== undefined && !isRecord(filter["tags"]) ? "tags: { any?, all?, none? } is expected" : null,
    ...(isRecord(filter["tags"]) ? tagProblems(filter["tags"]) : []),
    filter["activity"] !== undefined && filter["activity"] !== "dormant" && filter["activity"] !== "active" ? `activity: "dormant" or "active", not ${JSON.stringify(filter["activity"])}` : null,
    listProblem("sources", filter["sources"]),
    rangeProblem("ordersCount", filter["ordersCount"]),
    rangeProblem("lifetimeValue", filter["lifetimeValue"]),
    rangeProblem("firstSeen", filter["firstSeen"]),
    rangeProblem("lastSeen", filter["lastSeen"]),
    ...(["hasPhone", "consented", "blocked", "unsubscribed"] as const).map((key) =>
      filter[key] !== undefined && typeof filter[key] !== "boolean" ? `${key}: true or false` : null,
    ),
  ];
  return problems.find((problem) => problem !== null) ?? null;
}

function tagProblems(tags: Record<string, unknown>): Array<string | null> {
  const unknown = Object.keys(tags).find((key) => key !== "any" && key !== "all" && key !== "none");
  return [unknown === undefined ? null : `tags: unknown list "${unknown}"`, listProblem("tags.any", tags["any"]), listProblem("tags.all", tags["all"]), listProblem("tags.none", tags["none"])];
}

/** The filter as the stores run it, or a {@link SegmentFilterError} saying what is wrong. */
export function checkedSegmentFilter(filter: unknown): SegmentFilter {
  const problem = segmentFilterProblem(filter);
  if (problem !== null) throw new SegmentFilterError(`bad segment filter: ${problem}`);
  return filter as SegmentFilter;
}

/** A saved segment's name, trimmed, or a {@link SegmentFilterError}: not empty, at most {@link segmentNameLimit} characters. */
export function checkedSegmentName(name: unknown): string {
  const trimmed = typeof name === "string" ? name.trim() : "";
  if (trimmed === "") throw new SegmentFilterError("a segment's name is empty");
  if ([...trimmed].length > segmentNameLimit) throw new SegmentFilterError(`a segment's name is longer than ${segmentNameLimit} characters`);
  return trimmed;
}

const inRange = (value: number | null, range: Range | undefined): boolean =>
  range === undefined || (value !== null && (range.min === undefined || value >= range.min) && (range.max === undefined || value <= range.max));

const seconds = (ms: number): number => Math.floor(ms / 1000);

/** A time in a range of times, compared in whole seconds (each truncated), as the SQLite store keeps them. */
const inTimeRange = (at: number | null, range: Range | undefined): boolean =>
  range === undefined ||
  (at !== null && (range.min === undefined || seconds(at) >= seconds(range.min)) && (range.max === undefined || seconds(at) <= seconds(range.max)));

/** When the lead unsubscribed from news, on a lead that has the fact (issue 13's campaigns add it). */
export const unsubscribedAtOf = (lead: Lead): number | null => (lead as Lead & { readonly unsubscribedAt?: number | null }).unsubscribedAt ?? null;

/** Consent to the current terms that stands: given to this version, and not since erased (a revocation clears it). */
export const consentedNow = (lead: Lead, context: SegmentContext): boolean =>
  lead.consentAt !== null && lead.consentVersion === context.consentVersion && (lead.erasedAt === null || lead.consentAt >= lead.erasedAt);

/**
 * Whether a lead is in a (checked) segment: every condition given holds. An erased customer is in
 * none. The JSON store counts with it; the SQLite store runs the same rules as SQL, and the shared
 * contract holds them equal.
 */
export function leadInSegment(lead: Lead, filter: SegmentFilter, context: SegmentContext): boolean {
  if (lead.erasedAt !== null) return false;
  const tags = filter.tags ?? {};
  const flag = (wanted: boolean | undefined, actual: boolean): boolean => wanted === undefined || wanted === actual;
  return (
    (filter.stages === undefined || filter.stages.length === 0 || filter.stages.includes(lead.stage)) &&
    (tags.any === undefined || tags.any.length === 0 || tags.any.some((tag) => lead.tags.includes(tag))) &&
    (tags.all === undefined || tags.all.every((tag) => lead.tags.includes(tag))) &&
    (tags.none === undefined || !tags.none.some((tag) => lead.tags.includes(tag))) &&
    (filter.activity === undefined || (filter.activity === "dormant") === (lead.dormantSince !== null)) &&
    (filter.sources === undefined || filter.sources.length === 0 || (lead.source !== null && filter.sources.includes(lead.source))) &&
    inRange(lead.ordersCount, filter.ordersCount) &&
    inRange(lead.lifetimeValue, filter.lifetimeValue) &&
    inTimeRange(lead.firstSeenAt, filter.firstSeen) &&
    inTimeRange(lead.lastSeenAt, filter.lastSeen) &&
    flag(filter.hasPhone, lead.phone !== null) &&
    flag(filter.consented, consentedNow(lead, context)) &&
    flag(filter.blocked, lead.blockedAt !== null) &&
    flag(filter.unsubscribed, unsubscribedAtOf(lead) !== null)
  );
}

/** Whether a filter names no condition at all (everyone who did not erase their data). */
export const isEmptySegment = (filter: SegmentFilter): boolean => segmentConditionCount(filter) === 0;

/** How many conditions a filter sets: the owner's screen shows it, and P10 counts filters of three. */
export function segmentConditionCount(filter: SegmentFilter): number {
  const listed = (list: readonly unknown[] | undefined): number => (list !== undefined && list.length > 0 ? 1 : 0);
  const tags = filter.tags ?? {};
  return (
    listed(filter.stages) + listed(tags.any) + listed(tags.all) + listed(tags.none) + listed(filter.sources) +
    [filter.activity, filter.ordersCount, filter.lifetimeValue, filter.firstSeen, filter.lastSeen, filter.hasPhone, filter.consented, filter.blocked, filter.unsubscribed].filter((value) => value !== undefined).length
  );
}

