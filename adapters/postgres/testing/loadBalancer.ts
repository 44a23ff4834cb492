/**
 * A small round-robin reverse proxy for the three-process test (adapters/postgres/threeProcesses.test.ts),
 * doing what nginx does in front of several `npm start` with `proxy_next_upstream error` (its
 * default): each request goes to the next backend; when a backend refuses the connection (its
 * process is dead, or not listening yet), the same request goes to the next one; a backend whose
 * connection fails after the request was sent (killed while handling it) is not retried, since a
 * POST is not idempotent to a proxy, and the caller gets 502, as when no backend answers at all.
 * Telegram (here the Bot API stand-in) then delivers the update again.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";

/** One answer the balancer gave: when the request came and when it was answered, which backend's port answered (0: none), and the status. */
export interface Forwarded {
  readonly received: number;
  readonly at: number;
  readonly port: number;
  readonly status: number;
}

/** A running balancer: where to send requests, and what it answered. */
export interface LoadBalancer {
  /** `http://127.0.0.1:<port>`: the balancer's own address. */
  readonly url: string;
  /** Every answer, in order. */
  readonly answers: readonly Forwarded[];
  close(): Promise<void>;
}

type Attempt = { readonly status: number; readonly headers: IncomingMessage["headers"]; readonly body: Buffer } | "refused" | "failed";

/** One forward of a buffered request to one backend. */
function forward(port: number, req: IncomingMessage, body: Buffer): Promise<Attempt> {
  return new Promise((resolve) => {
    const upstream = request({ host: "127.0.0.1", port, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${port}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", () => resolve("failed"));
    });
    upstream.on("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED" ? "refused" : "failed"));
    upstream.end(body);
  });
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", reject);
  });
}

/** Starts the balancer on a free loopback port in front of the backends on `ports`, tried round-robin. */
export async function startLoadBalancer(ports: readonly number[]): Promise<LoadBalancer> {
  const answers: Forwarded[] = [];
  let next = 0;
  const answer = (res: ServerResponse, received: number, port: number, status: number, headers: IncomingMessage["headers"] = {}, body: Buffer = Buffer.alloc(0)): void => {
    answers.push({ received, at: Date.now(), port, status });
    const { connection: _connection, "transfer-encoding": _encoding, ...kept } = headers;
    res.writeHead(status, kept).end(body);
  };
  const server: Server = createServer((req, res) => {
    const received = Date.now();
    void (async () => {
      const body = await readAll(req);
      const first = next;
      next = (next + 1) % ports.length;
      for (let tried = 0; tried < ports.length; tried++) {
        const port = ports[(first + tried) % ports.length] ?? 0;
        const outcome = await forward(port, req, body);
        if (outcome === "refused") continue;
        if (outcome === "failed") return answer(res, received, port, 502);
        return answer(res, received, port, outcome.status, outcome.headers, outcome.body);
      }
      answer(res, received, 0, 502);
    })().catch(() => {
      if (!res.headersSent) answer(res, received, 0, 502);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    answers,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
