import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { dayOf } from "../actors/calendar.ts";
import { median, random, round, type Figure } from "./figures.ts";
import { dataset } from "./syntheticCrm.ts";

const end = Date.parse("2026-11-01T00:00:00Z");
const repeats = 21;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  await run();
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await run();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

/** P3: the owner's queries on 1M leads and 10M events, median milliseconds of repeats. */
export async function p3(): Promise<Figure[]> {
  const path = dataset({ leads: 1_000_000, eventsPerLead: 10, days: 365, end }, (line) => console.error(line));
  const store = openSqliteStore({ path });
  const next = random(7);
  try {
    const funnel = await timed(() => store.funnel());
    const searches = ["olga_smirnov", "ОПТОВЫЙ", "перезвонить", "+79990012345", "2345", "vip"];
    const searchMs: number[] = [];
    const perQuery: string[] = [];
    for (const query of searches) {
      const ms = await timed(() => store.search(query, { limit: 10 }));
      searchMs.push(ms);
      perQuery.push(`${query} ${round(ms)}`);
    }
    const lead = await timed(() => store.lead(1 + Math.floor(next() * 1_000_000)));
    const day = dayOf(end - 30 * 86_400_000, "Europe/Moscow");
    const daily = await timed(() => store.dailyStats(day, "Europe/Moscow"));
    const moved = Object.values((await store.dailyStats(day, "Europe/Moscow")).stageMoves).reduce((sum, n) => sum + n, 0);
    const total = (await store.funnel()).total;
    return [
      { id: "P3_funnel_ms", what: "funnel stats at 1M leads / 10M events", value: round(funnel, 3), unit: "ms", bar: "<= 10", detail: `${total.toLocaleString("en")} leads; median of ${repeats}` },
      { id: "P3_search_ms", what: "text search (slowest of 6 kinds of query)", value: round(Math.max(...searchMs), 3), unit: "ms", bar: "<= 10", detail: perQuery.join(", ") },
      { id: "P3_lead_ms", what: "lead by id", value: round(lead, 3), unit: "ms", bar: "<= 2", detail: `median of ${repeats}, random ids` },
      { id: "P3_daily_ms", what: "daily stats for one day (Europe/Moscow)", value: round(daily, 3), unit: "ms", bar: "<= 50", detail: `day ${day}, ${moved.toLocaleString("en")} stage moves; median of ${repeats}` },
    ];
  } finally {
    await store.close();
  }
}
