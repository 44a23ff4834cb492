import { checkedSegmentFilter, checkedSegmentName, SegmentFilterError } from "../../actors/segmentFilter.ts";
import type { Range, SavedSegment, SegmentContext, SegmentFilter, SegmentStore } from "../../actors/segments.port.ts";
import { stages } from "../../machines/customer.types.ts";
import { segmentFlags } from "../segmentFlags.ts";
import { jsonOr, leadColumns, leadFromRow, num, rowsOf, type PgQueryable, type PgRow } from "./pgRows.ts";

/** A WHERE clause over `crm_segment_leads s` and its values, bound from `$<first>` on. Values are only ever bound, never written into the text. */
export interface PgSegmentWhere {
  readonly sql: string;
  readonly values: readonly unknown[];
}

/** A range of epoch ms as the read model's whole seconds: each bound truncated, as the stored times are. */
const inSeconds = (range: Range | undefined): Range | undefined =>
  range === undefined
    ? undefined
    : { ...(range.min === undefined ? {} : { min: Math.floor(range.min / 1000) }), ...(range.max === undefined ? {} : { max: Math.floor(range.max / 1000) }) };

/** Collects conditions and numbers their bound values from a first placeholder on. */
class WhereBuilder {
  readonly parts: string[] = [];
  readonly values: unknown[] = [];
  readonly first: number;
  constructor(first: number) {
    this.first = first;
  }
  bind(value: unknown): string {
    this.values.push(value);
    return `$${this.first + this.values.length - 1}`;
  }
  range(column: string, range: Range | undefined): void {
    if (range === undefined) return;
    if (range.min === undefined && range.max === undefined) this.parts.push(`s.${column} IS NOT NULL`);
    else if (range.min !== undefined && range.max !== undefined) this.parts.push(`s.${column} BETWEEN ${this.bind(range.min)} AND ${this.bind(range.max)}`);
    else if (range.min !== undefined) this.parts.push(`s.${column} >= ${this.bind(range.min)}`);
    else this.parts.push(`s.${column} <= ${this.bind(range.max)}`);
  }
}

function flagsWhere(filter: SegmentFilter, parts: string[]): void {
  const flags = segmentFlags(filter);
  if (flags !== null) parts.push(`(s.flags & ${flags.mask}) = ${flags.value}`);
}

const tagged = "SELECT user_id FROM crm_lead_tags WHERE tag";

/**
 * A checked filter as SQL over the segment projection, the twin of the SQLite store's
 * `segmentWhere`: sources by their numbers (`sourceIds`), times in whole seconds. `withNone: false`
 * leaves "none of these tags" out, for a count that subtracts it instead.
 */
export function pgSegmentWhere(filter: SegmentFilter, context: SegmentContext, sourceIds: readonly number[], first: number, withNone = true): PgSegmentWhere {
  const w = new WhereBuilder(first);
  if (filter.stages !== undefined && filter.stages.length > 0) {
    const mask = filter.stages.reduce((sum, stage) => sum | (1 << stages.indexOf(stage)), 0);
    w.parts.push(`((1 << s.stage) & ${w.bind(mask)}::integer) <> 0`);
  }
  const tags = filter.tags;
  if (tags?.any !== undefined && tags.any.length > 0) w.parts.push(`s.user_id IN (${tagged} = ANY (${w.bind([...tags.any])}::text[]))`);
  for (const tag of new Set(tags?.all ?? [])) w.parts.push(`s.user_id IN (${tagged} = ${w.bind(tag)}::text)`);
  if (withNone && tags?.none !== undefined && tags.none.length > 0) w.parts.push(`s.user_id NOT IN (${tagged} = ANY (${w.bind([...tags.none])}::text[]))`);
  flagsWhere(filter, w.parts);
  if (filter.sources !== undefined && filter.sources.length > 0) {
    w.parts.push(sourceIds.length === 0 ? "false" : `s.source_id = ANY (${w.bind([...sourceIds])}::bigint[])`);
  }
  w.range("orders_count", filter.ordersCount);
  w.range("lifetime_value", filter.lifetimeValue);
  w.range("last_seen", inSeconds(filter.lastSeen));
  w.range("first_seen", inSeconds(filter.firstSeen));
  if (filter.consented !== undefined) {
    w.parts.push(filter.consented ? `s.consent_version = ${w.bind(context.consentVersion)}::text` : `s.consent_version IS DISTINCT FROM ${w.bind(context.consentVersion)}::text`);
  }
  return { sql: w.parts.length > 0 ? w.parts.join(" AND ") : "true", values: w.values };
}

const checkedContext = (context: SegmentContext): SegmentContext => {
  if (typeof context?.consentVersion !== "string") throw new SegmentFilterError("a segment is read against the terms' current version");
  return context;
};

const bounded = (n: number, most: number): number => (Number.isFinite(n) ? Math.max(0, Math.min(most, Math.floor(n))) : 0);

