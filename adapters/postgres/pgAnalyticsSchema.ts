import { stageRank, stages } from "../../machines/customer.types.ts";
import { leavableStages, stageTimeEdges } from "../../actors/stageTime.ts";
import { pgCohortBackfill, pgCohortSchema } from "./pgCohortSchema.ts";
import { pgLifecycleSchema, pgLtvBackfill } from "./pgLifecycleSchema.ts";
import { afterRow, triggerFunction } from "./pgTriggerSql.ts";

/**
 * PostgreSQL migration 2: the analytics projections of the SQLite store (its migrations 3, 7, 10–15),
 * as tables of the same names and columns kept by PL/pgSQL triggers on `crm_leads`, `crm_orders` and
 * `crm_actor_states`. Each trigger has the WHEN clause of its SQLite twin, evaluated on the row alone,
 * so an ordinary commit (a new event, the same stage dates, a last-seen time in the same week) calls
 * no function. The JSON columns the triggers read (`stage_entered_at`, `tags`) are JSONB; whatever
 * their shape, the rows derived equal SQLite's `json_each` of the same text
 * (adapters/postgres/pgAnalyticsSchema.test.ts holds the twins equal on random writes).
 */

const quoted = (values: readonly string[]): string => values.map((value) => `'${value}'`).join(", ");
const stageList = quoted(stages);
const segmentStage = (row: string): string => `CASE ${row}.stage ${stages.map((stage, index) => `WHEN '${stage}' THEN ${index}`).join(" ")} ELSE 5 END`;

/** Helpers the triggers share: a stage's rank, a JSON value as SQLite's json_each sees its items, an object or nothing. */
const helpers = `
  CREATE FUNCTION crm_stage_rank(stage text) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE stage ${stages.map((stage) => `WHEN '${stage}' THEN ${stageRank[stage]}`).join(" ")} ELSE 0 END $$;
  CREATE FUNCTION crm_json_object(j jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN jsonb_typeof(j) = 'object' THEN j ELSE '{}'::jsonb END $$;
  -- json_each of SQLite: an array's elements, an object's values, a scalar itself; as text, with the JSON type.
  CREATE FUNCTION crm_json_items(j jsonb) RETURNS TABLE (value text, kind text) LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT e #>> '{}', jsonb_typeof(e) FROM jsonb_array_elements(CASE WHEN jsonb_typeof(j) = 'array' THEN j ELSE '[]'::jsonb END) e
    UNION ALL SELECT e.value #>> '{}', jsonb_typeof(e.value) FROM jsonb_each(crm_json_object(j)) e
    UNION ALL SELECT j #>> '{}', jsonb_typeof(j) WHERE jsonb_typeof(j) NOT IN ('array', 'object')
  $$;
  -- A lead's entered stages with a numeric date.
  CREATE FUNCTION crm_stage_dates(j jsonb) RETURNS TABLE (stage text, at numeric) LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT d.key, (d.value)::numeric FROM jsonb_each(crm_json_object(j)) d WHERE jsonb_typeof(d.value) = 'number'
  $$;`;

/** SQLite migration 3: one row per entered stage, rewritten only when the stage dates change. */
const stageMoves = `
  CREATE TABLE crm_stage_moves (
    user_id BIGINT NOT NULL,
    stage   TEXT   NOT NULL,
    at      BIGINT NOT NULL,
    PRIMARY KEY (user_id, stage)
  );
  CREATE INDEX crm_stage_moves_by_stage ON crm_stage_moves (stage, at);
  ${triggerFunction(
    "crm_stage_moves_write",
    `IF TG_OP = 'UPDATE' THEN DELETE FROM crm_stage_moves WHERE user_id = OLD.user_id; END IF;
    INSERT INTO crm_stage_moves (user_id, stage, at)
      SELECT NEW.user_id, d.stage, d.at FROM crm_stage_dates(NEW.stage_entered_at) d WHERE d.stage IN (${stageList});`,
  )}
  ${afterRow("crm_stage_moves_insert", "INSERT ON crm_leads", null, "crm_stage_moves_write")}
  ${afterRow("crm_stage_moves_update", "UPDATE OF stage_entered_at ON crm_leads", "OLD.stage_entered_at IS DISTINCT FROM NEW.stage_entered_at", "crm_stage_moves_write")}`;

const stageMovesBackfill = `
  DELETE FROM crm_stage_moves;
  INSERT INTO crm_stage_moves (user_id, stage, at)
    SELECT l.user_id, d.stage, d.at FROM crm_leads l, crm_stage_dates(l.stage_entered_at) d WHERE d.stage IN (${stageList});`;

