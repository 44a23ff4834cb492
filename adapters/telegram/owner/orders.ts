import { Composer } from "grammy";
import { dayBounds } from "../../../actors/calendar.ts";
import { orderJustPlaced } from "../../../actors/store.port.ts";
import type { OwnerContext } from "./ownerContext.ts";
import { onButton, type OwnerKit } from "./ownerKit.ts";
import { leadName, ordersScreen } from "./ownerScreens.ts";

const day = 24 * 60 * 60_000;

/** Today, 7 and 30 days of orders (count, revenue, average), and the latest orders with their clients. */
export async function openOrders(kit: OwnerKit, ctx: OwnerContext): Promise<void> {
  await kit.go(ctx, { type: "ORDERS" });
  const now = kit.clock.now();
  const { start } = dayBounds(kit.today(), kit.timeZone);
  const [todays, week, month] = await Promise.all([
    kit.store.ordersSummary({ from: start, to: now + 1, latest: 5 }),
    kit.store.ordersSummary({ from: start - 6 * day, to: now + 1 }),
    kit.store.ordersSummary({ from: start - 29 * day, to: now + 1, latest: 5 }),
  ]);
  const latest = await Promise.all(
    month.latest.map(async (line) => {
      const [order, lead] = await Promise.all([kit.store.order(line.orderId), kit.store.lead(line.userId)]);
      return { ...(order ?? { ...orderJustPlaced, ...line, items: [], phone: null, delivery: null }), who: lead ? leadName(lead) : `#${line.userId}` };
    }),
  );
  await kit.answer(ctx);
  const periods = [
    { key: "period-today", summary: todays },
    { key: "period-7", summary: week },
    { key: "period-30", summary: month },
  ] as const;
  await kit.show(ctx, ordersScreen(kit.view(ctx), { periods, latest, currency: kit.currency }));
}

/** 🧾 Orders, from the main menu. */
export function orders(kit: OwnerKit): Composer<OwnerContext> {
  const composer = new Composer<OwnerContext>();
  onButton(composer, "orders", (ctx) => openOrders(kit, ctx));
  return composer;
}
