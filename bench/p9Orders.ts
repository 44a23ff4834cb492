/**
 * P9_orders: order placements per second through `dispatch` (an `order_created` paid with Stars,
 * which reserves the stock, stores the order row and creates the order's actor in the customer's
 * transaction) as a ratio to plain dispatch (a `product_view`) to the same customers, on the same
 * kind of runtime and store, at the same concurrency, in the same run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { createCustomerActors, type CustomerActors } from "../actors/customerActors.ts";
import type { DispatchInput } from "../actors/customerRuntime.ts";
import { customerHandlers, recordingOrderHandlers } from "../actors/fixtures/orderWorld.ts";
import { provideOrderSettings } from "../actors/orderSettings.ts";
import type { CrmStore } from "../actors/store.port.ts";
import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { best, perSecond, round, type Figure } from "./figures.ts";
import { copyOf } from "./syntheticCrm.ts";

/** How many customers, each ready to confirm an order; every timed run sends each of them one event. */
export const orderCustomers = 10_000;
/** Dispatches in flight at once, on both sides. */
const inFlight = 500;
const rounds = 3;
const products = 20;
const initialStock = 1_000_000;
const price = 450;
const starPrice = 1.8;
const t0 = Date.parse("2026-03-02T07:00:00Z");
const fixedClock = (at: number) => ({ now: () => at });

const productOf = (userId: number): string => `p${userId % products}`;
const qtyOf = (userId: number): number => 1 + (userId % 3);

/** Customers and order actors over one store, as the composition creates them (not started: nothing but dispatch runs). */
function actorsOver(store: CrmStore, at: number): CustomerActors {
  return createCustomerActors({
    store,
    clock: fixedClock(at),
    handlers: customerHandlers(),
    orders: { handlers: recordingOrderHandlers([]), machine: provideOrderSettings({ paymentMinutes: 60, feedbackHours: 24 }), payments: ["stars", "cash"] },
  });
}

async function waves(actors: CustomerActors, count: number, size: number, input: (userId: number) => DispatchInput): Promise<void> {
  for (let first = 1; first <= count; first += size) {
    const wave: Promise<unknown>[] = [];
    for (let userId = first; userId < Math.min(first + size, count + 1); userId++) wave.push(actors.runtime.dispatch(userId, input(userId)));
    await Promise.all(wave);
  }
}

/**
 * A SQLite file with a catalog of `products` tracked products and `count` customers who each put
 * one in the cart, started the checkout, gave a phone and a delivery: the summary waits.
 */
export async function readyCustomers(path: string, count: number): Promise<void> {
  const store = openSqliteStore({ path });
  const by = { kind: "seed", file: "p9-bench" } as const;
  await store.transact((tx) => {
    tx.applyCatalogEdit({ by, at: t0, change: { type: "category_saved", category: { id: "shelf", title: "Shelf", position: 0 } } });
    for (let i = 0; i < products; i++) {
      const product = { id: `p${i}`, categoryId: "shelf", title: `Product ${i}`, description: "", price, currency: "RUB", stock: initialStock, hidden: false, position: i };
      tx.applyCatalogEdit({ by, at: t0, change: { type: "product_saved", product } });
    }
  });
  const actors = actorsOver(store, t0);
  const steps: ((userId: number) => DispatchInput)[] = [
    (userId) => ({ type: "add_to_cart", productId: productOf(userId), qty: qtyOf(userId), key: `p9:add:${userId}` }),
    (userId) => ({ type: "checkout_started", key: `p9:checkout:${userId}` }),
    (userId) => ({ type: "contact_shared", phone: "+79990001122", key: `p9:phone:${userId}` }),
    (userId) => ({ type: "delivery_given", text: "Тверская 1", key: `p9:delivery:${userId}` }),
  ];
  for (const step of steps) await waves(actors, count, 1_000, step);
  await actors.stop();
  await store.close();
}

/** The customer's `order_created` as the shop bot dispatches it for a Stars order: lines at catalog prices, the invoice frozen. */
export function starsOrder(userId: number): DispatchInput {
  const qty = qtyOf(userId);
  const total = price * qty;
  return {
    type: "order_created",
    orderId: `SO-P9-${userId}`,
    total,
    currency: "RUB",
    items: [{ productId: productOf(userId), title: `Product ${userId % products}`, price, qty }],
    payment: "stars",
    invoice: { currency: "XTR", amount: Math.ceil(total / starPrice) },
    key: `order:SO-P9-${userId}`,
  };
}

/** Events per second of one event to each customer, `inFlight` at a time, on a fresh runtime over `path`. */
export async function eachOnce(path: string, count: number, input: (userId: number) => DispatchInput): Promise<number> {
  const store = openSqliteStore({ path });
  const actors = actorsOver(store, t0 + 60_000);
  const started = performance.now();
  await waves(actors, count, inFlight, input);
  const seconds = (performance.now() - started) / 1000;
  await actors.stop();
  await store.close();
  return count / seconds;
}

/** Throws unless the file holds exactly one awaiting-payment order per customer and each product's stock went down by exactly what they ordered. */
export function checkPlaced(path: string, count: number): void {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const orders = Number(db.prepare("SELECT COUNT(*) AS n FROM crm_orders WHERE status = 'awaiting_payment'").get()?.["n"]);
    const all = Number(db.prepare("SELECT COUNT(*) AS n FROM crm_orders").get()?.["n"]);
    if (orders !== count || all !== count) throw new Error(`P9_orders: ${all} orders stored (${orders} awaiting payment), expected ${count}`);
    const ordered = new Map<string, number>();
    for (let userId = 1; userId <= count; userId++) ordered.set(productOf(userId), (ordered.get(productOf(userId)) ?? 0) + qtyOf(userId));
    const stock = new Map(db.prepare("SELECT product_id, stock FROM crm_products").all().map((row) => [String(row["product_id"]), Number(row["stock"])]));
    for (const [productId, qty] of ordered) {
      if (stock.get(productId) !== initialStock - qty) throw new Error(`P9_orders: ${productId} has ${stock.get(productId)} in stock, expected ${initialStock - qty}`);
    }
  } finally {
    db.close();
  }
}

/** P9_orders: placing orders with their stock and actor, as a ratio to plain dispatch. */
export async function p9Orders(count = orderCustomers): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), "crm-bench-p9-orders-"));
  const placed: number[] = [];
  const viewed: number[] = [];
  try {
    const ready = join(dir, "ready.sqlite");
    await readyCustomers(ready, count);
    for (let r = 0; r < rounds; r++) {
      const views = copyOf(ready, join(dir, `views-${r}.sqlite`));
      viewed.push(await eachOnce(views, count, (userId) => ({ type: "product_view", productId: productOf(userId), key: `p9:view:${userId}` })));
      const orders = copyOf(ready, join(dir, `orders-${r}.sqlite`));
      placed.push(await eachOnce(orders, count, starsOrder));
      checkPlaced(orders, count);
      for (const file of [views, orders]) for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    {
      id: "P9_orders",
      what: "order placements/s (stock reserved, order row, order actor, in the customer's transaction) ÷ dispatch events/s",
      value: round(best(placed) / best(viewed)),
      unit: "ratio",
      bar: null,
      detail:
        `place ${perSecond(best(placed))} orders/s: order_created with a Stars invoice, ${products} tracked products (each order's stock checked afterwards); ` +
        `dispatch ${perSecond(best(viewed))} ev/s: a product_view to each of the same customers. ` +
        `SQLite, ${count.toLocaleString("en")} customers at the summary, cold in a fresh copy of the same file, ${inFlight} in flight; best of ${rounds}`,
    },
  ];
}
