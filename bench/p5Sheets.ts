/**
 * P5: what the Sheets mirror costs Google. Requests per 1,000 lead changes, counted at the Sheets
 * stand-in (bar ≤ 2), and the simulated minutes an initial sync of 100k leads takes under the
 * default 60-requests-a-minute quota (bar ≤ 5, with 0 quota violations).
 */
import { OAuth2Client } from "google-auth-library";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCustomerRuntime, type CustomerRuntime } from "../actors/customerRuntime.ts";
import { createSheetsClient } from "../adapters/sheets/sheetsClient.ts";
import { createSheetsMirror } from "../adapters/sheets/sheetsMirror.ts";
import { startSheetsStandIn } from "../adapters/sheets/testing/sheetsStandIn.ts";
import { simulatedClock } from "../adapters/sheets/testing/simulatedClock.ts";
import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { random, round, type Figure } from "./figures.ts";

const start = Date.parse("2026-11-23T10:00:00Z");

async function world(standInClock: () => number) {
  const dir = mkdtempSync(join(tmpdir(), "crm-bench-p5-"));
  const standIn = await startSheetsStandIn({ spreadsheetId: "bench", now: standInClock });
  const store = await openSqliteStore({ path: join(dir, "crm.sqlite") });
  const runtime = createCustomerRuntime({ store, maxActive: 5_000 });
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: "bench" });
  return {
    standIn,
    store,
    runtime,
    sheets: createSheetsClient({ auth, rootUrl: standIn.rootUrl }),
    async close() {
      await runtime.close();
      await store.close();
      await standIn.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function changes(runtime: CustomerRuntime, count: number, customers: number, seed: number, firstId = 1): Promise<void> {
  const next = random(seed);
  const wave: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const userId = firstId + Math.floor(next() * customers);
    wave.push(runtime.dispatch(userId, { type: "product_view", productId: `p${i % 50}`, key: `p5:${seed}:${i}` }));
    if (wave.length >= 1_000) await Promise.all(wave.splice(0));
  }
  await Promise.all(wave);
  await runtime.settled();
}

/** Requests per 1,000 lead changes once the sheet holds 5,000 leads: 900 to existing leads, 100 new. */
async function requestsPerThousand(): Promise<{ value: number; detail: string }> {
  const sim = simulatedClock(start);
  const w = await world(sim.now);
  try {
    await changes(w.runtime, 10_000, 5_000, 1);
    const mirror = createSheetsMirror({ sheets: w.sheets, spreadsheetId: "bench", outbox: w.store, store: w.store, clock: sim.clock });
    await mirror.drainNow();
    const rounds = 10;
    const before = w.standIn.requests.length;
    for (let round = 0; round < rounds; round++) {
      await changes(w.runtime, 900, 5_000, 100 + round);
      await changes(w.runtime, 100, 100, 200 + round, 100_000 + round * 100);
      await mirror.drainNow();
    }
    const counted = w.standIn.requests.slice(before);
    const apis = new Map<string, number>();
    for (const request of counted) apis.set(request.api, (apis.get(request.api) ?? 0) + 1);
    return {
      value: round(counted.length / rounds, 2),
      detail: `${counted.length} requests for ${rounds} × 1,000 changes (${[...apis].map(([api, n]) => `${api} ${n}`).join(", ")})`,
    };
  } finally {
    await w.close();
  }
}

/** An initial sync of 100k leads under the default quota, on simulated time. */
async function initialSync(): Promise<{ minutes: number; violations: number; detail: string }> {
  const sim = simulatedClock(start);
  const w = await world(sim.now);
  try {
    const leads = 100_000;
    const batch: Promise<unknown>[] = [];
    for (let userId = 1; userId <= leads; userId++) {
      batch.push(w.runtime.dispatch(userId, { type: "start", username: `lead_${userId}`, key: `p5:start:${userId}` }));
      if (batch.length >= 2_000) await Promise.all(batch.splice(0));
    }
    await Promise.all(batch);
    await w.runtime.settled();
    w.standIn.quota({ writesPerMinute: 60, readsPerMinute: 60 });
    const mirror = createSheetsMirror({ sheets: w.sheets, spreadsheetId: "bench", outbox: w.store, store: w.store, clock: sim.clock });
    const t0 = performance.now();
    const report = await mirror.drainNow();
    const rows = w.standIn.sheet("Leads").length - 1;
    // Quota waits and backoff pass on the simulated clock; the requests themselves take real time.
    const minutes = (sim.now() - start + (performance.now() - t0)) / 60_000;
    return {
      minutes: round(minutes, 2),
      violations: w.standIn.quotaViolations,
      detail: `${report.leads.toLocaleString("en")} leads → ${rows.toLocaleString("en")} rows in ${w.standIn.requests.length} requests, ${round(minutes, 2)} simulated min (${round((performance.now() - t0) / 1000, 1)} s real), ${w.standIn.quotaViolations} quota violations`,
    };
  } finally {
    await w.close();
  }
}

export async function p5(): Promise<Figure[]> {
  const perThousand = await requestsPerThousand();
  const sync = await initialSync();
  return [
    { id: "P5", what: "Sheets API requests per 1,000 lead changes (at the stand-in)", value: perThousand.value, unit: "requests", bar: "<= 2", detail: perThousand.detail },
    { id: "P5_sync_min", what: "initial sync of 100k leads at 60 requests/min, simulated minutes", value: sync.minutes, unit: "min", bar: "<= 5", detail: sync.detail },
    { id: "P5_quota_violations", what: "quota violations during that sync", value: sync.violations, unit: "count", bar: "<= 0", detail: "429s the stand-in would have answered" },
  ];
}
