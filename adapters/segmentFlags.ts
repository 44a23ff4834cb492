import type { SegmentFilter } from "../actors/segments.port.ts";

/** The segment projection's flags column's bits (SQLite migrations 10 and 11; the same in the PostgreSQL projection). */
export const segmentFlagBits = { dormant: 1, hasPhone: 2, blocked: 4, unsubscribed: 8 } as const;

/**
 * Every yes/no condition of a filter as one test of the flags column, for both SQL stores: the
 * mask of the bits asked about and the value they must have, or null when the filter asks none.
 */
export function segmentFlags(filter: SegmentFilter): { readonly mask: number; readonly value: number } | null {
  let mask = 0;
  let value = 0;
  const ask = (bit: number, wanted: boolean | undefined): void => {
    if (wanted === undefined) return;
    mask |= bit;
    if (wanted) value |= bit;
  };
  ask(segmentFlagBits.dormant, filter.activity === undefined ? undefined : filter.activity === "dormant");
  ask(segmentFlagBits.hasPhone, filter.hasPhone);
  ask(segmentFlagBits.blocked, filter.blocked);
  ask(segmentFlagBits.unsubscribed, filter.unsubscribed);
  return mask === 0 ? null : { mask, value };
}