/** SQLite migrations 7 and 15: the funnel's counts and dormant counts, from the rows themselves. */
const funnel = `
  ${triggerFunction(
    "crm_funnel_dormant_write",
    `UPDATE crm_funnel SET dormant = dormant - 1 WHERE TG_OP = 'UPDATE' AND stage = OLD.stage AND OLD.dormant_since IS NOT NULL;
    UPDATE crm_funnel SET dormant = dormant + 1 WHERE stage = NEW.stage AND NEW.dormant_since IS NOT NULL;`,
  )}
  ${afterRow("crm_funnel_dormant_insert", "INSERT ON crm_leads", "NEW.dormant_since IS NOT NULL", "crm_funnel_dormant_write")}
  ${afterRow(
    "crm_funnel_dormant_update",
    "UPDATE OF stage, dormant_since ON crm_leads",
    "(OLD.dormant_since IS NULL) <> (NEW.dormant_since IS NULL) OR (NEW.dormant_since IS NOT NULL AND OLD.stage IS DISTINCT FROM NEW.stage)",
    "crm_funnel_dormant_write",
  )}
  ${triggerFunction(
    "crm_funnel_count_write",
    `IF TG_OP <> 'INSERT' THEN UPDATE crm_funnel SET count = count - 1 WHERE stage = OLD.stage; END IF;
    IF TG_OP <> 'DELETE' THEN UPDATE crm_funnel SET count = count + 1 WHERE stage = NEW.stage; END IF;`,
  )}
  ${afterRow("crm_funnel_count_insert", "INSERT ON crm_leads", null, "crm_funnel_count_write")}
  ${afterRow("crm_funnel_count_update", "UPDATE OF stage ON crm_leads", "OLD.stage IS DISTINCT FROM NEW.stage", "crm_funnel_count_write")}
  ${afterRow("crm_funnel_count_delete", "DELETE ON crm_leads", null, "crm_funnel_count_write")}`;

const funnelBackfill = `
  UPDATE crm_funnel f SET count = (SELECT count(*) FROM crm_leads l WHERE l.stage = f.stage),
    dormant = (SELECT count(*) FROM crm_leads l WHERE l.stage = f.stage AND l.dormant_since IS NOT NULL);`;

const flags = (row: string): string =>
  `((${row}.dormant_since IS NOT NULL)::int | ((${row}.phone IS NOT NULL)::int << 1) | ((${row}.blocked_at IS NOT NULL)::int << 2) | ((${row}.unsubscribed_at IS NOT NULL)::int << 3))`;
const consentVersion = (row: string): string => `CASE WHEN ${row}.consent_at IS NOT NULL THEN ${row}.consent_version END`;
const addSource = (condition: string): string => `
    INSERT INTO crm_segment_sources (source) SELECT NEW.source WHERE ${condition}
      AND NOT EXISTS (SELECT 1 FROM crm_segment_sources WHERE source = NEW.source) ON CONFLICT (source) DO NOTHING;`;
const segmentChanged = [
  "OLD.stage IS DISTINCT FROM NEW.stage",
  "OLD.source IS DISTINCT FROM NEW.source",
  "(OLD.dormant_since IS NULL) <> (NEW.dormant_since IS NULL)",
  "OLD.orders_count IS DISTINCT FROM NEW.orders_count",
  "OLD.lifetime_value IS DISTINCT FROM NEW.lifetime_value",
  "OLD.first_seen_at / 1000 IS DISTINCT FROM NEW.first_seen_at / 1000",
  "OLD.last_seen_at / 1000 IS DISTINCT FROM NEW.last_seen_at / 1000",
  "(OLD.phone IS NULL) <> (NEW.phone IS NULL)",
  "OLD.consent_at IS DISTINCT FROM NEW.consent_at",
  "OLD.consent_version IS DISTINCT FROM NEW.consent_version",
  "(OLD.blocked_at IS NULL) <> (NEW.blocked_at IS NULL)",
  "(OLD.unsubscribed_at IS NULL) <> (NEW.unsubscribed_at IS NULL)",
].join(" OR ");

/**
 * SQLite migrations 10–11: each unerased lead's filterable facts in a narrow row (times in whole
 * seconds, the source by number), and its tags one row each. A source new to the dictionary is
 * added with ON CONFLICT DO NOTHING, so two processes adding it at once both commit.
 */
