import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CatalogEdit } from "../../actors/catalogStore.port.ts";
import type { CrmStore } from "../../actors/store.port.ts";
import { openSqliteStore } from "../sqlite/sqliteStore.ts";
import { planSeed, seedEmptyCatalog, SeedRefused } from "./catalogSeed.ts";
import { catalogFileFromJson, readCatalogFile } from "./jsonCatalog.ts";
import { storeCatalog } from "./storeCatalog.ts";

const samplePath = new URL("./sampleCatalog.json", import.meta.url).pathname;
const owner = { kind: "owner", id: 100 } as const;

let dir: string;
let store: CrmStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "store-catalog-"));
  store = openSqliteStore({ path: join(dir, "crm.sqlite") });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const edit = (change: CatalogEdit["change"]): Promise<void> => store.transact((tx) => tx.applyCatalogEdit({ by: owner, at: 1, change }));

describe("the seed", () => {
  it("fills an empty store with the file's shelves and products in the file's order, as seed edits", async () => {
    const file = readCatalogFile(samplePath);
    const applied = await seedEmptyCatalog(store, file, samplePath, 1_000);
    const rows = store.catalogRows();
    expect(applied).toBeGreaterThan(file.products.length);
    expect(rows.categories.map((category) => category.id)).toEqual(file.categories.map((category) => category.id));
    expect(rows.products).toHaveLength(file.products.length);
    const firstShelf = file.categories[0]?.id;
    expect(rows.products.filter((product) => product.categoryId === firstShelf).map((product) => product.id)).toEqual(
      file.products.filter((product) => product.categoryId === firstShelf).map((product) => product.id),
    );
    const withPicture = file.products.find((product) => product.photo !== undefined);
    expect(rows.products.find((product) => product.id === withPicture?.id)?.photo).toBe(withPicture?.photo);
    const edits = await store.catalogEdits({ limit: 1 });
    expect(edits.items[0]).toMatchObject({ by: { kind: "seed", file: "sampleCatalog.json" }, at: 1_000 });
  });

  it("is imported on the first start only: a store with a catalog keeps the owner's edits", async () => {
    const file = readCatalogFile(samplePath);
    await seedEmptyCatalog(store, file, samplePath, 1_000);
    const first = file.products[0];
    if (!first) throw new Error("the sample has products");
    await edit({ type: "price_set", productId: first.id, price: 12_345 });
    expect(await seedEmptyCatalog(store, file, samplePath, 2_000)).toBe(0);
    expect(store.catalogRows().products.find((product) => product.id === first.id)?.price).toBe(12_345);
  });

  it("refuses a seed the import's rules refuse, naming the file and the place, and stores nothing", async () => {
    const file = catalogFileFromJson({ categories: [{ id: "tea", title: "Чай" }], products: [{ id: "p1", categoryId: "tea", title: "Сенча", description: "", price: 5, currency: "RUB" }] }, "seed.json");
    const unchecked = { ...file, products: file.products.map((product) => ({ ...product, photo: "relative/x.jpg" })) };
    const seeding = seedEmptyCatalog(store, unchecked, "/x/seed.json", 1);
    await expect(seeding).rejects.toThrow(SeedRefused);
    await expect(seeding).rejects.toThrow("/x/seed.json: products[0].photo: photo_invalid");
    expect(store.catalogRows()).toEqual({ categories: [], products: [] });
  });

  it("planned again on demand, changes only what differs from the file", async () => {
    const file = readCatalogFile(samplePath);
    await seedEmptyCatalog(store, file, samplePath, 1_000);
    const [first, second] = file.products;
    if (!first || !second) throw new Error("the sample has products");
    await edit({ type: "price_set", productId: first.id, price: 1 });
    await edit({ type: "product_hidden", productId: second.id, hidden: true });
    const plan = planSeed(file, store.catalogRows(), { kind: "import", file: "sampleCatalog.json" }, 2_000);
    expect(plan).toMatchObject({ ok: true, preview: { newProducts: 0, changedProducts: 1, shownProducts: 1, hiddenProducts: 0, newCategories: [] } });
  });
});

describe("the shop's catalog from the store", () => {
  beforeEach(async () => {
    await edit({ type: "category_saved", category: { id: "tea", title: "Чай", position: 0 } });
    await edit({ type: "category_saved", category: { id: "cocoa", title: "Какао", position: 1 } });
    await edit({ type: "product_saved", product: { id: "sencha", categoryId: "tea", title: "Сенча", description: "Зелёный", price: 590, currency: "RUB", hidden: false, position: 0, stock: 3 } });
    await edit({ type: "product_saved", product: { id: "puer", categoryId: "tea", title: "Пуэр", description: "Тёмный", price: 990, currency: "RUB", hidden: false, position: 1 } });
    await edit({ type: "product_saved", product: { id: "cacao", categoryId: "cocoa", title: "Какао-бобы", description: "", price: 400, currency: "RUB", hidden: true, position: 0 } });
  });

  it("shows an edit at the next read, without being built again by hand", async () => {
    const catalog = storeCatalog(store);
    expect(catalog.product("sencha")?.price).toBe(590);
    await edit({ type: "price_set", productId: "sencha", price: 640 });
    await edit({ type: "product_saved", product: { id: "puer", categoryId: "tea", title: "Шу пуэр", description: "Тёмный", price: 990, currency: "RUB", hidden: false, position: 1 } });
    expect(catalog.product("sencha")?.price).toBe(640);
    expect(catalog.search("шу", { offset: 0, limit: 10 }).items.map((product) => product.id)).toEqual(["puer"]);
  });

  it("shows stock as it is after a reservation", async () => {
    const catalog = storeCatalog(store);
    expect(catalog.product("sencha")?.stock).toBe(3);
    await store.transact((tx) => tx.reserveStock([{ productId: "sencha", qty: 2 }]));
    expect(catalog.product("sencha")?.stock).toBe(1);
    expect(catalog.product("puer")).not.toHaveProperty("stock");
  });

  it("neither lists, finds nor sells a hidden product, and leaves out a shelf with nothing shown", async () => {
    const catalog = storeCatalog(store);
    expect(catalog.categories().map((category) => category.id)).toEqual(["tea"]);
    expect(catalog.product("cacao")).toBeUndefined();
    expect(catalog.search("какао", { offset: 0, limit: 10 }).items).toEqual([]);
    await edit({ type: "product_hidden", productId: "sencha", hidden: true });
    expect(catalog.products("tea", { offset: 0, limit: 10 }).items.map((product) => product.id)).toEqual(["puer"]);
    expect(catalog.product("sencha")).toBeUndefined();
    await edit({ type: "product_hidden", productId: "cacao", hidden: false });
    expect(catalog.categories().map((category) => category.id)).toEqual(["tea", "cocoa"]);
    expect(catalog.product("cacao")).toEqual({ id: "cacao", categoryId: "cocoa", title: "Какао-бобы", description: "", price: 400, currency: "RUB" });
  });

  it("keeps the owner's order of the shelves", async () => {
    const catalog = storeCatalog(store);
    await edit({ type: "product_hidden", productId: "cacao", hidden: false });
    await edit({ type: "category_saved", category: { id: "cocoa", title: "Какао", position: -1 } });
    expect(catalog.categories().map((category) => category.id)).toEqual(["cocoa", "tea"]);
  });
});
