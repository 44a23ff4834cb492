import { assign, emit, setup } from "xstate";
import { cartAfter } from "./customer.cart.ts";
import { consentStands, dormancyDelay, initialCustomerContext, isIdleFor, recentAsks, recordFacts } from "./customer.facts.ts";
import { answerLogOf, answerOf, failureOf, languageOf, orderIdOf, orderOf, questionLogOf, questionOf, reminderOf, timeoutOf } from "./customer.params.ts";
import type {
  CustomerContext,
  CustomerEffectParams,
  CustomerEvent,
  CustomerInput,
  CustomerWriteParams,
  Stage,
  TimerEvent,
} from "./customer.types.ts";

export { cartAfter } from "./customer.cart.ts";
export { consentStands, dormancyDelay, isIdleFor, recentAsks, recordFacts } from "./customer.facts.ts";

/**
 * Bump this whenever the machine's states or context change shape.
 * A stored snapshot of another version is not trusted: the runtime replays the customer's log instead.
 */
export const customerMachineVersion = 6;

/** The named actions that reach outside: the runtime queues each as an effect row, delivered at least once. */
export const customerEffects = [
  "sendCartReminder",
  "sendSecondReminder",
  "sendWinBack",
  "askConsultant",
  "sendConsultantAnswer",
  "sendConsultantFailure",
  "notifyOwnersOfOrder",
] as const satisfies readonly (keyof CustomerEffectParams)[];

/** The named actions that write: the runtime runs each inside the step's transaction. */
export const customerWrites = ["recordOrder", "logMessage", "erasePersonalData"] as const satisfies readonly (keyof CustomerWriteParams)[];

/** How many question times the consultant region keeps for its rate limit: the limit may not exceed it. */
export const maxRememberedAsks = 50;

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

/** The defaults that `setup` declares; actors/customerSettings.ts provides the shop's own. */
export const defaultCustomerTimings = {
  cartReminderMs: 120 * minute,
  secondReminderMs: 24 * hour,
  winBackMs: 14 * day,
  untilMorningMs: 9 * hour,
  consultantTimeoutMs: minute,
  dormantMs: 30 * day,
  maxQuestions: 20,
  questionWindowMs: hour,
} as const;

type AnyCustomerEvent = CustomerEvent | TimerEvent;

/**
 * Named effects and writes: declared so that TypeScript, Stately and the runtime's start-up check
 * see their names and params. The runtime records them by name and never calls these bodies.
 */
const declared = {
  sendCartReminder: (_: unknown, _params: CustomerEffectParams["sendCartReminder"]) => {},
  sendSecondReminder: (_: unknown, _params: CustomerEffectParams["sendSecondReminder"]) => {},
  sendWinBack: (_: unknown, _params: CustomerEffectParams["sendWinBack"]) => {},
  askConsultant: (_: unknown, _params: CustomerEffectParams["askConsultant"]) => {},
  sendConsultantAnswer: (_: unknown, _params: CustomerEffectParams["sendConsultantAnswer"]) => {},
  sendConsultantFailure: (_: unknown, _params: CustomerEffectParams["sendConsultantFailure"]) => {},
  notifyOwnersOfOrder: (_: unknown, _params: CustomerEffectParams["notifyOwnersOfOrder"]) => {},
  recordOrder: (_: unknown, _params: CustomerWriteParams["recordOrder"]) => {},
  logMessage: (_: unknown, _params: CustomerWriteParams["logMessage"]) => {},
  erasePersonalData: () => {},
};

