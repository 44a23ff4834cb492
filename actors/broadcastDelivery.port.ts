import type { Language } from "../machines/customer.types.ts";
import type { BroadcastMessage } from "./broadcasts.port.ts";

/** How one send of a broadcast's message to one customer ended, as the sender acts on it. */
export type DeliveryOutcome =
  | { readonly kind: "sent" }
  /** 403: the customer blocked the bot (or deleted their account). */
  | { readonly kind: "blocked" }
  /** 429: the whole broadcast waits this long. */
  | { readonly kind: "rate_limited"; readonly retryAfterMs: number }
  /** Anything else: `permanent` when trying again cannot help (a 400); `reason` is a short line, never a token. */
  | { readonly kind: "failed"; readonly reason: string; readonly permanent: boolean };

/** Where a broadcast's messages go: the shop bot's own API client (adapters/telegram/shop/shopBroadcastDelivery.ts). */
export interface BroadcastDelivery {
  send(userId: number, message: BroadcastMessage, context: { readonly broadcastId: string; readonly language: Language }): Promise<DeliveryOutcome>;
}

/** What a broadcast tells a customer's actor: a message reached them (for the card's journey), or they blocked the bot. */
export interface BroadcastCustomers {
  /** Records the delivery on the customer (`broadcast_received { broadcastId }`), keyed so a second call changes nothing. */
  received(userId: number, broadcastId: string, key: string): Promise<void>;
  /** Dispatches the customer's `blocked`, keyed so a second call changes nothing. */
  blocked(userId: number, key: string): Promise<void>;
}

/** The sender's time: the clock, and a sleep on it (a simulated clock's sleep only moves it on). */
export interface Pacer {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Real time: `Date.now` and an unref'd `setTimeout`. */
export const realPacer: Pacer = {
  now: () => Date.now(),
  sleep: (ms) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, ms));
      timer.unref?.();
    }),
};

/**
 * A simulated clock for figures and crash tests: sleeping moves it on at once. Sends, commits and
 * everything else take no simulated time, so a broadcast of hours runs as fast as its sends can go.
 */
export function simulatedPacer(start: number): Pacer & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    sleep: (ms) => {
      now += Math.max(0, ms);
      return new Promise<void>((resolve) => setImmediate(resolve));
    },
    advance: (ms) => {
      now += ms;
    },
  };
}
