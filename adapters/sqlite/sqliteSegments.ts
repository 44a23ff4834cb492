import type { DatabaseSync, SQLInputValue, SQLOutputValue, StatementSync } from "node:sqlite";
import { checkedSegmentFilter, checkedSegmentName, SegmentFilterError } from "../../actors/segmentFilter.ts";
import type { Range, SavedSegment, SegmentContext, SegmentFilter, SegmentStore } from "../../actors/segments.port.ts";
import type { Lead } from "../../actors/store.port.ts";
import { stages } from "../../machines/customer.types.ts";
import { segmentFlags } from "../segmentFlags.ts";

type Row = Record<string, SQLOutputValue>;

/** A WHERE clause over `crm_segment_leads s` and its parameters, in order. Values are only ever bound, never written into the text. */
export interface SegmentWhere {
  readonly sql: string;
  readonly params: readonly SQLInputValue[];
}

const marks = (values: readonly unknown[]): string => values.map(() => "?").join(", ");
const tagged = "SELECT user_id FROM crm_lead_tags WHERE tag";
const taggedIn = (tags: readonly string[]): string => `${tagged} IN (${marks(tags)})`;

/** A range of epoch ms as the read model's whole seconds: each bound truncated, as the stored times are. */
const inSeconds = (range: Range | undefined): Range | undefined =>
  range === undefined
    ? undefined
    : { ...(range.min === undefined ? {} : { min: Math.floor(range.min / 1000) }), ...(range.max === undefined ? {} : { max: Math.floor(range.max / 1000) }) };

function rangeWhere(column: string, range: Range | undefined, parts: string[], params: SQLInputValue[]): void {
  if (range === undefined) return;
  if (range.min === undefined && range.max === undefined) parts.push(`s.${column} IS NOT NULL`);
  else if (range.min !== undefined && range.max !== undefined) {
    parts.push(`s.${column} BETWEEN ? AND ?`);
    params.push(range.min, range.max);
  } else {
    parts.push(`s.${column} ${range.min !== undefined ? ">=" : "<="} ?`);
    params.push(range.min ?? range.max ?? 0);
  }
}

/** Every yes/no condition as one test of the flags column: the mask of the bits asked about, and the value they must have. */
function flagsWhere(filter: SegmentFilter, parts: string[]): void {
  const flags = segmentFlags(filter);
  if (flags !== null) parts.push(`s.flags & ${flags.mask} = ${flags.value}`);
}

function tagsWhere(tags: SegmentFilter["tags"], parts: string[], params: SQLInputValue[], withNone: boolean): void {
  if (tags?.any !== undefined && tags.any.length > 0) {
    parts.push(`s.user_id IN (${tagged} IN (${marks(tags.any)}))`);
    params.push(...tags.any);
  }
  for (const tag of new Set(tags?.all ?? [])) {
    parts.push(`s.user_id IN (${tagged} = ?)`);
    params.push(tag);
  }
  if (withNone && tags?.none !== undefined && tags.none.length > 0) {
    parts.push(`s.user_id NOT IN (${tagged} IN (${marks(tags.none)}))`);
    params.push(...tags.none);
  }
}

/**
 * A checked filter as SQL over the segment read model (migration 11), one cheap test per
 * condition, the narrowing ones first; sources by their numbers in the dictionary (`sourceIds`),
 * times in whole seconds. Column names and operators come from this function alone;
 * every value the owner chose is a bound parameter. `withNone: false` leaves "none of these tags"
 * out, for a count that subtracts it instead of probing every row.
 */
export function segmentWhere(filter: SegmentFilter, context: SegmentContext, sourceIds: (sources: readonly string[]) => readonly number[], withNone = true): SegmentWhere {
  const parts: string[] = [];
  const params: SQLInputValue[] = [];
  if (filter.stages !== undefined && filter.stages.length > 0) {
    const mask = filter.stages.reduce((sum, stage) => sum | (1 << stages.indexOf(stage)), 0);
    parts.push("(1 << s.stage) & ?");
    params.push(mask);
  }
  tagsWhere(filter.tags, parts, params, withNone);
  flagsWhere(filter, parts);
  if (filter.sources !== undefined && filter.sources.length > 0) {
    const ids = sourceIds(filter.sources);
    parts.push(ids.length === 0 ? "false" : `s.source_id IN (${marks(ids)})`);
    params.push(...ids);
  }
  rangeWhere("orders_count", filter.ordersCount, parts, params);
  rangeWhere("lifetime_value", filter.lifetimeValue, parts, params);
  rangeWhere("last_seen", inSeconds(filter.lastSeen), parts, params);
  rangeWhere("first_seen", inSeconds(filter.firstSeen), parts, params);
  if (filter.consented !== undefined) {
    parts.push(filter.consented ? "s.consent_version = ?" : "s.consent_version IS NOT ?");
    params.push(context.consentVersion);
  }
  return { sql: parts.length > 0 ? parts.join(" AND ") : "true", params };
}

