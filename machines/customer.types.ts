/**
 * The vocabulary of a customer: its funnel stages, the events of everything they do (the cart, the
 * checkout, the consultant, consent, dormancy), its facts, and the params of its effects and writes.
 * Every event carries `at` (epoch ms) and `seq`, stamped by the runtime: time arrives with the
 * event, never from a clock inside the machine.
 */
import type { Invoice, PaymentMethod } from "./order.types.ts";

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

/** One line of a cart: a product and how many; prices always come from the catalog of the moment. */
export interface CartLine {
  readonly productId: string;
  readonly qty: number;
}

/** A customer's cart. `rev` changes with every edit, so a button from an older rendering is refused. */
export interface Cart {
  readonly rev: number;
  readonly lines: readonly CartLine[];
}

/** One line of an order: the product as it was when the order was placed. */
export interface OrderLine {
  readonly productId: string;
  readonly title: string;
  readonly price: number;
  readonly qty: number;
}

export type Language = "ru" | "en";

/** Payloads by event type; `type`, `at` and `seq` are added by {@link CustomerEvent}. */
export interface CustomerEventPayloads {
  start: { source?: string | null; username?: string | null; name?: string | null; language?: Language };
  catalog_view: Record<never, never>;
  product_view: { productId: string };
  /**
   * A catalog search: how many products it found, and the words only when the customer consented
   * to the current terms (without consent nothing they typed is kept). Older events may lack `results`.
   */
  search: { query?: string; results?: number };
  add_to_cart: { productId: string; qty: number };
  /** One fewer of a product in the cart (the line goes at zero). */
  cart_item_decreased: { productId: string };
  cart_item_removed: { productId: string };
  /** The bot checked the cart against the catalog and lines went or shrank: the cart as it is now. */
  cart_adjusted: { lines: readonly CartLine[] };
  checkout_started: Record<never, never>;
  /** The phone for the order, normalised by the bot (`+` and 10 to 15 digits). */
  contact_shared: { phone: string };
  /** The delivery address or a comment, as the customer typed it (at most 500 characters). Personal data. */
  delivery_given: { text: string };
  checkout_edited: { field: "phone" | "delivery" };
  checkout_cancelled: Record<never, never>;
  /**
   * The customer confirmed: the order, its lines frozen as they were (older events have no `items`),
   * how it is paid, and for Stars or a provider what the invoice asks (frozen too). With `payment`,
   * the order is an actor of its own and counts in the lifetime value once it settles
   * (`order_settled`); an event without it (written before orders were actors) counts at once.
   */
  order_created: { orderId: string; total: number; currency: string; items?: readonly OrderLine[]; payment?: PaymentMethod; invoice?: Invoice | null };
  /** The order was paid (or a cash order delivered): its total joins the lifetime value. Sent by the order's actor. */
  order_settled: { orderId: string; amount: number };
  /** A settled order was refunded: its total leaves the lifetime value. Sent by the order's actor. */
  order_refunded: { orderId: string; amount: number };
  consent_given: { version: string };
  consent_revoked: Record<never, never>;
  /** The customer said "not now" to this version of the terms: they are not asked again until it changes. */
  consent_declined: { version: string };
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
  consultant_entered: Record<never, never>;
  consultant_left: Record<never, never>;
  /** A question for the AI consultant (kept only with consent: without it the consultant is not entered). */
  question_asked: { text: string };
  /** The AI's answer, as the effect that asked it brings it back. */
  consultant_answered: { text: string };
  consultant_failed: { reason: "timeout" | "failed" };
  /** The abandoned-cart reminder reached the customer. */
  reminder_sent: Record<never, never>;
  /** A broadcast's message reached the customer (the card's journey shows it); not an act of theirs. */
  broadcast_received: { broadcastId: string };
  /** The second abandoned-cart reminder (the owner's text) reached the customer. */
  second_reminder_sent: Record<never, never>;
  /** The win-back message (the owner's text, once per dormancy) reached the customer. */
  winback_sent: Record<never, never>;
  /** The customer pressed "Unsubscribe" under a broadcast or campaign message: no news or campaigns until `subscribed`. */
  unsubscribed: Record<never, never>;
  /** The customer's `/subscribe`: news and campaigns reach them again. */
  subscribed: Record<never, never>;
  /** Emitted by the machine when the customer turns dormant; a fact of its own in the log, handled by no region. */
  dormant: Record<never, never>;
  /** Emitted by the machine when a dormant customer acts again. */
  reactivated: Record<never, never>;
}

