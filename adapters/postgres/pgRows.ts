import type { Pool } from "pg";
import type { Lead } from "../../actors/store.port.ts";
import { stages } from "../../machines/customer.types.ts";
import { leadFromRow as leadOfRow } from "../storeRows.ts";

/** What the read side needs of `pg`: a pool (or a client) that runs one statement with bound values. */
export type PgQueryable = Pick<Pool, "query">;

/** A row as `pg` returns it: BIGINT and NUMERIC as text, JSONB already parsed, DOUBLE PRECISION and INTEGER as numbers. */
export type PgRow = Record<string, unknown>;

/** Runs one statement and returns its rows. */
export async function rowsOf(pool: PgQueryable, text: string, values: readonly unknown[] = []): Promise<PgRow[]> {
  const result = await pool.query<PgRow>(text, [...values]);
  return result.rows;
}

export { eventColumns, eventFromRow, jsonOr, leadColumns, messageFromRow, num, numOrNull, strOrNull } from "../storeRows.ts";

/**
 * The stage dates in the order the stages were entered, as the runtime wrote them: JSONB keeps an
 * object's keys in an order of its own, and a stage is only ever entered after the ones below it.
 */
function stageDates(dates: Record<string, number>): Lead["stageEnteredAt"] {
  const rank = (key: string): number => {
    const index = (stages as readonly string[]).indexOf(key);
    return index === -1 ? stages.length : index;
  };
  return Object.fromEntries(Object.entries(dates).sort(([a], [b]) => rank(a) - rank(b)));
}

/** A row of `crm_leads` as the port returns it (storeRows.ts), its stage dates back in the order they were entered. */
export function leadFromRow(row: PgRow): Lead {
  const lead = leadOfRow(row);
  return { ...lead, stageEnteredAt: stageDates(lead.stageEnteredAt) };
}

/** A LIMIT of "no limit" (null) or a whole number ≥ 0, as the SQLite store reads `limit`. */
export const limitOrAll = (limit: number | undefined): number | null => (limit === undefined ? null : Math.max(0, Math.floor(limit)));
