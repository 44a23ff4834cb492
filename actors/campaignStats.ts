import type { CampaignEventReads } from "./campaignStats.port.ts";
import { bringsRevenue, type CrmQueries, type StoredEvent } from "./store.port.ts";

const hour = 3_600_000;

/** The automatic campaigns whose figures are shown: the cart reminder, the second one, and the win-back. */
export const campaignNames = ["cartReminder", "secondReminder", "winBack"] as const;
export type CampaignName = (typeof campaignNames)[number];

/**
 * How each campaign's message is found in the log, and what counts as its success: an order within
 * 48 h of a reminder recovers the cart; a dormant customer who comes back (`reactivated`) within 7
 * days of the win-back was reactivated by it, and an order within those 7 days is its revenue.
 */
export const campaignAttribution = {
  cartReminder: { sent: "reminder_sent", success: "order_created", windowMs: 48 * hour },
  secondReminder: { sent: "second_reminder_sent", success: "order_created", windowMs: 48 * hour },
  winBack: { sent: "winback_sent", success: "reactivated", windowMs: 7 * 24 * hour },
} as const;

export interface CampaignFigures {
  /** Messages that reached customers in the period. */
  readonly sent: number;
  /** Carts recovered (reminders) or customers reactivated (win-back) after those messages. */
  readonly converted: number;
  /** Orders placed within the window after a message (each order counted once per campaign). */
  readonly orders: number;
  /** The totals of those orders that brought money in (paid, or delivered when paid on delivery; not cancelled or refunded). */
  readonly revenue: number;
}

export type CampaignStats = Readonly<Record<CampaignName, CampaignFigures>>;

type Reads = CampaignEventReads & Pick<CrmQueries, "order">;

async function figuresOf(store: Reads, name: CampaignName, sent: readonly StoredEvent[]): Promise<CampaignFigures> {
  const { success, windowMs } = campaignAttribution[name];
  let converted = 0;
  const orders = new Map<string, number>();
  for (const message of sent) {
    const until = message.at + windowMs;
    const hit = await store.firstEventAfter(message.userId, message.seq, success, until);
    if (hit) converted++;
    const order = success === "order_created" ? hit : await store.firstEventAfter(message.userId, message.seq, "order_created", until);
    const orderId = order ? String(order.payload["orderId"] ?? "") : "";
    if (orderId === "" || orders.has(orderId)) continue;
    const row = await store.order(orderId);
    orders.set(orderId, row && bringsRevenue(row) ? row.total : 0);
  }
  const revenue = Math.round([...orders.values()].reduce((sum, total) => sum + total, 0) * 100) / 100;
  return { sent: sent.length, converted, orders: orders.size, revenue };
}

/**
 * Each campaign's figures for the messages sent within `[from, to)`. What happened after a message
 * is counted even past `to` (a reminder sent at 23:00 whose cart was bought the next morning counts
 * on the day of the reminder), so a day's figures can still grow for 48 h (7 days for the win-back).
 */
export async function campaignStats(store: Reads, range: { readonly from: number; readonly to: number }): Promise<CampaignStats> {
  const types = campaignNames.map((name) => campaignAttribution[name].sent);
  const sent = await store.eventsOfTypes(types, range);
  const entries = await Promise.all(campaignNames.map(async (name) => [name, await figuresOf(store, name, sent.filter((event) => event.type === campaignAttribution[name].sent))] as const));
  return Object.fromEntries(entries) as Record<CampaignName, CampaignFigures>;
}
