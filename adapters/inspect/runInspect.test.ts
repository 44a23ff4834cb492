import { describe, expect, it } from "vitest";
import { inspectOptions } from "./inspectOptions.ts";
import { runInspect } from "./runInspect.ts";
import { freePort, relayWatcher } from "./testing/recordingInspector.ts";

describe("npm run inspect", () => {
  it("plays the demo's day into the local inspector: the customer's actor, timers and effects, the owner's flows about them, and a poke from the terminal", async () => {
    const port = await freePort();
    const parsed = inspectOptions(["--exit", "--user", "501", "--port", String(port), "--customers", "12"], {});
    if (!parsed.ok) throw new Error(parsed.problem);
    const lines: string[] = [];
    const session = await runInspect(parsed.options, { write: (text) => lines.push(text) });
    try {
      const page = await relayWatcher(port);
      await page.until((events) => events.some((event) => event.sessionId === "owner-1-aiSummary" && event.type === "@xstate.snapshot"));
      page.close();

      const actors = page.received.filter((event) => event.type === "@xstate.actor").map((event) => event.sessionId);
      expect(actors).toEqual(expect.arrayContaining(["customer-501", "timers", "effects", "owner-1-ownerNavigation", "owner-1-ownerNote", "owner-1-ownerTags", "owner-1-aiSummary"]));
      expect(page.received.filter((event) => event.sessionId.startsWith("customer-") && event.sessionId !== "customer-501")).toEqual([]);
      const stages = page.received.flatMap((event) => (event.type === "@xstate.snapshot" && event.sessionId === "customer-501" ? [String((event.snapshot as { value?: { funnel?: unknown } }).value?.funnel)] : []));
      expect([...new Set(stages)]).toEqual(["new", "engaged", "cart", "checkout", "customer", "repeat"]);
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
