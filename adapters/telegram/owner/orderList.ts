import { Composer } from "grammy";
import type { OwnerContext } from "./ownerContext.ts";
import { onButton, type OwnerKit } from "./ownerKit.ts";
import { openOrders, named } from "./orders.ts";
import { listStatus, orderListScreen, ordersPerPage } from "./orderScreens.ts";

/** A page of the orders in one status (or all), the newest first; a list that is not one is out of date. */
export async function openOrderList(kit: OwnerKit, ctx: OwnerContext, list: number, offset: number): Promise<void> {
  const status = listStatus(list);
  if (status === undefined) {
    await kit.answer(ctx, ctx.t("button-outdated"));
    return openOrders(kit, ctx);
  }
  await kit.go(ctx, { type: "ORDERS" });
  await kit.runtime.settled();
  const page = await kit.store.ordersByStatus(status, { offset, limit: ordersPerPage });
  if (page.items.length === 0 && offset > 0) return openOrderList(kit, ctx, list, 0);
  await kit.answer(ctx);
  await kit.show(ctx, orderListScreen(kit.view(ctx), list, { ...page, items: await named(kit, page.items) }));
}

/** 🧾 Orders by status: new, awaiting payment, paid, shipped, delivered, cancelled, refunding, refunded, or all; in pages. */
export function orderList(kit: OwnerKit): Composer<OwnerContext> {
  const composer = new Composer<OwnerContext>();
  onButton(composer, "ol", (ctx, [list, offset]) => openOrderList(kit, ctx, list, offset));
  return composer;
}
