import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { StockShortage, type CatalogEdit, type CatalogEditor, type CategoryRow, type ProductRow } from "../actors/catalogStore.port.ts";
import { orderJustPlaced, type CrmStore, type StoredOrder, type StoreTx } from "../actors/store.port.ts";
import { manualClock, type OpenStore } from "./storeContract.ts";

const t0 = Date.parse("2026-01-27T10:00:00Z");
const owner: CatalogEditor = { kind: "owner", id: 42 };

export const aCategory = (id: string, position = 0, title = `Shelf ${id}`): CategoryRow => ({ id, title, position });

/** A product on shelf `tea`; `stock` undefined is not tracked. */
export function aProduct(id: string, stock: number | undefined, facts: Partial<ProductRow> = {}): ProductRow {
  return {
    id,
    categoryId: "tea",
    title: `Tea ${id}`,
    description: "",
    price: 100,
    currency: "RUB",
    ...(stock === undefined ? {} : { stock }),
    hidden: false,
    position: 0,
    ...facts,
  };
}

export const saved = (product: ProductRow, at = t0, by: CatalogEditor = owner): CatalogEdit => ({ by, at, change: { type: "product_saved", product } });

export const anOrderOf = (orderId: string, userId: number, at: number, facts: Partial<StoredOrder> = {}): StoredOrder => ({
  ...orderJustPlaced,
  orderId,
  userId,
  items: [{ productId: "last", title: "Tea last", price: 100, qty: 1 }],
  total: 100,
  currency: "RUB",
  phone: null,
  delivery: null,
  at,
  ...facts,
});

const stockOf = (store: CrmStore, productId: string): number | undefined => store.catalogRows().products.find((product) => product.id === productId)?.stock;

/** What a shortage said, or that there was none. */
function shortageOf(error: unknown): { productId: string; available: number } | string {
  return error instanceof StockShortage ? { productId: error.productId, available: error.available } : String(error);
}

