import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { openJsonStore } from "../adapters/json/jsonStore.ts";
import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { createOrderRuntime } from "./orderRuntime.ts";
import { createOrderStepper, orderActor, replayOrder, statusOf } from "./orderStepper.ts";
import type { CrmStore } from "./store.port.ts";

const worker = fileURLToPath(new URL("./fixtures/ordersUnderLoad.ts", import.meta.url));
/** The stock the worker seeds (`crashStock` in actors/fixtures/ordersUnderLoad.ts, which runs when imported). */
const seeded: Readonly<Record<string, number>> = { p0: 60, p1: 90, p2: 120 };
/** Statuses in which an order still holds its stock (no delivered order is returned in this run). */
const holding = new Set(["placed", "awaiting_payment", "paid", "shipped", "delivered"]);

/** Runs the worker until it has acknowledged `acks` steps (or for `forMs`, once it has some), then SIGKILLs it; returns its acknowledgements. */
function placeThenKill(kind: "sqlite" | "json", path: string, acks: number, forMs = 10_000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker, kind, path], { stdio: ["ignore", "pipe", "pipe"] });
    const acked: string[] = [];
    let buffer = "";
    let stderr = "";
    let killed = false;
    const kill = (): void => {
      killed = true;
      child.kill("SIGKILL");
    };
    const startedAt = Date.now();
    const clock = setInterval(() => {
      if (Date.now() - startedAt >= forMs && acked.length > 0) kill();
      if (Date.now() - startedAt >= 60_000) kill();
    }, 200);
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) if (line.startsWith("ack ")) acked.push(line.slice(4));
      if (acked.length >= acks) kill();
    });
    child.on("exit", (code, signal) => {
      clearInterval(clock);
      if (killed && signal === "SIGKILL") resolve(acked);
      else reject(new Error(`the worker ended by itself (code ${code}, signal ${signal}) after ${acked.length} acknowledgements: ${stderr.slice(0, 2_000)}`));
    });
  });
}

/** Every order the store holds an actor of, from the read model. */
async function storedOrders(store: CrmStore) {
  const all = [];
  for (;;) {
    const page = await store.ordersByStatus(null, { offset: all.length, limit: 500 });
    all.push(...page.items);
    if (!page.hasMore || page.items.length === 0) return all;
  }
}

async function expectConsistent(store: CrmStore, acked: readonly string[]): Promise<void> {
  const runtime = createOrderRuntime({ store });
  await runtime.recover();
  const orders = await storedOrders(store);
  const byId = new Map(orders.map((order) => [order.orderId, order]));
  const keys = new Set(orders.flatMap((order) => store.loadActorEvents(orderActor(order.orderId)).map((row) => row.key)));
  for (const line of acked) {
    const [key = "", what = ""] = line.split(" ");
    if (what === "placed") expect(byId.has(key.slice("order:".length)), key).toBe(true);
    else if (what === "short") expect(byId.has(key.slice("order:".length)), key).toBe(false);
    else if (what === "applied") expect(keys.has(key), key).toBe(true);
  }
  const stepper = createOrderStepper();
  for (const order of orders) {
    const actor = orderActor(order.orderId);
    const log = store.loadActorEvents(actor);
    const replayed = replayOrder(stepper, order.orderId, log);
    expect(store.loadActorState(actor)?.lastSeq, order.orderId).toBe(log.at(-1)?.seq);
    expect(order.status, order.orderId).toBe(statusOf(replayed.snapshot));
    expect(store.timersOf(actor).map((timer) => timer.key).sort(), order.orderId).toEqual(replayed.timers.map((timer) => timer.key).sort());
    expect(store.loadActorEvents(actor).filter((row) => row.type === "order_placed"), order.orderId).toHaveLength(1);
  }
  for (const [productId, initial] of Object.entries(seeded)) {
    const stock = store.catalogRows().products.find((product) => product.id === productId)?.stock;
    const held = orders.filter((order) => holding.has(order.status)).flatMap((order) => order.items).filter((line) => line.productId === productId).reduce((sum, line) => sum + line.qty, 0);
    expect(stock, productId).toBeGreaterThanOrEqual(0);
    expect((stock ?? 0) + held, productId).toBe(initial);
  }
  await runtime.close();
}

describe("orders: SIGKILL under load", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("in SQLite, keeps every acknowledged placement and move, each order's state equals its log with its timers, and no unit of stock is lost or invented", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-order-crash-"));
    dirs.push(dir);
    const path = join(dir, "crm.sqlite");
    const acked = await placeThenKill("sqlite", path, 3_000);
    expect(acked.filter((line) => line.endsWith(" short")).length).toBeGreaterThan(0);
    expect(acked.filter((line) => line.includes(" placed ")).length).toBeGreaterThan(100);
    const store = openSqliteStore({ path });
    await expectConsistent(store, acked);
    await store.close();
  });

  it("in the JSON store, the same", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-order-crash-json-"));
    dirs.push(dir);
    const acked = await placeThenKill("json", dir, 1_500);
    expect(acked.filter((line) => line.includes(" placed ")).length).toBeGreaterThan(50);
    const store = await openJsonStore({ dir });
    await expectConsistent(store, acked);
    await store.close();
  });
});
