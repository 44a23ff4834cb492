import type { DatabaseSync, SQLOutputValue } from "node:sqlite";
import type { ActorLogReads, ActorLogTx, StoredActorEvent } from "../../actors/actorLog.port.ts";
import { redactOrderEventPayload, redactOrderJson } from "../../actors/personalData.ts";

type Row = Record<string, SQLOutputValue>;

function eventFromRow(row: Row): StoredActorEvent {
  let payload: Record<string, unknown> = {};
  try {
    payload = JSON.parse(String(row["payload"])) as Record<string, unknown>;
  } catch {
    // A payload that is not JSON reads as empty, as a customer event's does.
  }
  return { seq: Number(row["seq"]), actor: String(row["actor"]), type: String(row["type"]), payload, at: Number(row["ts"]), key: String(row["key"]) };
}

export interface SqliteActorLog {
  readonly writes: ActorLogTx;
  readonly reads: ActorLogReads;
  /** `/forget` for one actor of the customer (an order): its `order_placed` and its snapshot lose the phone and the delivery details. */
  redactActor(actor: string): void;
}

/**
 * The log and state of actors other than customers (`crm_actor_events`, `crm_actor_states`,
 * migration 8), on the store's connection: a unit of work writes them inside its transaction.
 */
export function sqliteActorLog(db: DatabaseSync, ensureOpen: () => void): SqliteActorLog {
  const sql = {
    append: db.prepare("INSERT INTO crm_actor_events (actor, type, payload, ts, key) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING"),
    byKey: db.prepare("SELECT * FROM crm_actor_events WHERE key = ?"),
    ofActor: db.prepare("SELECT * FROM crm_actor_events WHERE actor = ? ORDER BY seq"),
    saveState: db.prepare(
      `INSERT INTO crm_actor_states (actor, machine_version, snapshot, last_seq) VALUES (?, ?, ?, ?)
       ON CONFLICT (actor) DO UPDATE SET machine_version = excluded.machine_version, snapshot = excluded.snapshot, last_seq = excluded.last_seq`,
    ),
    loadState: db.prepare(
      "SELECT actor, machine_version, snapshot, last_seq, (SELECT max(seq) FROM crm_actor_events e WHERE e.actor = s.actor) AS log_seq FROM crm_actor_states s WHERE actor = ?",
    ),
    rewritePayload: db.prepare("UPDATE crm_actor_events SET payload = ? WHERE seq = ?"),
    rewriteSnapshot: db.prepare("UPDATE crm_actor_states SET snapshot = ? WHERE actor = ?"),
    effectsOf: db.prepare("SELECT key, params FROM crm_effects WHERE actor = ?"),
    rewriteParams: db.prepare("UPDATE crm_effects SET params = ? WHERE key = ?"),
  };

  const loadActorEvents = (actor: string): StoredActorEvent[] => sql.ofActor.all(actor).map(eventFromRow);

  return {
    writes: {
      appendActorEvent(event) {
        const result = sql.append.run(event.actor, event.type, event.payload, event.at, event.key);
        return result.changes === 0 ? null : Number(result.lastInsertRowid);
      },
      actorEventByKey(key) {
        const row = sql.byKey.get(key);
        return row ? eventFromRow(row) : undefined;
      },
      saveActorState(actor, state) {
        sql.saveState.run(actor, state.machineVersion, state.snapshot, state.lastSeq);
      },
    },
    reads: {
      loadActorState(actor) {
        ensureOpen();
        const row = sql.loadState.get(actor);
        if (!row) return undefined;
        return {
          actor,
          snapshot: String(row["snapshot"]),
          machineVersion: Number(row["machine_version"]),
          lastSeq: Number(row["last_seq"]),
          logSeq: Number(row["log_seq"] ?? 0),
        };
      },
      loadActorEvents(actor) {
        ensureOpen();
        return loadActorEvents(actor);
      },
      async actorEvents(actor) {
        ensureOpen();
        return loadActorEvents(actor);
      },
    },
    redactActor(actor) {
      for (const row of sql.ofActor.all(actor)) {
        const event = eventFromRow(row);
        const payload = JSON.stringify(redactOrderEventPayload(event.type, event.payload));
        if (payload !== row["payload"]) sql.rewritePayload.run(payload, event.seq);
      }
      const state = sql.loadState.get(actor);
      if (state) {
        const snapshot = redactOrderJson(String(state["snapshot"]));
        if (snapshot !== state["snapshot"]) sql.rewriteSnapshot.run(snapshot, actor);
      }
      for (const row of sql.effectsOf.all(actor)) {
        const params = redactOrderJson(String(row["params"]));
        if (params !== row["params"]) sql.rewriteParams.run(params, String(row["key"]));
      }
    },
  };
}
