import { StaleActorError } from "../../actors/staleActor.ts";
import { BridgeQueryError, type BridgeResult, type SyncBridge } from "./syncBridge.ts";

type Answered = Extract<BridgeResult, { ok: true }>;

/** A buffered write, and what its result must be for the unit to commit (null: anything but an error). */
interface Buffered {
  readonly sql: string;
  readonly params: readonly unknown[];
  /** Says why the unit cannot commit, from the statement's result; undefined when it may. */
  readonly check?: (result: Answered) => UnitFailure | undefined;
}

/**
 * Rows of one kind that a hop sends as one multi-row statement, at the place of the first of them.
 * Only for writes that commute with every other write of a unit in between (an event row, a lead
 * row, a mirror row); rows with the same id never share a statement (a later one starts another).
 */
export interface RowKind {
  readonly name: string;
  /** One statement for the rows, or several run in order (each `check`ed with the last one's result). */
  build(rows: readonly (readonly unknown[])[]): { readonly sql: string; readonly params: readonly unknown[] } | readonly { readonly sql: string; readonly params: readonly unknown[] }[];
  check?(result: Answered, rows: readonly (readonly unknown[])[]): UnitFailure | undefined;
}

interface BufferedRow {
  readonly kind: RowKind;
  readonly id: string;
  readonly row: readonly unknown[];
}

/** Customers' advisory locks, taken one after the other in the order asked (unnest keeps it). */
const customerLocks: RowKind = {
  name: "customer locks",
  build: (rows) => ({ sql: "SELECT pg_advisory_xact_lock(id) FROM unnest($1::bigint[]) AS u(id)", params: [rows.map((row) => row[0])] }),
};

/** Each customer's newest seq against the one this process last saw: a customer whose seq differs makes the unit stale. */
const customerChecks: RowKind = {
  name: "customer checks",
  build: (rows) => ({
    sql: "SELECT u.id, (SELECT coalesce(max(seq), 0) FROM crm_events e WHERE e.user_id = u.id) AS seq FROM unnest($1::bigint[]) AS u(id)",
    params: [rows.map((row) => row[0])],
  }),
  check(result, rows) {
    const expected = new Map(rows.map((row) => [Number(row[0]), Number(row[1])]));
    const stale = result.rows.filter((row) => expected.get(Number(row["id"])) !== Number(row["seq"])).map((row) => Number(row["id"]));
    return stale.length === 0 ? undefined : { kind: "stale", customers: stale, actors: [] };
  },
};

/** Buffered writes as statements: rows of a kind merged into one statement at the first one's place. */
function statementsOf(buffer: readonly (Buffered | BufferedRow)[]): Buffered[] {
  const out: (Buffered | { kind: RowKind; rows: (readonly unknown[])[]; ids: Set<string> })[] = [];
  const open = new Map<string, { kind: RowKind; rows: (readonly unknown[])[]; ids: Set<string> }>();
  for (const item of buffer) {
    if (!("kind" in item)) {
      out.push(item);
      continue;
    }
    let group = open.get(item.kind.name);
    if (!group || group.ids.has(item.id)) {
      group = { kind: item.kind, rows: [], ids: new Set() };
      open.set(item.kind.name, group);
      out.push(group);
    }
    group.rows.push(item.row);
    group.ids.add(item.id);
  }
  return out.flatMap((item): Buffered[] => {
    if (!("rows" in item)) return [item];
    const { kind, rows } = item;
    const built = kind.build(rows);
    const statements = "sql" in built ? [built] : [...built];
    return statements.map(({ sql, params }, index) =>
      kind.check && index === statements.length - 1 ? { sql, params, check: (result: Answered) => kind.check?.(result, rows) } : { sql, params },
    );
  });
}

/** Why a unit rolls back at its end rather than at once: a customer changed elsewhere, or a key stored meanwhile. */
export type UnitFailure =
  | { readonly kind: "stale"; readonly customers: readonly number[]; readonly actors: readonly string[] }
  | { readonly kind: "duplicate"; readonly key: string; readonly customers: readonly number[]; readonly actors: readonly string[] }
  | { readonly kind: "error"; readonly error: Error };

