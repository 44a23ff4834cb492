/**
 * The vocabulary of the owner writing a note on a client: the text typed, and whether the bot
 * stored it. The note needs no clock: the bot stamps the stored note with its time.
 */

/** Why the last text did not become a note; the bot turns it into a hint and asks again. */
export type OwnerNoteError = "empty" | "too_long" | "failed";

/** One note being written. Plain JSON and bounded: it lives in the owner's grammY session. */
export interface OwnerNoteContext {
  /** The client the note is for; null when idle. */
  readonly userId: number | null;
  /**
   * The note, trimmed: the one being saved, or the one that failed to save, so the bot can show it
   * back to be copied; null otherwise.
   */
  readonly text: string | null;
  /** The refusal of the last text or save, cleared by the next text accepted. */
  readonly error: OwnerNoteError | null;
  /** The client whose note was saved last, so the bot can confirm it; null before the first. */
  readonly lastSavedFor: number | null;
}

/** Everything the note reacts to; an event the current state does not list is ignored. */
export type OwnerNoteEvent =
  /** The owner tapped "note" on a client's card; while typing, this switches to that client. */
  | { readonly type: "START"; readonly userId: number }
  /** The owner typed the note. */
  | { readonly type: "TEXT"; readonly text: string }
  /** The bot stored the note. */
  | { readonly type: "SAVED" }
  /** The bot could not store the note; the owner may send it again. */
  | { readonly type: "FAILED" }
  | { readonly type: "CANCEL" };

/**
 * The named actions of the note flow and their params: declared in the machine's `setup`, provided
 * by the bot, run right after the step that names them.
 */
export interface OwnerNoteActionParams {
  /** Store the note on the client (a `note_added` event); the bot answers `SAVED`, or `FAILED` when it could not. */
  saveNote: { readonly userId: number | null; readonly text: string | null };
}
