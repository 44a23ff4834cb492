import type { OrderEffectParams } from "../machines/order.types.ts";
import type { CustomerRuntime } from "./customerRuntime.ts";
import type { EffectHandlers, EffectOutcome, EffectRequest } from "./effects.port.ts";

type Settlement = "settleCustomer" | "unsettleCustomer";

/**
 * The order machine's `settleCustomer` and `unsettleCustomer`, delivered inside the actors: each
 * becomes the customer's `order_settled` / `order_refunded`, which moves their lifetime value. The
 * event is keyed by the effect's key, so an effect delivered twice (a crash after the customer's
 * commit, before the effect's completion) is applied to the customer once.
 *
 * @example
 * const handlers = { ...botHandlers, ...settlementHandlers(() => customers) };
 */
export function settlementHandlers(customers: () => Pick<CustomerRuntime, "dispatch">): EffectHandlers<Pick<OrderEffectParams, Settlement>> {
  const deliver =
    (type: "order_settled" | "order_refunded") =>
    async (request: EffectRequest<Settlement, OrderEffectParams[Settlement]>): Promise<EffectOutcome> => {
      const { userId, orderId, amount } = request.params;
      await customers().dispatch(userId, { type, orderId, amount, key: `${type}:${request.key}` });
      return { outcome: "done" };
    };
  return { settleCustomer: deliver("order_settled"), unsettleCustomer: deliver("order_refunded") };
}
