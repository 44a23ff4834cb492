import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { BridgeRequest, BridgeResult } from "./syncBridgeWorker.ts";

export type { BridgeRequest, BridgeResult } from "./syncBridgeWorker.ts";

/** A query through the bridge failed on the server (or the connection did); `code` is PostgreSQL's SQLSTATE when there is one. */
export class BridgeQueryError extends Error {
  override readonly name = "BridgeQueryError";
  readonly code: string | undefined;

  constructor(message: string, code: string | undefined) {
    super(message);
    this.code = code;
  }
}

/**
 * Synchronous queries against PostgreSQL, for the store port's hot path (loadActor, eventByKey,
 * timerOf...), which returns values, not promises. A worker thread holds a `pg` connection; the
 * caller posts a query and blocks in `Atomics.wait` until the worker has posted the rows back and
 * set a flag in shared memory (the technique of the `synckit` package, written out here: it is
 * forty lines, and it lets several queries share one hop).
 */
export interface SyncBridge {
  /** Runs one statement and returns its rows. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Row[];
  /** Sends several statements at once (one hop, answered in order) and returns each one's outcome; a failed one does not throw. */
  batch(requests: readonly BridgeRequest[]): readonly BridgeResult[];
  close(): Promise<void>;
}

export interface SyncBridgeOptions {
  /** How long one hop may block before it fails (default 30 s): a safety net, never a pace. */
  readonly timeoutMs?: number;
}

/** Starts the worker and its connection; the first query waits for the connection. */
export function openSyncBridge(url: string, options: SyncBridgeOptions = {}): SyncBridge {
  const timeoutMs = options.timeoutMs ?? 30_000;
  // The server gives up on a statement (a lock it waits for) a second before the hop would, so the connection is free again.
  const statementTimeoutMs = timeoutMs >= 5_000 ? timeoutMs - 1_000 : 0;
  const signal = new SharedArrayBuffer(4);
  const flag = new Int32Array(signal);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL("./syncBridgeWorker.ts", import.meta.url), { workerData: { url, port: port2, signal, statementTimeoutMs }, transferList: [port2] });
  worker.unref();
  worker.on("error", () => {
    // The next hop times out or finds the port closed, and says so.
  });
  let closed = false;
  let lastId = 0;

  function batch(requests: readonly BridgeRequest[]): readonly BridgeResult[] {
    if (closed) throw new Error("the PostgreSQL store is closed");
    const id = ++lastId;
    const deadline = Date.now() + timeoutMs;
    Atomics.store(flag, 0, 0);
    port1.postMessage({ id, requests });
    // An answer to an earlier hop that timed out may come first: it is skipped.
    for (;;) {
      const received = receiveMessageOnPort(port1);
      if (received) {
        const reply = received.message as { readonly id: number; readonly results: readonly BridgeResult[] };
        if (reply.id === id) return reply.results;
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(flag, 0, 0, left) === "timed-out") throw new Error(`PostgreSQL did not answer within ${timeoutMs} ms`);
      Atomics.store(flag, 0, 0);
    }
  }

  return {
    query<Row>(sql: string, params: readonly unknown[] = []): Row[] {
      const [result] = batch([{ sql, params }]);
      if (!result) throw new Error("the PostgreSQL bridge lost its answer");
      if (!result.ok) throw new BridgeQueryError(result.message, result.code);
      return result.rows as Row[];
    },
    batch,
    async close() {
      if (closed) return;
      closed = true;
      port1.close();
      await worker.terminate();
    },
  };
}
