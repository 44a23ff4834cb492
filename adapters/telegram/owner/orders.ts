import { Composer } from "grammy";
import { dayBounds } from "../../../actors/calendar.ts";
import type { StoredOrder } from "../../../actors/store.port.ts";
import type { OwnerContext } from "./ownerContext.ts";
import { onButton, type OwnerKit } from "./ownerKit.ts";
import { ordersScreen, type NamedOrder } from "./orderScreens.ts";
import { leadName } from "./ownerScreens.ts";

const day = 24 * 60 * 60_000;

/** Orders with the names of who placed them, as the lists and the summary show them. */
export async function named(kit: OwnerKit, orders: readonly StoredOrder[]): Promise<NamedOrder[]> {
  return Promise.all(
    orders.map(async (order) => {
      const lead = await kit.store.lead(order.userId);
      return { ...order, who: lead ? leadName(lead) : `#${order.userId}` };
    }),
  );
}

/**
 * Today, 7 and 30 days of orders (by status; revenue and average from those paid or delivered),
 * every order by its status now with a button to each status's pages, and the latest orders.
 */
export async function openOrders(kit: OwnerKit, ctx: OwnerContext): Promise<void> {
  await kit.go(ctx, { type: "ORDERS" });
  await kit.runtime.settled();
  const now = kit.clock.now();
  const { start } = dayBounds(kit.today(), kit.timeZone);
  const [todays, week, month, ever] = await Promise.all([
    kit.store.ordersSummary({ from: start, to: now + 1, latest: 0 }),
    kit.store.ordersSummary({ from: start - 6 * day, to: now + 1, latest: 0 }),
    kit.store.ordersSummary({ from: start - 29 * day, to: now + 1, latest: 5 }),
    kit.store.ordersSummary({ from: 0, to: now + 1, latest: 0 }),
  ]);
  const found = await Promise.all(month.latest.map((line) => kit.store.order(line.orderId)));
  const latest = await named(kit, found.filter((order): order is StoredOrder => order !== null));
  await kit.answer(ctx);
  const periods = [
    { key: "period-today", summary: todays },
    { key: "period-7", summary: week },
    { key: "period-30", summary: month },
  ] as const;
  await kit.show(ctx, ordersScreen(kit.view(ctx), { periods, byStatus: ever.byStatus, latest, currency: kit.currency }));
}

/** 🧾 Orders, from the main menu. */
export function orders(kit: OwnerKit): Composer<OwnerContext> {
  const composer = new Composer<OwnerContext>();
  onButton(composer, "orders", (ctx) => openOrders(kit, ctx));
  return composer;
}
