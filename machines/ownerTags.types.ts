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
  /** The new tag just typed, normalised (recorded by `addTag`); null otherwise. */
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
  /** The owner tapped a tag of a client's menu: it is added when the client lacks it, removed otherwise. Opens the menu of that client. */
  | { readonly type: "TOGGLE"; readonly userId: number; readonly tag: string }
  /** Back from typing a tag to the menu. */
  | { readonly type: "CANCEL" }
  | { readonly type: "CLOSE" };

/**
 * The named actions of the tag menu and their params: declared in the machine's `setup`, provided
 * by the bot, run right after the step that names them.
 */
export interface OwnerTagsActionParams {
  /** Add the tag to the client, or remove it if they have it (one `tags_changed`). */
  toggleTag: { readonly userId: number; readonly tag: string };
  /** Add the typed tag to the client unless they already have it. */
  addTag: { readonly userId: number | null; readonly tag: string | null };
}
