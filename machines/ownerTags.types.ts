/**
 * The vocabulary of the owner tagging a client: choosing among tags, and typing a new one.
 * Tagging needs no clock: the bot stamps the recorded change with its time.
 */

/** Why the typed tag was refused; the bot shows what a tag may hold and asks again. */
export type OwnerTagsError = "invalid";

/** The tag menu of one client. Plain JSON and small: it lives in the owner's grammY session. */
export interface OwnerTagsContext {
  /** The client whose tags are shown; null when idle. */
  readonly userId: number | null;
  /** The new tag just typed, normalised, for the bot to record; null otherwise. */
  readonly added: string | null;
  /** The refusal of the last typed tag, cleared by the next step. */
  readonly error: OwnerTagsError | null;
}

/** Everything the tag menu reacts to; an event the current state does not list is ignored. */
export type OwnerTagsEvent =
  /** The owner opened the tags of a client; while open, this switches to that client. */
  | { readonly type: "OPEN"; readonly userId: number }
  /** The owner tapped "new tag". */
  | { readonly type: "ADD_NEW" }
  /** The owner typed a new tag. */
  | { readonly type: "TAG"; readonly text: string }
  /** Back from typing a tag to the menu. */
  | { readonly type: "CANCEL" }
  | { readonly type: "CLOSE" };
