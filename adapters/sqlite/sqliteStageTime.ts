import type { DatabaseSync } from "node:sqlite";
import { leavableStages, stageTimeEdges, stageTimeStats } from "../../actors/stageTime.ts";
import type { StageTimeReads } from "../../actors/stageTime.port.ts";
import { stageRank, stages } from "../../machines/customer.types.ts";

const rank = (key: string): string => `(CASE ${key} ${stages.map((stage) => `WHEN '${stage}' THEN ${stageRank[stage]}`).join(" ")} ELSE 0 END)`;
const bucket = (ms: string): string => `(SELECT min(e.bucket) FROM crm_stage_time_edges e WHERE e.upper >= ${ms})`;
const isNumber = "IN ('integer', 'real')";

/**
 * A lead's contributions to the histogram as rows (metric, bucket), the SQL twin of
 * actors/stageTime.ts `contributionsOf`: `dates` is the stage-dates JSON (bad JSON reads as none);
 * with `fromLeads` it is every lead's, for the backfill.
 */
function contributions(dates: string, fromLeads: boolean): string {
  const j = `(CASE WHEN json_valid(${dates}) THEN ${dates} ELSE '{}' END)`;
  const leads = fromLeads ? "crm_leads l, " : "";
  const higher = `FROM json_each(${j}) h WHERE h.type ${isNumber} AND ${rank("h.key")} > ${rank("s.key")}`;
  const inStage = `SELECT s.key AS metric, ${bucket(`(SELECT min(h.value) ${higher}) - s.value`)} AS bucket
    FROM ${leads}json_each(${j}) s
    WHERE s.type ${isNumber} AND s.key IN (${leavableStages.map((stage) => `'${stage}'`).join(", ")}) AND EXISTS (SELECT 1 ${higher})`;
  const has = (stage: string): string => `json_type(${j}, '$.${stage}') ${isNumber}`;
  const firstOrder = `SELECT 'first_order', ${bucket(`json_extract(${j}, '$.customer') - json_extract(${j}, '$.new')`)} ${fromLeads ? "FROM crm_leads l" : ""} WHERE ${has("customer")} AND ${has("new")}`;
  const lead = `SELECT 'lead', 0 ${fromLeads ? "FROM crm_leads l" : ""} WHERE ${has("new")}`;
  return `${inStage} UNION ALL ${firstOrder} UNION ALL ${lead}`;
}

const add = (rows: string, sign: 1 | -1): string =>
  `INSERT INTO crm_stage_time (metric, bucket, n) SELECT metric, bucket, ${sign} * count(*) FROM (${rows}) WHERE true GROUP BY metric, bucket
    ON CONFLICT (metric, bucket) DO UPDATE SET n = n + excluded.n;`;

/**
 * Migration 12: the histogram of time in stage, kept by triggers on the lead's stage dates (which
 * change only when a lead moves up a stage, so an ordinary commit pays nothing), and filled from
 * the leads already there.
 */
export const stageTimeMigration = `
  CREATE TABLE crm_stage_time_edges (bucket INTEGER PRIMARY KEY, upper INTEGER NOT NULL);
  INSERT INTO crm_stage_time_edges (bucket, upper) VALUES ${stageTimeEdges.map((edge, index) => `(${index}, ${edge})`).join(", ")};
  CREATE TABLE crm_stage_time (metric TEXT NOT NULL, bucket INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (metric, bucket)) WITHOUT ROWID;
  CREATE TRIGGER crm_stage_time_insert AFTER INSERT ON crm_leads BEGIN
    ${add(contributions("new.stage_entered_at", false), 1)}
  END;
  CREATE TRIGGER crm_stage_time_update AFTER UPDATE OF stage_entered_at ON crm_leads WHEN old.stage_entered_at IS NOT new.stage_entered_at BEGIN
    ${add(contributions("old.stage_entered_at", false), -1)}
    ${add(contributions("new.stage_entered_at", false), 1)}
  END;
  CREATE TRIGGER crm_stage_time_delete AFTER DELETE ON crm_leads BEGIN
    ${add(contributions("old.stage_entered_at", false), -1)}
  END;
  ${add(contributions("l.stage_entered_at", true), 1)}
`;

/** The statement of the figures, for the query-plan test. */
export const stageTimeSql = "SELECT metric, bucket, n FROM crm_stage_time WHERE n > 0";

/** The time-in-stage figures (actors/stageTime.port.ts) from the histogram: at most a few hundred rows. */
export function sqliteStageTime(db: DatabaseSync, ensureOpen: () => void): StageTimeReads {
  const rows = db.prepare(stageTimeSql);
  return {
    async stageTimes() {
      ensureOpen();
      return stageTimeStats(rows.all().map((row) => ({ metric: String(row["metric"]), bucket: Number(row["bucket"]), n: Number(row["n"]) })));
    },
  };
}