const customerSetup = setup({
  types: {
    context: {} as CustomerContext,
    events: {} as AnyCustomerEvent,
    input: {} as CustomerInput,
    emitted: {} as { type: "dormant" } | { type: "reactivated" },
  },
  actions: {
    ...declared,
    record: assign(({ context, event }) => recordFacts(context, event)),
    stamp: assign(({ context, event }, params: { stage: Stage }) => ({
      stageEnteredAt: { ...context.stageEnteredAt, [params.stage]: event.at },
    })),
    changeCart: assign(({ context, event }) => ({ cart: cartAfter(context.cart, event) })),
    startCheckout: assign(({ event }) => ({ checkout: { orderId: `SO-${event.seq.toString(36).toUpperCase()}`, delivery: null } })),
    keepDelivery: assign(({ context, event }) => ({
      checkout: context.checkout && event.type === "delivery_given" ? { ...context.checkout, delivery: event.text } : context.checkout,
    })),
    clearCheckout: assign({ checkout: null }),
    noteQuestion: assign(({ context, event }) => ({ consultant: { askedAt: [...context.consultant.askedAt.slice(1 - maxRememberedAsks), event.at] } })),
    markDormant: assign(({ event }) => ({ dormantSince: event.at })),
    markActive: assign({ dormantSince: null }),
    announceDormant: emit({ type: "dormant" }),
    announceReactivated: emit({ type: "reactivated" }),
  },
  guards: {
    hasOrderedBefore: ({ context }) => context.ordersCount >= 1,
    cartWillBeEmpty: ({ context, event }) => cartAfter(context.cart, event).lines.length === 0,
    editsPhone: ({ event }) => event.type === "checkout_edited" && event.field === "phone",
    editsDelivery: ({ event }) => event.type === "checkout_edited" && event.field === "delivery",
    inQuietHours: () => false,
    mayRemind: ({ context }) => consentStands(context) && context.blockedAt === null && context.unsubscribedAt === null,
    maySecondRemind: () => false,
    mayWinBack: () => false,
    hasCurrentConsent: ({ context }) => consentStands(context),
    isRateLimited: ({ context, event }) =>
      recentAsks(context.consultant.askedAt, event.at, defaultCustomerTimings.questionWindowMs).length >= defaultCustomerTimings.maxQuestions,
    idleLongEnough: ({ context, event }) => isIdleFor(context, event.at, defaultCustomerTimings.dormantMs),
  },
  delays: {
    cartReminder: defaultCustomerTimings.cartReminderMs,
    secondReminder: defaultCustomerTimings.secondReminderMs,
    winBack: defaultCustomerTimings.winBackMs,
    untilMorning: defaultCustomerTimings.untilMorningMs,
    consultantTimeout: defaultCustomerTimings.consultantTimeoutMs,
    dormancy: ({ context, event }) => dormancyDelay(context, event.at, defaultCustomerTimings.dormantMs),
  },
});

/**
 * Everything a customer does, as one parallel machine of six regions:
 *
 * - `facts` records every event (last seen, counters, consent, phone, notes…), and only it does;
 * - `funnel` is the stage, new → engaged → cart → checkout → customer → repeat, and only moves up;
 * - `cart` holds the lines, and reminds once of a cart left alone (`after: cartReminder`), never at night,
 *   and, when the shop turns it on, a second time (`after: secondReminder`);
 * - `checkout` gathers the phone and the delivery details, and places the order (`recordOrder`);
 * - `consultant` relays questions to the AI (`askConsultant`) within a rate limit and a timeout;
 * - `activity` turns a customer idle for the `dormancy` period `dormant`, and back on any act; once per
 *   dormancy it sends the shop's win-back message (`after: winBack`), never at night.
 *
 * Time arrives with the event (`at`), including XState's own timer events, which the runtime stamps
 * when it fires them; nothing in the machine reads a clock.
 *
 * @example
 * const actor = createActor(customerMachine, { input: { userId: 42 } }).start();
 * actor.send({ type: "add_to_cart", productId: "tea", qty: 1, at: Date.parse("2026-01-27T10:00:00Z"), seq: 1 });
 * actor.getSnapshot().value; // { facts: "recording", funnel: "cart", cart: { filled: { shopping: "waiting" } }, … }
 */
