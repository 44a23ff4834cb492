import type { EffectHandler, EffectOutcome } from "../../../actors/effects.port.ts";
import type { OrderEffectParams } from "../../../machines/order.types.ts";
import { noticeOf, orderAsNotice } from "./orderNoticeState.ts";
import { chargeHash, keepRefundByHand, refundByHandOf } from "./orderRefunds.ts";
import { orderMoveScreen, orderNoticeScreen, refundByHandScreen } from "./orderScreens.ts";
import { ownerPost, onceToEachOwner, type OwnerEffectsOptions } from "./ownerEffects.ts";

type MoveParams = OrderEffectParams["notifyOwnersOfOrderMove"];
type RefundParams = OrderEffectParams["askOwnersToRefund"];

/** The order machine's effects for the owners, by name: what the composition hands the effect worker. */
export interface OwnerOrderEffects {
  readonly notifyOwnersOfOrderMove: EffectHandler<"notifyOwnersOfOrderMove", MoveParams>;
  readonly askOwnersToRefund: EffectHandler<"askOwnersToRefund", RefundParams>;
}

/**
 * The owner side of the order machine's effects, for the effect worker, each sent to every owner
 * once ({@link onceToEachOwner}) in the language of their last visit:
 * - `notifyOwnersOfOrderMove`: each owner's new-order notice is rewritten to where the order is
 *   now, with the moves it takes now; a move the owners did not make (a payment, the customer's
 *   cancel, a timer, a refund gone through) also comes as a message of its own, with its buttons.
 * - `askOwnersToRefund`: a charge the order cannot keep, paid through a provider, to give back in
 *   the provider's dashboard, with a "refunded" button (orderRefunds.ts).
 *
 * @example
 * handlers: { ...shopEffects, ...ownerEffects(ownerSide), ...ownerOrderEffects(ownerSide) }
 */
export function ownerOrderEffects(options: OwnerEffectsOptions): OwnerOrderEffects {
  const { store } = options;
  const post = ownerPost(options);

  async function notifyOwnersOfOrderMove(request: Parameters<OwnerOrderEffects["notifyOwnersOfOrderMove"]>[0], signal: AbortSignal): Promise<EffectOutcome> {
    const { key, params } = request;
    const shown = await orderAsNotice(store, params.orderId);
    if (!shown) return { outcome: "drop", reason: `the order ${params.orderId} is not in the store` };
    return onceToEachOwner(options, { key, event: "order_move_notice", fields: { orderId: params.orderId, status: params.status } }, async (ownerId) => {
      const view = await post.viewFor(ownerId);
      const notice = await noticeOf(store, params.orderId, ownerId);
      if (notice !== null) {
        const edited = await post.edit(ownerId, notice, orderNoticeScreen(view, shown.order, shown.who, shown.acts), signal);
        if (!edited.sent) return edited;
      }
      return params.by === "owner" ? { sent: true } : post.send(ownerId, orderMoveScreen(view, shown.order, params, shown.acts), signal);
    });
  }

  async function askOwnersToRefund(request: Parameters<OwnerOrderEffects["askOwnersToRefund"]>[0], signal: AbortSignal): Promise<EffectOutcome> {
    const { key, params } = request;
    const hash = chargeHash(params.chargeId);
    const kept = await refundByHandOf(store, params.orderId, hash);
    if (!kept) await keepRefundByHand(store, { request: params, done: false });
    return onceToEachOwner(options, { key, event: "refund_request", fields: { orderId: params.orderId } }, async (ownerId) =>
      post.send(ownerId, refundByHandScreen(await post.viewFor(ownerId), params, hash, kept?.done ?? false), signal),
    );
  }

  return { notifyOwnersOfOrderMove, askOwnersToRefund };
}

/** For a shop without the owner bot: nobody to tell, so each is done at once. */
export const ownerOrderEffectsOff: OwnerOrderEffects = {
  notifyOwnersOfOrderMove: async () => ({ outcome: "done" }),
  askOwnersToRefund: async () => ({ outcome: "done" }),
};
