import type { CrmStore } from "../../../actors/store.port.ts";
import { customerActor } from "../../../actors/customerStepper.ts";

const day = 86_400_000;

/**
 * Everything an owner can read of the funnel from a store, for comparing a rebuilt store with a
 * fresh one: the counters, each customer's lead and pending timers, the stage moves of each day's
 * report and of the charts' range, and the time in each stage.
 */
export async function funnelViews(store: CrmStore, userIds: readonly number[], from: number, days: number) {
  const leads = await Promise.all(userIds.map((userId) => store.lead(userId)));
  const timers = userIds.map((userId) => store.timersOf(customerActor(userId)).map(({ sendId, dueAt, key, event }) => ({ sendId, dueAt, key, event })));
  const reports = [];
  for (let i = 0; i < days; i++) {
    const date = new Date(from + i * day).toISOString().slice(0, 10);
    const { stageMoves, newLeads } = await store.dailyStats(date, "Europe/Moscow");
    reports.push({ date, stageMoves, newLeads });
  }
  return {
    funnel: await store.funnel(),
    leads,
    timers,
    reports,
    stageEntries: await store.stageEntries({ from, to: from + days * day }),
    stageTimes: await store.stageTimes(),
  };
}
