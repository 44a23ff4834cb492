import { customerActs, type CustomerContext, type CustomerEvent, type CustomerInput, type TimerEvent } from "./customer.types.ts";
import { emptyCart } from "./customer.cart.ts";

const acts: ReadonlySet<string> = new Set<string>(customerActs);

/** A customer no one has seen yet: the machine's context before its first event. */
export function initialCustomerContext(input: CustomerInput): CustomerContext {
  return {
    userId: input.userId,
    username: null,
    name: null,
    source: null,
    firstSeenAt: null,
    lastSeenAt: null,
    ordersCount: 0,
    lifetimeValue: 0,
    lastOrderId: null,
    consentAt: null,
    consentVersion: null,
    phone: null,
    tags: [],
    notes: [],
    stageEnteredAt: {},
    erasedAt: null,
    blockedAt: null,
    dormantSince: null,
    lastReminderAt: null,
    remindersSent: 0,
    unsubscribedAt: null,
    consentDeclined: null,
    language: "ru",
    cart: emptyCart,
    checkout: null,
    consultant: { askedAt: [] },
  };
}

/** A sum of money in the catalog's currency, to the cent (no float drift across many orders). */
const addMoney = (a: number, b: number): number => Math.round((a + b) * 100) / 100;

/** What any act of the customer changes: seen now, first seen once, and reachable again. */
function seenAt(context: CustomerContext, at: number): Partial<CustomerContext> {
  return {
    firstSeenAt: context.firstSeenAt ?? at,
    lastSeenAt: Math.max(context.lastSeenAt ?? at, at),
    stageEnteredAt: context.stageEnteredAt.new === undefined ? { ...context.stageEnteredAt, new: at } : context.stageEnteredAt,
    blockedAt: null,
  };
}

/** `/forget`: personal facts go; counts, stage dates, the source and the language stay. */
function erased(context: CustomerContext, at: number): CustomerContext {
  return {
    ...context,
    username: null,
    name: null,
    phone: null,
    notes: [],
    tags: [],
    consentAt: null,
    consentVersion: null,
    consentDeclined: null,
    erasedAt: at,
  };
}

/**
 * The facts after one event, whatever the regions do: the `facts` region's only action. Pure:
 * everything it needs is in its arguments. The cart, the checkout, the consultant and dormancy
 * are their regions' own assignments, not facts recorded here; emitted facts and timer firings
 * change nothing.
 */
export function recordFacts(context: CustomerContext, event: CustomerEvent | TimerEvent): CustomerContext {
  const facts = acts.has(event.type) ? { ...context, ...seenAt(context, event.at) } : context;
  switch (event.type) {
    case "start":
      return {
        ...facts,
        source: context.source ?? (event.source || null),
        username: event.username ?? context.username,
        name: event.name ?? context.name,
        language: event.language ?? context.language,
      };
    case "order_created":
      return {
        ...facts,
        ordersCount: context.ordersCount + 1,
        lifetimeValue: event.payment === undefined ? addMoney(context.lifetimeValue, event.total) : context.lifetimeValue,
        lastOrderId: event.orderId,
      };
    case "order_settled":
      return { ...facts, lifetimeValue: addMoney(context.lifetimeValue, event.amount) };
    case "order_refunded":
      return { ...facts, lifetimeValue: addMoney(context.lifetimeValue, -event.amount) };
    case "consent_given":
      return { ...facts, consentAt: event.at, consentVersion: event.version, consentDeclined: null };
    case "consent_revoked":
      return { ...facts, consentAt: null, consentVersion: null };
    case "consent_declined":
      return { ...facts, consentDeclined: event.version };
    case "contact_shared":
      return { ...facts, phone: event.phone };
    case "note_added":
      return { ...facts, notes: [...context.notes, { at: event.at, text: event.text }] };
    case "tags_changed": {
      const removed = new Set(event.removed ?? []);
      const tags = new Set([...context.tags, ...(event.added ?? [])].filter((tag) => !removed.has(tag)));
      return { ...facts, tags: [...tags].sort() };
    }
    case "blocked":
      return { ...facts, blockedAt: context.blockedAt ?? event.at };
    case "reminder_sent":
      return { ...facts, lastReminderAt: event.at, remindersSent: context.remindersSent + 1 };
    case "unsubscribed":
      return { ...facts, unsubscribedAt: context.unsubscribedAt ?? event.at };
    case "subscribed":
      return { ...facts, unsubscribedAt: null };
    case "data_erased":
      return erased(facts, event.at);
    default:
      return facts;
  }
}

/** The question times still inside a rate-limit window that ends at `at`. */
export function recentAsks(askedAt: readonly number[], at: number, windowMs: number): number[] {
  return askedAt.filter((askedAtTime) => at - askedAtTime < windowMs);
}

/** When the `dormancy` timer should fire: one period after the customer was last seen. */
export function dormancyDelay(context: CustomerContext, at: number, dormantMs: number): number {
  return Math.max(0, (context.lastSeenAt ?? at) + dormantMs - at);
}

/** Whether a customer last seen at `lastSeenAt` has been idle for the whole period at `at`. */
export function isIdleFor(context: CustomerContext, at: number, dormantMs: number): boolean {
  return context.lastSeenAt !== null && at - context.lastSeenAt >= dormantMs;
}

/** Consent to the terms that still stands: given, and given after any erasure. */
export function consentStands(context: CustomerContext): boolean {
  return context.consentAt !== null && (context.erasedAt === null || context.consentAt >= context.erasedAt);
}
