import { describe, expect, it } from "vitest";
import { inspectOptions } from "./inspectOptions.ts";
import { runInspect } from "./runInspect.ts";
import { freePort, relayWatcher } from "./testing/recordingInspector.ts";

describe("npm run inspect", () => {
  it("plays the demo's day into the local inspector: the customer's actor, their orders, timers and effects, the owner's flows about them, and a poke from the terminal", async () => {
    const port = await freePort();
    const parsed = inspectOptions(["--exit", "--user", "501", "--port", String(port), "--customers", "12"], {});
    if (!parsed.ok) throw new Error(parsed.problem);
    const lines: string[] = [];
    let page: Awaited<ReturnType<typeof relayWatcher>> | undefined;
    // The page is open before the day starts, as `ready` waits for on a terminal: it gets every event, not the relay's last 200.
    const session = await runInspect(parsed.options, { write: (text) => lines.push(text), ready: async () => void (page = await relayWatcher(port)) });
    try {
      if (!page) throw new Error("the day started before the page was open");
      const seen = page;
      await seen.until((events) => events.some((event) => event.sessionId === "owner-1-aiSummary" && event.type === "@xstate.snapshot"));
      seen.close();

      const actors = seen.received.filter((event) => event.type === "@xstate.actor").map((event) => event.sessionId);
      expect(actors).toEqual(expect.arrayContaining(["customer-501", "timers", "effects", "owner-1-ownerNavigation", "owner-1-ownerNote", "owner-1-ownerTags", "owner-1-aiSummary"]));
      expect(seen.received.filter((event) => event.sessionId.startsWith("customer-") && event.sessionId !== "customer-501")).toEqual([]);
      const stages = seen.received.flatMap((event) => (event.type === "@xstate.snapshot" && event.sessionId === "customer-501" ? [String((event.snapshot as { value?: { funnel?: unknown } }).value?.funnel)] : []));
      expect([...new Set(stages)]).toEqual(["new", "engaged", "cart", "checkout", "customer", "repeat"]);
      // Anna's two orders, each its own actor: the first to be paid on delivery, the second paid with Stars through the stand-in.
      const orders = actors.filter((sessionId) => sessionId.startsWith("order-"));
      expect(orders).toHaveLength(2);
      const statesOf = (sessionId: string) => seen.received.flatMap((event) => (event.type === "@xstate.snapshot" && event.sessionId === sessionId ? [(event.snapshot as { value?: unknown }).value] : []));
      // The owner's evening handling ships and delivers the oldest new order, Anna's first, from its card.
      expect(orders.map(statesOf)).toEqual([["placed", "shipped", { delivered: "awaitingFeedback" }], ["awaiting_payment", "paid"]]);
      const payment = seen.received.find((event) => event.type === "@xstate.event" && event.sessionId === orders[1] && event.event.type === "payment_received");
      expect(payment).toMatchObject({ event: { by: "payment", currency: "XTR", key: expect.stringMatching(/^pay:stx/) } });
      expect(lines.join("")).toContain(`open http://localhost:${port} in a browser`);
      expect(lines.join("")).toMatch(/Done: \d+ updates, \d+ orders; \d+ actors, \d+ transitions, [1-9]\d* timer and [1-9]\d* effect changes sent to the inspector\./);
      expect(await session.poke("501 catalog_view")).toMatch(/^customer 501: catalog_view committed as event \d+; now funnel repeat/);
    } finally {
      await session.stop();
    }
  });

  it("reads the user filter from the command line or INSPECT_USERS, and refuses a bad value", () => {
    const users = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
      const parsed = inspectOptions(argv, env);
      return parsed.ok ? [...(parsed.options.users ?? [])] : parsed.problem;
    };
    expect(users(["--user", "501", "--user", "502,503"])).toEqual([501, 502, 503]);
    expect(users([], { INSPECT_USERS: "501, 502" })).toEqual([501, 502]);
    expect(users(["--user", "504"], { INSPECT_USERS: "501" })).toEqual([504]);
    expect(users([])).toEqual([]);
    expect(users(["--user", "anna"])).toBe('--user (or INSPECT_USERS) takes a whole number from 1 to 9007199254740991, not "anna"');
    const port = inspectOptions(["--port", "99999"], {});
    expect(port.ok ? port.options.port : port.problem).toBe('--port (or INSPECT_PORT) takes a whole number from 1 to 65535, not "99999"');
    const defaults = inspectOptions([], {});
    expect(defaults.ok && defaults.options).toMatchObject({ live: false, exit: false, users: null, port: 8080, open: false, customers: 50, seed: 2026 });
  });
});
