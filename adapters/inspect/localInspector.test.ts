import type { StatelyInspectionEvent } from "@statelyai/inspect";
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createCustomerRuntime } from "../../actors/customerRuntime.ts";
import { openSqliteStore } from "../sqlite/sqliteStore.ts";
import { createInspectorBridge } from "./inspectorBridge.ts";
import { startLocalInspector, type LocalInspector } from "./localInspector.ts";
import { freePort, relayWatcher } from "./testing/recordingInspector.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function started(options: { hidePersonal: boolean }): Promise<{ local: LocalInspector; port: number }> {
  const port = await freePort();
  const local = await startLocalInspector({ port, open: false, ...options });
  cleanups.push(() => local.stop());
  return { local, port };
}

const summary = (events: readonly StatelyInspectionEvent[]) => events.map((event) => `${event.type} ${event.sessionId}`);

describe("the local inspector relay (@statelyai/inspect's server on an ephemeral port)", () => {
  it("relays a dispatched customer event to the inspector page as actor, event and snapshot, with its timers, for the filtered user only", async () => {
    const { local, port } = await started({ hidePersonal: false });
    expect(local.url).toBe(`http://localhost:${port}`);
    const page = await relayWatcher(port);
    cleanups.push(() => page.close());
    const store = await openSqliteStore({ path: ":memory:" });
    cleanups.push(() => store.close());
    const runtime = createCustomerRuntime({ store, observe: createInspectorBridge({ inspector: local.inspector, users: new Set([501]) }).customer });

    await runtime.dispatch(502, { type: "start", key: "a" });
    await runtime.dispatch(501, { type: "start", source: "friend", key: "b" });
    await runtime.dispatch(501, { type: "add_to_cart", productId: "sencha", qty: 1, key: "c" });
    await page.until((events) => events.filter((event) => event.sessionId === "customer-501").length >= 5);

    expect(summary(page.received.filter((event) => event.sessionId.startsWith("customer-")))).toEqual([
      "@xstate.actor customer-501",
      "@xstate.event customer-501",
      "@xstate.snapshot customer-501",
      "@xstate.event customer-501",
      "@xstate.snapshot customer-501",
    ]);
    expect(page.received.filter((event) => event.sessionId === "customer-501")[4]).toMatchObject({ event: { type: "add_to_cart", productId: "sencha" }, snapshot: { value: { funnel: "cart" }, context: { userId: 501, source: "friend" } } });
    expect(summary(page.received.filter((event) => event.sessionId === "timers"))).toContain("@xstate.event timers");
  });

  it("serves the page that embeds the Stately inspector and listens to the relay", async () => {
    const { local, port } = await started({ hidePersonal: true });
    const page = await (await fetch(local.url)).text();
    expect(page).toContain(`ws://localhost:${port}`);
    expect(page).toContain('<iframe id="inspector" src="https://stately.ai/inspect">');
  });

  it("refuses a taken port with a message that says what to do", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    cleanups.push(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const address = taken.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    await expect(startLocalInspector({ port, open: false, hidePersonal: false })).rejects.toThrow(`port ${port} is taken: pass --port (or INSPECT_PORT) with a free one`);
  });
});
