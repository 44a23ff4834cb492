import { deferredRow } from "./pgTriggerSql.ts";

/**
 * PostgreSQL migration 4: the counters nearly every unit touches, one row per stage or bucket (the
 * funnel's counts and dormant counts, the stage-time histogram, lifetime value), are kept by the same
 * trigger functions as migration 2's, now fired at COMMIT. Fired at their statements, a unit held
 * those few rows from its first write to its commit, across its round trips, and units of other
 * processes queued behind it or met it in the other order (a deadlock, found only after
 * `deadlock_timeout`): three processes did less than one (README, P12_procs). The functions read only
 * OLD and NEW, so the counts are the same whenever they run; a unit's own reads never ask for them.
 */
const counterTriggers: readonly (readonly [name: string, event: string, when: string | null, fn: string])[] = [
  ["crm_funnel_dormant_insert", "INSERT ON crm_leads", "NEW.dormant_since IS NOT NULL", "crm_funnel_dormant_write"],
  [
    "crm_funnel_dormant_update",
    "UPDATE OF stage, dormant_since ON crm_leads",
    "(OLD.dormant_since IS NULL) <> (NEW.dormant_since IS NULL) OR (NEW.dormant_since IS NOT NULL AND OLD.stage IS DISTINCT FROM NEW.stage)",
    "crm_funnel_dormant_write",
  ],
  ["crm_funnel_count_insert", "INSERT ON crm_leads", null, "crm_funnel_count_write"],
  ["crm_funnel_count_update", "UPDATE OF stage ON crm_leads", "OLD.stage IS DISTINCT FROM NEW.stage", "crm_funnel_count_write"],
  ["crm_funnel_count_delete", "DELETE ON crm_leads", null, "crm_funnel_count_write"],
  ["crm_stage_time_insert", "INSERT ON crm_leads", null, "crm_stage_time_write"],
  ["crm_stage_time_update", "UPDATE OF stage_entered_at ON crm_leads", "OLD.stage_entered_at IS DISTINCT FROM NEW.stage_entered_at", "crm_stage_time_write"],
  ["crm_stage_time_delete", "DELETE ON crm_leads", null, "crm_stage_time_write"],
  ["crm_ltv_insert", "INSERT ON crm_leads", "NEW.orders_count > 0", "crm_ltv_write"],
  [
    "crm_ltv_update",
    "UPDATE OF orders_count, lifetime_value, source ON crm_leads",
    "OLD.orders_count IS DISTINCT FROM NEW.orders_count OR OLD.lifetime_value IS DISTINCT FROM NEW.lifetime_value OR OLD.source IS DISTINCT FROM NEW.source",
    "crm_ltv_write",
  ],
  ["crm_ltv_delete", "DELETE ON crm_leads", "OLD.orders_count > 0", "crm_ltv_write"],
];

export const pgDeferredCounters = counterTriggers.map(([name, event, when, fn]) => `DROP TRIGGER ${name} ON crm_leads;\n${deferredRow(name, event, when, fn)}`).join("\n");
