import { assign, setup } from "xstate";
import type { CheckoutContext, CheckoutError, CheckoutEvent, CheckoutInput } from "./checkout.types.ts";

/**
 * Bump this whenever the machine's states or context change shape.
 * A stored checkout of another version is dropped, and the customer starts the checkout afresh.
 */
export const checkoutVersion = 1;

/** The longest delivery text kept, in characters (code points), so a session stays small. */
export const maxDeliveryChars = 500;

const zeroWidth = /[\u200B-\u200D\u2060\uFEFF]/g;
/** Spaces of any width, ASCII and typographic hyphens, dots and parentheses: how people format a number. */
const formatting = /[\p{Zs}\t\-\u2010-\u2015\u2212.()]/gu;
const phoneShape = /^\+?(\d{10,15})$/;

/**
 * A phone number as the shop stores it: `+` and 10 to 15 digits, or null if the text is not one.
 * Formatting is dropped and a leading `8` or `7` is kept as typed: no country is guessed.
 *
 * @example
 * normalizePhone("8 (999) 123-45-67"); // "+89991234567"
 * normalizePhone("79991234567"); // "+79991234567", as Telegram shares a contact
 * normalizePhone("call me"); // null
 */
export function normalizePhone(text: string): string | null {
  const compact = text.replace(zeroWidth, "").trim().replace(formatting, "");
  const digits = phoneShape.exec(compact)?.[1];
  return digits === undefined ? null : `+${digits}`;
}

const charCount = (text: string): number => [...text].length;

/**
 * One checkout in a chat: phone → delivery → confirming → placing → placed.
 *
 * The bot places the order when the checkout enters `placing`, and only there. `placing` takes
 * no `CONFIRM` and no `CANCEL`, and `placed` takes nothing, so a second tap on "confirm" cannot
 * place a second order, and an order in flight cannot be half cancelled. A failed order returns
 * to `confirming` with the error `order_failed`, from where the customer may confirm again.
 * A refused step stays where it is and says why in `error`.
 *
 * @example
 * const [start] = initialTransition(checkoutMachine, { orderId: "A-1042" });
 * const [next] = transition(checkoutMachine, start, { type: "CONTACT_SHARED", phone: "79991234567" });
 * next.value; // "delivery"
 * next.context.phone; // "+79991234567"
 */
export const checkoutMachine = setup({
  types: {
    context: {} as CheckoutContext,
    events: {} as CheckoutEvent,
    input: {} as CheckoutInput,
  },
  actions: {
    storePhone: assign((_, params: { text: string }) => ({ phone: normalizePhone(params.text), error: null })),
    storeDelivery: assign((_, params: { text: string }) => ({ delivery: params.text.trim(), error: null })),
    refuse: assign((_, params: { error: CheckoutError }) => ({ error: params.error })),
    clearError: assign({ error: null }),
  },
  guards: {
    isPhone: (_, params: { text: string }) => normalizePhone(params.text) !== null,
    isBlank: (_, params: { text: string }) => params.text.trim() === "",
    isTooLong: (_, params: { text: string }) => charCount(params.text.trim()) > maxDeliveryChars,
  },
}).createMachine({
  id: "checkout",
  initial: "phone",
  context: ({ input }) => ({ orderId: input.orderId, phone: null, delivery: null, error: null }),
  states: {
    phone: {
      on: {
        PHONE_TYPED: [
          {
            guard: { type: "isPhone", params: ({ event }) => ({ text: event.text }) },
            target: "delivery",
            actions: { type: "storePhone", params: ({ event }) => ({ text: event.text }) },
          },
          { actions: { type: "refuse", params: { error: "invalid_phone" } } },
        ],
        CONTACT_SHARED: [
          {
            guard: { type: "isPhone", params: ({ event }) => ({ text: event.phone }) },
            target: "delivery",
            actions: { type: "storePhone", params: ({ event }) => ({ text: event.phone }) },
          },
          { actions: { type: "refuse", params: { error: "invalid_phone" } } },
        ],
        CANCEL: { target: "cancelled" },
      },
    },
    delivery: {
      on: {
        DELIVERY: [
          {
            guard: { type: "isBlank", params: ({ event }) => ({ text: event.text }) },
            actions: { type: "refuse", params: { error: "delivery_empty" } },
          },
          {
            guard: { type: "isTooLong", params: ({ event }) => ({ text: event.text }) },
            actions: { type: "refuse", params: { error: "delivery_too_long" } },
          },
          { target: "confirming", actions: { type: "storeDelivery", params: ({ event }) => ({ text: event.text }) } },
        ],
        EDIT_PHONE: { target: "phone", actions: "clearError" },
        CANCEL: { target: "cancelled" },
      },
    },
    confirming: {
      on: {
        CONFIRM: { target: "placing", actions: "clearError" },
        EDIT_PHONE: { target: "phone", actions: "clearError" },
        EDIT_DELIVERY: { target: "delivery", actions: "clearError" },
        CANCEL: { target: "cancelled" },
      },
    },
    placing: {
      on: {
        ORDER_PLACED: { target: "placed" },
        ORDER_FAILED: { target: "confirming", actions: { type: "refuse", params: { error: "order_failed" } } },
      },
    },
    placed: { type: "final" },
    cancelled: { type: "final" },
  },
});