/** The catalog in the store (docs/orders.md): rows, the edit log, and stock that is never oversold. */
export function catalogContract(name: string, openStore: OpenStore): void {
  describe(`store contract: ${name}: the catalog and its stock`, () => {
    const dirs: string[] = [];
    const open: CrmStore[] = [];

    afterEach(async () => {
      for (const store of open.splice(0)) await store.close();
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    });

    async function setup(dir = mkdtempSync(join(tmpdir(), `crm-catalog-${name}-`)), products: readonly ProductRow[] = []) {
      if (!dirs.includes(dir)) dirs.push(dir);
      const store = await openStore(dir, { clock: manualClock(t0) });
      open.push(store);
      if (products.length > 0) {
        await store.transact((tx) => {
          tx.applyCatalogEdit({ by: { kind: "seed", file: "catalog.json" }, at: t0, change: { type: "category_saved", category: aCategory("tea") } });
          for (const product of products) tx.applyCatalogEdit(saved(product, t0, { kind: "seed", file: "catalog.json" }));
        });
      }
      return { dir, store };
    }

    async function reopen(dir: string, store: CrmStore): Promise<CrmStore> {
      await store.close();
      open.splice(open.indexOf(store), 1);
      return (await setup(dir)).store;
    }

    it("keeps categories and products in the owner's order, hidden ones too, across a reopen", async () => {
      const { dir, store } = await setup();
      expect(store.catalogRows()).toEqual({ categories: [], products: [] });
      await store.transact((tx) => {
        tx.applyCatalogEdit({ by: owner, at: t0, change: { type: "category_saved", category: { ...aCategory("tea", 2), emoji: "🍵" } } });
        tx.applyCatalogEdit({ by: owner, at: t0, change: { type: "category_saved", category: aCategory("coffee", 1) } });
        tx.applyCatalogEdit(saved(aProduct("b", 3, { position: 1, photo: "AgACAgIAAxkBAAIB" })));
        tx.applyCatalogEdit(saved(aProduct("a", undefined, { position: 1, hidden: true })));
        tx.applyCatalogEdit(saved(aProduct("c", 0, { position: 0, categoryId: "coffee", price: 12.5 })));
      });
      const rows = {
        categories: [aCategory("coffee", 1), { ...aCategory("tea", 2), emoji: "🍵" }],
        products: [aProduct("c", 0, { position: 0, categoryId: "coffee", price: 12.5 }), aProduct("a", undefined, { position: 1, hidden: true }), aProduct("b", 3, { position: 1, photo: "AgACAgIAAxkBAAIB" })],
      };
      expect(store.catalogRows()).toEqual(rows);
      expect("stock" in (store.catalogRows().products[1] ?? {})).toBe(false);
      const again = await reopen(dir, store);
      expect(again.catalogRows()).toEqual(rows);
    });

    it("logs every edit with who made it and when, newest first, in pages; a price change leaves placed orders as they were", async () => {
      const { dir, store } = await setup(undefined, [aProduct("last", 5)]);
      await store.transact((tx) => tx.saveOrder(anOrderOf("SO-1", 1, t0)));
      await store.transact((tx) => tx.applyCatalogEdit({ by: owner, at: t0 + 1_000, change: { type: "price_set", productId: "last", price: 150 } }));
      await store.transact((tx) => tx.applyCatalogEdit({ by: { kind: "import", file: "prices.csv" }, at: t0 + 2_000, change: { type: "product_hidden", productId: "last", hidden: true } }));
      // An import names the owner who sent its file; one recorded before that was kept has no ownerId.
      const sent = { kind: "import", file: "photos.json", ownerId: 77 } as const;
      await store.transact((tx) => tx.applyCatalogEdit({ by: sent, at: t0 + 3_000, change: { type: "photo_set", productId: "last", photo: "AgACAgIAAxkBAAIC" } }));
      await store.transact((tx) => tx.applyCatalogEdit({ by: owner, at: t0 + 4_000, change: { type: "stock_set", productId: "last", stock: null } }));
      const first = await store.catalogEdits({ limit: 2 });
      expect(first.items.map(({ by, at, change }) => ({ by, at, type: change.type }))).toEqual([
        { by: owner, at: t0 + 4_000, type: "stock_set" },
        { by: sent, at: t0 + 3_000, type: "photo_set" },
      ]);
      expect(first.hasMore).toBe(true);
      const all = await store.catalogEdits({ limit: 100 });
      expect(all.items.map((edit) => edit.change.type)).toEqual(["stock_set", "photo_set", "product_hidden", "price_set", "product_saved", "category_saved"]);
      expect(all.items[2]).toEqual({ seq: all.items[2]?.seq, by: { kind: "import", file: "prices.csv" }, at: t0 + 2_000, change: { type: "product_hidden", productId: "last", hidden: true } });
      expect(all.items.at(-1)?.by).toEqual({ kind: "seed", file: "catalog.json" });
      expect(new Set(all.items.map((edit) => edit.seq)).size).toBe(6);
      expect(store.catalogRows().products).toEqual([aProduct("last", undefined, { price: 150, hidden: true, photo: "AgACAgIAAxkBAAIC" })]);
      expect((await store.order("SO-1"))?.items).toEqual([{ productId: "last", title: "Tea last", price: 100, qty: 1 }]);
      const again = await reopen(dir, store);
      expect((await again.catalogEdits({ limit: 100 })).items).toEqual(all.items);
      expect(again.catalogRows().products).toEqual([aProduct("last", undefined, { price: 150, hidden: true, photo: "AgACAgIAAxkBAAIC" })]);
    });

    it("reserves stock exactly to the limit, and refuses one over with how many are left, keeping nothing of the reservation", async () => {
      const { dir, store } = await setup(undefined, [aProduct("last", 3), aProduct("other", 5)]);
      await store.transact((tx) => tx.reserveStock([{ productId: "last", qty: 3 }]));
      expect(stockOf(store, "last")).toBe(0);
      const over = await store.transact((tx) => tx.reserveStock([{ productId: "last", qty: 1 }])).catch(shortageOf);
      expect(over).toEqual({ productId: "last", available: 0 });
      const mixed = await store.transact((tx) => tx.reserveStock([{ productId: "other", qty: 2 }, { productId: "other", qty: 4 }])).catch(shortageOf);
      expect(mixed).toEqual({ productId: "other", available: 3 });
      // A caller that catches the shortage and commits keeps none of the lines before it either.
      const caught = await store.transact((tx) => {
        try {
          tx.reserveStock([{ productId: "other", qty: 5 }, { productId: "last", qty: 1 }]);
        } catch (error) {
          return shortageOf(error);
        }
        return "reserved";
      });
      expect(caught).toEqual({ productId: "last", available: 0 });
      expect([stockOf(store, "last"), stockOf(store, "other")]).toEqual([0, 5]);
      const again = await reopen(dir, store);
      expect([stockOf(again, "last"), stockOf(again, "other")]).toEqual([0, 5]);
    });

    it("sells exactly the last 10 units to 50 units of work at once, each reserving 1 with its order", async () => {
      const { dir, store } = await setup(undefined, [aProduct("last", 10)]);
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) =>
          store.transact((tx) => {
            tx.reserveStock([{ productId: "last", qty: 1 }]);
            tx.saveOrder(anOrderOf(`SO-${i}`, 100 + i, t0 + i));
            tx.appendActorEvent({ actor: `order:SO-${i}`, type: "order_placed", payload: "{}", at: t0 + i, key: `order:SO-${i}:placed` });
          }),
        ),
      );
      expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(10);
      const refusals = results.flatMap((result) => (result.status === "rejected" ? [shortageOf(result.reason)] : []));
      expect(refusals).toEqual(Array.from({ length: 40 }, () => ({ productId: "last", available: 0 })));
      expect(stockOf(store, "last")).toBe(0);
      expect((await store.ordersByStatus(null, { limit: 100 })).items).toHaveLength(10);
      const again = await reopen(dir, store);
      expect(stockOf(again, "last")).toBe(0);
      expect((await again.ordersByStatus(null, { limit: 100 })).items).toHaveLength(10);
    });

    it("releases stock, and leaves products without tracking, or unknown to the store, unlimited", async () => {
      const { store } = await setup(undefined, [aProduct("last", 2), aProduct("free", undefined)]);
      await store.transact((tx) => tx.reserveStock([{ productId: "last", qty: 2 }, { productId: "free", qty: 1_000 }, { productId: "elsewhere", qty: 7 }]));
      expect(stockOf(store, "last")).toBe(0);
      await store.transact((tx) => tx.releaseStock([{ productId: "last", qty: 2 }, { productId: "free", qty: 1_000 }, { productId: "elsewhere", qty: 7 }]));
      expect(store.catalogRows().products).toEqual([aProduct("free", undefined), aProduct("last", 2)]);
      await store.transact((tx) => tx.reserveStock([{ productId: "last", qty: 2 }]));
      expect(stockOf(store, "last")).toBe(0);
    });

    it("does not sell a hidden product, and takes its released stock back", async () => {
      const { store } = await setup(undefined, [aProduct("last", 4), aProduct("free", undefined)]);
      await store.transact((tx) => tx.reserveStock([{ productId: "last", qty: 1 }]));
      await store.transact((tx) => {
        tx.applyCatalogEdit({ by: owner, at: t0, change: { type: "product_hidden", productId: "last", hidden: true } });
        tx.applyCatalogEdit({ by: owner, at: t0, change: { type: "product_hidden", productId: "free", hidden: true } });
      });
      for (const productId of ["last", "free"]) {
        expect(await store.transact((tx) => tx.reserveStock([{ productId, qty: 1 }])).catch(shortageOf)).toEqual({ productId, available: 0 });
      }
      await store.transact((tx) => tx.releaseStock([{ productId: "last", qty: 1 }]));
      expect(store.catalogRows().products.map((product) => [product.id, product.hidden, product.stock])).toEqual([
        ["free", true, undefined],
        ["last", true, 4],
      ]);
      await store.transact((tx) => tx.applyCatalogEdit({ by: owner, at: t0, change: { type: "product_hidden", productId: "last", hidden: false } }));
      await store.transact((tx) => tx.reserveStock([{ productId: "last", qty: 4 }]));
      expect(stockOf(store, "last")).toBe(0);
    });

    it("refuses a quantity, a stock or a price no row may hold, and an edit of a product it does not hold, keeping nothing", async () => {
      const { store } = await setup(undefined, [aProduct("last", 3)]);
      const version = store.catalogVersion();
      const bad: Array<[string, (tx: StoreTx) => void, RegExp]> = [
        ["qty 0", (tx) => tx.reserveStock([{ productId: "last", qty: 0 }]), /qty/],
        ["qty 1.5", (tx) => tx.reserveStock([{ productId: "last", qty: 1.5 }]), /qty/],
        ["release -1", (tx) => tx.releaseStock([{ productId: "last", qty: -1 }]), /qty/],
        ["stock -1", (tx) => tx.applyCatalogEdit({ by: owner, at: t0, change: { type: "stock_set", productId: "last", stock: -1 } }), /stock of last/],
        ["stock 2.5", (tx) => tx.applyCatalogEdit(saved(aProduct("new", 2.5))), /stock of new/],
        ["price 0", (tx) => tx.applyCatalogEdit({ by: owner, at: t0, change: { type: "price_set", productId: "last", price: 0 } }), /price of last/],
        ["price NaN", (tx) => tx.applyCatalogEdit(saved(aProduct("new", 1, { price: Number.NaN }))), /price of new/],
        ["unknown", (tx) => tx.applyCatalogEdit({ by: owner, at: t0, change: { type: "stock_set", productId: "ghost", stock: 1 } }), /ghost is not in the catalog/],
      ];
      for (const [what, write, message] of bad) {
        await expect(
          store.transact((tx) => {
            tx.reserveStock([{ productId: "last", qty: 1 }]);
            write(tx);
          }),
          what,
        ).rejects.toThrow(message);
      }
      expect(store.catalogRows().products).toEqual([aProduct("last", 3)]);
      expect((await store.catalogEdits({ limit: 100 })).items).toHaveLength(2);
      expect(store.catalogVersion()).toBe(version);
    });

    it("moves the catalog's version with each committed edit or stock change, and not with a unit that failed or changed neither", async () => {
      const { store } = await setup(undefined, [aProduct("last", 3), aProduct("free", undefined)]);
      const versions = [store.catalogVersion()];
      await store.transact((tx) => tx.appendEvent({ userId: 1, type: "catalog_view", payload: "{}", at: t0, key: "view" }));
      versions.push(store.catalogVersion());
      await store.transact((tx) => tx.reserveStock([{ productId: "free", qty: 1 }]));
      versions.push(store.catalogVersion());
      await store.transact((tx) => tx.reserveStock([{ productId: "last", qty: 1 }]));
      versions.push(store.catalogVersion());
      await expect(
        store.transact((tx) => {
          tx.reserveStock([{ productId: "last", qty: 1 }]);
          tx.applyCatalogEdit({ by: owner, at: t0, change: { type: "price_set", productId: "last", price: 1 } });
          throw new Error("the unit fails");
        }),
      ).rejects.toThrow("the unit fails");
      versions.push(store.catalogVersion());
      await store.transact((tx) => tx.releaseStock([{ productId: "last", qty: 1 }]));
      versions.push(store.catalogVersion());
      await store.transact((tx) => tx.applyCatalogEdit({ by: owner, at: t0, change: { type: "price_set", productId: "last", price: 1 } }));
      versions.push(store.catalogVersion());
      const [v0 = 0] = versions;
      expect(versions).toEqual([v0, v0, v0, v0 + 1, v0 + 1, v0 + 2, v0 + 3]);
      expect(store.catalogRows().products.find((product) => product.id === "last")).toMatchObject({ stock: 3, price: 1 });
    });
  });
}