/** The seqs a unit may hand out, taken from a sequence after the locks that were asked for before them. */
interface SeqBlock {
  next: number[];
  /** How many locks had been taken when the block was drawn. */
  readonly afterLocks: number;
}

const blockSql = (table: string): string => `SELECT nextval(pg_get_serial_sequence('${table}', 'seq')) AS seq FROM generate_series(1, $1::int)`;

/**
 * One unit of work on the bridge's connection: a PostgreSQL transaction whose writes are buffered
 * and sent with the next read (or the commit) in one hop, so a read sees the unit's own writes and
 * a unit costs a few round trips however many rows it writes.
 *
 * Per-customer order across processes: the first time a unit touches a customer it takes
 * `pg_advisory_xact_lock(<user id>)` (held until COMMIT or ROLLBACK) and checks that the customer's
 * newest seq is still the one this process last saw (an optimistic version check of the cached
 * snapshot). Seqs come from the table's sequence, drawn after the customer's lock: so a customer's
 * seqs grow in commit order whichever process commits. Other actors (orders) lock on
 * `(7, hashtext(actor))`, a key space apart from the customers'.
 */
export class PgUnit {
  private readonly bridge: SyncBridge;
  private buffer: (Buffered | BufferedRow)[] = [];
  private failure: UnitFailure | undefined;
  private locks = 0;
  private readonly customerLocks = new Map<number, number>();
  private readonly actorLocks = new Map<string, number>();
  private readonly blocks: Record<"crm_events" | "crm_actor_events", SeqBlock | undefined> = { crm_events: undefined, crm_actor_events: undefined };
  /** How many seqs the next block draws; grows as a unit uses them. */
  private blockSize: number;
  private ended = false;

  constructor(bridge: SyncBridge, expectedEvents = 16) {
    this.bridge = bridge;
    this.blockSize = Math.max(16, expectedEvents);
    this.buffer.push({ sql: "BEGIN", params: [] });
  }

  /** Queues a write for the next hop. */
  write(sql: string, params: readonly unknown[], check?: Buffered["check"]): void {
    this.buffer.push(check ? { sql, params, check } : { sql, params });
  }

  /** Queues a row of a kind that the hop merges with the others of its kind (see {@link RowKind}). */
  writeRow(kind: RowKind, id: string, row: readonly unknown[]): void {
    this.buffer.push({ kind, id, row });
  }

  /** Runs a read after the buffered writes, in one hop, and returns its rows. */
  read<Row = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Row[] {
    return (this.readAll([{ sql, params }])[0] ?? []) as Row[];
  }

  /** Runs several reads after the buffered writes, all in one hop, and returns each one's rows. */
  readAll(reads: readonly { readonly sql: string; readonly params: readonly unknown[] }[]): Record<string, unknown>[][] {
    return this.hop(reads).map((result) => {
      if (!result.ok) throw this.failure?.kind === "error" ? this.failure.error : new BridgeQueryError(result.message, result.code);
      return [...result.rows];
    });
  }

  /** The read that draws a block of seqs for `table`, to send with others (see {@link installBlock}). */
  blockRead(table: "crm_events" | "crm_actor_events", size: number): { sql: string; params: unknown[] } {
    this.blockSize = Math.max(this.blockSize, size);
    return { sql: blockSql(table), params: [this.blockSize] };
  }

  /** Uses the rows of {@link blockRead} as the table's block, drawn after every lock taken so far. */
  installBlock(table: "crm_events" | "crm_actor_events", rows: readonly Record<string, unknown>[]): void {
    this.blocks[table] = { next: rows.map((row) => Number(row["seq"])), afterLocks: this.locks };
  }

  /** Locks a customer for the rest of the unit; with `expectedSeq`, the unit fails unless their log still ends there. */
  lockCustomer(userId: number, expectedSeq: number | undefined): void {
    if (this.customerLocks.has(userId)) return;
    this.customerLocks.set(userId, ++this.locks);
    this.writeRow(customerLocks, String(userId), [userId]);
    if (expectedSeq !== undefined) this.writeRow(customerChecks, String(userId), [userId, expectedSeq]);
  }