const segments = `
  CREATE TABLE crm_segment_sources (
    id     BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    source TEXT   NOT NULL UNIQUE
  );
  CREATE TABLE crm_segment_leads (
    user_id         BIGINT PRIMARY KEY,
    flags           INTEGER NOT NULL,
    stage           INTEGER NOT NULL,
    last_seen       BIGINT,
    first_seen      BIGINT,
    orders_count    BIGINT NOT NULL,
    lifetime_value  DOUBLE PRECISION NOT NULL,
    source_id       BIGINT,
    consent_version TEXT
  );
  ${triggerFunction(
    "crm_segment_leads_add",
    `${addSource("NEW.source IS NOT NULL")}
    INSERT INTO crm_segment_leads VALUES (NEW.user_id, ${flags("NEW")}, ${segmentStage("NEW")}, NEW.last_seen_at / 1000, NEW.first_seen_at / 1000,
      NEW.orders_count, NEW.lifetime_value, (SELECT id FROM crm_segment_sources WHERE source = NEW.source), ${consentVersion("NEW")});`,
  )}
  ${triggerFunction(
    "crm_segment_leads_change",
    `${addSource("NEW.source IS NOT NULL AND NEW.source IS DISTINCT FROM OLD.source")}
    UPDATE crm_segment_leads SET flags = ${flags("NEW")}, stage = ${segmentStage("NEW")},
      last_seen = NEW.last_seen_at / 1000, first_seen = NEW.first_seen_at / 1000, orders_count = NEW.orders_count,
      lifetime_value = NEW.lifetime_value, consent_version = ${consentVersion("NEW")},
      source_id = CASE WHEN NEW.source IS NOT DISTINCT FROM OLD.source THEN source_id ELSE (SELECT id FROM crm_segment_sources WHERE source = NEW.source) END
    WHERE user_id = NEW.user_id;`,
  )}
  ${triggerFunction("crm_segment_leads_remove", "DELETE FROM crm_segment_leads WHERE user_id = NEW.user_id;")}
  ${afterRow("crm_segment_leads_insert", "INSERT ON crm_leads", "NEW.erased_at IS NULL", "crm_segment_leads_add")}
  ${afterRow("crm_segment_leads_update", "UPDATE ON crm_leads", `NEW.erased_at IS NULL AND (${segmentChanged})`, "crm_segment_leads_change")}
  ${afterRow("crm_segment_leads_erased", "UPDATE OF erased_at ON crm_leads", "NEW.erased_at IS NOT NULL AND OLD.erased_at IS NULL", "crm_segment_leads_remove")}

  CREATE TABLE crm_lead_tags (
    tag     TEXT   NOT NULL,
    user_id BIGINT NOT NULL,
    PRIMARY KEY (tag, user_id)
  );
  ${triggerFunction(
    "crm_lead_tags_write",
    `IF TG_OP = 'UPDATE' THEN
      DELETE FROM crm_lead_tags WHERE user_id = OLD.user_id AND tag IN (SELECT i.value FROM crm_json_items(OLD.tags) i);
    END IF;
    INSERT INTO crm_lead_tags (tag, user_id) SELECT DISTINCT i.value, NEW.user_id FROM crm_json_items(NEW.tags) i
      WHERE i.kind = 'string' AND NOT EXISTS (SELECT 1 FROM crm_lead_tags t WHERE t.tag = i.value AND t.user_id = NEW.user_id);`,
  )}
  ${afterRow("crm_lead_tags_insert", "INSERT ON crm_leads", null, "crm_lead_tags_write")}
  ${afterRow("crm_lead_tags_update", "UPDATE OF tags ON crm_leads", "OLD.tags IS DISTINCT FROM NEW.tags", "crm_lead_tags_write")}`;

const segmentsBackfill = `
  DELETE FROM crm_segment_leads;
  INSERT INTO crm_segment_sources (source) SELECT DISTINCT source FROM crm_leads WHERE source IS NOT NULL AND erased_at IS NULL ON CONFLICT (source) DO NOTHING;
  INSERT INTO crm_segment_leads SELECT user_id, ${flags("l")}, ${segmentStage("l")}, last_seen_at / 1000, first_seen_at / 1000,
      orders_count, lifetime_value, (SELECT id FROM crm_segment_sources s WHERE s.source = l.source), ${consentVersion("l")}
    FROM crm_leads l WHERE erased_at IS NULL;
  DELETE FROM crm_lead_tags;
  INSERT INTO crm_lead_tags (tag, user_id) SELECT DISTINCT i.value, l.user_id FROM crm_leads l, crm_json_items(l.tags) i WHERE i.kind = 'string';`;

