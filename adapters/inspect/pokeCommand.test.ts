import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createCustomerRuntime } from "../../actors/customerRuntime.ts";
import type { CrmStore } from "../../actors/store.port.ts";
import { openSqliteStore } from "../sqlite/sqliteStore.ts";
import { manualClock } from "../storeContract.ts";
import { createInspectorBridge } from "./inspectorBridge.ts";
import { inspectOptions } from "./inspectOptions.ts";
import { parsePoke, poke, pokeUsage } from "./pokeCommand.ts";
import { recordingInspector } from "./testing/recordingInspector.ts";

const dirs: string[] = [];
const stores: CrmStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function pokeable() {
  const dir = mkdtempSync(join(tmpdir(), "inspect-poke-"));
  dirs.push(dir);
  const clock = manualClock(Date.parse("2026-11-23T07:00:00Z"));
  const store = openSqliteStore({ path: join(dir, "crm.sqlite"), clock });
  stores.push(store);
  const { inspector, kinds } = recordingInspector();
  const bridge = createInspectorBridge({ inspector });
  const runtime = createCustomerRuntime({ store, clock, observe: bridge.customer });
  bridge.connect({ runtime, queues: store });
  return { bridge, store, runtime, kinds };
}

describe("poking a customer from npm run inspect's terminal", () => {
  it("reads a user id, an event type and JSON fields", () => {
    expect(parsePoke("501 catalog_view")).toEqual({ ok: true, poke: { userId: 501, event: { type: "catalog_view" } } });
    expect(parsePoke('  501   add_to_cart {"productId":"sencha","qty":1}  ')).toEqual({ ok: true, poke: { userId: 501, event: { type: "add_to_cart", productId: "sencha", qty: 1 } } });
    expect(parsePoke('501 add_to_cart {"type":"order_created","qty":1}')).toMatchObject({ ok: true, poke: { event: { type: "add_to_cart" } } });
    expect(parsePoke("   ")).toBeNull();
  });

  it("refuses a line it cannot read, saying what a good one looks like", () => {
    expect(parsePoke("501")).toEqual({ ok: false, problem: pokeUsage });
    expect(parsePoke("anna catalog_view")).toEqual({ ok: false, problem: `"anna" is not a user id: ${pokeUsage}` });
    expect(parsePoke("0 catalog_view")).toEqual({ ok: false, problem: `"0" is not a user id: ${pokeUsage}` });
    expect(parsePoke("501 Catalog-View")).toEqual({ ok: false, problem: `"Catalog-View" is not an event type (lower-case letters and _): ${pokeUsage}` });
    expect(parsePoke("501 add_to_cart {qty:1}")).toEqual({ ok: false, problem: "the fields are not JSON: {qty:1}" });
    expect(parsePoke("501 add_to_cart [1]")).toEqual({ ok: false, problem: "the fields must be a JSON object, like {\"qty\":1}, not [1]" });
    expect(parsePoke("501 add_to_cart 7")).toEqual({ ok: false, problem: "the fields must be a JSON object, like {\"qty\":1}, not 7" });
  });

  it("sends the event through the customer's actor into the runtime, and says what was committed", async () => {
    const { bridge, store, kinds } = await pokeable();
    expect(await poke(bridge, '501 add_to_cart {"productId":"sencha","qty":1}', null)).toBe(
      "customer 501: add_to_cart committed as event 1; now funnel cart, cart filled.shopping.waiting, checkout idle, consultant off, activity active",
    );
    expect((await store.events(501)).map((event) => [event.type, event.key.startsWith("inspect:")])).toEqual([["add_to_cart", true]]);
    expect(kinds()).toContain("@xstate.snapshot customer-501");
  });

  it("answers a refusal with a line, and stores nothing: an unknown type, a bad line, poking not allowed", async () => {
    const { bridge, store } = await pokeable();
    expect(await poke(bridge, "501 no_such_event", null)).toBe("customer 501: no_such_event was not sent: unknown event type: no_such_event");
    expect(await poke(bridge, "501 add_to_cart {", null)).toBe("the fields are not JSON: {");
    expect(await poke(bridge, "501 catalog_view", "with --live, sending events to real customers needs --poke")).toBe("with --live, sending events to real customers needs --poke");
    expect(await poke(bridge, "", null)).toBeNull();
    expect(await store.events(501)).toEqual([]);
  });

  it("allows poking real customers with --live only when --poke is given", () => {
    const read = (argv: string[]) => {
      const parsed = inspectOptions(argv, {});
      return parsed.ok ? parsed.options.poke : parsed.problem;
    };
    expect(read(["--live"])).toBe(false);
    expect(read(["--live", "--poke"])).toBe(true);
  });
});
