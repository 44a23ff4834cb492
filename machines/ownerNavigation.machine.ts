import { assign, setup } from "xstate";
import type { CardSource, OwnerNavigationContext, OwnerNavigationEvent } from "./ownerNavigation.types.ts";

/**
 * Bump this whenever the machine's states or context change shape.
 * A stored navigation of another version is dropped, and the owner starts at the menu.
 */
export const ownerNavigationVersion = 1;

const dayShape = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A page offset as the bot can use it: a non-negative integer, or 0 for anything else. */
const offsetOf = (offset: number): number => (Number.isSafeInteger(offset) && offset > 0 ? offset : 0);

/** `YYYY-MM-DD` naming a day that exists: `2026-02-29` does not, `2028-02-29` does. */
function isCalendarDay(day: string): boolean {
  const match = dayShape.exec(day);
  if (!match) return false;
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return daysInMonth !== undefined && date >= 1 && date <= daysInMonth;
}

/**
 * Where the owner is in the owner bot: menu → crm → funnel, leads → card → history, orders, report.
 *
 * Every screen but `BACK` is one tap away from any other: those events are taken on the root, so a
 * button of an old message still leads where it says. `BACK` goes one level up: history → card →
 * the leads page it came from (or the CRM) → menu, so at most four `BACK`s reach the menu from
 * anywhere. Offsets that are negative or fractional become 0; a `REPORT` for a malformed or
 * impossible day is ignored.
 *
 * @example
 * const [menu] = initialTransition(ownerNavigationMachine);
 * const [card] = transition(ownerNavigationMachine, menu, { type: "CARD", userId: 42, from: "leads" });
 * const [back] = transition(ownerNavigationMachine, card, { type: "BACK" });
 * back.value; // "leads", at the page the owner left
 */
export const ownerNavigationMachine = setup({
  types: {
    context: {} as OwnerNavigationContext,
    events: {} as OwnerNavigationEvent,
  },
  actions: {
    showLeads: assign((_, params: { offset: number }) => ({ leadsOffset: offsetOf(params.offset) })),
    showCard: assign((_, params: { userId: number; from: CardSource }) => ({ userId: params.userId, cardFrom: params.from })),
    showHistory: assign(({ context }, params: { userId: number; offset: number }) => ({
      userId: params.userId,
      historyOffset: offsetOf(params.offset),
      cardFrom: params.userId === context.userId ? context.cardFrom : null,
    })),
    showReport: assign((_, params: { day: string }) => ({ day: params.day })),
  },
  guards: {
    isDay: (_, params: { day: string }) => isCalendarDay(params.day),
    cameFromLeads: ({ context }) => context.cardFrom === "leads",
  },
}).createMachine({
  id: "ownerNavigation",
  initial: "menu",
  context: { leadsOffset: 0, userId: null, historyOffset: 0, day: null, cardFrom: null },
  on: {
    MENU: { target: ".menu" },
    CRM: { target: ".crm" },
    FUNNEL: { target: ".funnel" },
    ORDERS: { target: ".orders" },
    LEADS: { target: ".leads", actions: { type: "showLeads", params: ({ event }) => ({ offset: event.offset }) } },
    CARD: { target: ".card", actions: { type: "showCard", params: ({ event }) => ({ userId: event.userId, from: event.from }) } },
    HISTORY: {
      target: ".history",
      actions: { type: "showHistory", params: ({ event }) => ({ userId: event.userId, offset: event.offset }) },
    },
    REPORT: {
      guard: { type: "isDay", params: ({ event }) => ({ day: event.day }) },
      target: ".report",
      actions: { type: "showReport", params: ({ event }) => ({ day: event.day }) },
    },
  },
  states: {
    menu: {},
    crm: {
      on: { BACK: { target: "menu" } },
    },
    funnel: {
      on: { BACK: { target: "crm" } },
    },
    leads: {
      on: { BACK: { target: "crm" } },
    },
    card: {
      on: {
        BACK: [{ guard: "cameFromLeads", target: "leads" }, { target: "crm" }],
      },
    },
    history: {
      on: { BACK: { target: "card" } },
    },
    orders: {
      on: { BACK: { target: "crm" } },
    },
    report: {
      on: { BACK: { target: "crm" } },
    },
  },
});