/**
 * SQLite migration 12 (adapters/sqlite/sqliteStageTime.ts): the histogram of time in each stage, to
 * the first order, and of leads, as rows (metric, bucket) from a lead's stage dates: the SQL twin of
 * actors/stageTime.ts `contributionsOf`. An update adds the new rows and takes the old out in one
 * statement, which ends as SQLite's two do.
 */
const stageTime = `
  CREATE TABLE crm_stage_time_edges (bucket INTEGER PRIMARY KEY, upper BIGINT NOT NULL);
  INSERT INTO crm_stage_time_edges (bucket, upper) VALUES ${stageTimeEdges.map((edge, index) => `(${index}, ${edge})`).join(", ")};
  CREATE TABLE crm_stage_time (metric TEXT NOT NULL, bucket INTEGER NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (metric, bucket));
  CREATE FUNCTION crm_stage_time_bucket(ms numeric) RETURNS integer LANGUAGE sql STABLE
    AS $$ SELECT min(e.bucket) FROM crm_stage_time_edges e WHERE e.upper >= ms $$;
  CREATE FUNCTION crm_stage_time_rows(j jsonb) RETURNS TABLE (metric text, bucket integer) LANGUAGE sql STABLE AS $$
    WITH d AS (SELECT stage, at, crm_stage_rank(stage) AS rank FROM crm_stage_dates(j))
    SELECT s.stage, crm_stage_time_bucket((SELECT min(h.at) FROM d h WHERE h.rank > s.rank) - s.at)
      FROM d s WHERE s.stage IN (${quoted(leavableStages)}) AND EXISTS (SELECT 1 FROM d h WHERE h.rank > s.rank)
    UNION ALL SELECT 'first_order', crm_stage_time_bucket(c.at - n.at) FROM d c, d n WHERE c.stage = 'customer' AND n.stage = 'new'
    UNION ALL SELECT 'lead', 0 FROM d WHERE d.stage = 'new'
  $$;
  ${triggerFunction(
    "crm_stage_time_write",
    `INSERT INTO crm_stage_time (metric, bucket, n)
      SELECT r.metric, r.bucket, sum(r.sign) FROM (
        SELECT o.metric, o.bucket, -1 AS sign FROM crm_stage_time_rows(CASE WHEN TG_OP <> 'INSERT' THEN OLD.stage_entered_at END) o
        UNION ALL SELECT w.metric, w.bucket, 1 FROM crm_stage_time_rows(CASE WHEN TG_OP <> 'DELETE' THEN NEW.stage_entered_at END) w
      ) r GROUP BY r.metric, r.bucket
      ON CONFLICT (metric, bucket) DO UPDATE SET n = crm_stage_time.n + excluded.n;`,
  )}
  ${afterRow("crm_stage_time_insert", "INSERT ON crm_leads", null, "crm_stage_time_write")}
  ${afterRow("crm_stage_time_update", "UPDATE OF stage_entered_at ON crm_leads", "OLD.stage_entered_at IS DISTINCT FROM NEW.stage_entered_at", "crm_stage_time_write")}
  ${afterRow("crm_stage_time_delete", "DELETE ON crm_leads", null, "crm_stage_time_write")}`;

const stageTimeBackfill = `
  DELETE FROM crm_stage_time;
  INSERT INTO crm_stage_time (metric, bucket, n) SELECT r.metric, r.bucket, count(*) FROM crm_leads l, crm_stage_time_rows(l.stage_entered_at) r GROUP BY r.metric, r.bucket;`;

/**
 * Recomputes every projection that is a function of the rows alone (stage moves, funnel counts,
 * segments, tags, stage time, cohorts, lifetime value) from `crm_leads`, `crm_orders` and
 * `crm_actor_states`: for a copy that loaded those rows with the triggers off. The weekly lifecycle
 * is not among them: it remembers weeks no row keeps, so a copy brings `crm_lifecycle` as it is.
 */
export const pgAnalyticsBackfill = [stageMovesBackfill, funnelBackfill, segmentsBackfill, stageTimeBackfill, pgCohortBackfill, pgLtvBackfill].join("\n");

/** PostgreSQL migration 2: the analytics projections, their triggers, and their backfill from rows already there. */
export const pgAnalyticsSchema = [helpers, stageMoves, funnel, segments, stageTime, pgCohortSchema, pgLifecycleSchema, pgAnalyticsBackfill].join("\n");
