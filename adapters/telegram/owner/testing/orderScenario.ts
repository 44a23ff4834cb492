import { orderActor } from "../../../../actors/actorLog.port.ts";
import type { OrderLine } from "../../../../machines/customer.types.ts";
import type { Invoice, PaymentMethod } from "../../../../machines/order.types.ts";
import type { StoredMessage } from "../../testing/botApiStandIn.ts";
import { annasCoffee } from "./crmScenario.ts";
import { ownerToken, shopToken, type OwnerChat, type OwnerHarness } from "./ownerHarness.ts";

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

/** The newest message of an owner's chat that starts with `prefix`. */
export function messageStarting(chat: OwnerChat, prefix: string): StoredMessage {
  const found = chat.messages().findLast((message) => (message.text ?? "").startsWith(prefix));
  if (!found) throw new Error(`no message starting with ${prefix}: ${JSON.stringify(chat.messages().map((message) => message.text?.split("\n")[0]))}`);
  return found;
}

/** A message of the chat as it is now (after every edit), by the message it was. */
export function current(chat: OwnerChat, message: StoredMessage | undefined): StoredMessage {
  const found = chat.messages().find((candidate) => candidate.message_id === message?.message_id);
  if (!found) throw new Error("no such message in the chat");
  return found;
}

/** The types of the order's log, in order, once every effect is delivered. */
export async function orderLog(harness: OwnerHarness, orderId: string): Promise<string[]> {
  await harness.settle();
  return (await harness.store.actorEvents(orderActor(orderId))).map((event) => event.type);
}

/** What the customer was told in the shop's chat. */
export const toldCustomer = (harness: OwnerHarness, userId: number): string[] => harness.standIn.messages(userId, shopToken).map((message) => message.text ?? "");

/**
 * Reading an owner's chat while the orders' moves rewrite the owners' notices in the background:
 * each act waits for every effect to be delivered, then reads the message it is about.
 */
export function ownerScreens(harness: OwnerHarness) {
  const shown = (message: StoredMessage) => ({ text: message.text ?? "", buttons: harness.standIn.buttonsOf(message).map((button) => button.text) });
  return {
    /** A message's text and button labels. */
    shown,
    /** Presses a button on a message (by default the newest that has it) and reads that message afterwards. */
    async tap(chat: OwnerChat, label: string, on?: StoredMessage) {
      const message = on ? current(chat, on) : harness.standIn.messageWithButton(chat.id, ownerToken, label);
      await chat.pressOn(message, label);
      await harness.settle();
      return shown(current(chat, message));
    },
    /** Types a text and reads the newest message the bot sent. */
    async type(chat: OwnerChat, text: string) {
      await chat.send(text);
      await harness.settle();
      const newest = chat.messages().at(-1);
      if (!newest) throw new Error("the bot sent nothing");
      return shown(newest);
    },
    /** Opens an order's card from 🧾 Orders → a status → its button. */
    async openFromList(chat: OwnerChat, statusButton: string, orderId: string): Promise<void> {
      await chat.command("start");
      await chat.press("🧾 Заказы");
      await chat.press(chat.screen().buttons.find((label) => label.startsWith(statusButton)) ?? statusButton);
      const button = chat.screen().buttons.find((label) => label.includes(orderId));
      if (!button) throw new Error(`no button of ${orderId}: ${JSON.stringify(chat.screen().buttons)}`);
      await chat.press(button);
    },
  };
}
