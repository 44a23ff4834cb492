import { stages, type Stage } from "../machines/customer.types.ts";
import type { FunnelStats } from "./store.port.ts";

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);

/**
 * Funnel stats from the number of customers at each stage now, and how many of those are dormant.
 * A stage never falls, so "ever reached stage r" is "now at rank r or above": a suffix sum.
 */
export function funnelFromCounts(
  current: Readonly<Partial<Record<Stage, number>>>,
  dormant: Readonly<Partial<Record<Stage, number>>> = {},
): FunnelStats {
  const reached = new Map<Stage, number>();
  let above = 0;
  for (const stage of [...stages].reverse()) {
    above += current[stage] ?? 0;
    reached.set(stage, above);
  }
  const reachedNew = reached.get("new") ?? 0;
  return {
    total: reachedNew,
    dormant: stages.reduce((sum, stage) => sum + (dormant[stage] ?? 0), 0),
    steps: stages.map((stage, index) => {
      const here = reached.get(stage) ?? 0;
      const previous = index === 0 ? undefined : stages[index - 1];
      return {
        stage,
        current: current[stage] ?? 0,
        reached: here,
        fromPrevious: previous === undefined ? null : ratio(here, reached.get(previous) ?? 0),
        fromNew: ratio(here, reachedNew),
        dormant: dormant[stage] ?? 0,
      };
    }),
  };
}
