import { assign, setup } from "xstate";
import { messageProblem, timeProblem, urlButtonOf } from "./ownerBroadcast.message.ts";
import type { BroadcastDraft, ComposeError, DraftAudience, DraftButton, OwnerBroadcastActionParams, OwnerBroadcastContext, OwnerBroadcastEvent } from "./ownerBroadcast.types.ts";

/**
 * Bump this whenever the machine's states or context change shape.
 * A stored composition of another version is dropped, and the owner starts the broadcast afresh.
 */
export const ownerBroadcastVersion = 2;

const blank: Omit<OwnerBroadcastContext, "started" | "startedAt"> = { key: null, attempt: 0, draft: null, button: null, audience: null, count: null, error: null };

const startParams = ({ context }: { readonly context: OwnerBroadcastContext }, at: number | null): OwnerBroadcastActionParams["startBroadcast"] => ({
  key: `${context.key ?? "broadcast"}:${context.attempt}`,
  draft: context.draft as BroadcastDraft,
  button: context.button,
  audience: context.audience as DraftAudience,
  at,
});

const urlButton = (text: string): DraftButton | null => {
  const parsed = urlButtonOf(text);
  return "button" in parsed ? parsed.button : null;
};

const urlError = (text: string): ComposeError => {
  const parsed = urlButtonOf(text);
  return "error" in parsed ? parsed.error : { kind: "button_url" };
};

/**
 * The owner composing a broadcast: idle → writing → button (→ buttonUrl) → audience → confirming →
 * starting → idle.
 *
 * Every refusal of bad input is here, before anything is sent: a message that is empty, over
 * Telegram's limit or has an entity Telegram would refuse stays in `writing` with the problem and
 * its position (`error`); a URL button that is not `Label https://…`; an audience of 0 recipients;
 * a time in the past or over 90 days ahead. ✅ enters `starting`, which names `startBroadcast` with
 * the key taken from the update that began the composition (and the attempt), so a double press or
 * a redelivered ✅ starts one broadcast: the runner answers within the step, and a second ✅ finds
 * the machine idle. A segment handed over by the segment builder (`START` with `audience`) is kept,
 * and the bot counts and offers it when the composition reaches `audience`.
 *
 * @example
 * const [idle] = initialTransition(ownerBroadcastMachine);
 * const [writing] = transition(ownerBroadcastMachine, idle, { type: "START", key: "owner:81:broadcast" });
 * const [button] = transition(ownerBroadcastMachine, writing, { type: "MESSAGE", draft: { text: "Sale!", entities: [], photo: null } });
 * const [audience] = transition(ownerBroadcastMachine, button, { type: "NO_BUTTON" });
 * const [confirming] = transition(ownerBroadcastMachine, audience, { type: "AUDIENCE", audience: { kind: "all" }, count: 120 });
 * transition(ownerBroadcastMachine, confirming, { type: "SEND", at: null, now: 0 })[1]; // [{ type: "startBroadcast", params: { key: "owner:81:broadcast:0", … } }]
 */
