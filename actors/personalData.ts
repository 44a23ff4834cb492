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

/** The order's fields that say who the customer is and where they live. */
const orderContactFields = ["phone", "delivery"] as const;

/** A copy of `record` with the order's contact fields that it has set to null; the others as they were. */
function withoutContact(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const result = { ...record };
  for (const field of orderContactFields) if (field in result) result[field] = null;
  return result;
}

/**
 * What `/forget` leaves of an event in an order actor's log: `order_placed` loses the phone and the
 * delivery details, as the order row does (`redactOrder`); a replay then gives the redacted snapshot.
 */
export function redactOrderEventPayload(type: string, payload: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return type === "order_placed" ? withoutContact(payload) : { ...payload };
}

/**
 * An order actor's persisted snapshot (or an effect's params) after `/forget`: the phone and the
 * delivery details of its context (or of the params) become null. Text that is not a JSON object is returned as it was.
 */
export function redactOrderJson(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return text;
  const record = withoutContact(value as Record<string, unknown>);
  const context = record["context"];
  if (typeof context === "object" && context !== null && !Array.isArray(context)) record["context"] = withoutContact(context as Record<string, unknown>);
  return JSON.stringify(record);
}
