import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe } from "vitest";
import { createCustomerRuntime, type Clock, type CustomerRuntime } from "../actors/customerRuntime.ts";
import { orderJustPlaced, type CrmStore, type StoredOrder } from "../actors/store.port.ts";
import { catalogContract } from "./storeContractCatalog.ts";
import { durabilityContract } from "./storeContractDurability.ts";
import { erasureContract } from "./storeContractErasure.ts";
import { eventsContract } from "./storeContractEvents.ts";
import { leadsContract } from "./storeContractLeads.ts";
import { messagesContract } from "./storeContractMessages.ts";
import { mirrorContract } from "./storeContractMirror.ts";
import { orderActorsContract } from "./storeContractOrders.ts";
import { orderReadsContract } from "./storeContractOrderReads.ts";
import { durableQueuesContract } from "./storeContractQueues.ts";

/** Opens (or reopens) a store kept in `dir`; the contract passes its manual clock, so queue times are exact. */
export type OpenStore = (dir: string, options?: { readonly clock?: Clock }) => Promise<CrmStore>;

/** A clock the test moves by hand. */
export function manualClock(start: number): Clock & { set(at: number): void; advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    set: (at) => {
      now = at;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

/** An ISO time as epoch milliseconds. */
export const at = (iso: string): number => Date.parse(iso);

/**
 * Personal data that `seedPersonalData` stores and `/forget` must erase, as it would be found in a
 * file or a row: case-folded, and a phone by its digits (the search index keeps those as words).
 */
export const personalTraces = ["79991234567", "ivan_secret", "secretov", "zamoskvorechye", "quartzfan", "lenina"] as const;

/**
 * Customer 7, with personal data in every place a store keeps it: events, messages, lead, search
 * words, an order (placed as the machine places one: a checkout, then `order_created`, whose
 * `recordOrder` saves the order with the checkout's phone and delivery in the same unit).
 */
export async function seedPersonalData(runtime: CustomerRuntime, store: CrmStore): Promise<StoredOrder> {
  await runtime.dispatch(7, { type: "start", source: "ads", username: "ivan_secret", name: "Ivan Secretov", key: "7:start" });
  await runtime.dispatch(7, { type: "consent_given", version: "v1", key: "7:consent" });
  await runtime.logMessage(7, { direction: "in", type: "text", text: "Deliver to Zamoskvorechye, please", key: "7:m1" });
  await runtime.logMessage(7, { direction: "out", type: "ai_response", text: "Zamoskvorechye is two days away", key: "7:m2" });
  await runtime.dispatch(7, { type: "search", query: "gift for Secretov", key: "7:search" });
  await runtime.dispatch(7, { type: "checkout_started", key: "7:checkout" });
  await runtime.dispatch(7, { type: "contact_shared", phone: "+79991234567", key: "7:contact" });
  await runtime.dispatch(7, { type: "delivery_given", text: "Lenina street 5, flat 42", key: "7:delivery" });
  await runtime.addNote(7, "Lives in Zamoskvorechye, call +79991234567", "7:note");
  await runtime.toggleTag(7, "quartzfan", "7:tag");
  const items = [{ productId: "tea-1", title: "Green tea", price: 990, qty: 2 }];
  await runtime.dispatch(7, { type: "order_created", orderId: "SO-7A", total: 1980, currency: "RUB", items, key: "7:order" });
  const order = await store.order("SO-7A");
  if (order?.phone !== "+79991234567" || order.delivery !== "Lenina street 5, flat 42") throw new Error(`the order was not stored with the checkout's phone and delivery: ${JSON.stringify(order)}`);
  return order;
}

/**
 * Where a contract looks for what an erasure must leave nowhere: for SQLite and the JSON store, the
 * bytes of every file of the store's folder ({@link tracesInFiles}); a store whose data lives
 * elsewhere (a PostgreSQL server) gives its own reader. Each hit is "where: string".
 */
export type TraceReader = (dir: string, traces: readonly string[]) => string[];

/** Every file under `dir` that holds one of the strings, case-folded, as "file: string". */
export function tracesInFiles(dir: string, traces: readonly string[]): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    const text = readFileSync(path).toString("latin1").toLowerCase();
    for (const trace of traces) if (text.includes(trace.toLowerCase())) found.push(`${name}: ${trace}`);
  }
  return found;
}

export const anOrder = (orderId: string, userId: number, time: number, total = 100): StoredOrder => ({
  orderId,
  userId,
  items: [{ productId: "p1", title: "Пуэр", price: total, qty: 1 }],
  total,
  currency: "RUB",
  phone: null,
  delivery: null,
  at: time,
  ...orderJustPlaced,
});

/** What each feature's part of the main contract shares: a store and a runtime per test, all closed after it. */
export interface ContractHarness {
  readonly openStore: OpenStore;
  readonly traces: TraceReader;
  /** Opens a store (in a fresh directory unless `dir` is given) with a runtime, on a manual clock at 2026-01-27 10:00 UTC. */
  setup(options?: { maxActive?: number; dir?: string }): Promise<{ dir: string; store: CrmStore; clock: ReturnType<typeof manualClock>; runtime: CustomerRuntime }>;
  /** The stores open in this test; one a test closes itself it takes out. */
  readonly stores: CrmStore[];
  /** The runtimes open in this test. */
  readonly runtimes: CustomerRuntime[];
}

/**
 * One behaviour, every backend: the 18 scenarios of the original system's CRM tests plus the
 * runtime's guarantees, run unchanged against each store (one storeContract*.ts file a feature);
 * and the durable actor's timers, effects and dormant counts (storeContractQueues.ts).
 */
export function storeContract(name: string, openStore: OpenStore, traces: TraceReader = tracesInFiles): void {
  describe(`store contract: ${name}`, () => {
    const dirs: string[] = [];
    const stores: CrmStore[] = [];
    const runtimes: CustomerRuntime[] = [];

    async function setup(options: { maxActive?: number; dir?: string } = {}) {
      const dir = options.dir ?? mkdtempSync(join(tmpdir(), `crm-contract-${name}-`));
      if (!options.dir) dirs.push(dir);
      const clock = manualClock(at("2026-01-27T10:00:00Z"));
      const store = await openStore(dir, { clock });
      const runtime = createCustomerRuntime({ store, clock, maxActive: options.maxActive ?? 100 });
      stores.push(store);
      runtimes.push(runtime);
      return { dir, store, clock, runtime };
    }

    afterEach(async () => {
      for (const runtime of runtimes.splice(0)) await runtime.close();
      for (const store of stores.splice(0)) await store.close();
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    });

    const harness: ContractHarness = { openStore, traces, setup, stores, runtimes };
    eventsContract(harness);
    messagesContract(harness);
    leadsContract(harness);
    orderReadsContract(harness);
    durabilityContract(harness);
    erasureContract(harness);
    mirrorContract(harness);
  });
  durableQueuesContract(name, openStore, traces);
  catalogContract(name, openStore);
  orderActorsContract(name, openStore, traces);
}