export const customerMachine = customerSetup.createMachine({
  id: "customer",
  type: "parallel",
  context: ({ input }) => initialCustomerContext(input),
  states: {
    facts: {
      initial: "recording",
      states: {
        recording: {
          on: {
            start: { actions: "record" },
            catalog_view: { actions: "record" },
            product_view: { actions: "record" },
            search: { actions: "record" },
            add_to_cart: { actions: "record" },
            cart_item_decreased: { actions: "record" },
            cart_item_removed: { actions: "record" },
            cart_adjusted: { actions: "record" },
            checkout_started: { actions: "record" },
            contact_shared: { actions: "record" },
            delivery_given: { actions: "record" },
            checkout_edited: { actions: "record" },
            checkout_cancelled: { actions: "record" },
            order_created: { actions: "record" },
            order_settled: { actions: "record" },
            order_refunded: { actions: "record" },
            consent_given: { actions: "record" },
            consent_revoked: { actions: "record" },
            consent_declined: { actions: "record" },
            message_in: { actions: "record" },
            message_out: { actions: "record" },
            note_added: { actions: "record" },
            tags_changed: { actions: "record" },
            data_erased: { actions: ["record", "erasePersonalData"] },
            blocked: { actions: "record" },
            unblocked: { actions: "record" },
            consultant_entered: { actions: "record" },
            consultant_left: { actions: "record" },
            question_asked: { actions: "record" },
            consultant_answered: { actions: "record" },
            consultant_failed: { actions: "record" },
            reminder_sent: { actions: "record" },
            broadcast_received: { actions: "record" },
            second_reminder_sent: { actions: "record" },
            winback_sent: { actions: "record" },
            unsubscribed: { actions: "record" },
            subscribed: { actions: "record" },
            dormant: { actions: "record" },
            reactivated: { actions: "record" },
          },
        },
      },
    },
    funnel: {
      initial: "new",
      states: {
        new: {
          on: {
            catalog_view: { target: "engaged" },
            product_view: { target: "engaged" },
            search: { target: "engaged" },
            add_to_cart: { target: "cart" },
            checkout_started: { target: "checkout" },
            order_created: [{ guard: "hasOrderedBefore", target: "repeat" }, { target: "customer" }],
          },
        },
        engaged: {
          entry: { type: "stamp", params: { stage: "engaged" } },
          on: {
            add_to_cart: { target: "cart" },
            checkout_started: { target: "checkout" },
            order_created: [{ guard: "hasOrderedBefore", target: "repeat" }, { target: "customer" }],
          },
        },
        cart: {
          entry: { type: "stamp", params: { stage: "cart" } },
          on: {
            checkout_started: { target: "checkout" },
            order_created: [{ guard: "hasOrderedBefore", target: "repeat" }, { target: "customer" }],
          },
        },
        checkout: {
          entry: { type: "stamp", params: { stage: "checkout" } },
          on: {
            order_created: [{ guard: "hasOrderedBefore", target: "repeat" }, { target: "customer" }],
          },
        },
        customer: {
          entry: { type: "stamp", params: { stage: "customer" } },
          on: {
            order_created: { target: "repeat" },
          },
        },
        repeat: {
          entry: { type: "stamp", params: { stage: "repeat" } },
        },
      },
    },
    cart: {
      initial: "empty",
      states: {
        empty: {
          on: {
            add_to_cart: { target: "filled", actions: "changeCart" },
          },
        },
        filled: {
          initial: "shopping",
          on: {
            add_to_cart: { actions: "changeCart" },
            cart_item_decreased: [{ guard: "cartWillBeEmpty", target: "empty", actions: "changeCart" }, { actions: "changeCart" }],
            cart_item_removed: [{ guard: "cartWillBeEmpty", target: "empty", actions: "changeCart" }, { actions: "changeCart" }],
            cart_adjusted: [{ guard: "cartWillBeEmpty", target: "empty", actions: "changeCart" }, { actions: "changeCart" }],
            order_created: { target: "empty", actions: "changeCart" },
            data_erased: { target: "empty", actions: "changeCart" },
          },
          states: {
            shopping: {
              initial: "waiting",
              on: {
                checkout_started: { target: "checkingOut" },
              },
              states: {
                waiting: {
                  on: {
                    add_to_cart: { target: "waiting", reenter: true, actions: "changeCart" },
                  },
                  after: {
                    cartReminder: [
                      { guard: "inQuietHours", target: "quiet" },
                      { guard: "mayRemind", target: "reminded", actions: { type: "sendCartReminder", params: reminderOf } },
                      { target: "skipped" },
                    ],
                  },
                },
                quiet: {
                  on: {
                    add_to_cart: { target: "waiting", actions: "changeCart" },
                  },
                  after: {
                    untilMorning: [
                      { guard: "mayRemind", target: "reminded", actions: { type: "sendCartReminder", params: reminderOf } },
                      { target: "skipped" },
                    ],
                  },
                },
                reminded: {
                  after: {
                    secondReminder: [
                      { guard: "inQuietHours", target: "quietSecond" },
                      { guard: "maySecondRemind", target: "remindedTwice", actions: { type: "sendSecondReminder", params: languageOf } },
                      { target: "remindedTwice" },
                    ],
                  },
                },
                quietSecond: {
                  after: {
                    untilMorning: [{ guard: "maySecondRemind", target: "remindedTwice", actions: { type: "sendSecondReminder", params: languageOf } }, { target: "remindedTwice" }],
                  },
                },
                remindedTwice: {},
                skipped: {},
                previous: { type: "history", target: "waiting" },
              },
            },
            checkingOut: {
              on: {
                checkout_cancelled: { target: "shopping.previous" },
              },
            },
          },
        },
      },
    },
    checkout: {
      initial: "idle",
      on: {
        checkout_started: { target: ".phone", actions: "startCheckout" },
        checkout_cancelled: { target: ".idle", actions: "clearCheckout" },
        order_created: {
          target: ".idle",
          actions: [{ type: "recordOrder", params: orderOf }, { type: "notifyOwnersOfOrder", params: orderIdOf }, "clearCheckout"],
        },
        data_erased: { target: ".idle", actions: "clearCheckout" },
      },
      states: {
        idle: {},
        phone: {
          on: {
            contact_shared: { target: "delivery" },
          },
        },
        delivery: {
          on: {
            delivery_given: { target: "confirming", actions: "keepDelivery" },
            checkout_edited: { guard: "editsPhone", target: "phone" },
          },
        },
        confirming: {
          on: {
            checkout_edited: [
              { guard: "editsPhone", target: "phone" },
              { guard: "editsDelivery", target: "delivery" },
            ],
          },
        },
      },
    },
    consultant: {
      initial: "off",
      on: {
        consultant_left: { target: ".off" },
        consent_revoked: { target: ".off" },
        data_erased: { target: ".off" },
      },
      states: {
        off: {
          on: {
            consultant_entered: { guard: "hasCurrentConsent", target: "listening" },
          },
        },
        listening: {
          on: {
            question_asked: [
              { guard: "isRateLimited" },
              {
                target: "thinking",
                actions: ["noteQuestion", { type: "logMessage", params: questionLogOf }, { type: "askConsultant", params: questionOf }],
              },
            ],
          },
        },
        thinking: {
          on: {
            consultant_answered: {
              target: "listening",
              actions: [{ type: "logMessage", params: answerLogOf }, { type: "sendConsultantAnswer", params: answerOf }],
            },
            consultant_failed: { target: "listening", actions: { type: "sendConsultantFailure", params: failureOf } },
          },
          after: {
            consultantTimeout: { target: "listening", actions: { type: "sendConsultantFailure", params: timeoutOf } },
          },
        },
      },
    },
    activity: {
      initial: "unseen",
      states: {
        unseen: {
          on: {
            start: { target: "active" },
            catalog_view: { target: "active" },
            product_view: { target: "active" },
            search: { target: "active" },
            add_to_cart: { target: "active" },
            cart_item_decreased: { target: "active" },
            cart_item_removed: { target: "active" },
            checkout_started: { target: "active" },
            contact_shared: { target: "active" },
            delivery_given: { target: "active" },
            checkout_edited: { target: "active" },
            checkout_cancelled: { target: "active" },
            order_created: { target: "active" },
            consent_given: { target: "active" },
            consent_revoked: { target: "active" },
            consent_declined: { target: "active" },
            message_in: { target: "active" },
            question_asked: { target: "active" },
            consultant_entered: { target: "active" },
            consultant_left: { target: "active" },
            unblocked: { target: "active" },
            data_erased: { target: "active" },
          },
        },
        active: {
          after: {
            dormancy: [
              { guard: "idleLongEnough", target: "dormant", actions: ["markDormant", "announceDormant"] },
              { target: "active", reenter: true },
            ],
          },
        },
        dormant: {
          initial: "waiting",
          states: {
            waiting: {
              after: {
                winBack: [
                  { guard: "inQuietHours", target: "quiet" },
                  { guard: "mayWinBack", target: "wonBack", actions: { type: "sendWinBack", params: languageOf } },
                  { target: "skipped" },
                ],
              },
            },
            quiet: {
              after: {
                untilMorning: [{ guard: "mayWinBack", target: "wonBack", actions: { type: "sendWinBack", params: languageOf } }, { target: "skipped" }],
              },
            },
            wonBack: {},
            skipped: {},
          },
          on: {
            start: { target: "active", actions: ["markActive", "announceReactivated"] },
            catalog_view: { target: "active", actions: ["markActive", "announceReactivated"] },
            product_view: { target: "active", actions: ["markActive", "announceReactivated"] },
            search: { target: "active", actions: ["markActive", "announceReactivated"] },
            add_to_cart: { target: "active", actions: ["markActive", "announceReactivated"] },
            cart_item_decreased: { target: "active", actions: ["markActive", "announceReactivated"] },
            cart_item_removed: { target: "active", actions: ["markActive", "announceReactivated"] },
            checkout_started: { target: "active", actions: ["markActive", "announceReactivated"] },
            contact_shared: { target: "active", actions: ["markActive", "announceReactivated"] },
            delivery_given: { target: "active", actions: ["markActive", "announceReactivated"] },
            checkout_edited: { target: "active", actions: ["markActive", "announceReactivated"] },
            checkout_cancelled: { target: "active", actions: ["markActive", "announceReactivated"] },
            order_created: { target: "active", actions: ["markActive", "announceReactivated"] },
            consent_given: { target: "active", actions: ["markActive", "announceReactivated"] },
            consent_revoked: { target: "active", actions: ["markActive", "announceReactivated"] },
            consent_declined: { target: "active", actions: ["markActive", "announceReactivated"] },
            message_in: { target: "active", actions: ["markActive", "announceReactivated"] },
            question_asked: { target: "active", actions: ["markActive", "announceReactivated"] },
            consultant_entered: { target: "active", actions: ["markActive", "announceReactivated"] },
            consultant_left: { target: "active", actions: ["markActive", "announceReactivated"] },
            unblocked: { target: "active", actions: ["markActive", "announceReactivated"] },
            data_erased: { target: "active", actions: ["markActive", "announceReactivated"] },
          },
        },
      },
    },
  },
});
