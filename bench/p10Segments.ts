import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import type { SegmentFilter } from "../actors/segments.port.ts";
import { median, round, type Figure } from "./figures.ts";
import { dataset } from "./syntheticCrm.ts";

const end = Date.parse("2026-11-01T00:00:00Z");
const day = 86_400_000;
const repeats = 21;
const context = { consentVersion: "v1" };

/**
 * Mixes of three conditions an owner would build, each reading different columns: a stage list,
 * tags, flags, ranges of counts, money and time. The figure is the slowest.
 */
export const segmentMixes: ReadonlyArray<readonly [string, SegmentFilter]> = [
  ["stage+lastSeen+source", { stages: ["cart", "checkout"], lastSeen: { min: end - 30 * day }, sources: ["instagram_ads"] }],
  ["active+phone+orders", { activity: "active", hasPhone: true, ordersCount: { min: 2 } }],
  ["tagAny+consented+dormant", { tags: { any: ["vip", "wholesale"] }, consented: true, activity: "dormant" }],
  ["ltv+firstSeen+notBlocked", { lifetimeValue: { min: 1000 }, firstSeen: { min: end - 90 * day }, blocked: false }],
  ["tagNone+notUnsub+consented", { tags: { none: ["problem"] }, unsubscribed: false, consented: true }],
  ["tagAll+stage+ltvRange", { tags: { all: ["vip", "wholesale"] }, stages: ["customer", "repeat"], lifetimeValue: { min: 500, max: 5000 } }],
];

/** Median milliseconds of `repeats` runs after one warm-up, and what the last run returned. */
async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; result: T }> {
  let result = await run();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    result = await run();
    samples.push(performance.now() - t0);
  }
  return { ms: median(samples), result };
}

/** P10_segment_ms: counting a segment of three conditions at 1M leads (the data set of P3), the slowest of the mixes. */
export async function p10Segments(path?: string): Promise<Figure[]> {
  const file = path ?? dataset({ leads: 1_000_000, eventsPerLead: 10, days: 365, end }, (line) => console.error(line));
  const store = openSqliteStore({ path: file });
  try {
    const perMix: string[] = [];
    let slowest = 0;
    for (const [name, filter] of segmentMixes) {
      const { ms, result } = await timed(() => store.countSegment(filter, context));
      slowest = Math.max(slowest, ms);
      perMix.push(`${name} ${round(ms, 1)} ms (${result.toLocaleString("en")})`);
    }
    const sample = await timed(() => store.sampleSegment(segmentMixes[0]?.[1] ?? {}, context, 5));
    const walk = await timed(() => store.segmentUserIds(segmentMixes[1]?.[1] ?? {}, context, 500_000, 500));
    return [
      { id: "P10_segment_ms", what: "count a segment of 3 conditions at 1M leads (slowest mix)", value: round(slowest, 1), unit: "ms", bar: "<= 100", detail: `median of ${repeats}: ${perMix.join("; ")}` },
      { id: "P10_sample_ms", what: "a segment's sample of 5, most recently seen first", value: round(sample.ms, 1), unit: "ms", bar: null, detail: segmentMixes[0]?.[0] ?? "" },
      { id: "P10_page_ms", what: "a page of 500 recipient ids from a cursor mid-way", value: round(walk.ms, 1), unit: "ms", bar: null, detail: segmentMixes[1]?.[0] ?? "" },
    ];
  } finally {
    await store.close();
  }
}

