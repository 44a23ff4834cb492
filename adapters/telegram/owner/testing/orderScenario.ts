import type { OrderLine } from "../../../../machines/customer.types.ts";
import type { Invoice, PaymentMethod } from "../../../../machines/order.types.ts";
import { annasCoffee } from "./crmScenario.ts";
import type { OwnerHarness } from "./ownerHarness.ts";

/**
 * Places an order the way the shop bot does once orders are actors: the cart, the checkout with a
 * phone and a delivery, then `order_created` with how it is paid (and, for Stars or a provider, the
 * invoice), whose step stores the order, creates its actor and queues the owners' notice. Resolves
 * with the order id once every effect is delivered.
 */
export async function placePaidOrder(
  harness: OwnerHarness,
  userId: number,
  order: { readonly key: string; readonly payment?: PaymentMethod; readonly invoice?: Invoice | null; readonly items?: readonly OrderLine[]; readonly name?: string },
): Promise<string> {
  const items = order.items ?? [annasCoffee];
  await harness.dispatch(userId, { type: "start", name: order.name ?? "Анна Смирнова", username: `user${userId}`, language: "ru", key: `${order.key}:start` });
  for (const item of items) await harness.dispatch(userId, { type: "add_to_cart", productId: item.productId, qty: item.qty, key: `${order.key}:add:${item.productId}` });
  const started = await harness.dispatch(userId, { type: "checkout_started", key: `${order.key}:checkout` });
  const orderId = started.snapshot.context.checkout?.orderId;
  if (!orderId) throw new Error("the checkout did not start");
  await harness.dispatch(userId, { type: "contact_shared", phone: "+79991234567", key: `${order.key}:contact` });
  await harness.dispatch(userId, { type: "delivery_given", text: "Москва, Тверская 1", key: `${order.key}:delivery` });
  const total = items.reduce((sum, item) => sum + item.price * item.qty, 0);
  const payment = order.payment ?? "cash";
  const invoice = order.invoice ?? (payment === "stars" ? { currency: "XTR", amount: Math.ceil(total / 2) } : payment === "provider" ? { currency: "RUB", amount: total * 100 } : null);
  await harness.dispatch(userId, { type: "order_created", orderId, total, currency: "RUB", items, payment, invoice, key: `${order.key}:order` });
  return orderId;
}

/** Telegram's `successful_payment` for an order, as the shop bot sends it to the order: keyed by its charge id. */
export async function pay(harness: OwnerHarness, orderId: string, charge: { readonly chargeId: string; readonly amount: number; readonly currency: string; readonly providerChargeId?: string }) {
  const orders = harness.actors.orders;
  if (!orders) throw new Error("the harness runs without order actors");
  const result = await orders.send(orderId, { type: "payment_received", by: "payment", ...charge, key: `pay:${charge.chargeId}` });
  await harness.settle();
  return result;
}