function savedFromRow(row: PgRow): SavedSegment | null {
  try {
    return {
      id: num(row["id"]),
      name: String(row["name"]),
      filter: checkedSegmentFilter(jsonOr<unknown>(row["filter"], null)),
      by: num(row["saved_by"]),
      at: num(row["saved_at"]),
    };
  } catch {
    return null;
  }
}

/** The statements that do not depend on a filter's shape. */
export const segmentSql = {
  sources: "SELECT id FROM crm_segment_sources WHERE source = ANY ($1::text[])",
  leads: `SELECT ${leadColumns} FROM crm_leads WHERE user_id = ANY ($1::bigint[])`,
  save: `INSERT INTO crm_segments (name, filter, saved_by, saved_at) VALUES ($1, $2, $3, $4)
    ON CONFLICT (name) DO UPDATE SET filter = excluded.filter, saved_by = excluded.saved_by, saved_at = excluded.saved_at RETURNING id`,
  all: "SELECT id, name, filter, saved_by, saved_at FROM crm_segments ORDER BY id",
  remove: "DELETE FROM crm_segments WHERE id = $1",
  // One probe of the tag index per distinct tag (a loose index scan), then the few tags put in byte order, as SQLite's.
  knownTags: `WITH RECURSIVE t (tag) AS (
      SELECT min(tag) FROM crm_lead_tags
      UNION ALL SELECT (SELECT min(n.tag) FROM crm_lead_tags n WHERE n.tag > t.tag) FROM t WHERE t.tag IS NOT NULL)
    SELECT tag FROM t WHERE tag IS NOT NULL ORDER BY tag COLLATE "C" LIMIT $1`,
} as const;

/**
 * Segments on PostgreSQL: counted, sampled and walked over the `crm_segment_leads` projection
 * (kept by triggers, as in SQLite), saved in `crm_segments`. Every value the owner chose is bound.
 */
export function pgSegmentReads(pool: PgQueryable): SegmentStore {
  async function where(filter: SegmentFilter, context: SegmentContext, first: number, withNone = true): Promise<PgSegmentWhere> {
    const checked = checkedSegmentFilter(filter);
    checkedContext(context);
    const ids = checked.sources !== undefined && checked.sources.length > 0 ? (await rowsOf(pool, segmentSql.sources, [[...checked.sources]])).map((row) => num(row["id"])) : [];
    return pgSegmentWhere(checked, context, ids, first, withNone);
  }
  const count = async (w: PgSegmentWhere): Promise<number> => num((await rowsOf(pool, `SELECT count(*) AS n FROM crm_segment_leads s WHERE ${w.sql}`, w.values))[0]?.["n"]);

  return {
    async countSegment(filter, context) {
      const checked = await where(filter, context, 1);
      const none = filter.tags?.none ?? [];
      if (none.length === 0) return count(checked);
      // "None of these tags" is everyone else less those with one: a probe per tagged lead, not a probe per lead.
      const rest = await where(filter, context, 2, false);
      const withTag = { sql: `s.user_id IN (${tagged} = ANY ($1::text[])) AND ${rest.sql}`, values: [[...none], ...rest.values] };
      const [all, excluded] = await Promise.all([count(await where(filter, context, 1, false)), count(withTag)]);
      return all - excluded;
    },

    async sampleSegment(filter, context, limit) {
      const w = await where(filter, context, 2);
      const ids = (await rowsOf(pool, `SELECT s.user_id FROM crm_segment_leads s WHERE ${w.sql} ORDER BY s.last_seen DESC NULLS LAST, s.user_id DESC LIMIT $1`, [bounded(limit, 100), ...w.values])).map((row) => num(row["user_id"]));
      if (ids.length === 0) return [];
      const leads = new Map((await rowsOf(pool, segmentSql.leads, [ids])).map((row) => [num(row["user_id"]), leadFromRow(row)]));
      return ids.flatMap((id) => leads.get(id) ?? []);
    },

    async segmentUserIds(filter, context, afterUserId, limit) {
      const w = await where(filter, context, 3);
      const after = Number.isFinite(afterUserId) ? Math.floor(afterUserId) : 0;
      const rows = await rowsOf(pool, `SELECT s.user_id FROM crm_segment_leads s WHERE s.user_id > $1 AND ${w.sql} ORDER BY s.user_id LIMIT $2`, [after, bounded(limit, 10_000), ...w.values]);
      return rows.map((row) => num(row["user_id"]));
    },

    async saveSegment(segment) {
      const name = checkedSegmentName(segment.name);
      const filter = checkedSegmentFilter(segment.filter);
      return num((await rowsOf(pool, segmentSql.save, [name, JSON.stringify(filter), segment.by, segment.at]))[0]?.["id"]);
    },

    async savedSegments() {
      return (await rowsOf(pool, segmentSql.all)).map(savedFromRow).filter((saved): saved is SavedSegment => saved !== null);
    },

    async deleteSegment(id) {
      await rowsOf(pool, segmentSql.remove, [Number.isFinite(id) ? Math.floor(id) : -1]);
    },

    async knownTags(limit) {
      return (await rowsOf(pool, segmentSql.knownTags, [bounded(limit, 1_000)])).map((row) => String(row["tag"]));
    },
  };
}
