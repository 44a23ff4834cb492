import { Composer } from "grammy";
import { orderActor, type StoredActorEvent } from "../../../actors/actorLog.port.ts";
import type { StoredOrder } from "../../../actors/store.port.ts";
import type { OwnerContext } from "./ownerContext.ts";
import { onButton, type OwnerKit } from "./ownerKit.ts";
import { openOrders } from "./orders.ts";
import { actsOf, listOf, onNotice, orderCardScreen, orderNoticeScreen, type OrderAct } from "./orderScreens.ts";
import { leadName } from "./ownerScreens.ts";

/** An order as its card shows it: the row, who placed it, its log, and the moves it takes now. */
export interface LoadedOrder {
  readonly order: StoredOrder;
  readonly who: string | null;
  readonly history: readonly StoredActorEvent[];
  /** None when the bot has no order actors, or the order has none (placed before orders were actors). */
  readonly acts: readonly OrderAct[];
  /** Placed before orders were actors: no actor, so no moves and no history; it counts as revenue at once. */
  readonly olderThanActors: boolean;
}

/** The order once every commit in flight is done, or null when there is no such order. */
export async function loadOrder(kit: OwnerKit, orderId: string): Promise<LoadedOrder | null> {
  await kit.runtime.settled();
  const order = await kit.store.order(orderId);
  if (!order) return null;
  const [lead, history] = await Promise.all([kit.store.lead(order.userId), kit.store.actorEvents(orderActor(orderId))]);
  const live = kit.orders?.view(orderId) ?? null;
  const acts = live ? actsOf({ status: live.status, payment: live.payment }, history.at(-1)?.type ?? null) : [];
  return { order: live ? { ...order, status: live.status } : order, who: lead ? leadName(lead) : null, history, acts, olderThanActors: history.length === 0 };
}

/** Where a card goes back to: a list at an offset, or `onNotice` for a notice. */
export interface CardPlace {
  readonly list: number;
  readonly offset: number;
}

/**
 * Shows an order where the owner is: over the pressed message (`"show"`) or as a new one (`"send"`,
 * after typed text); as a notice again when the press was on a notice. `notice` heads it, and a
 * pressed button is answered with it (an alert when `alert`). A missing order is an alert and the
 * orders summary.
 */
export async function showOrder(kit: OwnerKit, ctx: OwnerContext, orderId: string, place: CardPlace, how: "show" | "send", notice?: string, alert = false): Promise<void> {
  const loaded = await loadOrder(kit, orderId);
  if (!loaded) {
    await kit.answer(ctx, ctx.t("ord-missing"), true);
    return openOrders(kit, ctx);
  }
  if (ctx.callbackQuery) await kit.answer(ctx, notice?.replace(/<[^>]+>/g, ""), alert);
  const view = kit.view(ctx);
  const screen =
    place.list === onNotice
      ? orderNoticeScreen(view, loaded.order, loaded.who, loaded.acts, loaded.olderThanActors ? [notice, view.t("ord-older")].filter(Boolean).join("\n\n") : notice)
      : orderCardScreen(view, { ...loaded, list: place.list, offset: place.offset }, notice);
  await kit.go(ctx, { type: "ORDERS" });
  return how === "show" ? kit.show(ctx, screen) : kit.send(ctx, screen);
}

/** 🧾 An order's card: from a list (over it, "back" returns to the same page), or from a notice (as a new message, the notice stays). */
export function orderCard(kit: OwnerKit): Composer<OwnerContext> {
  const composer = new Composer<OwnerContext>();
  onButton(composer, "oc", (ctx, [orderId, list, offset]) => showOrder(kit, ctx, orderId, { list, offset }, "show"));
  onButton(composer, "ocn", async (ctx, [orderId]) => {
    const order = await kit.store.order(orderId);
    await showOrder(kit, ctx, orderId, { list: order ? listOf(order.status) : 0, offset: 0 }, "send");
  });
  return composer;
}
