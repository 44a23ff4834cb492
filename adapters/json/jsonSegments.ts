import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { checkedSegmentFilter, checkedSegmentName, leadInSegment, SegmentFilterError } from "../../actors/segmentFilter.ts";
import type { SavedSegment, SegmentContext, SegmentFilter, SegmentStore } from "../../actors/segments.port.ts";
import type { Lead } from "../../actors/store.port.ts";
import { fileRewriter, tempPathOf } from "./atomicFile.ts";

interface SegmentsFile {
  readonly format: 1;
  readonly nextId: number;
  readonly segments: readonly SavedSegment[];
}

/** Code-unit order, as SQLite's BINARY collation sorts text. */
const textOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const bounded = (n: number, most: number): number => (Number.isFinite(n) ? Math.max(0, Math.min(most, Math.floor(n))) : 0);

/** Most recently seen first (in whole seconds), as the SQLite store orders its sample: no last-seen time sorts last, then the higher id first. */
const secondsSeen = (lead: Lead): number => (lead.lastSeenAt === null ? -Infinity : Math.floor(lead.lastSeenAt / 1000));
const byRecent = (a: Lead, b: Lead): number => secondsSeen(b) - secondsSeen(a) || b.userId - a.userId;

function readSegments(path: string): { nextId: number; segments: SavedSegment[] } {
  if (!existsSync(path)) return { nextId: 1, segments: [] };
  const file = JSON.parse(readFileSync(path, "utf8")) as Partial<SegmentsFile>;
  const segments: SavedSegment[] = [];
  for (const segment of file.segments ?? []) {
    try {
      segments.push({ ...segment, filter: checkedSegmentFilter(segment.filter) });
    } catch {
      // A filter this program no longer runs is left out of the list rather than failing the store.
    }
  }
  return { nextId: Math.max(file.nextId ?? 1, ...segments.map((segment) => segment.id + 1)), segments };
}

/**
 * The JSON store's segments: every lead is in memory, so a segment is a pass over them with the
 * same rules as the SQLite store's SQL (`leadInSegment`); saved segments live in `segments.json`,
 * rewritten whole and durably on each change.
 */
export function jsonSegments(dir: string, leads: () => readonly Lead[], ensureOpen: () => void): SegmentStore {
  const path = join(dir, "segments.json");
  rmSync(tempPathOf(path), { force: true });
  const state = readSegments(path);
  const save = fileRewriter(path, () => JSON.stringify({ format: 1, nextId: state.nextId, segments: state.segments } satisfies SegmentsFile));
  const matching = (filter: SegmentFilter, context: SegmentContext): Lead[] => {
    ensureOpen();
    const checked = checkedSegmentFilter(filter);
    if (typeof context?.consentVersion !== "string") throw new SegmentFilterError("a segment is read against the terms' current version");
    return leads().filter((lead) => leadInSegment(lead, checked, context));
  };

  return {
    async countSegment(filter, context) {
      return matching(filter, context).length;
    },

    async sampleSegment(filter, context, limit) {
      return matching(filter, context).sort(byRecent).slice(0, bounded(limit, 100));
    },

    async segmentUserIds(filter, context, afterUserId, limit) {
      const after = Number.isFinite(afterUserId) ? Math.floor(afterUserId) : 0;
      return matching(filter, context)
        .map((lead) => lead.userId)
        .filter((userId) => userId > after)
        .sort((a, b) => a - b)
        .slice(0, bounded(limit, 10_000));
    },

    async saveSegment(segment) {
      ensureOpen();
      const name = checkedSegmentName(segment.name);
      const filter = checkedSegmentFilter(segment.filter);
      const same = state.segments.findIndex((saved) => saved.name === name);
      const id = same >= 0 ? (state.segments[same]?.id ?? state.nextId) : state.nextId++;
      const saved: SavedSegment = { id, name, filter, by: segment.by, at: segment.at };
      if (same >= 0) state.segments[same] = saved;
      else state.segments.push(saved);
      await save();
      return id;
    },

    async savedSegments() {
      ensureOpen();
      return [...state.segments].sort((a, b) => a.id - b.id);
    },

    async knownTags(limit) {
      ensureOpen();
      const tags = new Set(leads().flatMap((lead) => lead.tags));
      return [...tags].sort(textOrder).slice(0, bounded(limit, 1_000));
    },

    async deleteSegment(id) {
      ensureOpen();
      const at = state.segments.findIndex((saved) => saved.id === id);
      if (at < 0) return;
      state.segments.splice(at, 1);
      await save();
    },
  };
}
