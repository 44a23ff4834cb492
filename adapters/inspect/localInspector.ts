import { createWebSocketInspector } from "@statelyai/inspect";
import { createInspectorServer } from "@statelyai/inspect/server";
import { connect, createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { redactContext, redactEvent } from "./personalRedaction.ts";

/** Options for {@link startLocalInspector}. */
export interface LocalInspectorOptions {
  /** The relay's port, HTTP and WebSocket on one (the package's default is 8080). */
  readonly port: number;
  /** Let the package open the page in the default browser (it runs `xdg-open`/`open`/`start`). */
  readonly open: boolean;
  /** Hide names, phones, addresses and typed texts from the inspector (see `personalRedaction.ts`). */
  readonly hidePersonal: boolean;
}

/** A running local inspector: the page to open, the inspector to send to, and how to stop both. */
export interface LocalInspector {
  /** The page that embeds the Stately inspector and feeds it this process's events. */
  readonly url: string;
  readonly inspector: ReturnType<typeof createWebSocketInspector>;
  stop(): Promise<void>;
}

/** Refuses a taken port with a clear message; the package's server would crash the process on it instead. */
async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === "EADDRINUSE" ? `port ${port} is taken: pass --port (or INSPECT_PORT) with a free one` : `port ${port}: ${error.message}`)),
    );
    probe.listen(port, () => probe.close(() => resolve()));
  });
}

async function waitForListening(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await sleep(20);
  }
  throw new Error(`the inspector relay did not start listening on port ${port}`);
}

/**
 * Starts @statelyai/inspect's local relay (`createInspectorServer`: a page at `http://localhost:<port>`
 * that embeds the Stately inspector, and a WebSocket relay on the same port) and connects a
 * WebSocket inspector to it. Events sent before the page is opened wait in the relay, which keeps
 * the last 200; narrow with a user filter, or open the page first.
 */
export async function startLocalInspector(options: LocalInspectorOptions): Promise<LocalInspector> {
  await assertPortFree(options.port);
  const server = createInspectorServer({ port: options.port, autoOpen: options.open });
  await waitForListening(options.port);
  const inspector = createWebSocketInspector({
    url: `ws://localhost:${options.port}`,
    // Everything sent before the socket opens is kept, not only the last 200.
    maxDeferredEvents: 100_000,
    ...(options.hidePersonal ? { sanitizeContext: redactContext, sanitizeEvent: redactEvent } : {}),
  });
  return {
    url: `http://localhost:${options.port}`,
    inspector,
    async stop() {
      // Let frames still queued on the socket go out before it closes.
      await sleep(100);
      inspector.stop();
      server.stop();
    },
  };
}
