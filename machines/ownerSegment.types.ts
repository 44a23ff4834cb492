/**
 * The vocabulary of the owner's segment builder (issue 13): the filter being built, what the owner
 * is typing, and the name it is saved under. The filter is plain JSON the machine keeps and never
 * reads inside: the bot builds each change and the stores check it (actors/segmentFilter.ts).
 */

/** A segment filter as the session keeps it (actors/segments.port.ts `SegmentFilter`, opaque here). */
export type SegmentFilterJson = Readonly<Record<string, unknown>>;

/** What a typed value is for: a range of orders or lifetime value, dates first or last seen, sources. */
export type SegmentField = "orders" | "ltv" | "firstSeen" | "lastSeen" | "sources";

/** Why the last typed value or name was refused; the bot turns it into a hint and asks again. */
export type OwnerSegmentError = "bad_value" | "empty_name" | "name_too_long" | "save_failed";

/** One segment being built in the owner's chat. Plain JSON and bounded: it lives in the owner's grammY session. */
export interface OwnerSegmentContext {
  readonly filter: SegmentFilterJson;
  /** The saved segment it was opened from (or last saved as), so saving again keeps its name; null for a new one. */
  readonly savedId: number | null;
  readonly name: string | null;
  /** The value being typed; null when none is. */
  readonly field: SegmentField | null;
  readonly error: OwnerSegmentError | null;
  /** The name being saved, between the owner's text and the store's answer. */
  readonly saving: string | null;
}

/** Everything the builder reacts to; an event the current state does not list is ignored. */
export type OwnerSegmentEvent =
  /** A new segment (no `saved`), or a saved one opened to change. */
  | { readonly type: "START"; readonly saved?: { readonly id: number; readonly name: string; readonly filter: SegmentFilterJson } }
  /** A button changed the filter; the bot built the new one and the store accepts it. */
  | { readonly type: "SET"; readonly filter: SegmentFilterJson }
  /** The owner asked to type a value. */
  | { readonly type: "ASK"; readonly field: SegmentField }
  /** The typed value, read by the bot into the new filter. */
  | { readonly type: "VALUE"; readonly filter: SegmentFilterJson }
  /** The typed value the bot could not read. */
  | { readonly type: "BAD_VALUE" }
  /** 💾: the owner is asked for a name. */
  | { readonly type: "SAVE" }
  /** The name typed. */
  | { readonly type: "NAME"; readonly text: string }
  /** The store kept the segment under this id. */
  | { readonly type: "SAVED"; readonly id: number }
  | { readonly type: "SAVE_FAILED" }
  /** While typing: back to the builder. On the builder: the builder is closed. */
  | { readonly type: "CANCEL" };

/** The named actions of the builder and their params, provided by the bot and run right after the step that names them. */
export interface OwnerSegmentActionParams {
  /** Save the filter under the name; the bot answers `SAVED` with its id, or `SAVE_FAILED`. */
  saveSegment: { readonly name: string; readonly filter: SegmentFilterJson };
}
