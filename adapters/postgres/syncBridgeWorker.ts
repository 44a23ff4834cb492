/**
 * The worker side of the synchronous bridge (syncBridge.ts): one `pg` connection of its own, on
 * which it runs each query the main thread posts, posts the rows back and wakes the main thread,
 * which is blocked in `Atomics.wait` meanwhile. Queries run one at a time, in the order posted.
 */
import { workerData, type MessagePort } from "node:worker_threads";
import pg from "pg";
import { pgTypes } from "./pgTypes.ts";

interface BridgeData {
  readonly url: string;
  readonly port: MessagePort;
  readonly signal: SharedArrayBuffer;
}

export interface BridgeRequest {
  readonly sql: string;
  readonly params: readonly unknown[];
}

export type BridgeReply =
  | { readonly ok: true; readonly rows: readonly Record<string, unknown>[][] }
  | { readonly ok: false; readonly message: string; readonly code: string | undefined };

const { url, port, signal } = workerData as BridgeData;
const flag = new Int32Array(signal);
const client = new pg.Client({ connectionString: url, types: pgTypes });
let connected: Promise<unknown> | null = client.connect();
client.on("error", () => {
  // A lost connection fails the next query, which tells the main thread.
});

function reply(message: BridgeReply): void {
  port.postMessage(message);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

/** Runs each request in turn; several requests in one message answer with one list of row sets, in order. */
port.on("message", (requests: readonly BridgeRequest[]) => {
  void (async () => {
    try {
      if (connected) {
        await connected;
        connected = null;
      }
      const rows: Record<string, unknown>[][] = [];
      for (const request of requests) rows.push((await client.query({ text: request.sql, values: [...request.params] })).rows);
      reply({ ok: true, rows });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      reply({ ok: false, message: error instanceof Error ? error.message : String(error), code: typeof code === "string" ? code : undefined });
    }
  })();
});