export type CustomerEventType = keyof CustomerEventPayloads;

/** Every event type a customer's log may hold besides timer firings: the runtime's allow-list. */
export const customerEventTypes = [
  "start",
  "catalog_view",
  "product_view",
  "search",
  "add_to_cart",
  "cart_item_decreased",
  "cart_item_removed",
  "cart_adjusted",
  "checkout_started",
  "contact_shared",
  "delivery_given",
  "checkout_edited",
  "checkout_cancelled",
  "order_created",
  "order_settled",
  "order_refunded",
  "consent_given",
  "consent_revoked",
  "consent_declined",
  "message_in",
  "message_out",
  "note_added",
  "tags_changed",
  "data_erased",
  "blocked",
  "unblocked",
  "consultant_entered",
  "consultant_left",
  "question_asked",
  "consultant_answered",
  "consultant_failed",
  "reminder_sent",
  "broadcast_received",
  "second_reminder_sent",
  "winback_sent",
  "unsubscribed",
  "subscribed",
  "dormant",
  "reactivated",
] as const satisfies readonly CustomerEventType[];

/**
 * Events that the customer makes: each counts as being seen (`lastSeenAt`), clears `blockedAt`
 * (they are reachable again) and wakes the `activity` region. Owner actions, outgoing messages,
 * the bot's own corrections and the AI's answers do not count; nor does blocking the bot.
 */
export const customerActs = [
  "start",
  "catalog_view",
  "product_view",
  "search",
  "add_to_cart",
  "cart_item_decreased",
  "cart_item_removed",
  "checkout_started",
  "contact_shared",
  "delivery_given",
  "checkout_edited",
  "checkout_cancelled",
  "order_created",
  "consent_given",
  "consent_revoked",
  "consent_declined",
  "message_in",
  "question_asked",
  "consultant_entered",
  "consultant_left",
  "unblocked",
  "data_erased",
] as const satisfies readonly CustomerEventType[];

export type CustomerActType = (typeof customerActs)[number];

/** Events that the machine emits as facts: appended to the log by the runtime, never dispatched by a caller. */
export const emittedEventTypes = ["dormant", "reactivated"] as const satisfies readonly CustomerEventType[];

export type MessageType = "text" | "ai_response";
export type MessageDirection = "in" | "out";

/**
 * An event as the machine receives it: its type, its payload, when it happened (`at`, epoch ms) and
 * its place in the customer's log (`seq`), both stamped by the runtime.
 */
export type CustomerEvent = {
  [K in CustomerEventType]: { type: K; at: number; seq: number } & CustomerEventPayloads[K];
}[CustomerEventType];

/**
 * A timer firing: XState's own delayed event (`xstate.after.<delay>.<state id>`), delivered back by
 * the runtime from its timer row, with `at` the firing time.
 */
export interface TimerEvent {
  readonly type: `xstate.after.${string}`;
  readonly at: number;
  readonly seq: number;
}

/** An event before the runtime stamps its time and seq. */
export type CustomerEventInput = {
  [K in CustomerEventType]: { type: K; at?: number } & CustomerEventPayloads[K];
}[CustomerEventType];

export interface Note {
  readonly at: number;
  readonly text: string;
}

/**
 * The facts the CRM shows about one customer: the lead read model (and the Sheets "Leads" row)
 * is these plus the stage. Times are epoch milliseconds.
 */
