import type { SessionStore } from "../../../actors/store.port.ts";
import type { OrderEffectParams } from "../../../machines/order.types.ts";
import { escapeHtml } from "../format.ts";
import { tagHash } from "./ownerButtons.ts";
import type { OwnerContext } from "./ownerContext.ts";
import type { OwnerKit } from "./ownerKit.ts";
import { openOrders } from "./orders.ts";
import { sendOrderEvent } from "./orderMoves.ts";
import { refundByHandScreen, statusName } from "./orderScreens.ts";
import { readStoredState } from "./storedState.ts";

/**
 * A charge the owners give back by hand (a provider's, in its dashboard): what the order asked
 * (`askOwnersToRefund`), kept in the store's key-value space under the order and a hash of the
 * charge, since a charge id does not fit in a button. Its "refunded" button reads it back.
 */
export interface RefundByHand {
  readonly request: OrderEffectParams["askOwnersToRefund"];
  /** An owner said it was given back. */
  readonly done: boolean;
}

/** A charge's id in a button: short, and the same on every delivery of the effect. */
export const chargeHash = (chargeId: string): string => tagHash(chargeId);

const refundKey = (orderId: string, hash: string): string => `owner:refund:${orderId}:${hash}`;

/** Keeps a charge to give back by hand (or the owners' word that it was), for its button to read. */
export function keepRefundByHand(store: SessionStore, refund: RefundByHand): Promise<void> {
  return store.writeSession(refundKey(refund.request.orderId, chargeHash(refund.request.chargeId)), JSON.stringify(refund));
}

/** A charge to give back by hand, by its order and hash; null for a button whose request is not kept (or not this order's). */
export function refundByHandOf(store: SessionStore, orderId: string, hash: string): Promise<RefundByHand | null> {
  return readStoredState(store, refundKey(orderId, hash), (value) => {
    const request = value["request"] as OrderEffectParams["askOwnersToRefund"] | undefined;
    return request && typeof request.chargeId === "string" && request.orderId === orderId ? { request, done: value["done"] === true } : null;
  });
}

/**
 * "Refunded" under a charge to give back by hand: the order hears `refund_completed` for that
 * charge from an owner, keyed by the update. The order moves when the charge is the one it is
 * refunding; a later charge (a second payment, one after a cancel) leaves the order where it is,
 * and the owners' word is kept with the request, so the button goes and the message says so.
 */
export async function refundDone(kit: OwnerKit, ctx: OwnerContext, orderId: string, hash: string, key: string): Promise<void> {
  const refund = await refundByHandOf(kit.store, orderId, hash);
  if (!refund) {
    await kit.answer(ctx, ctx.t("button-outdated"));
    return openOrders(kit, ctx);
  }
  if (!kit.orders) {
    await kit.answer(ctx, ctx.t("ord-off"), true);
    return;
  }
  const result = await sendOrderEvent(kit.orders, orderId, { type: "refund_completed", by: "owner", chargeId: refund.request.chargeId }, key);
  if (result.kind === "unknown_order") {
    await kit.answer(ctx, ctx.t("ord-missing"), true);
    return openOrders(kit, ctx);
  }
  await keepRefundByHand(kit.store, { ...refund, done: true });
  const view = kit.view(ctx);
  const toast =
    result.kind === "applied"
      ? ctx.t("ord-refund-recorded", { orderId: escapeHtml(orderId), status: statusName(view, result.status) })
      : ctx.t("ord-refund-noted", { orderId: escapeHtml(orderId), status: statusName(view, result.status) });
  await kit.answer(ctx, toast, true);
  await kit.show(ctx, refundByHandScreen(view, refund.request, hash, true));
}
