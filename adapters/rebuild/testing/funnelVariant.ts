import { createMachine } from "xstate";
import type { CustomerMachine } from "../../../actors/customerSnapshot.ts";
import type { DispatchInput } from "../../../actors/customerRuntime.ts";
import { provideCustomerSettings, type CustomerSettings } from "../../../actors/customerSettings.ts";

type StateConfig = { readonly on?: Readonly<Record<string, unknown>>; readonly states?: Readonly<Record<string, StateConfig>> } & Readonly<Record<string, unknown>>;

/** The shop's settings both machines of the funnel-change tests run with, but for the cart reminder's delay. */
export const shopSettings = (cartReminderMinutes: number): CustomerSettings => ({
  cartReminderMinutes,
  dormantDays: 30,
  timeZone: "Europe/Moscow",
  quietHours: { from: 22, to: 9 },
  consentVersion: "v1",
  consultant: { maxQuestions: 20, windowMs: 3_600_000, timeoutMs: 60_000 },
});

/** The machine as it was: the shipped customer machine, reminding of a cart after 120 minutes. */
export const oldMachine = (): CustomerMachine => provideCustomerSettings(shopSettings(120));

/**
 * The machine after a change of the funnel's definition: `engaged` now means "looked at a product",
 * so browsing the catalog or searching no longer engages a new customer (the shipped machine's
 * `new` state without its `catalog_view` and `search` transitions); and the cart reminder comes
 * after 45 minutes, so every pending reminder moves. A new stage would change the `Stage` type the
 * whole CRM shares; a new rule for entering one changes the funnel as much (counts, stage dates,
 * moves, time in stage) and needs no other code.
 */
export function newMachine(): CustomerMachine {
  const base = provideCustomerSettings(shopSettings(45));
  const config = base.config as unknown as StateConfig;
  const funnel = config.states?.["funnel"];
  const fresh = funnel?.states?.["new"];
  if (!funnel?.states || !fresh?.on) throw new Error("the customer machine has no funnel.new state");
  const { catalog_view: _catalog, search: _search, ...on } = fresh.on;
  const variant = { ...config, states: { ...config.states, funnel: { ...funnel, states: { ...funnel.states, new: { ...fresh, on } } } } };
  return createMachine(variant as never, base.implementations as never) as unknown as CustomerMachine;
}

const t0 = Date.parse("2026-03-02T07:00:00Z");
const minute = 60_000;

/**
 * A small shop's traffic, the same every time: customers who browse, search, look at products, fill
 * carts, check out and order, over several days, so that the two funnels disagree on many of them
 * and reminders are pending for some (from `start`, a customer every `spacingMinutes`). Each item is a customer's event with its key and time.
 */
export function shopTraffic(customers: number, start = t0, spacingMinutes = 37): { readonly userId: number; readonly event: DispatchInput }[] {
  const out: { userId: number; event: DispatchInput }[] = [];
  for (let i = 0; i < customers; i++) {
    const userId = 1_000 + i;
    let at = start + i * spacingMinutes * minute;
    const next = (step: number): number => (at += step * minute);
    const add = (event: DispatchInput): void => void out.push({ userId, event });
    add({ type: "start", source: i % 3 === 0 ? "instagram" : null, name: `Customer ${i}`, key: `r${userId}:start`, at: next(1) });
    add({ type: "consent_given", version: "v1", key: `r${userId}:consent`, at: next(1) });
    if (i % 2 === 0) add({ type: "catalog_view", key: `r${userId}:catalog`, at: next(3) });
    if (i % 5 === 1) add({ type: "search", results: 2, key: `r${userId}:search`, at: next(4) });
    if (i % 3 !== 2) add({ type: "product_view", productId: "tea", key: `r${userId}:view`, at: next(60 + (i % 100)) });
    if (i % 4 === 0 || i % 7 === 3) add({ type: "add_to_cart", productId: "tea", qty: 1, key: `r${userId}:cart`, at: next(5) });
    if (i % 8 === 0) add({ type: "checkout_started", key: `r${userId}:checkout`, at: next(10) });
    if (i % 16 === 0) add({ type: "order_created", orderId: `SO-R${i}`, total: 10 + i, currency: "RUB", key: `r${userId}:order`, at: next(3) });
  }
  return out.sort((a, b) => (a.event.at ?? 0) - (b.event.at ?? 0));
}
