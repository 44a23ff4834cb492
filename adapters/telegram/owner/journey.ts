import { Composer } from "grammy";
import type { JourneyCursor } from "../../../actors/journey.port.ts";
import type { CrmStore, StoredEvent } from "../../../actors/store.port.ts";
import { journeyScreen, type JourneyPage } from "./journeyScreen.ts";
import type { OwnerContext } from "./ownerContext.ts";
import { onButton, type OwnerKit } from "./ownerKit.ts";
import { crmMenu } from "./ownerScreens.ts";

/** Events a journey page shows: with stage entries and order moves, a page stays within one message. */
export const journeyPageSize = 10;
/** The most orders of one customer the journey knows the status of. */
const journeyOrders = 200;
const newest: JourneyCursor = { before: Number.MAX_SAFE_INTEGER };

/**
 * One page of the journey from seq cursors: a page newer than an event that comes up short (or a
 * cursor off either end, as a forged button has) is the newest page instead. Two one-row probes tell
 * whether there is more either side, and bound the span of time the page stands for.
 */
async function pageEvents(store: CrmStore, userId: number, newer: boolean, seq: number): Promise<Omit<JourneyPage, "lead" | "orders" | "currency">> {
  const cursor: JourneyCursor = newer ? { after: seq } : seq === 0 ? newest : { before: seq };
  let events: readonly StoredEvent[] = await store.eventsBySeq(userId, cursor, journeyPageSize);
  if (events.length === 0 || (newer && events.length < journeyPageSize)) events = await store.eventsBySeq(userId, newest, journeyPageSize);
  const first = events[0];
  const last = events.at(-1);
  const older = first ? (await store.eventsBySeq(userId, { before: first.seq }, 1))[0] : undefined;
  const next = last ? (await store.eventsBySeq(userId, { after: last.seq }, 1))[0] : undefined;
  return {
    events,
    hasOlder: older !== undefined,
    hasNewer: next !== undefined,
    after: older ? older.at : Number.NEGATIVE_INFINITY,
    through: next && last ? last.at : Number.POSITIVE_INFINITY,
  };
}

/** 🕘 The customer's journey from the client card: every event, stage entry and order move, in pages. */
export function journey(kit: OwnerKit): Composer<OwnerContext> {
  const composer = new Composer<OwnerContext>();
  onButton(composer, "jr", async (ctx, [userId, newer, seq]) => {
    const lead = await kit.leadOf(userId);
    if (!lead) {
      await kit.answer(ctx, ctx.t("lead-missing"), true);
      return kit.show(ctx, crmMenu(kit.view(ctx), kit.today()));
    }
    const page = await pageEvents(kit.store, userId, newer, seq);
    const orders = await kit.store.orders(userId, { limit: journeyOrders });
    await kit.answer(ctx);
    await kit.show(ctx, journeyScreen(kit.view(ctx), { ...page, lead, orders: new Map(orders.items.map((order) => [order.orderId, order])), currency: kit.currency }));
  });
  return composer;
}
