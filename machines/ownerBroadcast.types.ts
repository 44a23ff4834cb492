/**
 * The vocabulary of the owner composing a broadcast in the owner bot: the message as Telegram gave
 * it, its one optional button, the audience, when it goes, and why an input was refused. Plain JSON:
 * it lives in the owner's grammY session until the broadcast starts.
 */

/** One of Telegram's message entities, as the owner's message carried it (offsets in UTF-16 code units). */
export interface DraftEntity {
  readonly type: string;
  readonly offset: number;
  readonly length: number;
  readonly url?: string;
}

/** The owner's message: text (or a photo's caption) with its entities, and the photo's file id in the owner bot's terms. */
export interface BroadcastDraft {
  readonly text: string;
  readonly entities: readonly DraftEntity[];
  /** The largest size of the photo the owner sent, as the owner bot knows it; null for a text message. */
  readonly photo: string | null;
}

/** The one optional button under the message (the same shape as the broadcasts port's). */
export type DraftButton =
  | { readonly kind: "product"; readonly productId: string; readonly text: string }
  | { readonly kind: "catalog"; readonly text: string }
  | { readonly kind: "url"; readonly url: string; readonly text: string };

/** Who gets it: everyone subscribed, a saved segment (read again when it starts), or a filter built in the segment builder. */
export type DraftAudience =
  | { readonly kind: "all" }
  | { readonly kind: "saved"; readonly id: number; readonly name: string }
  | { readonly kind: "built"; readonly name: string; readonly filter: Readonly<Record<string, unknown>> };

/** Why the owner's message was refused, with where: `offset` and `length` are the entity's, in UTF-16 code units. */
export type MessageProblem =
  | { readonly kind: "empty" }
  | { readonly kind: "not_text" }
  | { readonly kind: "too_long"; readonly length: number; readonly max: number }
  | { readonly kind: "entity_range"; readonly type: string; readonly offset: number; readonly length: number }
  | { readonly kind: "entity_type"; readonly type: string; readonly offset: number; readonly length: number }
  | { readonly kind: "entity_url"; readonly type: string; readonly offset: number; readonly length: number }
  | { readonly kind: "entity_overlap"; readonly type: string; readonly offset: number; readonly length: number; readonly other: string; readonly otherOffset: number };

/** Why a step other than the message was refused. */
export type ComposeError =
  | { readonly kind: "message"; readonly problem: MessageProblem }
  | { readonly kind: "button_url" }
  | { readonly kind: "button_text" }
  | { readonly kind: "no_recipients" }
  | { readonly kind: "time_format" }
  | { readonly kind: "time_past" }
  | { readonly kind: "time_far" }
  | { readonly kind: "another_is_sending" }
  | { readonly kind: "failed" };

export interface OwnerBroadcastContext {
  /** The idempotency key of the broadcast being composed: from the update that began it, and the attempt. */
  readonly key: string | null;
  readonly attempt: number;
  readonly draft: BroadcastDraft | null;
  readonly button: DraftButton | null;
  /** Chosen, or handed over by the segment builder before the message was written (then `count` is null until it is counted). */
  readonly audience: DraftAudience | null;
  /** Recipients when the audience was chosen (the start counts again). */
  readonly count: number | null;
  readonly error: ComposeError | null;
  /** The id of the broadcast the last ✅ started, for the bot to show its progress. */
  readonly started: string | null;
  /** When the started one goes: null for now. */
  readonly startedAt: number | null;
}

export type OwnerBroadcastEvent =
  /** ✍️ a new broadcast: `key` comes from the pressed button's update. */
  | { readonly type: "START"; readonly key: string; readonly audience?: DraftAudience }
  | { readonly type: "MESSAGE"; readonly draft: BroadcastDraft }
  /** Something that is neither text nor a photo (a sticker, a voice message) while a message is awaited. */
  | { readonly type: "NOT_TEXT" }
  | { readonly type: "NO_BUTTON" }
  | { readonly type: "BUTTON"; readonly button: DraftButton }
  /** The owner asks for a URL button: the next text is `Label https://…`. */
  | { readonly type: "ASK_URL" }
  | { readonly type: "URL_TEXT"; readonly text: string }
  /** An audience and its recipients now, counted by the bot. */
  | { readonly type: "AUDIENCE"; readonly audience: DraftAudience; readonly count: number }
  /** ✅: `at` null for now, else when; `now` is the bot's clock. */
  | { readonly type: "SEND"; readonly at: number | null; readonly now: number }
  /** A typed time the bot could not read as `YYYY-MM-DD HH:MM`. */
  | { readonly type: "BAD_TIME" }
  | { readonly type: "EDIT_MESSAGE" }
  | { readonly type: "EDIT_AUDIENCE" }
  | { readonly type: "CANCEL" }
  /** The bot's answers to `startBroadcast`. */
  | { readonly type: "STARTED"; readonly id: string; readonly at: number | null }
  | { readonly type: "REFUSED"; readonly reason: "no_recipients" | "another_is_sending" | "failed" };

export interface OwnerBroadcastActionParams {
  /**
   * Start the broadcast under `key` (a second start with the same key is the same broadcast): the
   * photo uploaded for the shop bot, the audience read again. Answers `STARTED` or `REFUSED`.
   */
  startBroadcast: {
    readonly key: string;
    readonly draft: BroadcastDraft;
    readonly button: DraftButton | null;
    readonly audience: DraftAudience;
    readonly at: number | null;
  };
}
