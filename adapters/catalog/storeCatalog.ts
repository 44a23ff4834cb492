import type { Catalog, Category, Product } from "../../actors/catalog.port.ts";
import type { CatalogReads, CatalogRows } from "../../actors/catalogStore.port.ts";
import { catalogOf } from "./catalogIndex.ts";

/**
 * The shop's catalog read from the store: what customers see is what the owner last saved, without
 * a restart. The in-memory catalog (catalogIndex.ts) is rebuilt from `catalogRows()` at the first
 * read after `catalogVersion()` moved (an edit, an import, a reservation or release of stock), so
 * reads between edits cost what the file catalog's did and stock is shown as it is now.
 */

/** What a customer may see: shown products, and the shelves that hold at least one of them. */
export function shopCatalogOf(rows: CatalogRows): Catalog {
  const products: Product[] = rows.products.filter((row) => !row.hidden).map(({ hidden: _hidden, position: _position, ...product }) => product);
  const stocked = new Set(products.map((product) => product.categoryId));
  const categories: Category[] = rows.categories.filter((row) => stocked.has(row.id)).map(({ position: _position, ...category }) => category);
  return catalogOf(categories, products);
}

/**
 * A {@link Catalog} over the store's catalog. Every call reads the version (a number in memory) and
 * rebuilds only when it moved; a product the owner hid is neither listed, found nor sold (its id
 * reads as unknown, as a removed product's did), and a shelf left with nothing shown is not listed.
 *
 * @example
 * const catalog = storeCatalog(store);
 * await store.transact((tx) => tx.applyCatalogEdit({ by, at, change: { type: "price_set", productId: "p1", price: 990 } }));
 * catalog.product("p1")?.price; // 990
 */
export function storeCatalog(reads: Pick<CatalogReads, "catalogRows" | "catalogVersion">): Catalog {
  let built: { readonly version: number; readonly catalog: Catalog } | undefined;
  const current = (): Catalog => {
    const version = reads.catalogVersion();
    if (built?.version !== version) built = { version, catalog: shopCatalogOf(reads.catalogRows()) };
    return built.catalog;
  };
  return {
    categories: () => current().categories(),
    category: (id) => current().category(id),
    products: (categoryId, page) => current().products(categoryId, page),
    product: (id) => current().product(id),
    search: (query, page) => current().search(query, page),
    describe: (maxChars) => current().describe(maxChars),
  };
}
