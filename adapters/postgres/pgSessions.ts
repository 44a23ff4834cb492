import type { Pool } from "pg";
import type { SessionStore } from "../../actors/store.port.ts";

/**
 * Bot sessions on the pool. Writes of one turn of the event loop go in one statement each for
 * upserts and deletes (the last write of a key wins), flushes one after the other, so two writes
 * of a key land in the order made even though the pool has several connections; a read sees a
 * write still queued. Each promise resolves once its write is committed.
 */
export function pgSessions(pool: Pool, ensureOpen: () => void, clock: { now(): number }): SessionStore & { flush(): Promise<void>; drop(keys: readonly string[]): void } {
  const queued = new Map<string, string | null>();
  let waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  let chain: Promise<void> = Promise.resolve();

  async function write(writes: readonly (readonly [string, string | null])[]): Promise<void> {
    const upserts = writes.filter((entry): entry is readonly [string, string] => entry[1] !== null);
    const deletes = writes.filter(([, value]) => value === null).map(([key]) => key);
    if (upserts.length > 0) {
      await pool.query(
        `INSERT INTO crm_sessions (key, value, updated_at) SELECT k, v, $3 FROM unnest($1::text[], $2::text[]) AS u(k, v)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        [upserts.map(([key]) => key), upserts.map(([, value]) => value), clock.now()],
      );
    }
    if (deletes.length > 0) await pool.query("DELETE FROM crm_sessions WHERE key = ANY($1::text[])", [deletes]);
  }

  function flush(): Promise<void> {
    const writes = [...queued];
    const settle = waiters;
    queued.clear();
    waiters = [];
    chain = chain.then(
      () => write(writes).then(() => settle.forEach((waiter) => waiter.resolve()), (error: unknown) => settle.forEach((waiter) => waiter.reject(error))),
    );
    return chain;
  }

  function queue(key: string, value: string | null): Promise<void> {
    ensureOpen();
    queued.delete(key);
    queued.set(key, value);
    return new Promise<void>((resolve, reject) => {
      waiters.push({ resolve, reject });
      if (waiters.length === 1) setImmediate(() => void flush());
    });
  }

  return {
    async readSession(key) {
      ensureOpen();
      if (queued.has(key)) return queued.get(key) ?? undefined;
      await chain;
      const { rows } = await pool.query("SELECT value FROM crm_sessions WHERE key = $1", [key]);
      return rows[0] === undefined ? undefined : String(rows[0]["value"]);
    },
    writeSession: (key, value) => queue(key, value),
    deleteSession: (key) => queue(key, null),
    flush: () => (waiters.length > 0 ? flush() : chain),
    /** Drops queued writes of these keys (`/forget` deletes them in its unit): no copy outlives the erasure. */
    drop(keys) {
      for (const key of keys) queued.delete(key);
    },
  };
}
