import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { CatalogEditor } from "../../actors/catalogStore.port.ts";
import { orderJustPlaced, type CrmStore, type StoreTx } from "../../actors/store.port.ts";
import { aCategory, anOrderOf, aProduct, saved } from "../storeContractCatalog.ts";
import { manualClock } from "../storeContract.ts";
import { openJsonStore } from "./jsonStore.ts";
import { injectDiskModel, type DiskModel } from "./testing/diskModel.ts";

const t0 = Date.parse("2026-01-27T10:00:00Z");
const seed: CatalogEditor = { kind: "seed", file: "catalog.json" };

/** One order placed as the runtime places it: its stock, its row, its actor's first event and state, in one unit. */
function place(tx: StoreTx, orderId: string, userId: number, qty = 1): void {
  tx.reserveStock([{ productId: "last", qty }]);
  tx.saveOrder(anOrderOf(orderId, userId, t0, { payment: "stars", status: "awaiting_payment" }));
  const seq = tx.appendActorEvent({ actor: `order:${orderId}`, type: "order_placed", payload: JSON.stringify({ orderId }), at: t0, key: `order:${orderId}:placed` });
  tx.saveActorState(`order:${orderId}`, { snapshot: '{"value":"awaiting_payment"}', machineVersion: 1, lastSeq: seq ?? 0 });
}

const stockOf = (store: CrmStore): number | undefined => store.catalogRows().products.find((product) => product.id === "last")?.stock;