  /** The same for another actor (an order), by its address. */
  lockActor(actor: string, expectedSeq: number | undefined): void {
    if (this.actorLocks.has(actor)) return;
    this.actorLocks.set(actor, ++this.locks);
    this.write("SELECT pg_advisory_xact_lock(7, hashtext($1))", [actor]);
    if (expectedSeq === undefined) return;
    this.write("SELECT coalesce(max(seq), 0) AS seq FROM crm_actor_events WHERE actor = $1", [actor], (result) =>
      Number(result.rows[0]?.["seq"] ?? 0) === expectedSeq ? undefined : { kind: "stale", customers: [], actors: [actor] },
    );
  }

  /** The next seq of a customer's log (`crm_events`) or another actor's (`crm_actor_events`), drawn after that one's lock. */
  nextSeq(table: "crm_events" | "crm_actor_events", lockIndex: number): number {
    let block = this.blocks[table];
    if (!block || block.next.length === 0 || block.afterLocks < lockIndex) {
      const rows = this.read(blockSql(table), [this.blockSize]);
      this.blockSize = Math.min(this.blockSize * 2, 8192);
      block = { next: rows.map((row) => Number(row["seq"])), afterLocks: this.locks };
      this.blocks[table] = block;
    }
    const seq = block.next.shift();
    if (seq === undefined) throw new Error("PostgreSQL gave no seq");
    return seq;
  }

  /** Which lock (in the order taken) holds this customer: 0 for none. */
  customerLock(userId: number): number {
    return this.customerLocks.get(userId) ?? 0;
  }

  actorLock(actor: string): number {
    return this.actorLocks.get(actor) ?? 0;
  }

  /** Marks the unit failed (it rolls back at its end), keeping the first reason. */
  fail(failure: UnitFailure): void {
    this.failure ??= failure;
  }

  /**
   * Sends what is buffered and COMMITs, or ROLLs BACK and throws why it could not. The writes go in
   * one hop and COMMIT in the next, so that a failed check never commits the writes before it.
   */
  commit(): void {
    if (this.buffer.length > 0) this.hop([]);
    if (this.failure) {
      this.rollback();
      throw failureError(this.failure);
    }
    this.ended = true;
    const [result] = this.bridge.batch([{ sql: "COMMIT", params: [] }]);
    if (!result?.ok) throw new BridgeQueryError(result?.message ?? "COMMIT got no answer", result?.ok === false ? result.code : undefined);
    // COMMIT of a transaction that failed answers ROLLBACK rather than an error.
    if (result.command === "ROLLBACK") throw new Error("PostgreSQL rolled the unit back");
  }

  /** Ends the transaction without keeping anything (a hop of its own; nothing buffered is sent). Once only. */
  rollback(): void {
    if (this.ended) return;
    this.ended = true;
    this.buffer = [];
    this.bridge.batch([{ sql: "ROLLBACK", params: [] }]);
  }

  private hop(reads: readonly { readonly sql: string; readonly params: readonly unknown[] }[]): BridgeResult[] {
    const sent = statementsOf(this.buffer);
    this.buffer = [];
    const results = this.bridge.batch([...sent.map(({ sql, params }) => ({ sql, params })), ...reads]);
    sent.forEach((buffered, index) => {
      const result = results[index];
      if (!result) this.fail({ kind: "error", error: new Error("PostgreSQL did not answer a buffered write") });
      else if (!result.ok) this.fail({ kind: "error", error: new BridgeQueryError(result.message, result.code) });
      else {
        const failure = buffered.check?.(result);
        if (failure) this.fail(failure);
      }
    });
    return reads.map((_, index) => results[sent.length + index] ?? { ok: false, message: "PostgreSQL did not answer a read", code: undefined });
  }
}

/** The error a failed unit rejects with: a stale or raced customer is retried by the runtime; anything else is the caller's. */
function failureError(failure: UnitFailure): Error {
  if (failure.kind === "error") return failure.error;
  const what = failure.kind === "stale" ? "changed by another process" : `already stored the key ${failure.key}`;
  return new StaleActorError(failure.customers, failure.actors, what);
}
