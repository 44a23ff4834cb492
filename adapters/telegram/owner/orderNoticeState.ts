import { orderActor } from "../../../actors/actorLog.port.ts";
import type { CrmStore, SessionStore, StoredOrder } from "../../../actors/store.port.ts";
import { actsOf, type OrderAct } from "./orderScreens.ts";
import { leadName } from "./ownerScreens.ts";
import { readStoredState } from "./storedState.ts";

/** An order as a notice shows it: the row, who placed it, and the moves it takes now (none for an order without an actor). */
export async function orderAsNotice(store: CrmStore, orderId: string): Promise<{ readonly order: StoredOrder; readonly who: string | null; readonly acts: readonly OrderAct[] } | null> {
  const order = await store.order(orderId);
  if (!order) return null;
  const [lead, history] = await Promise.all([store.lead(order.userId), store.actorEvents(orderActor(orderId))]);
  const last = history.at(-1);
  return { order, who: lead ? leadName(lead) : null, acts: last ? actsOf(order, last.type) : [] };
}

const noticeKey = (orderId: string, ownerId: number): string => `owner:order-notice:${orderId}:${ownerId}`;

/** Which message of an owner's chat is an order's notice, so its moves rewrite it. One key per owner: owners' notices never race. */
export function rememberNotice(store: SessionStore, orderId: string, ownerId: number, messageId: number): Promise<void> {
  return store.writeSession(noticeKey(orderId, ownerId), JSON.stringify({ messageId }));
}

/** The message id of an owner's notice of an order, or null when it was never sent (or sent before notices were kept). */
export function noticeOf(store: SessionStore, orderId: string, ownerId: number): Promise<number | null> {
  return readStoredState(store, noticeKey(orderId, ownerId), ({ messageId }) => (typeof messageId === "number" ? messageId : null));
}
