/**
 * The vocabulary of an owner's order move that needs a few words first: a tracking note for a
 * shipment (optional), a reason for a cancel (required, the customer reads it), a reason for a
 * refund (optional). The flow only gathers the words; the bot sends the order its event.
 */

/** Which order move the words are for. */
export type OrderInputAction = "ship" | "cancel" | "refund";

/** Why the last text was not taken, or why the send did not go through; the bot says so and asks again. */
export type OrderInputError = "empty" | "too_long" | "failed";

/** How the order took the event the flow sent (actors/orders.port.ts `OrderSendResult`). */
export type OrderInputOutcome = "applied" | "refused" | "duplicate" | "unknown_order";

/** Where the order's card goes back to after the move: opaque to the flow, kept for the bot. */
export interface OrderInputReturn {
  readonly list: number;
  readonly offset: number;
}

/** One move being prepared. Plain JSON and bounded: it lives in the owner's grammY session. */
export interface OwnerOrderInputContext {
  /** The order; null when idle. */
  readonly orderId: string | null;
  readonly action: OrderInputAction | null;
  readonly returnTo: OrderInputReturn | null;
  /** The words being sent (trimmed), or kept after a failed send; null for none (a skipped tracking note). */
  readonly text: string | null;
  readonly error: OrderInputError | null;
  /** The last move sent and how the order took it, so the bot can say so (and know a redelivered text); null before the first. */
  readonly last: { readonly orderId: string; readonly action: OrderInputAction; readonly outcome: OrderInputOutcome } | null;
}

/** Everything the flow reacts to; an event the current state does not list is ignored. */
export type OwnerOrderInputEvent =
  /** The owner tapped 📦 / ✖️ / ↩️ on an order; while typing, this switches to that order and move. */
  | { readonly type: "START"; readonly orderId: string; readonly action: OrderInputAction; readonly returnTo: OrderInputReturn }
  | { readonly type: "TEXT"; readonly text: string }
  /** "Skip": no words, where they are optional (a shipment's tracking, a refund's reason). */
  | { readonly type: "SKIP" }
  | { readonly type: "CANCEL" }
  /** The bot sent the order its event; how the order took it. */
  | { readonly type: "SENT"; readonly outcome: OrderInputOutcome }
  /** The bot could not send it (the store failed); the owner may send the words again. */
  | { readonly type: "FAILED" };

/** The named action of the flow: provided by the bot, run right after the step that names it. */
export interface OwnerOrderInputActionParams {
  /** Send the order its event (`shipped { tracking }`, `cancel_requested { reason }`, `refund_requested { reason }`); the bot answers `SENT` or `FAILED`. */
  sendOrderMove: { readonly orderId: string | null; readonly action: OrderInputAction | null; readonly text: string | null };
}
