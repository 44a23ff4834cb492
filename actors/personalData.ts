import type { CustomerEventType } from "../machines/customer.types.ts";
import type { StoredOrder } from "./store.port.ts";

/**
 * What `/forget` leaves of an event: the fact that it happened (type, time, counts, amounts),
 * never who or what the customer wrote. Both stores rewrite stored payloads through this, so a
 * replay of the redacted log still gives the same stage, counts and stage dates. What an order
 * bought (`order_created.items`) stays: it is not about who the customer is.
 */
export function redactEventPayload(type: CustomerEventType, payload: Readonly<Record<string, unknown>>): Record<string, unknown> {
  switch (type) {
    case "start": {
      const { username: _username, name: _name, ...rest } = payload;
      return rest;
    }
    case "contact_shared":
      return { ...payload, phone: "" };
    case "search":
      // Kept only with consent; a search without it recorded its count alone.
      return "query" in payload ? { ...payload, query: "" } : { ...payload };
    case "note_added":
    case "delivery_given":
    case "question_asked":
    case "consultant_answered":
      return { ...payload, text: "" };
    case "tags_changed":
      return {};
    default:
      return { ...payload };
  }
}

/** An order after `/forget`: what was bought and for how much stays; the phone and the delivery details go. */
export function redactOrder(order: StoredOrder): StoredOrder {
  return { ...order, phone: null, delivery: null };
}