export const ownerBroadcastMachine = setup({
  types: {
    context: {} as OwnerBroadcastContext,
    events: {} as OwnerBroadcastEvent,
  },
  actions: {
    /** Declared for its name and params; the bot's implementation runs it (adapters/telegram/flowState.ts). */
    startBroadcast: (_: unknown, _params: OwnerBroadcastActionParams["startBroadcast"]) => {},
    begin: assign((_, params: { key: string; audience: DraftAudience | null }) => ({ ...blank, key: params.key, audience: params.audience })),
    keepDraft: assign((_, params: { draft: BroadcastDraft }) => ({ draft: params.draft, error: null })),
    keepButton: assign((_, params: { button: DraftButton | null }) => ({ button: params.button, error: null })),
    keepAudience: assign((_, params: { audience: DraftAudience; count: number }) => ({ audience: params.audience, count: params.count, error: null })),
    refuse: assign((_, params: { error: ComposeError }) => ({ error: params.error })),
    clearError: assign({ error: null }),
    forgetAudience: assign({ audience: null, count: null, error: null }),
    started: assign((_, params: { id: string; at: number | null }) => ({ ...blank, started: params.id, startedAt: params.at })),
    retry: assign(({ context }, params: { error: ComposeError }) => ({ attempt: context.attempt + 1, error: params.error })),
    drop: assign({ ...blank }),
  },
  guards: {
    badMessage: (_, params: { draft: BroadcastDraft }) => messageProblem(params.draft) !== null,
    badUrlButton: (_, params: { text: string }) => urlButton(params.text) === null,
    noRecipients: (_, params: { count: number }) => params.count <= 0,
    badTime: (_, params: { at: number | null; now: number }) => timeProblem(params.at, params.now) !== null,
    noRecipientsLeft: (_, params: { reason: string }) => params.reason === "no_recipients",
  },
}).createMachine({
  id: "ownerBroadcast",
  initial: "idle",
  context: { ...blank, started: null, startedAt: null },
  on: {
    START: { target: ".writing", actions: { type: "begin", params: ({ event }) => ({ key: event.key, audience: event.audience ?? null }) } },
  },
  states: {
    idle: {},
    writing: {
      on: {
        MESSAGE: [
          {
            guard: { type: "badMessage", params: ({ event }) => ({ draft: event.draft }) },
            actions: { type: "refuse", params: ({ event }) => ({ error: { kind: "message", problem: messageProblem(event.draft) ?? { kind: "empty" } } }) },
          },
          { target: "button", actions: { type: "keepDraft", params: ({ event }) => ({ draft: event.draft }) } },
        ],
        NOT_TEXT: { actions: { type: "refuse", params: { error: { kind: "message", problem: { kind: "not_text" } } } } },
        CANCEL: { target: "idle", actions: "drop" },
      },
    },
    button: {
      on: {
        NO_BUTTON: { target: "audience", actions: { type: "keepButton", params: { button: null } } },
        BUTTON: { target: "audience", actions: { type: "keepButton", params: ({ event }) => ({ button: event.button }) } },
        ASK_URL: { target: "buttonUrl", actions: "clearError" },
        EDIT_MESSAGE: { target: "writing", actions: "clearError" },
        CANCEL: { target: "idle", actions: "drop" },
      },
    },
    buttonUrl: {
      on: {
        URL_TEXT: [
          {
            guard: { type: "badUrlButton", params: ({ event }) => ({ text: event.text }) },
            actions: { type: "refuse", params: ({ event }) => ({ error: urlError(event.text) }) },
          },
          { target: "audience", actions: { type: "keepButton", params: ({ event }) => ({ button: urlButton(event.text) }) } },
        ],
        NOT_TEXT: { actions: { type: "refuse", params: { error: { kind: "button_url" } } } },
        NO_BUTTON: { target: "audience", actions: { type: "keepButton", params: { button: null } } },
        CANCEL: { target: "idle", actions: "drop" },
      },
    },
    audience: {
      on: {
        AUDIENCE: [
          {
            guard: { type: "noRecipients", params: ({ event }) => ({ count: event.count }) },
            actions: { type: "refuse", params: { error: { kind: "no_recipients" } } },
          },
          { target: "confirming", actions: { type: "keepAudience", params: ({ event }) => ({ audience: event.audience, count: event.count }) } },
        ],
        EDIT_MESSAGE: { target: "writing", actions: "clearError" },
        CANCEL: { target: "idle", actions: "drop" },
      },
    },
    confirming: {
      on: {
        SEND: [
          {
            guard: { type: "badTime", params: ({ event }) => ({ at: event.at, now: event.now }) },
            actions: { type: "refuse", params: ({ event }) => ({ error: timeProblem(event.at, event.now) ?? { kind: "time_format" } }) },
          },
          { target: "starting", actions: ["clearError", { type: "startBroadcast", params: ({ context, event }) => startParams({ context }, event.at) }] },
        ],
        BAD_TIME: { actions: { type: "refuse", params: { error: { kind: "time_format" } } } },
        NOT_TEXT: { actions: { type: "refuse", params: { error: { kind: "time_format" } } } },
        EDIT_MESSAGE: { target: "writing", actions: "clearError" },
        EDIT_AUDIENCE: { target: "audience", actions: "forgetAudience" },
        CANCEL: { target: "idle", actions: "drop" },
      },
    },
    starting: {
      on: {
        STARTED: { target: "idle", actions: { type: "started", params: ({ event }) => ({ id: event.id, at: event.at }) } },
        REFUSED: [
          {
            guard: { type: "noRecipientsLeft", params: ({ event }) => ({ reason: event.reason }) },
            target: "audience",
            actions: { type: "retry", params: { error: { kind: "no_recipients" } } },
          },
          { target: "confirming", actions: { type: "retry", params: ({ event }) => ({ error: { kind: event.reason === "another_is_sending" ? "another_is_sending" : "failed" } }) } },
        ],
      },
    },
  },
});
