import { describeError, type Logger } from "../../../actors/log.port.ts";
import type { OrderCommand, OrderCommands, OrderSendResult } from "../../../actors/orders.port.ts";
import type { OrderEventInput } from "../../../machines/order.types.ts";
import type { OrderInputAction, OrderInputOutcome, OwnerOrderInputActionParams, OwnerOrderInputEvent } from "../../../machines/ownerOrderInput.types.ts";
import type { FlowActionImplementations } from "../flowState.ts";
import type { OwnerContext } from "./ownerContext.ts";
import type { OrderAct } from "./orderScreens.ts";

/** An owner's order event before its key: always `by: "owner"`. */
export type OwnerOrderEvent = Exclude<OrderEventInput, { type: "order_placed" }>;

/** The event an act sends; an act that needs words first (ship, cancel, refund) takes them as `text`. */
export function eventOf(act: OrderAct, text: string | null = null): OwnerOrderEvent {
  switch (act) {
    case "paid":
      return { type: "marked_paid", by: "owner" };
    case "ship":
      return { type: "shipped", by: "owner", tracking: text };
    case "dlvr":
      return { type: "delivered", by: "owner" };
    case "cncl":
      return { type: "cancel_requested", by: "owner", reason: text };
    case "rfnd":
    case "rtry":
      return { type: "refund_requested", by: "owner", reason: text };
    case "rfdn":
      return { type: "refund_completed", by: "owner" };
  }
}

/** The act of a flow's move. */
export const actOfInput = (action: OrderInputAction): OrderAct => (action === "ship" ? "ship" : action === "cancel" ? "cncl" : "rfnd");

/** The flow's move of an act that asks for words first; null for the acts sent at a tap. */
export const inputOfAct = (act: OrderAct): OrderInputAction | null => (act === "ship" ? "ship" : act === "cncl" ? "cancel" : act === "rfnd" ? "refund" : null);

/** Sends an owner's event to an order, keyed by the update that asked for it (a redelivered update is a `duplicate`). */
export function sendOrderEvent(orders: OrderCommands, orderId: string, event: OwnerOrderEvent, key: string): Promise<OrderSendResult> {
  const command: OrderCommand = { ...event, key };
  return orders.send(orderId, command);
}

/**
 * `sendOrderMove`, the owner's order-input flow's action: the order's event with the words typed
 * (or none, skipped), keyed by the update; the flow hears `SENT` with how the order took it, or
 * `FAILED` when the store could not take it (the owner sends the words again).
 */
export function orderInputActions(
  deps: { readonly orders: OrderCommands | null; readonly log: Logger },
  keyOf: (ctx: OwnerContext) => string,
): FlowActionImplementations<OwnerOrderInputActionParams, OwnerOrderInputEvent, OwnerContext> {
  return {
    sendOrderMove: async ({ orderId, action, text }, ctx) => {
      if (orderId === null || action === null || deps.orders === null) return { type: "SENT", outcome: "unknown_order" };
      try {
        const result = await sendOrderEvent(deps.orders, orderId, eventOf(actOfInput(action), text), keyOf(ctx));
        const outcome: OrderInputOutcome = result.kind;
        return { type: "SENT", outcome };
      } catch (error) {
        deps.log.error("order_move_failed", { orderId, action, ...describeError(error) });
        return { type: "FAILED" };
      }
    },
  };
}
