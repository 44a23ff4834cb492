import type { OrderLine } from "../../../../machines/customer.types.ts";
import type { OwnerChat, OwnerHarness } from "./ownerHarness.ts";

/** The label of the first button of a message that starts with `prefix`. */
export function buttonStarting(chat: Pick<OwnerChat, "screen">, prefix: string): string {
  const label = chat.screen().buttons.find((text) => text.startsWith(prefix));
  if (!label) throw new Error(`no button starting with ${prefix}: ${JSON.stringify(chat.screen().buttons)}`);
  return label;
}

export const annasCoffee: OrderLine = { productId: "eth-yirgacheffe", title: "Эфиопия Иргачеффе, 250 г", price: 890, qty: 1 };

/**
 * Places an order as the shop bot does: the cart, a checkout with the phone and the delivery, then
 * `order_created` under the checkout's order id, whose step records the order and queues the
 * owners' notice. Resolves with the order id once its effects are delivered.
 */
export async function placeOrder(harness: OwnerHarness, userId: number, order: { readonly items: readonly OrderLine[]; readonly phone: string; readonly delivery: string; readonly key: string }): Promise<string> {
  for (const item of order.items) await harness.dispatch(userId, { type: "add_to_cart", productId: item.productId, qty: item.qty, key: `${order.key}:add:${item.productId}` });
  const started = await harness.dispatch(userId, { type: "checkout_started", key: `${order.key}:checkout` });
  const orderId = started.snapshot.context.checkout?.orderId;
  if (!orderId) throw new Error("the checkout did not start");
  await harness.dispatch(userId, { type: "contact_shared", phone: order.phone, key: `${order.key}:contact` });
  await harness.dispatch(userId, { type: "delivery_given", text: order.delivery, key: `${order.key}:delivery` });
  const total = order.items.reduce((sum, item) => sum + item.price * item.qty, 0);
  await harness.dispatch(userId, { type: "order_created", orderId, total, currency: "RUB", items: order.items, key: `${order.key}:order` });
  return orderId;
}

/**
 * Three customers, as the shop bot would record them: Anna consents, asks the consultant (the AI's
 * answer comes back through the effect worker), and buys; Boris browses the catalog; Vera only
 * pressed Start. Resolves with Anna's order id once every effect (the owners' notice too) is delivered.
 */
export async function seedCustomers(harness: OwnerHarness): Promise<{ readonly annasOrder: string }> {
  await harness.dispatch(501, { type: "start", source: "instagram_ads", username: "anna_k", name: "Анна Смирнова", language: "ru", key: "seed:501:start" });
  await harness.dispatch(501, { type: "consent_given", version: "2026-01", key: "seed:501:consent" });
  await harness.dispatch(501, { type: "consultant_entered", key: "seed:501:ai" });
  await harness.dispatch(501, { type: "question_asked", text: "Что посоветуете <к> десерту?", key: "seed:501:question" });
  await harness.dispatch(501, { type: "consultant_left", key: "seed:501:menu" });
  const annasOrder = await placeOrder(harness, 501, { items: [annasCoffee], phone: "+79991234567", delivery: "Москва, Тверская 1", key: "seed:501" });

  harness.clock.advance(60_000);
  await harness.dispatch(502, { type: "start", username: "boris_b", name: "Борис", language: "ru", key: "seed:502:start" });
  await harness.dispatch(502, { type: "catalog_view", key: "seed:502:catalog" });

  harness.clock.advance(60_000);
  await harness.dispatch(503, { type: "start", username: "vera_v", name: "Вера", language: "ru", key: "seed:503:start" });
  return { annasOrder };
}
