import { assign, setup } from "xstate";
import type { CustomerContext, CustomerEvent, CustomerInput, Stage } from "./customer.types.ts";

/**
 * Bump this whenever the machine's states or context change shape.
 * A stored snapshot of another version is not trusted: the runtime replays the customer's log instead.
 */
export const customerMachineVersion = 3;

/**
 * Events that the customer makes; owner actions and outgoing messages do not count as being seen.
 * Each of them also means the customer is reachable again, so it clears `blockedAt`. Blocking the
 * bot is not among them: it is not the customer being seen.
 */
const customerActs: ReadonlySet<CustomerEvent["type"]> = new Set<CustomerEvent["type"]>([
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
  "data_erased",
  "unblocked",
]);

/** The facts after one event, whatever the stage does. Pure: everything it needs is in its arguments. */
export function recordFacts(context: CustomerContext, event: CustomerEvent): CustomerContext {
  const seen = customerActs.has(event.type)
    ? {
        firstSeenAt: context.firstSeenAt ?? event.at,
        lastSeenAt: Math.max(context.lastSeenAt ?? event.at, event.at),
        stageEnteredAt: context.stageEnteredAt.new === undefined ? { ...context.stageEnteredAt, new: event.at } : context.stageEnteredAt,
        blockedAt: null,
      }
    : {};
  switch (event.type) {
    case "start":
      return {
        ...context,
        ...seen,
        source: context.source ?? (event.source || null),
        username: event.username ?? context.username,
        name: event.name ?? context.name,
      };
    case "order_created":
      return {
        ...context,
        ...seen,
        ordersCount: context.ordersCount + 1,
        lifetimeValue: Math.round((context.lifetimeValue + event.total) * 100) / 100,
        lastOrderId: event.orderId,
      };
    case "consent_given":
      return { ...context, ...seen, consentAt: event.at, consentVersion: event.version };
    case "consent_revoked":
      return { ...context, ...seen, consentAt: null, consentVersion: null };
    case "contact_shared":
      return { ...context, ...seen, phone: event.phone };
    case "note_added":
      return { ...context, notes: [...context.notes, { at: event.at, text: event.text }] };
    case "tags_changed": {
      const removed = new Set(event.removed ?? []);
      const tags = new Set([...context.tags, ...(event.added ?? [])].filter((tag) => !removed.has(tag)));
      return { ...context, tags: [...tags].sort() };
    }
    case "blocked":
      return { ...context, blockedAt: context.blockedAt ?? event.at };
    case "data_erased":
      return {
        ...context,
        ...seen,
        username: null,
        name: null,
        phone: null,
        notes: [],
        tags: [],
        consentAt: null,
        consentVersion: null,
        erasedAt: event.at,
      };
    default:
      return { ...context, ...seen };
  }
}

/**
 * One customer's funnel: new → engaged → cart → checkout → customer → repeat.
 *
 * The stage only moves up, and that holds by construction: each state lists only the events that
 * lift it, each to a higher stage. Every other event lands on the root, which records the facts
 * (last seen, counters) and has no target, so the stage stays. Stages may be skipped.
 *
 * @example
 * const actor = createActor(customerMachine, { input: { userId: 42 } }).start();
 * actor.send({ type: "start", source: "instagram", at: Date.parse("2026-01-27T10:00:00Z") });
 * actor.send({ type: "order_created", orderId: "A-1", total: 990, currency: "RUB", at: Date.parse("2026-01-27T10:05:00Z") });
 * actor.getSnapshot().value; // "customer": skipped engaged, cart and checkout
 */
export const customerMachine = setup({
  types: {
    context: {} as CustomerContext,
    events: {} as CustomerEvent,
    input: {} as CustomerInput,
  },
  actions: {
    record: assign(({ context, event }) => recordFacts(context, event)),
    stamp: assign(({ context, event }, params: { stage: Stage }) => ({
      stageEnteredAt: { ...context.stageEnteredAt, [params.stage]: event.at },
    })),
  },
  guards: {
    hasOrderedBefore: ({ context }) => context.ordersCount >= 1,
  },
}).createMachine({
  id: "customerFunnel",
  initial: "new",
  context: ({ input }) => ({
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
  }),
  on: {
    start: { actions: "record" },
    catalog_view: { actions: "record" },
    product_view: { actions: "record" },
    search: { actions: "record" },
    add_to_cart: { actions: "record" },
    checkout_started: { actions: "record" },
    order_created: { actions: "record" },
    consent_given: { actions: "record" },
    consent_revoked: { actions: "record" },
    contact_shared: { actions: "record" },
    message_in: { actions: "record" },
    message_out: { actions: "record" },
    note_added: { actions: "record" },
    tags_changed: { actions: "record" },
    data_erased: { actions: "record" },
    blocked: { actions: "record" },
    unblocked: { actions: "record" },
  },
  states: {
    new: {
      on: {
        catalog_view: { target: "engaged", actions: "record" },
        product_view: { target: "engaged", actions: "record" },
        search: { target: "engaged", actions: "record" },
        add_to_cart: { target: "cart", actions: "record" },
        checkout_started: { target: "checkout", actions: "record" },
        order_created: [
          { guard: "hasOrderedBefore", target: "repeat", actions: "record" },
          { target: "customer", actions: "record" },
        ],
      },
    },
    engaged: {
      entry: { type: "stamp", params: { stage: "engaged" } },
      on: {
        add_to_cart: { target: "cart", actions: "record" },
        checkout_started: { target: "checkout", actions: "record" },
        order_created: [
          { guard: "hasOrderedBefore", target: "repeat", actions: "record" },
          { target: "customer", actions: "record" },
        ],
      },
    },
    cart: {
      entry: { type: "stamp", params: { stage: "cart" } },
      on: {
        checkout_started: { target: "checkout", actions: "record" },
        order_created: [
          { guard: "hasOrderedBefore", target: "repeat", actions: "record" },
          { target: "customer", actions: "record" },
        ],
      },
    },
    checkout: {
      entry: { type: "stamp", params: { stage: "checkout" } },
      on: {
        order_created: [
          { guard: "hasOrderedBefore", target: "repeat", actions: "record" },
          { target: "customer", actions: "record" },
        ],
      },
    },
    customer: {
      entry: { type: "stamp", params: { stage: "customer" } },
      on: {
        order_created: { target: "repeat", actions: "record" },
      },
    },
    repeat: {
      entry: { type: "stamp", params: { stage: "repeat" } },
    },
  },
});