export interface LeadFacts {
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
  /** Since when the customer has been dormant (no act for the dormancy period), or null while active. */
  readonly dormantSince: number | null;
  /** When the last abandoned-cart reminder reached them, and how many did. */
  readonly lastReminderAt: number | null;
  readonly remindersSent: number;
  /** Since when the customer has been unsubscribed from news and campaigns, or null. Not an act: it wakes no one and is not "seen". */
  readonly unsubscribedAt: number | null;
  /** The version of the terms they said "not now" to, or null. */
  readonly consentDeclined: string | null;
  /** The language of their Telegram client when they last started the bot. */
  readonly language: Language;
}

/** Everything a customer actor holds: the lead facts, and what is on its way (cart, checkout, consultant). */
export interface CustomerContext extends LeadFacts {
  readonly cart: Cart;
  /** The checkout under way: its order id (from the seq of `checkout_started`) and the delivery details once given. */
  readonly checkout: { readonly orderId: string; readonly delivery: string | null } | null;
  readonly consultant: { readonly askedAt: readonly number[] };
}

/**
 * The named effects of the customer machine and their params: each becomes a row in the effect
 * outbox, delivered at least once by a handler outside the machine.
 */
export interface CustomerEffectParams {
  /** The abandoned-cart reminder: what is in the cart, in the customer's language. */
  sendCartReminder: { readonly lines: readonly CartLine[]; readonly language: Language };
  /** Ask the AI; its answer comes back as `consultant_answered`, a failure as `consultant_failed`. */
  askConsultant: { readonly question: string; readonly language: Language };
  sendConsultantAnswer: { readonly text: string; readonly language: Language };
  sendConsultantFailure: { readonly reason: "timeout" | "failed"; readonly language: Language };
  notifyOwnersOfOrder: { readonly orderId: string };
  /** The second abandoned-cart reminder: the owner's text, current at delivery, with the cart's button. */
  sendSecondReminder: { readonly language: Language };
  /** The win-back message to a dormant customer: the owner's text, current at delivery. */
  sendWinBack: { readonly language: Language };
}

/** The named writes of the customer machine and their params: each runs inside the step's transaction. */
export interface CustomerWriteParams {
  /**
   * The order row, with the contact details the checkout gathered; with a payment method, also the
   * stock reservation and the order's actor (actors/customerWrites.ts), all in the customer's unit.
   */
  recordOrder: {
    readonly orderId: string;
    readonly items: readonly OrderLine[];
    readonly total: number;
    readonly currency: string;
    readonly phone: string | null;
    readonly delivery: string | null;
    /** Null for an `order_created` that does not say (written before orders were actors). */
    readonly payment: PaymentMethod | null;
    readonly invoice: Invoice | null;
    readonly language: Language;
  };
  /** A message of the consultant's conversation (the question in, the answer out). */
  logMessage: { readonly direction: MessageDirection; readonly type: MessageType; readonly text: string };
  /** `/forget`: the customer's messages, orders' contact details, sessions and pending effects go. */
  erasePersonalData: Record<never, never>;
}

export interface CustomerInput {
  readonly userId: number;
}

/**
 * What the lead read model (and the Sheets "Leads" row) keeps of a customer: the facts, without
 * the cart, the checkout under way or the consultant's question times, which change often and
 * show nothing an owner reads.
 */
export function leadFactsOf(context: CustomerContext): LeadFacts {
  return {
    userId: context.userId,
    username: context.username,
    name: context.name,
    source: context.source,
    firstSeenAt: context.firstSeenAt,
    lastSeenAt: context.lastSeenAt,
    ordersCount: context.ordersCount,
    lifetimeValue: context.lifetimeValue,
    lastOrderId: context.lastOrderId,
    consentAt: context.consentAt,
    consentVersion: context.consentVersion,
    phone: context.phone,
    tags: context.tags,
    notes: context.notes,
    stageEnteredAt: context.stageEnteredAt,
    erasedAt: context.erasedAt,
    blockedAt: context.blockedAt,
    dormantSince: context.dormantSince,
    lastReminderAt: context.lastReminderAt,
    remindersSent: context.remindersSent,
    unsubscribedAt: context.unsubscribedAt,
    consentDeclined: context.consentDeclined,
    language: context.language,
  };
}
