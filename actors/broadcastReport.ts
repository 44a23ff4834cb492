import { orderActor, type ActorLogReads } from "./actorLog.port.ts";
import type { BroadcastSnapshot } from "./broadcastActor.ts";
import { stateOf } from "./broadcastActor.ts";
import type { BroadcastStore, RecipientCounts } from "./broadcastStore.port.ts";
import type { BroadcastProgress, BroadcastReport, BroadcastStatus } from "./broadcasts.port.ts";
import { bringsRevenue, type CrmQueries } from "./store.port.ts";

/** What a report reads: the recipients, their orders, and whether an order has an actor (one placed before orders were actors counts at once). */
type ReportStore = { readonly broadcasts: BroadcastStore } & Pick<CrmQueries, "orders"> & Pick<ActorLogReads, "loadActorState">;

/** Orders count toward a broadcast when placed within this long after its message reached the customer. */
export const attributionWindowMs = 72 * 60 * 60 * 1000;

/** The port's status of a broadcast's state (`new` never shows: a broadcast exists from its first event). */
export function statusOf(snapshot: BroadcastSnapshot): BroadcastStatus {
  const state = stateOf(snapshot);
  return state === null || state === "new" ? "scheduled" : state;
}

/** What the progress message shows, from the broadcast's snapshot and its recipients' counts. */
export function progressOf(snapshot: BroadcastSnapshot, counts: RecipientCounts, live: { readonly now: number; readonly perSecond: number; readonly heldUntil: number }): BroadcastProgress {
  const { context } = snapshot;
  const status = statusOf(snapshot);
  const left = counts.byState.pending + counts.byState.sending;
  const held = Math.max(live.heldUntil, context.pausedUntil ?? 0);
  const pausedUntil = status === "sending" && held > live.now ? held : null;
  const eta = status === "sending" ? Math.max(live.now, pausedUntil ?? 0) + Math.ceil((left * 1000) / live.perSecond) : null;
  return {
    id: context.id,
    status,
    total: status === "scheduled" ? 0 : Math.max(context.total, counts.total),
    sent: counts.byState.sent,
    blocked: counts.byState.blocked,
    failed: counts.byState.failed,
    skipped: counts.byState.skipped,
    left,
    startAt: context.startedAt ?? context.startAt,
    eta,
    pausedUntil,
  };
}

/**
 * The orders placed by the broadcast's recipients within 72 h of their message, and the revenue of
 * those that brought money in (`bringsRevenue`: paid, or delivered when paid on delivery). Walks
 * the delivered recipients a page at a time, each one's orders newest first.
 */
export async function attributedOrders(store: ReportStore, id: string): Promise<{ orders: number; revenue: number }> {
  let orders = 0;
  let revenue = 0;
  let cursor = 0;
  for (;;) {
    const page = store.broadcasts.recipients(id, ["sent"], cursor, 500);
    if (page.length === 0) break;
    cursor = page.at(-1)?.userId ?? cursor;
    for (const recipient of page) {
      const sentAt = recipient.at ?? 0;
      const placed = await store.orders(recipient.userId, { limit: 100 });
      for (const order of placed.items) {
        if (order.at < sentAt || order.at >= sentAt + attributionWindowMs) continue;
        orders += 1;
        if (bringsRevenue({ ...order, hasActor: store.loadActorState(orderActor(order.orderId)) !== undefined })) revenue += order.total;
      }
    }
  }
  return { orders, revenue: Math.round(revenue * 100) / 100 };
}

/** The report: the progress, failures by reason, the attributed orders, and the window of possible duplicates. */
export async function reportOf(
  store: ReportStore,
  snapshot: BroadcastSnapshot,
  progress: BroadcastProgress,
  counts: RecipientCounts,
): Promise<BroadcastReport> {
  const attributed = await attributedOrders(store, snapshot.context.id);
  return { ...progress, failures: { ...counts.reasons }, ...attributed, inFlightAtCrashes: snapshot.context.inFlightAtCrashes };
}
