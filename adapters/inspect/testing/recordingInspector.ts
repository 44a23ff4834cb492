import { createInspector, type StatelyInspectionEvent } from "@statelyai/inspect";
import { createServer } from "node:net";
import { redactContext, redactEvent } from "../personalRedaction.ts";

/**
 * The package's own inspector (`createInspector`) over an adapter that keeps what it is sent, so a
 * test reads the exact Stately inspection events a WebSocket would carry, without a socket.
 */
export function recordingInspector(options: { readonly hidePersonal?: boolean } = {}) {
  const sent: StatelyInspectionEvent[] = [];
  const inspector = createInspector(
    { send: (event) => void sent.push(JSON.parse(JSON.stringify(event)) as StatelyInspectionEvent) },
    options.hidePersonal ? { sanitizeContext: redactContext, sanitizeEvent: redactEvent } : {},
  );
  return {
    inspector,
    sent,
    /** `type sessionId` of each event sent, in order, e.g. `@xstate.actor customer-501`. */
    kinds: (): string[] => sent.map((event) => `${event.type} ${event.sessionId}`),
  };
}

/** A TCP port nothing listens on right now, for a relay under test. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** A WebSocket client of the relay, as the inspector page is: it collects every event relayed to it. */
export async function relayWatcher(port: number) {
  const received: StatelyInspectionEvent[] = [];
  const socket = new WebSocket(`ws://localhost:${port}`);
  socket.addEventListener("message", (message) => {
    if (typeof message.data === "string") received.push(JSON.parse(message.data) as StatelyInspectionEvent);
  });
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve(), { once: true });
    socket.addEventListener("error", () => reject(new Error("the relay refused the watcher")), { once: true });
  });
  return {
    received,
    /** Resolves once `test` holds for what was received, or rejects after `ms`. */
    async until(test: (events: readonly StatelyInspectionEvent[]) => boolean, ms = 5_000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!test(received)) {
        if (Date.now() > deadline) throw new Error(`the relay did not deliver in time; got ${received.length} events`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: (): void => socket.close(),
  };
}
