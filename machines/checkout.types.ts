/**
 * The vocabulary of one checkout in a chat: what the customer types or taps, and what the bot
 * reports back about placing the order. The checkout needs no clock, so its events carry no `at`.
 */

/** Why the last step was refused; the bot turns it into a hint and asks again. */
export type CheckoutError = "invalid_phone" | "delivery_empty" | "delivery_too_long" | "order_failed";

/** The order being put together. Plain JSON: it lives in a grammY session. */
export interface CheckoutContext {
  /** Chosen by the bot before the checkout starts, so a retried confirmation names the same order. */
  readonly orderId: string;
  /** Normalised, `+` and 10 to 15 digits; null until given. */
  readonly phone: string | null;
  /** The delivery address or note, trimmed; null until given. */
  readonly delivery: string | null;
  /** The refusal of the last step, cleared by the next step that succeeds. */
  readonly error: CheckoutError | null;
}

export interface CheckoutInput {
  readonly orderId: string;
}

/** Everything the checkout reacts to; an event the current state does not list is ignored. */
export type CheckoutEvent =
  /** The customer typed a phone number. */
  | { readonly type: "PHONE_TYPED"; readonly text: string }
  /** The customer shared their Telegram contact; `phone` as Telegram gives it, with or without `+`. */
  | { readonly type: "CONTACT_SHARED"; readonly phone: string }
  /** The customer typed the delivery address or note. */
  | { readonly type: "DELIVERY"; readonly text: string }
  | { readonly type: "CONFIRM" }
  /** The bot stored the order. */
  | { readonly type: "ORDER_PLACED" }
  /** The bot could not store the order; the customer may confirm again. */
  | { readonly type: "ORDER_FAILED" }
  | { readonly type: "EDIT_PHONE" }
  | { readonly type: "EDIT_DELIVERY" }
  | { readonly type: "CANCEL" };
