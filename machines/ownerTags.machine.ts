import { assign, setup } from "xstate";
import type { OwnerTagsActionParams, OwnerTagsContext, OwnerTagsEvent } from "./ownerTags.types.ts";

/**
 * Bump this whenever the machine's states or context change shape.
 * A stored tag menu of another version is dropped, and the owner opens it afresh.
 */
export const ownerTagsVersion = 1;

/** What a stored tag is: 1 to 32 letters, digits, `_` or `-`, as the customer runtime records them. */
export const tagPattern = /^[\p{L}\p{N}_-]{1,32}$/u;

/**
 * A tag as the CRM stores it: trimmed, composed (NFC) and lower-cased, or null if it is not one
 * (see {@link tagPattern}). Lower-cased so that `VIP` and `vip` are one tag; composed so that a
 * `й` typed as `и` and a combining breve is a letter.
 *
 * @example
 * normalizeTag("  VIP "); // "vip"
 * normalizeTag("Опт_2026"); // "опт_2026"
 * normalizeTag("two words"); // null
 */
export function normalizeTag(text: string): string | null {
  const tag = text.trim().toLocaleLowerCase().normalize("NFC");
  return tagPattern.test(tag) ? tag : null;
}

/** The tag a tap toggles, as the bot records it. */
const tappedTag = ({ event }: { readonly event: Extract<OwnerTagsEvent, { type: "TOGGLE" }> }): OwnerTagsActionParams["toggleTag"] => ({
  userId: event.userId,
  tag: normalizeTag(event.tag) ?? event.tag,
});

/** The typed tag, kept in `added` by the transition that names `addTag`. */
const typedTag = ({ context }: { readonly context: OwnerTagsContext }): OwnerTagsActionParams["addTag"] => ({ userId: context.userId, tag: context.added });

/**
 * The owner's tag menu for one client: idle → choosing ⇄ awaitingTag.
 *
 * A tap on a tag (`TOGGLE`, from any state) opens that client's menu and names `toggleTag`; a typed
 * tag that normalises (see {@link normalizeTag}) returns to `choosing` with it in `added` and names
 * `addTag`. The bot provides both (each records one `tags_changed`). Any other text stays in
 * `awaitingTag` with the error `invalid`, and a tap on something that is not a tag is ignored.
 * `OPEN` for a client while the menu is open switches to that client.
 *
 * @example
 * const [idle] = initialTransition(ownerTagsMachine);
 * const [choosing] = transition(ownerTagsMachine, idle, { type: "OPEN", userId: 42 });
 * const [typing] = transition(ownerTagsMachine, choosing, { type: "ADD_NEW" });
 * const [added] = transition(ownerTagsMachine, typing, { type: "TAG", text: " Wholesale " });
 * added.value; // "choosing"
 * added.context.added; // "wholesale": `addTag` records it
 */
export const ownerTagsMachine = setup({
  types: {
    context: {} as OwnerTagsContext,
    events: {} as OwnerTagsEvent,
  },
  actions: {
    /** Declared for their names and params; the bot's implementations run them (adapters/telegram/flowState.ts). */
    toggleTag: (_: unknown, _params: OwnerTagsActionParams["toggleTag"]) => {},
    addTag: (_: unknown, _params: OwnerTagsActionParams["addTag"]) => {},
    open: assign((_, params: { userId: number }) => ({ userId: params.userId, added: null, error: null })),
    add: assign((_, params: { text: string }) => ({ added: normalizeTag(params.text), error: null })),
    refuse: assign({ error: "invalid" }),
    settle: assign({ added: null, error: null }),
    close: assign({ userId: null, added: null, error: null }),
  },
  guards: {
    isTag: (_, params: { text: string }) => normalizeTag(params.text) !== null,
  },
}).createMachine({
  id: "ownerTags",
  initial: "idle",
  context: { userId: null, added: null, error: null },
  on: {
    TOGGLE: {
      guard: { type: "isTag", params: ({ event }) => ({ text: event.tag }) },
      target: ".choosing",
      actions: [{ type: "open", params: ({ event }) => ({ userId: event.userId }) }, { type: "toggleTag", params: tappedTag }],
    },
  },
  states: {
    idle: {
      on: {
        OPEN: { target: "choosing", actions: { type: "open", params: ({ event }) => ({ userId: event.userId }) } },
      },
    },
    choosing: {
      on: {
        ADD_NEW: { target: "awaitingTag", actions: "settle" },
        OPEN: { actions: { type: "open", params: ({ event }) => ({ userId: event.userId }) } },
        CLOSE: { target: "idle", actions: "close" },
      },
    },
    awaitingTag: {
      on: {
        TAG: [
          {
            guard: { type: "isTag", params: ({ event }) => ({ text: event.text }) },
            target: "choosing",
            actions: [{ type: "add", params: ({ event }) => ({ text: event.text }) }, { type: "addTag", params: typedTag }],
          },
          { actions: "refuse" },
        ],
        CANCEL: { target: "choosing", actions: "settle" },
        OPEN: { target: "choosing", actions: { type: "open", params: ({ event }) => ({ userId: event.userId }) } },
        CLOSE: { target: "idle", actions: "close" },
      },
    },
  },
});
