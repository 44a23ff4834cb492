import { assign, setup } from "xstate";
import type { OrderInputAction, OrderInputError, OrderInputOutcome, OrderInputReturn, OwnerOrderInputActionParams, OwnerOrderInputContext, OwnerOrderInputEvent } from "./ownerOrderInput.types.ts";

/**
 * Bump this whenever the machine's states or context change shape.
 * A stored flow of another version is dropped, and the owner taps the order's button again.
 */
export const ownerOrderInputVersion = 1;

/** The longest tracking note or reason taken, in characters (code points): it goes into a message to the customer. */
export const maxOrderInputChars = 300;

const charCount = (text: string): number => [...text].length;

const moveToSend = ({ context }: { readonly context: OwnerOrderInputContext }): OwnerOrderInputActionParams["sendOrderMove"] => ({
  orderId: context.orderId,
  action: context.action,
  text: context.text,
});

/**
 * The words an owner's order move needs: idle → awaitingText → sending → idle again.
 *
 * Entering `sending` names `sendOrderMove`, which the bot provides (it sends the order its event,
 * keyed by the update, and answers `SENT` with how the order took it, or `FAILED`). A cancel needs
 * a reason; a shipment's tracking note and a refund's reason may be skipped. `sending` takes no
 * `TEXT`, `SKIP`, `START` or `CANCEL`, so a move in flight is sent once. A refused text stays in
 * `awaitingText` and says why in `error`.
 *
 * @example
 * const [idle] = initialTransition(ownerOrderInputMachine);
 * const [waiting] = transition(ownerOrderInputMachine, idle, { type: "START", orderId: "SO-2F", action: "ship", returnTo: { list: 8, offset: 0 } });
 * const [sending] = transition(ownerOrderInputMachine, waiting, { type: "SKIP" });
 * sending.context.text; // null: shipped without a tracking note
 */
export const ownerOrderInputMachine = setup({
  types: {
    context: {} as OwnerOrderInputContext,
    events: {} as OwnerOrderInputEvent,
  },
  actions: {
    /** Declared for its name and params; the bot's implementation runs it (adapters/telegram/flowState.ts). */
    sendOrderMove: (_: unknown, _params: OwnerOrderInputActionParams["sendOrderMove"]) => {},
    begin: assign((_, params: { orderId: string; action: OrderInputAction; returnTo: OrderInputReturn }) => ({ ...params, text: null, error: null })),
    keep: assign((_, params: { text: string | null }) => ({ text: params.text === null ? null : params.text.trim(), error: null })),
    refuse: assign((_, params: { error: OrderInputError }) => ({ error: params.error })),
    finish: assign(({ context }, params: { outcome: OrderInputOutcome }) => ({
      orderId: null,
      action: null,
      returnTo: null,
      text: null,
      error: null,
      last: context.orderId !== null && context.action !== null ? { orderId: context.orderId, action: context.action, outcome: params.outcome } : context.last,
    })),
    drop: assign({ orderId: null, action: null, returnTo: null, text: null, error: null }),
  },
  guards: {
    isBlank: (_, params: { text: string }) => params.text.trim() === "",
    isTooLong: (_, params: { text: string }) => charCount(params.text.trim()) > maxOrderInputChars,
    mayBeSkipped: ({ context }) => context.action === "ship" || context.action === "refund",
  },
}).createMachine({
  id: "ownerOrderInput",
  initial: "idle",
  context: { orderId: null, action: null, returnTo: null, text: null, error: null, last: null },
  states: {
    idle: {
      on: {
        START: { target: "awaitingText", actions: { type: "begin", params: ({ event }) => ({ orderId: event.orderId, action: event.action, returnTo: event.returnTo }) } },
      },
    },
    awaitingText: {
      on: {
        TEXT: [
          { guard: { type: "isBlank", params: ({ event }) => ({ text: event.text }) }, actions: { type: "refuse", params: { error: "empty" } } },
          { guard: { type: "isTooLong", params: ({ event }) => ({ text: event.text }) }, actions: { type: "refuse", params: { error: "too_long" } } },
          { target: "sending", actions: { type: "keep", params: ({ event }) => ({ text: event.text }) } },
        ],
        SKIP: { guard: "mayBeSkipped", target: "sending", actions: { type: "keep", params: { text: null } } },
        START: { actions: { type: "begin", params: ({ event }) => ({ orderId: event.orderId, action: event.action, returnTo: event.returnTo }) } },
        CANCEL: { target: "idle", actions: "drop" },
      },
    },
    sending: {
      entry: { type: "sendOrderMove", params: moveToSend },
      on: {
        SENT: { target: "idle", actions: { type: "finish", params: ({ event }) => ({ outcome: event.outcome }) } },
        FAILED: { target: "awaitingText", actions: { type: "refuse", params: { error: "failed" } } },
      },
    },
  },
});
