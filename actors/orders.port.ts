import type { StoredOrder } from "./store.port.ts";

/**
 * How a new order reaches the owner side. The shop bot calls it once per order, after the order
 * is durable; the owner bot implements it with a notification to every owner.
 */
export interface OrderNotifications {
  orderPlaced(order: StoredOrder): Promise<void>;
}
