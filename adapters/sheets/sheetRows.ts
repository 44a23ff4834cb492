import type { Lead, StoredOrder } from "../../actors/store.port.ts";

/** The "Leads" sheet's columns, in the order of SPEC.md; the header row is written as is. */
export const leadColumns = [
  "user_id",
  "username",
  "first_seen_at",
  "last_seen_at",
  "stage",
  "orders_count",
  "lifetime_value",
  "last_order_id",
  "consent_at",
  "consent_version",
  "phone",
  "tags",
  "notes",
] as const;

/** The "Orders" sheet's columns; `status` and `paid_at` follow the order's actor (docs/orders.md), after the columns of older sheets. */
export const orderColumns = ["order_id", "user_id", "items", "total", "currency", "time", "status", "paid_at"] as const;

/** The last column's letter of a sheet with `count` columns (13 → M). */
export function lastColumn(count: number): string {
  let n = count;
  let letters = "";
  while (n > 0) {
    const rest = (n - 1) % 26;
    letters = String.fromCharCode(65 + rest) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

const iso = (at: number | null): string => (at === null ? "" : new Date(at).toISOString());

/**
 * Cells are written with `valueInputOption: RAW`, so Sheets stores text as given and never reads a
 * customer's "=HYPERLINK(…)" or a phone's leading "+" as a formula.
 */
const plain = (text: string | null): string => text ?? "";

/**
 * A lead as one row of the "Leads" sheet: ISO dates, tags and notes as readable text. A customer
 * who used /forget has no username, phone, notes or tags left, so their row is blanked too.
 */
export function leadRow(lead: Lead): string[] {
  return [
    String(lead.userId),
    plain(lead.username),
    iso(lead.firstSeenAt),
    iso(lead.lastSeenAt),
    lead.stage,
    String(lead.ordersCount),
    String(lead.lifetimeValue),
    plain(lead.lastOrderId),
    iso(lead.consentAt),
    plain(lead.consentVersion),
    plain(lead.phone),
    lead.tags.join(", "),
    plain(lead.notes.map((note) => `${iso(note.at).slice(0, 16).replace("T", " ")}: ${note.text}`).join("\n")),
  ];
}

/** An order as one row of the "Orders" sheet: where it is now, and when it was paid (empty until then). */
export function orderRow(order: StoredOrder): string[] {
  return [
    plain(order.orderId),
    String(order.userId),
    plain(order.items.map((item) => `${item.title} × ${item.qty}`).join("; ")),
    String(order.total),
    order.currency,
    iso(order.at),
    order.status,
    iso(order.paidAt),
  ];
}
