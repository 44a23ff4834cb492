import type { Stage } from "../machines/customer.types.ts";
import type { Lead } from "./store.port.ts";

/**
 * Segments (issue 13): a filter over leads, counted at once, sampled, saved by name, and walked by a
 * broadcast. Every condition left out matches everyone; conditions combine with AND.
 */

/** An inclusive range; a bound left out is open. */
export interface Range {
  readonly min?: number;
  readonly max?: number;
}

export interface SegmentFilter {
  /** Any of these stages. */
  readonly stages?: readonly Stage[];
  readonly tags?: { readonly any?: readonly string[]; readonly all?: readonly string[]; readonly none?: readonly string[] };
  /** Dormant now (`dormantSince` set) or active. */
  readonly activity?: "dormant" | "active";
  /** Any of these deep-link sources. */
  readonly sources?: readonly string[];
  readonly ordersCount?: Range;
  readonly lifetimeValue?: Range;
  /** Epoch ms. */
  readonly firstSeen?: Range;
  /** Epoch ms. */
  readonly lastSeen?: Range;
  readonly hasPhone?: boolean;
  /** Consented to the current terms (`SegmentContext.consentVersion`), not revoked, not erased since. */
  readonly consented?: boolean;
  /** Blocked the bot now (`blockedAt` set). */
  readonly blocked?: boolean;
  /** Unsubscribed from news now (`unsubscribedAt` set). */
  readonly unsubscribed?: boolean;
}

/** What a filter is read against: the terms' current version. */
export interface SegmentContext {
  readonly consentVersion: string;
}

export interface SavedSegment {
  readonly id: number;
  readonly name: string;
  readonly filter: SegmentFilter;
  /** The owner who saved it. */
  readonly by: number;
  readonly at: number;
}

/** The store's side of segments. Customers who erased their data (`erasedAt` set) are in no segment's recipients. */
export interface SegmentStore {
  /**
   * How many leads match now. Interactive: under 100 ms at 1M leads for three conditions (P10_segment_ms).
   * A filter the stores cannot run (a negative or inverted range, an unknown stage or key) rejects
   * with a `SegmentFilterError` (actors/segmentFilter.ts) saying what is wrong; so do the other reads.
   */
  countSegment(filter: SegmentFilter, context: SegmentContext): Promise<number>;
  /** Up to `limit` (at most 100) matching leads, the most recently seen first: the owner's preview of who gets it. */
  sampleSegment(filter: SegmentFilter, context: SegmentContext, limit: number): Promise<readonly Lead[]>;
  /** The matching user ids above `afterUserId`, ascending, at most `limit` (capped at 10,000): a broadcast walks its recipients with this cursor. */
  segmentUserIds(filter: SegmentFilter, context: SegmentContext, afterUserId: number, limit: number): Promise<readonly number[]>;
  /** Saves a segment under its name (trimmed, 1–64 characters), replacing the filter of one of the same name and keeping its id; returns the id. */
  saveSegment(segment: Omit<SavedSegment, "id">): Promise<number>;
  savedSegments(): Promise<readonly SavedSegment[]>;
  deleteSegment(id: number): Promise<void>;
  /** Tags that leads have now, in text order, at most `limit`: what the builder offers beside the owner's own set. */
  knownTags(limit: number): Promise<readonly string[]>;
}
