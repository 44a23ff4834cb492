import type { Language, OrderLine } from "../machines/customer.types.ts";
import { paymentMethods as allPaymentMethods, type Invoice, type PaymentMethod } from "../machines/order.types.ts";
import { newOrderUnit, saveOrders, stepOrder, type OrderCell, type OrderUnitDeps } from "./orderUnit.ts";
import { projectionOf } from "./orderStepper.ts";
import { orderJustPlaced, type StoreTx } from "./store.port.ts";

/** An order as the customer's `recordOrder` write places it: the order row's fields, how it is paid, and the customer's language. */
export interface OrderPlacement {
  readonly orderId: string;
  readonly userId: number;
  readonly items: readonly OrderLine[];
  readonly total: number;
  readonly currency: string;
  readonly phone: string | null;
  readonly delivery: string | null;
  readonly payment: PaymentMethod;
  readonly invoice: Invoice | null;
  readonly language: Language;
  readonly at: number;
}

/** What a placement queued, so that the customer's unit wakes the timer scheduler and the effect worker. */
export interface Placed {
  readonly earliestTimer: number | null;
  readonly effectsQueued: number;
}

/** A product and how many of it, as the stock is reserved. */
type StockLines = readonly { readonly productId: string; readonly qty: number }[];

/**
 * Places orders inside the customer's unit of work. `problemOf` is asked before the customer's
 * event is queued. `reserve` takes the stock before the customer's event is stored, so that a
 * shortage (`StockShortage`, thrown having taken nothing) leaves the unit untouched and the
 * customer's event unstored; `place` then stores the order row and creates the order's actor, in
 * the same unit: if anything fails, the whole unit rolls back, the reservation with it.
 */
export interface OrderPlacer {
  /** Why an order cannot be placed with this payment, invoice and lines (a method the shop does not take, an invoice that does not fit it), or null. */
  problemOf(order: { readonly orderId: unknown; readonly payment: unknown; readonly invoice: Invoice | null | undefined; readonly items: unknown }): string | null;
  /** Takes the lines off the stock of tracked products; throws `StockShortage`, having taken nothing, when one is short. */
  reserve(tx: StoreTx, items: StockLines): void;
  /** Stores the order row and creates the order's actor from `order_placed`; reserves the stock first unless `stockReserved`. */
  place(tx: StoreTx, placement: OrderPlacement, options?: { readonly stockReserved?: boolean }): Placed;
}

/** Order ids become actor ids (`order:<id>`) and key parts: short, and without the separators of keys. */
const orderIdPattern = /^[^\s:#]{1,64}$/;

/** Whether a string can be an order's id (and so a part of its actor's address and of keys). */
export const isOrderId = (value: unknown): value is string => typeof value === "string" && orderIdPattern.test(value);

function invoiceProblem(payment: PaymentMethod, invoice: Invoice | null | undefined): string | null {
  if (payment === "cash") return invoice ? "a cash order has no invoice" : null;
  if (!invoice || !Number.isSafeInteger(invoice.amount) || invoice.amount <= 0) return `a ${payment} order needs an invoice of a whole positive amount`;
  if (payment === "stars" && invoice.currency !== "XTR") return "a Stars invoice is in XTR";
  if (payment === "provider" && (!/^[A-Z]{3}$/.test(invoice.currency) || invoice.currency === "XTR")) return "a provider invoice is in a three-letter currency code other than XTR";
  return null;
}

/** Why an order's lines cannot be reserved, or null: at least one, each a product id and a whole quantity of at least 1. */
function linesProblem(items: unknown): string | null {
  if (!Array.isArray(items) || items.length === 0) return "an order needs at least one line";
  const bad = (items as readonly unknown[]).find((line) => {
    const { productId, qty } = (line ?? {}) as { productId?: unknown; qty?: unknown };
    return typeof productId !== "string" || productId.length === 0 || !Number.isSafeInteger(qty) || (qty as number) < 1;
  });
  return bad === undefined ? null : "each line of an order is a product id and a whole quantity of at least 1";
}

const stockOf = (items: StockLines): StockLines => items.map(({ productId, qty }) => ({ productId, qty }));

/** The placer over the order runtime's step and store: what the order runtime exposes for the customer's `recordOrder`. */
export function createOrderPlacer(deps: OrderUnitDeps, accepted: readonly PaymentMethod[] = allPaymentMethods): OrderPlacer {
  const methods = new Set(accepted);
  return {
    problemOf({ orderId, payment, invoice, items }) {
      if (!isOrderId(orderId)) return "an order id is 1 to 64 characters without spaces, : or #";
      if (!(allPaymentMethods as readonly unknown[]).includes(payment)) return `unknown payment method: ${String(payment)}`;
      if (!methods.has(payment as PaymentMethod)) return `the shop does not take ${String(payment)} payments (PAYMENTS)`;
      return invoiceProblem(payment as PaymentMethod, invoice) ?? linesProblem(items);
    },
    reserve: (tx, items) => tx.reserveStock(stockOf(items)),
    place(tx, placement, { stockReserved = false } = {}) {
      const { orderId, userId, items, total, currency, phone, delivery, payment, invoice, language, at } = placement;
      if (!stockReserved) tx.reserveStock(stockOf(items));
      const status = payment === "cash" ? "placed" : "awaiting_payment";
      tx.saveOrder({ ...orderJustPlaced, orderId, userId, items, total, currency, phone, delivery, at, status, payment, invoice });
      const unit = newOrderUnit(tx);
      const { snapshot, actions: initial } = deps.stepper.initialOf(orderId);
      const cell: OrderCell = { snapshot, lastSeq: 0, projection: { ...projectionOf(snapshot), status, invoice, items, total } };
      const fields = { orderId, userId, items, total, currency, payment, invoice, language, by: "customer" };
      const stepped = stepOrder(deps, unit, { orderId, cell, key: `placed:${orderId}`, event: { type: "order_placed", at, ...fields }, payload: JSON.stringify(fields), initial });
      if (!stepped) throw new Error(`the order ${orderId} already has a log`);
      saveOrders(deps, unit);
      return { earliestTimer: unit.earliestTimer, effectsQueued: unit.effectsQueued };
    },
  };
}
