/**
 * The worker side of the synchronous bridge (syncBridge.ts): one `pg` connection of its own, on
 * which it runs each query the main thread posts, posts the rows back and wakes the main thread,
 * which is blocked in `Atomics.wait` meanwhile. The connection is in `pg`'s pipeline mode: the
 * queries of one message go out together and are answered in order, so a batch costs one round trip.
 */
import { workerData, type MessagePort } from "node:worker_threads";
import pg from "pg";
import { pgTypes } from "./pgTypes.ts";

interface BridgeData {
  readonly url: string;
  /** The server cancels a statement after this long (ms), before the caller's hop gives up on it. */
  readonly statementTimeoutMs: number;
  readonly port: MessagePort;
  readonly signal: SharedArrayBuffer;
}

export interface BridgeRequest {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** One query's outcome: its rows and how many rows it changed, or the server's error. */
export type BridgeResult =
  | { readonly ok: true; readonly rows: readonly Record<string, unknown>[]; readonly rowCount: number; readonly command: string }
  | { readonly ok: false; readonly message: string; readonly code: string | undefined };

const { url, port, signal, statementTimeoutMs } = workerData as BridgeData;
const flag = new Int32Array(signal);

/**
 * The connection, opened again after it was lost (a server restart, a network cut): the query that
 * found it lost failed and told the caller; the next one gets a new connection. Statement names are
 * per connection, so they start again with it.
 */
let client: pg.Client;
let connected: Promise<unknown> | null;
let lost = false;
function connect(): void {
  client = new pg.Client({ connectionString: url, types: pgTypes, pipeline: true, statement_timeout: statementTimeoutMs });
  lost = false;
  names.clear();
  client.on("error", () => {
    lost = true;
  });
  client.on("end", () => {
    lost = true;
  });
  connected = client.connect();
}

function reply(id: number, results: readonly BridgeResult[]): void {
  port.postMessage({ id, results });
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

/** Each statement text gets a name, so the server parses and plans it once per connection rather than per use. */
const names = new Map<string, string>();
connect();
function nameOf(sql: string): string {
  let name = names.get(sql);
  if (name === undefined) {
    name = `crm_${names.size + 1}`;
    names.set(sql, name);
  }
  return name;
}

function failure(error: unknown): BridgeResult {
  const code = (error as { code?: unknown }).code;
  return { ok: false, message: error instanceof Error ? error.message : String(error), code: typeof code === "string" ? code : undefined };
}

/** Sends every request of a message at once and answers with each one's outcome, in order. */
port.on("message", ({ id, requests }: { readonly id: number; readonly requests: readonly BridgeRequest[] }) => {
  void (async () => {
    if (lost) {
      void client.end().catch(() => undefined);
      connect();
    }
    try {
      if (connected) {
        await connected;
        connected = null;
      }
    } catch (error) {
      reply(id, requests.map(() => failure(error)));
      return;
    }
    const settled = await Promise.allSettled(requests.map((request) => client.query({ name: nameOf(request.sql), text: request.sql, values: [...request.params] })));
    reply(id, settled.map((outcome): BridgeResult => (outcome.status === "fulfilled" ? { ok: true, rows: outcome.value.rows, rowCount: outcome.value.rowCount ?? 0, command: outcome.value.command } : failure(outcome.reason))));
  })();
});