describe("json store: orders, order actors and the catalog in events.jsonl", () => {
  const dirs: string[] = [];
  const open: CrmStore[] = [];
  let disk: DiskModel | undefined;
  afterEach(async () => {
    disk?.restore();
    disk = undefined;
    for (const store of open.splice(0)) await store.close().catch(() => undefined);
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function opened(dir: string): Promise<CrmStore> {
    const store = await openJsonStore({ dir, clock: manualClock(t0) });
    open.push(store);
    return store;
  }

  async function closed(store: CrmStore): Promise<void> {
    open.splice(open.indexOf(store), 1);
    await store.close();
  }

  /** A store with the shelf `tea` and the product `last`, `stock` of it left. */
  async function stocked(stock: number): Promise<{ dir: string; store: CrmStore }> {
    const dir = mkdtempSync(join(tmpdir(), "crm-json-orders-"));
    dirs.push(dir);
    const store = await opened(dir);
    await store.transact((tx) => {
      tx.applyCatalogEdit({ by: seed, at: t0, change: { type: "category_saved", category: aCategory("tea") } });
      tx.applyCatalogEdit(saved(aProduct("last", stock), t0, seed));
    });
    return { dir, store };
  }

  it("reads an order written by the previous version (no status, payment or dates) as placed, paid on delivery, counted as revenue at once, and keeps its row's changes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-json-orders-old-"));
    dirs.push(dir);
    const items = [{ productId: "p1", title: "Пуэр", price: 990, qty: 1 }];
    const old = { orderId: "SO-OLD", userId: 5, items, total: 990, currency: "RUB", phone: "+70000000005", delivery: "Pickup", at: 1_000 };
    const created = { seq: 1, userId: 5, type: "order_created", payload: { orderId: "SO-OLD", items, total: 990, currency: "RUB" }, at: 1_000, key: "5:o1" };
    writeFileSync(join(dir, "events.jsonl"), `${JSON.stringify({ b: 1, e: [created], m: [], o: [old], q: { at: 1_000, lead: [], order: ["SO-OLD"] } })}\n`);

    const store = await opened(dir);
    const order = { ...orderJustPlaced, ...old };
    expect(await store.order("SO-OLD")).toEqual(order);
    expect((await store.ordersByStatus("placed")).items).toEqual([order]);
    // No order actor will move it: it counts at once, as every order did before orders were actors.
    expect(await store.ordersSummary({ from: 0, to: 10_000 })).toMatchObject({ count: 1, byStatus: { placed: 1 }, revenue: 990 });
    await store.transact((tx) => tx.updateOrder("SO-OLD", { status: "delivered", deliveredAt: 2_000 }));
    await closed(store);
    const again = await opened(dir);
    expect(await again.order("SO-OLD")).toEqual({ ...order, status: "delivered", deliveredAt: 2_000 });
    expect(await again.ordersSummary({ from: 0, to: 10_000 })).toMatchObject({ count: 1, byStatus: { delivered: 1 }, revenue: 990 });
  });

  it("cuts a torn last line that placed an order: its stock, its row and its actor's event and state are as if it never began", async () => {
    const { dir, store } = await stocked(3);
    await store.transact((tx) => {
      place(tx, "SO-1", 1);
      tx.updateOrder("SO-1", { status: "paid", paidAt: t0 + 1 });
    });
    await store.transact((tx) => place(tx, "SO-2", 2));
    expect(stockOf(store)).toBe(1);
    await closed(store);
    const path = join(dir, "events.jsonl");
    truncateSync(path, readFileSync(path).length - 40);

    const again = await opened(dir);
    expect(stockOf(again)).toBe(2);
    expect(await again.order("SO-1")).toMatchObject({ status: "paid", paidAt: t0 + 1 });
    expect(await again.order("SO-2")).toBeNull();
    expect(again.loadActorEvents("order:SO-1").map((event) => event.key)).toEqual(["order:SO-1:placed"]);
    expect(again.loadActorState("order:SO-1")).toMatchObject({ lastSeq: 1, logSeq: 1 });
    expect(again.loadActorEvents("order:SO-2")).toEqual([]);
    expect(again.loadActorState("order:SO-2")).toBeUndefined();
    expect((await again.catalogEdits()).items.map((edit) => edit.change.type)).toEqual(["product_saved", "category_saved"]);
    await again.transact((tx) => place(tx, "SO-2", 2, 2));
    expect(stockOf(again)).toBe(0);
    expect(again.loadActorEvents("order:SO-2")).toHaveLength(1);
  });

  it("shows the unit that erases a customer their order actors' earlier events without the contact details, and another customer's as they are", async () => {
    const { store } = await stocked(3);
    const placed = (orderId: string, phone: string) => JSON.stringify({ orderId, phone, delivery: "Lenina street 5" });
    await store.transact((tx) => {
      tx.saveOrder(anOrderOf("SO-7", 7, t0, { phone: "+79991234567", delivery: "Lenina street 5" }));
      tx.saveOrder(anOrderOf("SO-8", 8, t0));
      tx.appendActorEvent({ actor: "order:SO-7", type: "order_placed", payload: placed("SO-7", "+79991234567"), at: t0, key: "order:SO-7:placed" });
      tx.appendActorEvent({ actor: "order:SO-8", type: "order_placed", payload: placed("SO-8", "+70000000008"), at: t0, key: "order:SO-8:placed" });
    });
    const seen = await store.transact((tx) => {
      const before = tx.actorEventByKey("order:SO-7:placed")?.payload;
      tx.erasePersonalData(7);
      return { before, after: tx.actorEventByKey("order:SO-7:placed")?.payload, other: tx.actorEventByKey("order:SO-8:placed")?.payload };
    });
    expect(seen.before).toMatchObject({ phone: "+79991234567" });
    expect(seen.after).toEqual({ orderId: "SO-7", phone: null, delivery: null });
    expect(seen.other).toMatchObject({ phone: "+70000000008" });
    expect(store.loadActorEvents("order:SO-7")[0]?.payload).toEqual(seen.after);
  });

  it("refuses to open over a line whose actor, order or catalog part is not a list, naming the file and line", async () => {
    const { dir, store } = await stocked(3);
    await store.transact((tx) => place(tx, "SO-1", 1));
    await closed(store);
    const path = join(dir, "events.jsonl");
    for (const part of ["x", "y", "u", "k", "s"]) {
      const lines = readFileSync(path, "utf8").split("\n").filter(Boolean);
      const damaged = lines.map((line, i) => (i === 0 ? JSON.stringify({ ...(JSON.parse(line) as object), [part]: { not: "a list" } }) : line));
      writeFileSync(path, `${damaged.join("\n")}\n`);
      await expect(openJsonStore({ dir }), part).rejects.toThrow(/events\.jsonl: line 1 is not valid/);
      writeFileSync(path, `${lines.join("\n")}\n`);
    }
    expect(stockOf(await opened(dir))).toBe(2);
  });

  it("keeps no reservation of a unit whose write fails, nor of the unit that reserved after it, in memory or after a restart", async () => {
    const { dir, store } = await stocked(2);
    disk = await injectDiskModel(dir);
    disk.free = 30;
    const failing = store.transact((tx) => place(tx, "SO-1", 1));
    // Staged while the first is being written: it sees 1 left and takes it, so it fails with the first.
    const after = store.transact((tx) => place(tx, "SO-2", 2));
    await expect(failing).rejects.toThrow(/ENOSPC/);
    await expect(after).rejects.toThrow(/a unit of work before this one failed/);
    disk.free = Number.POSITIVE_INFINITY;
    expect(stockOf(store)).toBe(2);
    expect(store.catalogVersion()).toBe(2);
    expect(store.loadActorEvents("order:SO-1")).toEqual([]);
    await store.transact((tx) => place(tx, "SO-3", 3, 2));
    expect(stockOf(store)).toBe(0);
    await closed(store);
    const again = await opened(dir);
    expect(stockOf(again)).toBe(0);
    expect((await again.ordersByStatus(null)).items.map((order) => order.orderId)).toEqual(["SO-3"]);
    expect(again.loadActorEvents("order:SO-1")).toEqual([]);
  });
});
