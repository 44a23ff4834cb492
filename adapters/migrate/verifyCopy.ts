import { isDeepStrictEqual } from "node:util";
import type { DatabaseSync } from "node:sqlite";
import pg from "pg";
import { replayLog } from "../../actors/customerStepper.ts";
import { customerMachineVersion } from "../../machines/customer.machine.ts";
import { openPostgresStore } from "../postgres/pgStore.ts";
import { pgTypes } from "../postgres/pgTypes.ts";
import { quoteIdent as q, type TablePlan } from "./tablePlan.ts";

/** What the check after the copy found. */
export interface Verified {
  /** Rows per copied table, equal in both stores. */
  readonly counts: ReadonlyMap<string, number>;
  /** Customers replayed from the copy whose snapshot equals the one stored. */
  readonly replayed: number;
}

/** A copy that does not hold what the source does: names the first difference found. */
export class CopyDiffers extends Error {
  override readonly name = "CopyDiffers";
}

async function compareCounts(db: DatabaseSync, url: string, plans: readonly TablePlan[]): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: url, types: pgTypes });
  await client.connect();
  try {
    const counts = new Map<string, number>();
    for (const plan of plans) {
      const source = Number(db.prepare(`SELECT count(*) AS n FROM ${q(plan.table)}`).get()?.["n"] ?? 0);
      const target = Number((await client.query<{ n: number }>(`SELECT count(*)::bigint AS n FROM ${q(plan.table)}`)).rows[0]?.n ?? 0);
      if (source !== target) throw new CopyDiffers(`${plan.table} has ${source} rows in the source and ${target} in the copy (was the shop in use? stop the bots, or copy a file from npm run backup, into an empty database)`);
      counts.set(plan.table, target);
    }
    return counts;
  } finally {
    await client.end();
  }
}

const comparable = (snapshot: unknown): unknown => {
  const parsed = JSON.parse(JSON.stringify(snapshot)) as { value?: unknown; context?: unknown };
  return { value: parsed.value, context: parsed.context };
};

/**
 * Checks the copy: equal row counts per table, then a sample of customers (`sample`, or all when fewer) read
 * through the PostgreSQL store itself (whose open also syncs the lifecycle's zone), their logs replayed to the
 * snapshot stored beside them. Throws `CopyDiffers` naming the first difference.
 */
export async function verifyCopy(db: DatabaseSync, url: string, plans: readonly TablePlan[], sample: number): Promise<Verified> {
  const counts = await compareCounts(db, url, plans);
  const ids = db.prepare(`SELECT user_id FROM crm_leads WHERE erased_at IS NULL AND machine_version = ? ORDER BY random() LIMIT ?`).all(customerMachineVersion, sample);
  const store = await openPostgresStore({ url, poolSize: 2 });
  try {
    for (const row of ids) {
      const userId = Number(row["user_id"]);
      const stored = store.loadActor(userId);
      if (!stored) throw new CopyDiffers(`customer ${userId} has no snapshot in the copy`);
      const replayed = replayLog(userId, store.loadEvents(userId));
      if (!isDeepStrictEqual(comparable(JSON.parse(stored.snapshot)), comparable(replayed))) {
        throw new CopyDiffers(`customer ${userId}'s log in the copy does not replay to their stored snapshot (was the shop in use? stop the bots, or copy a file from npm run backup, into an empty database)`);
      }
    }
  } finally {
    await store.close();
  }
  return { counts, replayed: ids.length };
}