const checkedContext = (context: SegmentContext): SegmentContext => {
  if (typeof context?.consentVersion !== "string") throw new SegmentFilterError("a segment is read against the terms' current version");
  return context;
};

const bounded = (n: number, most: number): number => (Number.isFinite(n) ? Math.max(0, Math.min(most, Math.floor(n))) : 0);

function savedFromRow(row: Row): SavedSegment | null {
  try {
    return {
      id: Number(row["id"]),
      name: String(row["name"]),
      filter: checkedSegmentFilter(JSON.parse(String(row["filter"]))),
      by: Number(row["saved_by"]),
      at: Number(row["saved_at"]),
    };
  } catch {
    return null;
  }
}

/**
 * The SQLite store's segments: counted, sampled and walked over `crm_segment_leads` (a narrow copy
 * of the lead facts a filter reads, kept by triggers, about 22 MB at 1M leads, so it stays in the
 * page cache), saved in `crm_segments`. Statements are
 * prepared per shape of filter and kept, so an owner toggling conditions reuses them.
 */
export function sqliteSegments(db: DatabaseSync, lead: (userId: number) => Lead | null, ensureOpen: () => void): SegmentStore {
  const prepared = new Map<string, StatementSync>();
  const statement = (text: string): StatementSync => {
    let st = prepared.get(text);
    if (!st) {
      if (prepared.size >= 200) prepared.clear();
      st = db.prepare(text);
      prepared.set(text, st);
    }
    return st;
  };
  const sql = {
    save: db.prepare(
      `INSERT INTO crm_segments (name, filter, saved_by, saved_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET filter = excluded.filter, saved_by = excluded.saved_by, saved_at = excluded.saved_at RETURNING id`,
    ),
    all: db.prepare("SELECT id, name, filter, saved_by, saved_at FROM crm_segments ORDER BY id"),
    remove: db.prepare("DELETE FROM crm_segments WHERE id = ?"),
    sources: db.prepare("SELECT id FROM crm_segment_sources WHERE source IN (SELECT value FROM json_each(?))"),
    // One probe per distinct tag: the tag index skips each tag's users.
    knownTags: db.prepare("SELECT DISTINCT tag FROM crm_lead_tags ORDER BY tag LIMIT ?"),
  };
  const sourceIds = (sources: readonly string[]): number[] => sql.sources.all(JSON.stringify(sources)).map((row) => Number(row["id"]));
  const where = (filter: SegmentFilter, context: SegmentContext): SegmentWhere => {
    ensureOpen();
    return segmentWhere(checkedSegmentFilter(filter), checkedContext(context), sourceIds);
  };

  return {
    async countSegment(filter, context) {
      const checked = where(filter, context);
      const none = filter.tags?.none ?? [];
      const count = (w: SegmentWhere): number => Number(statement(`SELECT count(*) AS n FROM crm_segment_leads s WHERE ${w.sql}`).get(...w.params)?.["n"] ?? 0);
      if (none.length === 0) return count(checked);
      // "None of these tags" is everyone else less those with one: a probe per tagged lead, not a probe per lead.
      const rest = segmentWhere(filter, context, sourceIds, false);
      const tagged = { sql: `s.user_id IN (${taggedIn(none)}) AND ${rest.sql}`, params: [...none, ...rest.params] };
      return count(rest) - count(tagged);
    },

    async sampleSegment(filter, context, limit) {
      const w = where(filter, context);
      const rows = statement(`SELECT s.user_id FROM crm_segment_leads s WHERE ${w.sql} ORDER BY s.last_seen DESC, s.user_id DESC LIMIT ?`).all(...w.params, bounded(limit, 100));
      return rows.map((row) => lead(Number(row["user_id"]))).filter((found): found is Lead => found !== null);
    },

    async segmentUserIds(filter, context, afterUserId, limit) {
      const w = where(filter, context);
      const after = Number.isFinite(afterUserId) ? Math.floor(afterUserId) : 0;
      const rows = statement(`SELECT s.user_id FROM crm_segment_leads s WHERE s.user_id > ? AND ${w.sql} ORDER BY s.user_id LIMIT ?`).all(after, ...w.params, bounded(limit, 10_000));
      return rows.map((row) => Number(row["user_id"]));
    },

    async saveSegment(segment) {
      ensureOpen();
      const name = checkedSegmentName(segment.name);
      const filter = checkedSegmentFilter(segment.filter);
      return Number(sql.save.get(name, JSON.stringify(filter), segment.by, segment.at)?.["id"]);
    },

    async savedSegments() {
      ensureOpen();
      return sql.all.all().map(savedFromRow).filter((saved): saved is SavedSegment => saved !== null);
    },

    async deleteSegment(id) {
      ensureOpen();
      sql.remove.run(Number.isFinite(id) ? id : -1);
    },

    async knownTags(limit) {
      ensureOpen();
      return sql.knownTags.all(bounded(limit, 1_000)).map((row) => String(row["tag"]));
    },
  };
}
