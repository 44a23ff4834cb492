/**
 * The vocabulary of a customer: its funnel stages and the events that move it.
 * Every event carries `at` (epoch ms): time arrives with the event, never from a clock inside the machine.
 */

/** Funnel stages in rank order: index + 1 is the rank. */
export const stages = ["new", "engaged", "cart", "checkout", "customer", "repeat"] as const;
export type Stage = (typeof stages)[number];

/** Rank of each stage: `new` is 1, `repeat` is 6. A customer's rank never decreases. */
export const stageRank: Readonly<Record<Stage, number>> = {
  new: 1,
  engaged: 2,
  cart: 3,
  checkout: 4,
  customer: 5,
  repeat: 6,
};

export const stageEmoji: Readonly<Record<Stage, string>> = {
  new: "🆕",
  engaged: "👀",
  cart: "🛒",
  checkout: "📝",
  customer: "✅",
  repeat: "🌟",
};

/** Payloads by event type; `type` and `at` are added by {@link CustomerEvent}. */
export interface CustomerEventPayloads {
  start: { source?: string | null; username?: string | null; name?: string | null };
  catalog_view: Record<never, never>;
  product_view: { productId: string };
  /**
   * A catalog search: how many products it found, and the words only when the customer consented
   * to the current terms (without consent nothing they typed is kept). Older events may lack `results`.
   */
  search: { query?: string; results?: number };
  add_to_cart: { productId: string; qty: number };
  checkout_started: Record<never, never>;
  order_created: { orderId: string; total: number; currency: string };
  consent_given: { version: string };
  consent_revoked: Record<never, never>;
  contact_shared: { phone: string };
  message_in: { messageType: MessageType; chars: number };
  message_out: { messageType: MessageType; chars: number };
  note_added: { text: string };
  tags_changed: { added?: readonly string[]; removed?: readonly string[] };
  /** The customer's `/forget`: personal facts are cleared; counts, stage and stage dates stay, anonymised. */
  data_erased: Record<never, never>;
  /** The customer blocked the bot (Telegram said so, or refused a message with 403): a fact, the stage stays. */
  blocked: Record<never, never>;
  /** The customer let the bot write to them again after blocking it. */
  unblocked: Record<never, never>;
}

export type CustomerEventType = keyof CustomerEventPayloads;

export const customerEventTypes = [
  "start",
  "catalog_view",
  "product_view",
  "search",
  "add_to_cart",
  "checkout_started",
  "order_created",
  "consent_given",
  "consent_revoked",
  "contact_shared",
  "message_in",
  "message_out",
  "note_added",
  "tags_changed",
  "data_erased",
  "blocked",
  "unblocked",
] as const satisfies readonly CustomerEventType[];

export type MessageType = "text" | "ai_response";
export type MessageDirection = "in" | "out";

/** An event as the machine receives it: its type, its payload and when it happened. */
export type CustomerEvent = {
  [K in CustomerEventType]: { type: K; at: number } & CustomerEventPayloads[K];
}[CustomerEventType];

/** An event before the runtime stamps its time. */
export type CustomerEventInput = {
  [K in CustomerEventType]: { type: K; at?: number } & CustomerEventPayloads[K];
}[CustomerEventType];

export interface Note {
  readonly at: number;
  readonly text: string;
}

/** The facts the CRM keeps about one customer. Times are epoch milliseconds. */
export interface CustomerContext {
  readonly userId: number;
  readonly username: string | null;
  /** First and last name as Telegram gives them. */
  readonly name: string | null;
  readonly source: string | null;
  readonly firstSeenAt: number | null;
  readonly lastSeenAt: number | null;
  readonly ordersCount: number;
  readonly lifetimeValue: number;
  readonly lastOrderId: string | null;
  readonly consentAt: number | null;
  readonly consentVersion: string | null;
  readonly phone: string | null;
  readonly tags: readonly string[];
  readonly notes: readonly Note[];
  /** When each stage reached was entered; a skipped stage has no entry. */
  readonly stageEnteredAt: Readonly<Partial<Record<Stage, number>>>;
  /** When the customer last erased their data with `/forget`, or null. */
  readonly erasedAt: number | null;
  /** Since when the customer has blocked the bot, or null; any act of theirs clears it. */
  readonly blockedAt: number | null;
}

export interface CustomerInput {
  readonly userId: number;
}
