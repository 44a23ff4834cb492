import type { Pool } from "pg";
import type { StoredActorState } from "../../actors/actorLog.port.ts";
import type { CachedCustomerCheck, UnitPlan } from "../../actors/staleActor.ts";
import type { ActorStore, StoredActor, StoredEvent } from "../../actors/store.port.ts";
import { stages, type Stage } from "../../machines/customer.types.ts";
import { eventColumns, eventFromRow } from "./pgRows.ts";
import { actorEventFromRow } from "./pgTx.ts";
import type { PgUnitState } from "./pgUnitState.ts";

const loadActorsSql = `SELECT u.user_id, l.stage, l.snapshot, l.machine_version, l.last_seq,
  (SELECT coalesce(max(seq), 0) FROM crm_events e WHERE e.user_id = u.user_id) AS log_seq
  FROM unnest($1::bigint[]) AS u(user_id) LEFT JOIN crm_leads l ON l.user_id = u.user_id`;

const asStage = (value: unknown): Stage => ((stages as readonly string[]).includes(String(value)) ? (String(value) as Stage) : "new");

function actorFromRow(row: Record<string, unknown>): StoredActor | undefined {
  if (row["snapshot"] === null || row["snapshot"] === undefined) return undefined;
  return {
    userId: Number(row["user_id"]),
    stage: asStage(row["stage"]),
    snapshot: String(row["snapshot"]),
    machineVersion: Number(row["machine_version"]),
    lastSeq: Number(row["last_seq"]),
    logSeq: Number(row["log_seq"]),
  };
}

function loadActors(state: PgUnitState, userIds: readonly number[]): Map<number, StoredActor | undefined> {
  const found = new Map<number, StoredActor | undefined>();
  for (const row of state.read(loadActorsSql, [userIds])) {
    const userId = Number(row["user_id"]);
    state.knownSeq.set(userId, Number(row["log_seq"]));
    found.set(userId, actorFromRow(row));
  }
  return found;
}


/**
 * The runtime's synchronous reads of actors (customers' and others' logs and states), inside the
 * open unit when there is one: a customer read there is locked first, and what is read becomes
 * what this process knows of their log, which later units check.
 */
export function pgActorReads(
  state: PgUnitState,
  pool: Pool,
  ensureOpen: () => void,
): Pick<ActorStore, "loadActor" | "loadEvents" | "staleActors" | "loadActorState" | "loadActorEvents" | "actorEvents"> & CachedCustomerCheck {
  return {
    loadActor(userId: number): StoredActor | undefined {
      ensureOpen();
      if (state.prefetched.has(userId)) return state.prefetched.get(userId);
      state.current?.lockCustomer(userId, undefined);
      return loadActors(state, [userId]).get(userId);
    },
    loadEvents(userId: number): readonly StoredEvent[] {
      ensureOpen();
      // A customer the unit's preparation found without a single event (a new one): nothing to read.
      if (state.prefetched.has(userId) && state.knownSeq.get(userId) === 0 && !state.appendedTo(userId)) return [];
      state.touchCustomer(userId);
      return state.read(`SELECT ${eventColumns} FROM crm_events WHERE user_id = $1 ORDER BY seq`, [userId]).map(eventFromRow);
    },
    staleActors: () => [],
    cachedCustomerIsCurrent(userId: number) {
      ensureOpen();
      const known = state.knownSeq.get(userId);
      if (known === undefined) return false;
      const [row] = state.read("SELECT coalesce(max(seq), 0) AS seq FROM crm_events WHERE user_id = $1", [userId]);
      return Number(row?.["seq"] ?? 0) === known;
    },
    loadActorState(actor: string): StoredActorState | undefined {
      ensureOpen();
      state.current?.lockActor(actor, undefined);
      const [row] = state.read(
        "SELECT actor, machine_version, snapshot, last_seq, (SELECT coalesce(max(seq), 0) FROM crm_actor_events e WHERE e.actor = $1) AS log_seq FROM crm_actor_states WHERE actor = $1",
        [actor],
      );
      if (!row) return undefined;
      state.knownActorSeq.set(actor, Number(row["log_seq"]));
      return { actor, snapshot: String(row["snapshot"]), machineVersion: Number(row["machine_version"]), lastSeq: Number(row["last_seq"]), logSeq: Number(row["log_seq"]) };
    },
    loadActorEvents(actor: string) {
      ensureOpen();
      state.touchActor(actor);
      return state.read("SELECT seq, actor, type, payload, ts, key FROM crm_actor_events WHERE actor = $1 ORDER BY seq", [actor]).map(actorEventFromRow);
    },
    async actorEvents(actor: string) {
      ensureOpen();
      return (await pool.query("SELECT seq, actor, type, payload, ts, key FROM crm_actor_events WHERE actor = $1 ORDER BY seq", [actor])).rows.map(actorEventFromRow);
    },

  };
}

/**
 * A unit's preparation (actors/staleActor.ts): its customers locked in id order, the cached ones
 * checked, the cold ones fetched, which of its keys are stored, and a block of seqs, in one hop.
 */
export function prepareUnit(state: PgUnitState, plan: UnitPlan): void {
  const unit = state.unit();
  const cold = new Set(plan.cold);
  const ids = [...new Set(plan.userIds)].sort((a, b) => a - b);
  for (const userId of ids) unit.lockCustomer(userId, cold.has(userId) ? undefined : state.knownSeq.get(userId));
  const coldIds = ids.filter((id) => cold.has(id));
  const [actors = [], keys = [], seqs = []] = unit.readAll([
    { sql: loadActorsSql, params: [coldIds] },
    { sql: "SELECT key FROM crm_events WHERE key = ANY($1::text[])", params: [plan.keys] },
    unit.blockRead("crm_events", plan.keys.length + 8),
  ]);
  for (const row of actors) {
    const userId = Number(row["user_id"]);
    state.knownSeq.set(userId, Number(row["log_seq"]));
    state.prefetched.set(userId, actorFromRow(row));
  }
  const stored = new Set(keys.map((row) => String(row["key"])));
  for (const key of plan.keys) state.keysChecked.set(key, stored.has(key));
  unit.installBlock("crm_events", seqs);
}

