import { bySourceRank, type ChartReads, type SourceRevenue } from "../../actors/chartReads.port.ts";
import { bringsRevenue, type StoredOrder } from "../../actors/store.port.ts";
import { stages, type Stage } from "../../machines/customer.types.ts";

/**
 * The charts' reads (actors/chartReads.port.ts) on the JSON store, which keeps everything in
 * memory for small shops: one pass over the orders read model, each customer's source by id.
 */
export function jsonCharts(parts: {
  readonly orders: () => readonly StoredOrder[];
  readonly sourceOf: (userId: number) => string | null;
  readonly hasActor: (orderId: string) => boolean;
  /** How many leads entered each stage in `[from, to)`, as the daily report counts them. */
  readonly stageMoves: (from: number, to: number) => Partial<Record<Stage, number>>;
  readonly ensureOpen: () => void;
}): ChartReads {
  return {
    async revenueBySource({ from, to }) {
      parts.ensureOpen();
      const groups = new Map<string | null, { orders: number; customers: Set<number>; revenue: number }>();
      for (const order of parts.orders()) {
        if (order.at < from || order.at >= to) continue;
        const source = parts.sourceOf(order.userId);
        const group = groups.get(source) ?? { orders: 0, customers: new Set<number>(), revenue: 0 };
        group.orders += 1;
        group.customers.add(order.userId);
        if (bringsRevenue({ ...order, hasActor: parts.hasActor(order.orderId) })) group.revenue += order.total;
        groups.set(source, group);
      }
      const rows: SourceRevenue[] = [...groups].map(([source, group]) => ({ source, orders: group.orders, customers: group.customers.size, revenue: Math.round(group.revenue * 100) / 100 }));
      return rows.sort(bySourceRank);
    },
    async stageEntries({ from, to }) {
      parts.ensureOpen();
      const moves = parts.stageMoves(from, to);
      return Object.fromEntries(stages.map((stage) => [stage, moves[stage] ?? 0])) as Record<Stage, number>;
    },
  };
}
